"""The kiosk's check-ins while the hall is away, on the job pool: the dispenser's lease worker
(kiosk.roles.dispenser.leases) running the kiosk's `OfflineCheckIns` instead of a dispenser's
issuer: a round every few seconds and at once when the hall comes back learns today's
appointments, hands in the check-ins made meanwhile and renews the leases; `check_in` runs one
check-in from the kiosk's copy when the page's own request found the hall away. The rounds begin
at the hall's first answer; a check-in before it reads what an earlier run kept on disk.

The rules live in `kiosk.models.terminal.offline_checkin` (Qt-free).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ground.paths import data_dir
from hall.client import HallClient
from kiosk.models.terminal.offline_checkin import CheckedIn, OfflineCheckIns, identity_key
from kiosk.roles.dispenser.leases import DispenserLeases


class KioskCheckIns(DispenserLeases):
    def issuer(self) -> OfflineCheckIns | None:  # type: ignore[override]
        """The kiosk's check-ins, opened on first use; None while the hall's description is unknown."""
        with self._lock:
            hall = self.context.hall
            if self._issuer is None and hall.get("queues"):
                settings = self.context.settings
                client = HallClient(settings.hall_url, settings.token, timeout=self.context.link.timeout)
                self._issuer = OfflineCheckIns(client, data_dir(self.data_directory),  # type: ignore[assignment]
                                               str(hall.get("timezone") or "Asia/Shanghai"), key=identity_key(),
                                               hall=hall)
            return self._issuer  # type: ignore[return-value]

    def on_link_online_changed(self, online: bool, reason: str) -> None:
        if online and not self.timer.isActive():
            self.start()  # the rounds begin once the hall has answered
            return
        super().on_link_online_changed(online, reason)

    def _check_in(self, what: dict[str, Any], key: str) -> CheckedIn:
        desk = self.issuer()
        if desk is None:
            raise RuntimeError("the hall's description is not known yet: no appointments to check in from")
        desk.issuer.away = True
        return desk.check_in(what.get("code"), what.get("id_number"), unanswered=key)

    def check_in(self, what: dict[str, Any], key: str, *, done: Callable[[CheckedIn], None],
                 failed: Callable[[BaseException], None]) -> None:
        """A check-in from the kiosk's copy for the request (`key`) the hall did not answer."""
        self.jobs_submit("kiosk.offline-check-in", self._check_in, dict(what), key,
                         done=lambda checked: self._checked_in(checked, done), failed=failed)

    def _checked_in(self, checked: CheckedIn, done: Callable[[CheckedIn], None]) -> None:
        if not checked.again:
            self._set_pending(self.pending + 1)
        done(checked)
