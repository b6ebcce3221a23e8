"""What the hall display shows, folded from the hall's snapshot and then its events (Qt-free).

`Board.load(snapshot)` takes the state at one sequence number; `Board.apply(event)` folds in
each later event once: an event at or below the board's sequence number is dropped, so an
event seen twice (a reconnect, a replay) changes nothing and is never announced again.
`apply` answers what changed: the calls and recalls to announce, in order, and the windows
whose LED strip may need new text.

A call replayed long after it happened (the display was cut off for minutes) is still shown,
but marked `late`: the hall has moved on, and calling out stale numbers would confuse people.
"Long after" is measured on the hall's clock, estimated from the snapshot's `now`, so a display
whose own clock is wrong does not matter.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from drivers.ledstrip.texts import call_text, open_text, paused_text

if TYPE_CHECKING:
    from hall.wire import StreamEvent

KEEP_CALLS = 30
STALE_SECONDS = 120.0
AT_WINDOW = ("called", "serving")


@dataclass(frozen=True)
class Call:
    seq: int  # the event's sequence number (0: from the snapshot)
    ticket: str
    number: str
    window: str
    window_number: int
    at: float | None = None  # when, on the hall's clock (epoch seconds)
    recall: bool = False
    state: str = "called"
    late: bool = False


@dataclass
class QueueLine:
    id: str
    prefix: str
    name: str
    name_en: str
    waiting: int | None = None  # None: not known yet (the hall has not answered)


@dataclass
class WindowLine:
    id: str
    number: int
    name: str
    state: str = "closed"  # open | paused | closed
    ticket: str | None = None  # the ticket at the window (called or serving)


@dataclass
class _Ticket:
    number: str
    queue: str | None
    state: str  # waiting | called | serving | done | no_show | cancelled


@dataclass
class Update:
    calls: list[Call] = field(default_factory=list)  # calls and recalls, in order
    windows: set[str] = field(default_factory=set)  # windows whose state or ticket changed
    changed: bool = False


def _epoch(value: Any) -> float | None:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
    return None


def number_of(ticket_id: str) -> str:
    """A ticket's number from its id ("20261128-A017" -> "A017")."""
    return ticket_id.rsplit("-", 1)[-1]


