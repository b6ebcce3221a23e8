"""The hall's current queue state, folded from events. `apply` is the only thing that changes it."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from hall.domain import events as ev
from hall.domain.model import OPEN_TICKET_STATES, Priority, TicketState, WindowState
from hall.domain.stats import DayStats


@dataclass
class TicketRec:
    id: str
    number: str
    queue: str
    priority: Priority
    state: TicketState
    issued_at: float
    order_at: float  # its place in line: issue time, or transfer time unless it kept its place
    channel: str = "api"
    slot_start: float | None = None  # appointment slot, if any
    slot_end: float | None = None
    window: str | None = None  # where it is called or served
    target_window: str | None = None  # transferred to one window: only that window calls it
    transferred_from: str | None = None  # the window that transferred it here
    called_at: float | None = None  # first call
    last_call_at: float | None = None  # latest call or recall, for the "now calling" board
    recalls: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    staff: str | None = None
    matter: str | None = None
    transfers: int = 0
    rating: int | None = None  # 1-5 once rated (一次一评)
    holder: str | None = None  # keyed hash of the holder's ID number, when one was given
    id_masked: str | None = None  # the ID number masked for display (110105********002X)
    appointment: str | None = None  # the appointment checked in with this ticket
    lease: str | None = None  # printed by a dispenser from this lease while the hall was away

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TICKET_STATES


@dataclass
class WindowRec:
    id: str
    state: WindowState = WindowState.CLOSED
    staff: str | None = None
    ticket: str | None = None  # the ticket called to or being served at this window
    normal_run: int = 0  # normal tickets called since the last priority block
    priority_run: int = 0  # priority tickets called in the current priority block
    since: float | None = None  # when the current state began


@dataclass
class HallState:
    day: str | None = None
    last_seq: int = 0
    tickets: dict[str, TicketRec] = field(default_factory=dict)  # the current day's tickets
    counters: dict[str, int] = field(default_factory=dict)  # queue id -> last number issued today
    windows: dict[str, WindowRec] = field(default_factory=dict)
    leases: dict[str, dict[str, Any]] = field(default_factory=dict)  # today's dispensers' blocks (hall.leases)
    stats: DayStats = field(default_factory=DayStats)
    # the tickets now waiting, in issue order: derived from `tickets`, kept so that choosing the
    # next ticket costs what is waiting, not everything issued today
    _waiting: dict[str, TicketRec] = field(default_factory=dict, repr=False, compare=False)
    _by_queue: dict[str, dict[str, TicketRec]] = field(default_factory=dict, repr=False, compare=False)
    _directed: dict[str, TicketRec] = field(default_factory=dict, repr=False, compare=False)
    _latest: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    _newest: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # queue -> ticket id

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._waiting, self._by_queue, self._directed, self._latest, self._newest = {}, {}, {}, {}, {}
        for t in sorted(self.tickets.values(), key=lambda t: t.order_at):
            if t.state is TicketState.WAITING:
                self._set_state(t, t.state)

    def apply(self, e: ev.Event) -> None:
        handler = _HANDLERS.get(e.type)
        # cases, follow-ups and refused offline tickets share the log; they fold elsewhere
        if handler is None and e.type.startswith(("case.", "followup.", "refusal.")):
            self.last_seq = e.seq
            return
        if handler is None:
            raise ValueError(f"unknown event type {e.type!r} at seq {e.seq}")
        handler(self, e)
        self.stats.apply(e)
        self.last_seq = e.seq

    def window(self, window_id: str) -> WindowRec:
        """A window's state; one never opened reads as closed (reading adds nothing to the state)."""
        return self.windows.get(window_id) or WindowRec(window_id)

    def _window(self, window_id: str) -> WindowRec:
        return self.windows.setdefault(window_id, WindowRec(window_id))

    def waiting(self) -> list[TicketRec]:
        return list(self._waiting.values())

    def waiting_in(self, queue: str) -> list[TicketRec]:
        return list(self._by_queue.get(queue, {}).values())

    def count_waiting_in(self, queue: str) -> int:
        return len(self._by_queue.get(queue, ()))

    def directed(self) -> list[TicketRec]:
        """Waiting tickets transferred to one window (few)."""
        return list(self._directed.values())

    def tickets_of_holder(self, holder: str) -> list[TicketRec]:
        """Today's tickets of one citizen (by the keyed hash of the ID number), in issue order."""
        return sorted((t for t in self.tickets.values() if t.holder == holder), key=lambda t: t.issued_at)

    def ticket_of_appointment(self, appointment: str) -> TicketRec | None:
        """The ticket an appointment was checked in with today, if it was: one not cancelled first (a
        kiosk's offline ticket that took the place of a check-in whose answer was lost)."""
        found = [t for t in self.tickets.values() if t.appointment == appointment]
        return next((t for t in found if t.state is not TicketState.CANCELLED), found[0] if found else None)

    def leased(self, queue: str) -> list[tuple[int, int]]:
        """Today's blocks of a queue's numbers held by dispensers (hall.leases), lowest first."""
        return sorted((d["first"], d["last"]) for d in self.leases.values() if d["queue"] == queue)

    def is_last_in_line(self, t: TicketRec) -> bool:
        """Whether nobody joined its queue after it, nor has a later place (O(1))."""
        line = self._by_queue.get(t.queue)
        return bool(line) and next(reversed(line)) == t.id and self._newest.get(t.queue) == t.id

    def _set_state(self, t: TicketRec, state: TicketState) -> None:
        t.state = state
        if state is TicketState.WAITING:
            self._waiting[t.id] = t
            self._by_queue.setdefault(t.queue, {})[t.id] = t
            if t.target_window:
                self._directed[t.id] = t
            if t.order_at > self._latest.get(t.queue, float("-inf")):
                # strictly later than anyone before it: a tie is left to the full comparison
                self._latest[t.queue] = t.order_at
                self._newest[t.queue] = t.id
            elif self._newest.get(t.queue) == t.id:
                self._newest.pop(t.queue)
        else:
            self._waiting.pop(t.id, None)
            self._by_queue.get(t.queue, {}).pop(t.id, None)
            self._directed.pop(t.id, None)

    # -- snapshots: the state at a day's start, so a restart replays one day, not all history

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "last_seq": self.last_seq,
            "tickets": [asdict(t) for t in self.tickets.values()],
            "counters": self.counters,
            "windows": [asdict(w) for w in self.windows.values()],
            "leases": self.leases,
            "stats": self.stats.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HallState:
        tickets = {}
        for t in d["tickets"]:
            rec = TicketRec(**t)
            rec.priority = Priority(rec.priority)
            rec.state = TicketState(rec.state)
            tickets[rec.id] = rec
        windows = {}
        for w in d["windows"]:
            rec = WindowRec(**w)
            rec.state = WindowState(rec.state)
            windows[rec.id] = rec
        return cls(
            day=d["day"],
            last_seq=d["last_seq"],
            tickets=tickets,
            counters=dict(d["counters"]),
            windows=windows,
            leases=dict(d.get("leases") or {}),
            stats=DayStats.from_dict(d["stats"]),
        )


