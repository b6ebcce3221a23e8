"""What the evaluation pad knows of its window, from the hall's snapshot and event stream.

Qt-free. `WindowWatch.apply(event)` keeps the window's state, the staff member on duty and
the ticket at the window, and returns the `Service` to rate when this window finishes one.
The finished event carries the ticket, window, staff and matter; the ticket's number and
queue come from the events seen earlier (issued, called, transferred) or the snapshot.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hall.wire import StreamEvent

KEEP_TICKETS = 500  # numbers and queues of the latest tickets; enough for a day at one window


@dataclass(frozen=True)
class Service:
    """One finished service at this window: what the citizen is asked to rate."""

    ticket: str
    window: str
    number: str | None = None
    staff: str | None = None
    matter: str | None = None  # the matter's code, when the window named it
    queue: str | None = None
    at: float | None = None

    def with_progress(self, progress: dict[str, Any]) -> Service:
        """Filled in from the hall's view of the ticket (GET /tickets/{id}/progress)."""
        return replace(self, number=self.number or progress.get("number"),
                       queue=self.queue or progress.get("queue"))


class WindowWatch:
    def __init__(self, window: str) -> None:
        self.window = window
        self.state: str | None = None  # open, paused, closed; None until the snapshot
        self.staff: str | None = None
        self.ticket: dict[str, Any] | None = None  # at the window: id, number, queue, state
        self.rated: set[str] = set()
        self._tickets: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def _remember(self, ticket: str, **fields: Any) -> None:
        known = self._tickets.pop(ticket, {})
        known.update({k: v for k, v in fields.items() if v is not None})
        self._tickets[ticket] = known
        while len(self._tickets) > KEEP_TICKETS:
            self._tickets.popitem(last=False)

    def load_snapshot(self, snapshot: dict[str, Any]) -> None:
        for w in snapshot.get("windows", []):
            if w.get("id") != self.window:
                continue
            self.state, self.staff = w.get("state"), w.get("staff")
            self.ticket = w.get("ticket")
            if self.ticket:
                self._remember(self.ticket["id"], number=self.ticket.get("number"), queue=self.ticket.get("queue"))
        for q in snapshot.get("queues", []):
            for ticket, number in zip(q.get("next_ids", []), q.get("next", []), strict=False):
                self._remember(ticket, number=number, queue=q.get("id"))

    def apply(self, event: StreamEvent) -> Service | None:
        kind, d = event.type, event.data
        ticket = event.ticket
        if kind == "ticket.issued":
            self._remember(ticket, number=d.get("number"), queue=d.get("queue"))
        elif kind == "ticket.transferred":
            self._remember(ticket, queue=d.get("to_queue"))
        elif kind == "ticket.rated":
            self.rated.add(ticket)
        elif kind == "day.started":  # a new hall day: yesterday's tickets are gone, staff stay
            self.ticket = None
            self._tickets.clear()
            self.rated.clear()
            return None
        if d.get("window") != self.window:
            return None
        if kind == "window.opened":
            self.state, self.staff = "open", d.get("staff")
        elif kind == "window.paused":
            self.state = "paused"
        elif kind == "window.resumed":
            self.state = "open"
        elif kind == "window.closed":
            self.state, self.staff, self.ticket = "closed", None, None
        elif kind == "ticket.called":
            self._remember(ticket, number=d.get("number"))
            self.staff = d.get("staff") or self.staff
            known = self._tickets.get(ticket, {})
            self.ticket = {"id": ticket, "number": d.get("number"), "queue": known.get("queue"), "state": "called"}
        elif kind == "service.started":
            self.staff = d.get("staff") or self.staff
            if self.ticket and self.ticket.get("id") == ticket:
                self.ticket = {**self.ticket, "state": "serving"}
        elif kind in ("ticket.no_show", "ticket.cancelled", "ticket.transferred"):
            if self.ticket and self.ticket.get("id") == ticket:
                self.ticket = None
        elif kind == "service.finished":
            if self.ticket and self.ticket.get("id") == ticket:
                self.ticket = None
            known = self._tickets.get(ticket, {})
            return Service(ticket=ticket, window=self.window, number=known.get("number"),
                           staff=d.get("staff") or self.staff, matter=d.get("matter"),
                           queue=known.get("queue"), at=event.ts)
        return None
