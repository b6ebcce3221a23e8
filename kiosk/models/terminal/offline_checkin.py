"""预约签到 while the hall is away: the kiosk checks in today's appointments from its own copy of
them, with a number of its own lease, and hands each check-in in once the hall is back. Qt-free.

What the kiosk keeps of the hall's appointments (`GET /api/v1/appointments/today`, refreshed each
round while the hall answers, in a 0600 file of the data directory so a restart keeps it): each
of today's appointments with its check-in code, slot, queue and matter, whether it was checked in
at the hall, and its holder only as a day tag (hall.identity.day_tag): no ID number, no holder
hash. A code is matched against the copy; an ID card only on a kiosk the hall's IT person gave
the hall's identity key (`YICIBAN_IDENTITY_KEY_FILE` or `YICIBAN_IDENTITY_KEY`, as for the hall;
it never travels over the network): without it a card finds nothing and the citizen is asked
for the code. The appointment is chosen and its check-in window checked as the hall does
(hall.domain.appointments).

The kiosk is a numbered issuer like a dispenser: the ticket comes from its lease through the
dispenser's own `LeasedIssuer`/`LeaseBook` (kiosk.models.dispenser_lease), kept on disk with its
appointment before it prints, and handed in with it (`POST /leases/{lease}/tickets`) in the order
printed. The hall checks the appointment in at the time the ticket was printed, once.

What it answers instead of a ticket, each as a `hall.client.HallError` with its code so the page
says it in the citizen's words: no copy of today, or none at all (`offline_unknown`: a kiosk clock
that jumped to another day finds no copy of that day), no appointment matching (`offline_unknown`),
a card without the key (`offline_card`), an appointment checked in at the hall
(`offline_checked_in`, with its number), too early or too late for the kiosk's clock (the hall's
`too_early`, `expired`; the hall checks the print time again when it is handed in), no numbers
left (`offline_no_number`). The same appointment checked in again on this kiosk gives the same
ticket, said so.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ground.paths import private_file
from hall.client import HallClient, HallError, HallUnavailable
from hall.domain.appointments import Appointment, choose, parse_code
from hall.domain.errors import QueueError
from hall.domain.events import hall_day
from hall.identity import KEY_ENV, KEY_FILE_ENV, Identity
from hall.wire import AppointmentsCopy, WireError
from kiosk.models.dispenser_lease import Issued, LeaseBook, LeasedIssuer, LeaseError
from kiosk.pending import Delivery
from sync.crypto import SealingKeyError, parse_key, read_key_file
from sync.outbox import DEAD

log = logging.getLogger(__name__)

BOOK_FILE = "kiosk-checkins.sqlite3"  # the kiosk's leases and the check-ins made from them
COPY_FILE = "kiosk-appointments.json"
LEASE_SIZE = 10  # numbers of a queue asked for at a time: a kiosk checks in a few an hour
RENEW_BELOW = 4
UNKNOWN, CARD, CHECKED_IN, NO_NUMBER = "offline_unknown", "offline_card", "offline_checked_in", "offline_no_number"


def identity_key(env: Mapping[str, str] | None = None) -> bytes | None:
    """The hall's identity key when this kiosk was given it, else None (cards then match nothing)."""
    env = os.environ if env is None else env
    try:
        if env.get(KEY_ENV):
            return parse_key(env[KEY_ENV], "identity key")
        if env.get(KEY_FILE_ENV):
            return read_key_file(Path(env[KEY_FILE_ENV]), "identity key")
    except SealingKeyError as exc:
        log.error("identity key not usable, ID cards are not matched while the hall is away: %s", exc)
    return None


@dataclass(frozen=True)
class Known:
    """One of today's appointments as the kiosk keeps it."""

    appointment: Appointment  # its `holder` is the day tag
    view: dict[str, Any]  # what the hall's answer says of it (names in Chinese and English, ticket)

    @classmethod
    def read(cls, item: dict[str, Any]) -> Known | None:
        a = Appointment.from_item({**item, "holder": item.get("holder_tag")})
        if a is None or not isinstance(item.get("queue"), str):
            return None
        view = {k: item.get(k) for k in ("id", "date", "slot_start", "slot_end", "matter", "matter_name",
                                         "matter_name_en", "queue", "queue_name", "queue_name_en",
                                         "checked_in", "ticket", "ticket_number")}
        return cls(a, view)


class AppointmentCopy:
    """The day's appointments as last heard from the hall, in one JSON file of the data directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def save(self, answer: dict[str, Any]) -> None:
        tmp = private_file(self.path.with_suffix(".tmp"))
        tmp.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def load(self, day: str) -> tuple[list[Known], float] | None:
        """The copy's appointments and grace minutes when it is of `day`, else None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.error("the kiosk's copy of today's appointments is not readable: %s", exc)
            return None
        if not isinstance(data, dict) or data.get("day") != day:
            return None
        found = [Known.read(x) for x in data.get("appointments") or [] if isinstance(x, dict)]
        return [k for k in found if k is not None], float(data.get("grace_minutes") or 0)