def _day_started(s: HallState, e: ev.Event) -> None:
    s.day = e.data["day"]
    s.tickets = {}
    s._index()
    s.counters = {}
    s.leases = {}
    s.stats = DayStats(day=s.day)
    for w in s.windows.values():
        w.ticket = None
        w.normal_run = w.priority_run = 0


def _issued(s: HallState, e: ev.Event) -> None:
    d = e.data
    at = d.get("issued_at", e.ts)  # a ticket printed from a lease while the hall was away: when printed
    t = s.tickets[d["ticket"]] = TicketRec(
        id=d["ticket"],
        number=d["number"],
        queue=d["queue"],
        priority=Priority(d["priority"]),
        state=TicketState.WAITING,
        issued_at=at,
        order_at=at,
        channel=d.get("channel", "api"),
        slot_start=d.get("slot_start"),
        slot_end=d.get("slot_end"),
        holder=d.get("holder"),
        id_masked=d.get("id_masked"),
        appointment=d.get("appointment"),
        lease=d.get("lease"),
    )
    s._set_state(t, TicketState.WAITING)
    if "lease" not in d:  # a leased number is a dispenser's, outside the hall's own count
        s.counters[d["queue"]] = d["serial"]


def _lease_granted(s: HallState, e: ev.Event) -> None:
    s.leases[e.data["lease"]] = dict(e.data)


