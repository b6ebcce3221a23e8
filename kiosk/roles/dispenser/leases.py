"""The dispenser's leases of numbers on the job pool: renewed while the hall answers, issued from
while it does not, and the tickets printed meanwhile handed in when it is back.

The rules live in `kiosk.models.dispenser_lease` (Qt-free); this object only runs them off the
GUI thread: a round of `LeasedIssuer.sync` every few seconds and at once when the hall comes
back (one round at a time), and `issue` when the view's own request found the hall away. The
book is opened once the hall's description is known (its time zone and queues), in the data
directory, and stays open until `shutdown`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ground.paths import data_dir
from hall.client import HallClient
from kiosk.context import Context
from kiosk.models.dispenser_lease import FILE_NAME, Issued, LeaseBook, LeasedIssuer

log = logging.getLogger(__name__)

SYNC_MS = 10_000


class DispenserLeases(QObject):
    pending_changed = Signal(int)  # tickets printed from a lease that the hall does not have yet

    def __init__(self, context: Context, *, data_directory: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context, self.data_directory = context, data_directory
        self.pending = 0  # as of the last round
        self._issuer: LeasedIssuer | None = None
        self._lock = threading.Lock()
        self._syncing = self._closed = False
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_MS)
        self.timer.timeout.connect(self.on_timer_timeout)
        context.link.online_changed.connect(self.on_link_online_changed)

    def start(self) -> None:
        self.timer.start()
        self.sync()

    # -- worker side

    def issuer(self) -> LeasedIssuer | None:
        """The issuer, its book opened on first use; None while the hall's description is unknown."""
        with self._lock:
            hall = self.context.hall
            if self._issuer is None and hall.get("queues"):
                settings = self.context.settings
                book = LeaseBook(data_dir(self.data_directory) / FILE_NAME, str(hall.get("timezone") or "Asia/Shanghai"))
                client = HallClient(settings.hall_url, settings.token, timeout=self.context.link.timeout)
                self._issuer = LeasedIssuer(client, book, [str(q["id"]) for q in hall["queues"]])
            return self._issuer

    def _sync(self) -> int:
        issuer = self.issuer()
        if issuer is None:
            return 0
        issuer.sync()
        return issuer.book.pending_count()

    def _issue(self, queue: str, priority: str, key: str, waiting: dict[str, int]) -> Issued:
        issuer = self.issuer()
        if issuer is None:
            raise RuntimeError("the hall's description is not known yet: no lease to issue from")
        for q, n in waiting.items():
            issuer.waiting.setdefault(q, n)
        issuer.away = True
        return issuer.from_lease(queue, priority, key)

    # -- GUI side

    def issue(self, queue: str, priority: str, key: str, waiting: dict[str, int], *,
              done: Callable[[Issued], None], failed: Callable[[BaseException], None]) -> None:
        """A ticket from the lease for the tap whose issue (`key`) the hall did not answer."""
        self.jobs_submit("dispenser.lease-issue", self._issue, queue, priority, key, dict(waiting),
                         done=lambda issued: self._issued(issued, done), failed=failed)

    def _issued(self, issued: Issued, done: Callable[[Issued], None]) -> None:
        self._set_pending(self.pending + 1)
        done(issued)

    def sync(self) -> None:
        if self._closed or self._syncing:
            return
        self._syncing = True
        self.jobs_submit("dispenser.sync-leases", self._sync, done=self.on_synced, failed=self.on_sync_failed)

    def jobs_submit(self, name: str, fn: Callable[..., Any], *args: Any, done: Callable[[Any], None],
                    failed: Callable[[BaseException], None]) -> None:
        self.context.jobs.submit(name, fn, *args, done=done, failed=failed)

    def on_synced(self, pending: int) -> None:
        self._syncing = False
        self._set_pending(pending)

    def on_sync_failed(self, exc: BaseException) -> None:
        self._syncing = False
        log.error("leases not renewed: %s", exc)

    def _set_pending(self, count: int) -> None:
        if count != self.pending:
            self.pending = count
            self.pending_changed.emit(count)

    @Slot()
    def on_timer_timeout(self) -> None:
        self.sync()

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        if online:
            self.sync()

    def shutdown(self) -> None:
        self._closed = True
        self.timer.stop()
        self.context.jobs.wait()
        with self._lock:
            if self._issuer is not None:
                self._issuer.client.close()
                self._issuer.book.close()
                self._issuer = None
