"""The dispenser that never stops: its leases of numbers, the tickets it printed from them while
the hall was away, and handing those in when the hall is back. Qt-free.

The hall grants each dispenser a block of each queue's numbers ahead of need (hall.leases); no
one else ever issues them. While the hall answers, tickets come from the hall as always and the
block waits in reserve. When the hall does not answer, `LeasedIssuer.issue` takes the next
number of today's block, in one transaction with the ticket kept on disk, and the ticket is
printed with a quiet mark that its place in line is estimated. `LeasedIssuer.sync` then hands
the tickets in, in the order they were printed (each with its own idempotency key, so a lost
answer never makes two tickets), and renews every block that is running low.

The tickets waiting for the hall are rows of a sync outbox (`sync.outbox`) in the book's own
file, beside the blocks: the same table, states and backoff as the pad's ratings.

What it refuses, saying why, with nothing issued: a block that overlaps one it holds (a hall
restored from an old copy would hand the same numbers out again), a block of another day, a
clock that went back across midnight since the last ticket, and issuing from yesterday's block.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hall.client import HallClient, HallError, HallUnavailable
from hall.domain.events import hall_day, iso_utc
from hall.domain.numbers import ticket_number
from hall.leases import Lease
from kiosk.pending import Delivery, definitive, open_outbox_file, retry_delay
from sync.outbox import PENDING, Outbox, Row, read_state, write

log = logging.getLogger(__name__)

FILE_NAME = "dispenser-leases.sqlite3"
LEASED_TICKET = "leased_ticket"
LEASE_SIZE = 30  # numbers asked for at a time, per queue
RENEW_BELOW = 10  # a block with fewer numbers left than this is renewed while the hall answers
OFFLINE_NOTE = "离线取号：前方人数与等候时间为估计"
_LAST_ISSUED = "last_issued_at"


class LeaseError(Exception):
    """The dispenser cannot issue from, or take, a lease; the message says why. Nothing changed."""


@dataclass(frozen=True)
class OfflineTicket:
    """A ticket printed from a lease while the hall was away."""

    id: str  # the hall's id for it (20261207-A003): the key it is handed in with
    number: str
    queue: str
    lease: str
    issued_at: float
    priority: str = "normal"
    unanswered: str | None = None  # the key of the issue the hall did not answer, for the same tap
    appointment: str | None = None  # a kiosk's: the appointment checked in with it

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "queue": self.queue, "lease": self.lease,
                "issued_at": self.issued_at, "priority": self.priority, "unanswered": self.unanswered,
                "appointment": self.appointment}


def _check(item: dict[str, Any]) -> str | None:
    p = item.get("payload")
    if item.get("type") != LEASED_TICKET or not isinstance(p, dict):
        return "the lease book keeps leased tickets only"
    missing = {"id", "number", "queue", "lease", "issued_at"} - set(p)
    return f"a leased ticket needs {sorted(missing)}" if missing else None


class LeaseBook:
    """A dispenser's blocks of numbers and the tickets it printed from them, in one SQLite file."""

    def __init__(self, path: str | Path, timezone: str, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.tz = ZoneInfo(timezone)
        self.clock = clock
        self.outbox = Outbox(clock=clock, check=_check)
        self._lock = threading.RLock()
        self._conn = open_outbox_file(self.path, self._lock)  # a printed ticket is on disk before it prints
        with write(self._conn, self._lock):
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS leases (lease TEXT PRIMARY KEY, queue TEXT NOT NULL, day TEXT NOT NULL,"
                " first INTEGER NOT NULL, last INTEGER NOT NULL, next INTEGER NOT NULL, data TEXT NOT NULL)")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- blocks

    def add_lease(self, data: dict[str, Any]) -> Lease:
        """Keeps a block the hall granted; refuses one of another day or one overlapping a block held."""
        try:
            lease = Lease.from_dict(data)
        except ValueError as exc:
            raise LeaseError(f"the hall's lease is not readable: {exc}") from None
        today = hall_day(self.clock(), self.tz)
        if lease.day != today:
            raise LeaseError(f"lease {lease.id} is for {lease.day}, and today is {today}: not taken")
        with write(self._conn, self._lock):
            if self._conn.execute("SELECT 1 FROM leases WHERE lease = ?", (lease.id,)).fetchone():
                return lease  # the same grant, answered twice
            clash = self._conn.execute(
                "SELECT lease, first, last FROM leases WHERE day = ? AND queue = ? AND first <= ? AND ? <= last",
                (lease.day, lease.queue, lease.last, lease.first)).fetchone()
            if clash:
                raise LeaseError(f"lease {lease.id} ({lease.first}–{lease.last}) overlaps lease {clash[0]} "
                                 f"({clash[1]}–{clash[2]}) this dispenser holds: the hall would hand the same "
                                 "numbers out twice (was its database restored?); not taken")
            self._conn.execute("INSERT INTO leases VALUES (?,?,?,?,?,?,?)",
                               (lease.id, lease.queue, lease.day, lease.first, lease.last, lease.first,
                                json.dumps(lease.to_dict())))
        return lease

    def remaining(self, queue: str, day: str | None = None) -> int:
        """Numbers of `queue` left to issue in the day's blocks (today's by default)."""
        day = day or hall_day(self.clock(), self.tz)
        with self._lock:
            row = self._conn.execute("SELECT coalesce(sum(last - next + 1), 0) FROM leases"
                                     " WHERE day = ? AND queue = ? AND next <= last", (day, queue)).fetchone()
        return int(row[0])

    # -- issuing while the hall is away

    def issue(self, queue: str, priority: str = "normal", unanswered: str | None = None,
              appointment: str | None = None) -> OfflineTicket:
        """The next number of today's block of `queue`, kept on disk (committed when this returns).
        `unanswered`: the key of the issue sent to the hall for this tap that got no answer;
        `appointment`: the one a kiosk checks in with this ticket."""
        now = self.clock()
        day = hall_day(now, self.tz)
        with write(self._conn, self._lock):
            last = float(read_state(self._conn).get(_LAST_ISSUED, "0") or 0)
            if now < last and hall_day(last, self.tz) != day:
                raise LeaseError(f"this dispenser's clock reads {iso_utc(now)}, before its last ticket at "
                                 f"{iso_utc(last)} of {hall_day(last, self.tz)}: the clock went back across "
                                 "midnight; set it right before issuing")
            issued_at = max(now, last)  # the order of this dispenser's tickets is the order printed
            row = self._conn.execute("SELECT lease, next, data FROM leases WHERE day = ? AND queue = ?"
                                     " AND next <= last ORDER BY first LIMIT 1", (day, queue)).fetchone()
            if row is None:
                raise LeaseError(self._why_none(queue, day))
            lease = Lease.from_dict(json.loads(row[2]))
            number = ticket_number(lease.prefix, row[1], lease.digits)
            ticket = OfflineTicket(f"{day.replace('-', '')}-{number}", number, queue, lease.id, issued_at, priority,
                                   unanswered, appointment)
            self._conn.execute("UPDATE leases SET next = next + 1 WHERE lease = ?", (lease.id,))
            self.outbox.add(self._conn, LEASED_TICKET, ticket.to_dict(), key=ticket.id)
            self._conn.execute("INSERT INTO sync_state VALUES (?, ?) ON CONFLICT(name) DO UPDATE"
                               " SET value = excluded.value", (_LAST_ISSUED, repr(issued_at)))
        log.info("ticket %s issued from lease %s while the hall is away", number, lease.id)
        return ticket

    def _why_none(self, queue: str, day: str) -> str:
        older = self._conn.execute("SELECT max(day) FROM leases WHERE queue = ? AND day < ?", (queue, day)).fetchone()
        if older and older[0]:
            return (f"the only lease of {queue} is from {older[0]}, and today is {day}: yesterday's numbers "
                    "are not issued again")
        return f"no numbers of {queue} left in today's leases"

    # -- handing in

    def tickets(self, state: str | None = None) -> list[tuple[OfflineTicket, str, str]]:
        """(ticket, state, last error) in the order printed: all, or those in `state`."""
        with self._lock:
            rows = self.outbox.rows(self._conn, state=state)
        return [(_ticket(r), r.state, r.last_error or "") for r in rows]

    def due(self, *, force: bool = False) -> list[OfflineTicket]:
        now = float("inf") if force else self.clock()
        with self._lock:
            return [_ticket(r) for r in self.outbox.due(self._conn, now, 10_000, 3600.0)]

    def pending_count(self) -> int:
        with self._lock:
            return self.outbox.count(self._conn, PENDING)

    def settle(self, key: str, *, refused: str | None = None, failed: str | None = None) -> None:
        """The hall has it (neither given), refused it for good, or did not answer (tried again later)."""
        with self._lock:
            found = self.outbox.rows(self._conn, key=key, state=PENDING)
        if not found:
            return
        row = found[0]
        if refused is not None:
            how: dict[str, Any] = {"dead": [(row.id, refused)]}
        elif failed is not None:
            how = {"failed": [row.id], "error": failed, "next_attempt": self.clock() + retry_delay(row.attempts + 1)}
        else:
            how = {"acked": [row.id]}
        self.outbox.settle(self._conn, self.clock(), lock=self._lock, **how)


def _ticket(row: Row) -> OfflineTicket:
    p = json.loads(row.payload)
    return OfflineTicket(p["id"], p["number"], p["queue"], p["lease"], float(p["issued_at"]),
                         p.get("priority", "normal"), p.get("unanswered"), p.get("appointment"))


def hand_in_due(book: LeaseBook, client: HallClient, *, force: bool = False) -> Delivery:
    """Hands each due ticket in, in the order printed, with its id as the key; stops when the hall is away."""
    sent: list[str] = []
    refused: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    for t in book.due(force=force):
        try:
            client.hand_in(t.lease, t.number, iso_utc(t.issued_at), t.priority,  # type: ignore[arg-type]
                           idempotency_key=t.id, unanswered_key=t.unanswered, appointment=t.appointment)
        except HallError as exc:
            if definitive(exc):
                reason = f"{exc.status} {exc.code}: {exc.message}"
                book.settle(t.id, refused=reason)
                refused.append((t.id, reason))
                log.error("hall refused the offline ticket %s: %s", t.number, reason)
                continue
            book.settle(t.id, failed=str(exc))
            failed.append((t.id, str(exc)))
            if isinstance(exc, HallUnavailable):
                break
            continue
        book.settle(t.id)
        sent.append(t.id)
    return Delivery(sent, refused, failed, book.pending_count(), {t: t for t in sent})


def offline_answer(hall: dict[str, Any], issued: Issued, **extra: Any) -> Any:
    """A ticket issued from a lease as the screens read the hall's answer (hall.wire.IssueAnswer);
    without a signed follow link, which only the hall can make: its QR leads to the hall's page.
    `extra`: more of the answer (a check-in's `appointment` and `already_checked_in`)."""
    from hall.wire import IssueAnswer
    from kiosk.models.dispenser import queue_name_zh

    t = issued.offline
    assert t is not None, "an offline answer needs a ticket issued from a lease"
    ticket = {"id": t.id, "number": t.number, "queue": t.queue, "queue_name": queue_name_zh(hall, t.queue),
              "priority": t.priority, "state": "waiting", "issued_at": iso_utc(t.issued_at),
              "people_ahead": issued.people_ahead, "estimated_wait_minutes": issued.wait_minutes,
              "appointment": t.appointment}
    return IssueAnswer.read({"ticket": ticket, "hall": {"id": str(hall.get("id") or ""),
                                                        "name": str(hall.get("name") or "")},
                             "follow_path": "", **extra}, "a ticket issued from a lease")


def offline_document(hall: dict[str, Any], issued: Issued, qr_url: str) -> Any:
    """The printed ticket of one issued from a lease: as usual, with the quiet mark that its
    place in line is estimated (`qr_url`: the hall's page of the ticket, `follow_url` of its answer)."""
    import datetime as dt

    from drivers.escpos.ticket import queue_ticket
    from kiosk.models.clock import hall_zone
    from kiosk.models.dispenser import NOTES, queue_name_zh

    t = issued.offline
    assert t is not None, "an offline document needs a ticket issued from a lease"
    when = dt.datetime.fromtimestamp(t.issued_at, hall_zone(hall))
    return queue_ticket(str(hall.get("name") or "政务服务中心"), t.number, queue_name_zh(hall, t.queue),
                        issued.people_ahead, issued.wait_minutes, when,
                        qr_url, [OFFLINE_NOTE, *NOTES])


@dataclass(frozen=True)
class Issued:
    """A ticket the dispenser may print: the hall's answer, or one printed from a lease."""

    answer: Any = None  # hall.wire.IssueAnswer when the hall answered
    offline: OfflineTicket | None = None
    people_ahead: int = 0  # the hall's count, or an estimate when offline
    wait_minutes: int | None = None


class LeasedIssuer:
    """The dispenser's issue path: the hall while it answers, the lease while it does not."""

    def __init__(self, client: HallClient, book: LeaseBook, queues: list[str], *, size: int = LEASE_SIZE,
                 renew_below: int = RENEW_BELOW) -> None:
        self.client, self.book, self.queues = client, book, list(queues)
        self.size, self.renew_below = size, renew_below
        self.waiting: dict[str, int] = {}  # queue -> people waiting, as last seen
        self.minutes_per_ticket: dict[str, float] = {}
        # once the hall did not answer, taps go straight to the lease until `sync` reaches it again:
        # a hall PC that is off costs one timeout, not one per citizen
        self.away = False

    def learn(self, snapshot: dict[str, Any], hall: dict[str, Any]) -> None:
        """What the estimates start from: the hall's last snapshot (waiting) and service times."""
        self.waiting = {q["id"]: int(q.get("waiting") or 0) for q in snapshot.get("queues", [])}
        serving: dict[str, int] = {}
        for w in hall.get("windows", []):
            for q in w.get("queues", []):
                serving[q] = serving.get(q, 0) + 1
        self.minutes_per_ticket = {q["id"]: float(q.get("service_minutes") or 8) / max(1, serving.get(q["id"], 1))
                                   for q in hall.get("queues", [])}

    def issue(self, queue: str, priority: str = "normal", idempotency_key: str | None = None) -> Issued:
        """A ticket for one tap: the hall's, or, when the hall does not answer, one from the lease."""
        key = idempotency_key or str(uuid.uuid4())
        try:
            if self.away:
                return self.from_lease(queue, priority, None)
            answer = self.client.issue(queue=queue, priority=priority, channel="dispenser",  # type: ignore[arg-type]
                                       idempotency_key=key)
        except HallUnavailable as exc:
            log.warning("hall away (%s); issuing %s from the lease", exc.code, queue)
            self.away = True
            return self.from_lease(queue, priority, key)
        self.waiting[queue] = answer.ticket.people_ahead + 1
        return Issued(answer=answer, people_ahead=answer.ticket.people_ahead,
                      wait_minutes=answer.ticket.estimated_wait_minutes)

    def from_lease(self, queue: str, priority: str = "normal", unanswered: str | None = None,
                   appointment: str | None = None) -> Issued:
        """A ticket from the lease now (the hall did not answer `unanswered`, the key of this tap's
        issue); a kiosk's checks in `appointment` with it."""
        ticket = self.book.issue(queue, priority, unanswered=unanswered, appointment=appointment)
        ahead = self.waiting.get(queue, 0)
        self.waiting[queue] = ahead + 1
        minutes = round((ahead + 0.5) * self.minutes_per_ticket.get(queue, 8.0))
        return Issued(offline=ticket, people_ahead=ahead, wait_minutes=minutes)

    def sync(self, *, force: bool = False) -> Delivery:
        """Hands in what was printed offline, then renews the blocks running low. Raises nothing
        when the hall is away: what is left waits for the next round."""
        delivery = hand_in_due(self.book, self.client, force=force or self.away)
        if delivery.failed or delivery.pending:
            return delivery  # the hall is not all there: the tickets go in before any new block
        try:
            self.client.health()
        except HallError:
            return delivery
        self.away = False
        for queue in self.queues:
            if self.book.remaining(queue) >= self.renew_below:
                continue
            try:
                self.book.add_lease(self.client.grant_lease(queue, self.size))
            except HallUnavailable:
                break
            except (HallError, LeaseError) as exc:
                log.error("no new lease of %s: %s", queue, exc)
        return delivery