def _called(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    w = s._window(e.data["window"])
    s._set_state(t, TicketState.CALLED)
    t.window = w.id
    t.target_window = None
    if t.called_at is None:
        t.called_at = e.ts
    t.last_call_at = e.ts
    w.ticket = t.id
    klass = e.data.get("class")
    if klass == "priority":
        w.priority_run += 1
        if w.priority_run >= e.data.get("ratio_priority", 1):
            w.normal_run = w.priority_run = 0
    elif klass == "normal":
        w.normal_run = min(w.normal_run + 1, e.data.get("ratio_normal", 1))


def _recalled(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    t.recalls += 1
    t.last_call_at = e.ts


def _no_show(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    s._set_state(t, TicketState.NO_SHOW)
    _release(s, t)


def _started(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    s._set_state(t, TicketState.SERVING)
    t.started_at = e.ts
    t.staff = e.data.get("staff")


def _finished(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    s._set_state(t, TicketState.DONE)
    t.finished_at = e.ts
    t.matter = e.data.get("matter")
    _release(s, t)


def _transferred(s: HallState, e: ev.Event) -> None:
    d = e.data
    t = s.tickets[d["ticket"]]
    _release(s, t)
    s._set_state(t, TicketState.DONE)  # out of the old queue's index, before it changes queue
    t.queue = d["to_queue"]
    t.target_window = d.get("to_window")
    t.transferred_from = d.get("window")
    t.window = None
    t.recalls = 0
    t.transfers += 1
    if not d.get("keep_place"):
        t.order_at = e.ts
    s._set_state(t, TicketState.WAITING)


def _cancelled(s: HallState, e: ev.Event) -> None:
    t = s.tickets[e.data["ticket"]]
    s._set_state(t, TicketState.CANCELLED)
    _release(s, t)


def _rated(s: HallState, e: ev.Event) -> None:
    s.tickets[e.data["ticket"]].rating = e.data["level"]


def _release(s: HallState, t: TicketRec) -> None:
    if t.window is not None:
        w = s.windows.get(t.window)
        if w is not None and w.ticket == t.id:
            w.ticket = None


def _window_state(state: WindowState):
    def handler(s: HallState, e: ev.Event) -> None:
        w = s._window(e.data["window"])
        w.state = state
        w.since = e.ts
        if state is WindowState.OPEN and e.type == ev.WINDOW_OPENED:
            w.staff = e.data.get("staff")
        if state is WindowState.CLOSED:
            w.staff = None

    return handler


_HANDLERS = {
    ev.DAY_STARTED: _day_started,
    ev.TICKET_ISSUED: _issued,
    ev.TICKET_CALLED: _called,
    ev.TICKET_RECALLED: _recalled,
    ev.TICKET_NO_SHOW: _no_show,
    ev.SERVICE_STARTED: _started,
    ev.SERVICE_FINISHED: _finished,
    ev.TICKET_TRANSFERRED: _transferred,
    ev.TICKET_CANCELLED: _cancelled,
    ev.TICKET_RATED: _rated,
    ev.WINDOW_OPENED: _window_state(WindowState.OPEN),
    ev.WINDOW_PAUSED: _window_state(WindowState.PAUSED),
    ev.WINDOW_RESUMED: _window_state(WindowState.OPEN),
    ev.WINDOW_CLOSED: _window_state(WindowState.CLOSED),
    # shown by the screens, no part of the queue's state
    ev.HALL_BROADCAST: lambda state, e: None,
    ev.BOARD_CHANGED: lambda state, e: None,
    ev.LEASE_GRANTED: _lease_granted,
}