class Board:
    """The board's state: queues, windows, recent calls, the sequence number it stands at."""

    def __init__(self, *, keep: int = KEEP_CALLS, stale_seconds: float = STALE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.keep, self.stale_seconds, self.clock = keep, stale_seconds, clock
        self.seq: int | None = None
        self.day: str | None = None
        self.queues: dict[str, QueueLine] = {}
        self.windows: dict[str, WindowLine] = {}
        self.calls: list[Call] = []  # newest first, one entry per ticket
        self._tickets: dict[str, _Ticket] = {}
        self._hall_offset: float | None = None  # hall clock minus our clock

    @property
    def loaded(self) -> bool:
        return self.seq is not None

    # -- reading

    @property
    def current(self) -> Call | None:
        return self.calls[0] if self.calls else None

    def recent(self, count: int, skip: int = 1) -> list[Call]:
        """The calls after the current one (`skip`), newest first."""
        return self.calls[skip:skip + count]

    def open_windows(self) -> list[WindowLine]:
        return sorted((w for w in self.windows.values() if w.state == "open"), key=lambda w: w.number)

    def waiting_total(self) -> int:
        return sum(q.waiting or 0 for q in self.queues.values())

    def window_call(self, window_id: str) -> Call | None:
        """The call of the ticket now at the window, if any."""
        w = self.windows.get(window_id)
        if w is None or w.ticket is None:
            return None
        return next((c for c in self.calls if c.ticket == w.ticket), None) or Call(
            0, w.ticket, self._number(w.ticket), w.id, w.number)

    # -- the snapshot

    def load(self, snapshot: dict[str, Any]) -> Update:
        """Everything from a snapshot (`GET /snapshot`); the board stands at its `seq`."""
        self.seq = int(snapshot.get("seq") or 0)
        self.day = snapshot.get("day")
        now = _epoch(snapshot.get("now"))
        self._hall_offset = None if now is None else now - self.clock()
        self.queues = {q["id"]: QueueLine(q["id"], q.get("prefix", ""), q.get("name", q["id"]),
                                          q.get("name_en", ""), int(q.get("waiting", 0)))
                       for q in snapshot.get("queues", [])}
        self._tickets = {}
        for q in snapshot.get("queues", []):
            for tid, number in zip(q.get("next_ids", []), q.get("next", []), strict=False):
                self._tickets[tid] = _Ticket(number, q["id"], "waiting")
        self.windows = {}
        for w in snapshot.get("windows", []):
            ticket = w.get("ticket") or None
            self.windows[w["id"]] = WindowLine(w["id"], int(w.get("number", 0)), w.get("name", ""),
                                               w.get("state", "closed"), ticket["id"] if ticket else None)
            if ticket:
                self._tickets[ticket["id"]] = _Ticket(ticket["number"], ticket.get("queue"), ticket["state"])
        self.calls = []
        for c in snapshot.get("recent_calls", [])[: self.keep]:
            self.calls.append(Call(0, c["ticket"], c["number"], c["window"], int(c.get("window_number", 0)),
                                   _epoch(c.get("at")), state=c.get("state", "called")))
            self._tickets.setdefault(c["ticket"], _Ticket(c["number"], None, c.get("state", "called")))
        return Update(windows=set(self.windows), changed=True)

    # -- events

    def apply(self, event: StreamEvent) -> Update:
        """Folds one event in, once; what changed."""
        if self.seq is not None and event.seq <= self.seq:
            return Update()
        handler = _HANDLERS.get(event.type)
        update = Update(changed=handler is not None)
        if handler is not None:
            handler(self, event, event.data, update)
        self.seq = event.seq
        return update

    def hall_time(self) -> float:
        """The hall's clock now, as the snapshot set it (this machine's clock before one)."""
        return time.time() if self._hall_offset is None else self.clock() + self._hall_offset

    def late(self, ts: float | None) -> bool:
        """Whether something the hall did at `ts` is too old to announce (a replay after a gap)."""
        return self._late(ts)

    def _late(self, ts: float | None) -> bool:
        if ts is None or self._hall_offset is None:
            return False
        return self.clock() + self._hall_offset - ts > self.stale_seconds

    def _number(self, ticket_id: str) -> str:
        t = self._tickets.get(ticket_id)
        return t.number if t else number_of(ticket_id)

    def _queue_of(self, ticket_id: str) -> str | None:
        t = self._tickets.get(ticket_id)
        if t is not None and t.queue:
            return t.queue
        prefix = self._number(ticket_id).rstrip("0123456789")
        return next((q.id for q in self.queues.values() if q.prefix == prefix), None)

    def _waiting(self, queue: str | None, delta: int) -> None:
        if queue in self.queues:
            line = self.queues[queue]
            line.waiting = max(0, (line.waiting or 0) + delta)

    def _leave_window(self, ticket_id: str, state: str, update: Update) -> None:
        t = self._tickets.get(ticket_id)
        if t is not None:
            t.state = state
        for w in self.windows.values():
            if w.ticket == ticket_id:
                w.ticket = None
                update.windows.add(w.id)
        self.calls = [replace(c, state=state) if c.ticket == ticket_id else c for c in self.calls]

    def _was_waiting(self, ticket_id: str) -> bool:
        t = self._tickets.get(ticket_id)
        if t is not None:
            return t.state == "waiting"
        # not among the few the snapshot named: waiting, unless it is at a window
        return all(w.ticket != ticket_id for w in self.windows.values())

    def _window_line(self, window_id: str, number: int | None = None) -> WindowLine:
        w = self.windows.get(window_id)
        if w is None:
            w = self.windows[window_id] = WindowLine(window_id, number or 0, window_id)
        return w


def _day_started(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
    b.day = d.get("day", b.day)
    b.calls, b._tickets = [], {}
    for q in b.queues.values():
        q.waiting = 0
    for w in b.windows.values():
        if w.ticket is not None:
            w.ticket = None
            u.windows.add(w.id)


def _issued(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
    b._tickets[d["ticket"]] = _Ticket(d.get("number") or number_of(d["ticket"]), d.get("queue"), "waiting")
    b._waiting(d.get("queue"), +1)


def _called(b: Board, e: StreamEvent, d: dict, u: Update, *, recall: bool = False) -> None:
    tid = d["ticket"]
    w = b._window_line(d["window"], d.get("window_number"))
    if not recall and b._was_waiting(tid):
        b._waiting(b._queue_of(tid), -1)
    t = b._tickets.setdefault(tid, _Ticket(d.get("number") or b._number(tid), b._queue_of(tid), "called"))
    t.state = "called" if not recall else t.state
    if d.get("number"):
        t.number = d["number"]
    for other in b.windows.values():  # a ticket is at one window at most
        if other.ticket == tid and other.id != w.id:
            other.ticket = None
            u.windows.add(other.id)
    w.ticket = tid
    u.windows.add(w.id)
    call = Call(e.seq, tid, t.number, w.id, int(d.get("window_number") or w.number),
                _epoch(e.ts), recall=recall, state=t.state, late=b._late(_epoch(e.ts)))
    b.calls = [call, *(c for c in b.calls if c.ticket != tid)][: b.keep]
    u.calls.append(call)


def _recalled(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
    _called(b, e, d, u, recall=True)


def _started(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
    tid = d["ticket"]
    if tid in b._tickets:
        b._tickets[tid].state = "serving"
    b.calls = [replace(c, state="serving") if c.ticket == tid else c for c in b.calls]


def _ended(state: str):
    def handler(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
        if state == "cancelled" and d.get("window") is None and b._was_waiting(d["ticket"]):
            b._waiting(b._queue_of(d["ticket"]), -1)
        b._leave_window(d["ticket"], state, u)
    return handler


def _transferred(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
    tid = d["ticket"]
    if b._was_waiting(tid):
        b._waiting(d.get("from_queue") or b._queue_of(tid), -1)
    b._leave_window(tid, "waiting", u)
    b.calls = [c for c in b.calls if c.ticket != tid]  # waiting again: its old call is no news
    b._tickets.setdefault(tid, _Ticket(b._number(tid), None, "waiting")).queue = d.get("to_queue")
    b._waiting(d.get("to_queue"), +1)


def _window_state(state: str):
    def handler(b: Board, e: StreamEvent, d: dict, u: Update) -> None:
        b._window_line(d["window"]).state = state
        u.windows.add(d["window"])
    return handler


_HANDLERS: dict[str, Callable[[Board, StreamEvent, dict, Update], None]] = {
    "day.started": _day_started,
    "ticket.issued": _issued,
    "ticket.called": _called,
    "ticket.recalled": _recalled,
    "service.started": _started,
    "service.finished": _ended("done"),
    "ticket.no_show": _ended("no_show"),
    "ticket.cancelled": _ended("cancelled"),
    "ticket.transferred": _transferred,
    "window.opened": _window_state("open"),
    "window.paused": _window_state("paused"),
    "window.resumed": _window_state("open"),
    "window.closed": _window_state("closed"),
}


# -- what a window's LED strip shows (the hall PC's strips say the same, see hall/peripherals.py)

def strip_call_text(number: str, window_number: int) -> str:
    return call_text(number, window_number)


def strip_idle_text(window: WindowLine, idle_text: str = "") -> str:
    """A strip with no call to show: welcome while open, a notice while paused, dark when closed."""
    if window.state == "paused":
        return paused_text(window.number)
    if window.state == "open":
        return idle_text or open_text(window.number)
    return ""


def strip_text(board: Board, window_id: str, idle_text: str = "") -> str:
    """What the strip over `window_id` should show now."""
    w = board.windows.get(window_id)
    if w is None:
        return ""
    call = board.window_call(window_id)
    if call is not None:
        return strip_call_text(call.number, call.window_number or w.number)
    return strip_idle_text(w, idle_text)