@dataclass(frozen=True)
class CheckedIn:
    """A check-in made from the kiosk's copy: its ticket from the lease, and the appointment."""

    issued: Issued
    appointment: dict[str, Any]
    again: bool  # checked in on this kiosk before: the same ticket


class OfflineCheckIns:
    """The kiosk's check-ins while the hall is away, and their hand-in when it is back."""

    def __init__(self, client: HallClient, directory: str | Path, timezone: str, *, key: bytes | None = None,
                 hall: dict[str, Any] | None = None, clock: Callable[[], float] = time.time) -> None:
        """`hall`: the hall's description (its windows and service times: what the estimates of the
        people ahead and the wait start from, with the counts of the last snapshot)."""
        self.client, self.tz, self.clock, self.hall = client, ZoneInfo(timezone), clock, hall or {}
        self.book = LeaseBook(Path(directory) / BOOK_FILE, timezone, clock=clock)
        self.copy = AppointmentCopy(Path(directory) / COPY_FILE)
        self.identity = Identity(key) if key is not None else None
        known = self.copy.load(hall_day(clock(), self.tz))
        self.issuer = LeasedIssuer(client, self.book, _queues(known), size=LEASE_SIZE, renew_below=RENEW_BELOW)

    def close(self) -> None:
        self.book.close()

    def sync(self, *, force: bool = False) -> Delivery:
        """Learns today's appointments while the hall answers, hands in the check-ins made while it
        did not, and keeps a lease of each appointment queue. Raises nothing when the hall is away."""
        try:
            answer = self.client.appointments_today()
            AppointmentsCopy.read(answer, "GET /appointments/today")
        except HallUnavailable:
            self.issuer.away = True
        except HallError as exc:
            log.error("today's appointments not refreshed: %s %s", exc.status, exc.code)
        except WireError as exc:
            log.error("today's appointments not refreshed: %s", exc)
        else:
            self.copy.save(answer)
            self.issuer.queues = _queues(self.copy.load(str(answer.get("day"))))
            self._learn()
        return self.issuer.sync(force=force)

    def _learn(self) -> None:
        """The queues' counts as the hall has them now: what an offline ticket's estimates start from."""
        try:
            self.issuer.learn(self.client.snapshot(), self.hall)
        except HallError as exc:
            log.warning("no snapshot for the offline estimates: %s %s", exc.status, exc.code)

    def _matches(self, known: list[Known], code: str | None, id_number: str | None, day: str) -> list[Known]:
        """The appointments of the copy a code or a card stands for."""
        if code is not None:
            wanted = parse_code(code)
            return [k for k in known if k.appointment.code == wanted]
        if self.identity is None:
            raise HallError(404, CARD, "this kiosk cannot match an ID card while the hall is away")
        tag = self.identity.day_tag(self.identity.holder(id_number or ""), day)
        return [k for k in known if k.appointment.holder == tag]

    def pending(self) -> int:
        return self.book.pending_count()

    def check_in(self, code: str | None = None, id_number: str | None = None,
                 unanswered: str | None = None) -> CheckedIn:
        """A check-in from the copy with a number of the lease, kept on disk before this returns.
        `unanswered`: the key of the check-in sent to the hall that got no answer."""
        now = self.clock()
        found = self.copy.load(hall_day(now, self.tz))
        if found is None:
            raise HallError(404, UNKNOWN, "this kiosk has no copy of today's appointments")
        known, grace = found
        try:
            matches = self._matches(known, code, id_number, hall_day(now, self.tz))
            mine = {t.appointment: t for t, state, _ in self.book.tickets() if t.appointment and state != DEAD}
            by_id = {k.appointment.id: k for k in matches}
            a = choose([k.appointment for k in matches], now, self.tz, grace,
                       lambda id: id in mine or bool(by_id[id].view.get("checked_in")))
            if a is None:
                raise HallError(404, UNKNOWN, "no appointment of today in this kiosk's copy matches")
            view = dict(by_id[a.id].view)
            if a.id in mine:
                return CheckedIn(Issued(offline=mine[a.id]), _checked(view, mine[a.id]), again=True)
            if view.get("checked_in"):
                raise HallError(409, CHECKED_IN, "checked in at the hall", {"number": view.get("ticket_number") or ""})
            a.check_admission(now, self.tz, grace)
            issued = self.issuer.from_lease(a.queue or "", "appointment", unanswered, appointment=a.id)
        except QueueError as exc:  # a damaged code, a wrong number, too early, too late: as the hall says them
            raise HallError(exc.status, exc.code, exc.message, dict(exc.details)) from None
        except LeaseError as exc:
            raise HallError(409, NO_NUMBER, str(exc)) from None
        assert issued.offline is not None
        log.info("appointment %s checked in while the hall is away: %s", a.id, issued.offline.number)
        return CheckedIn(issued, _checked(view, issued.offline), again=False)


def _checked(view: dict[str, Any], ticket: Any) -> dict[str, Any]:
    return {**view, "checked_in": True, "ticket": ticket.id, "ticket_number": ticket.number}


def _queues(found: tuple[list[Known], float] | None) -> list[str]:
    """The queues the kiosk keeps a lease of: those of today's appointments."""
    return sorted({k.appointment.queue for k in found[0] if k.appointment.queue}) if found else []
