"""Events: every change to the hall's queue is one appended, immutable event.

An event's `type` names what happened; `data` holds plain JSON values. The sequence number is
given by the store when the event is committed, so it has no gaps and never repeats.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

DAY_STARTED = "day.started"
TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_NO_SHOW = "ticket.no_show"
SERVICE_STARTED = "service.started"
SERVICE_FINISHED = "service.finished"
TICKET_TRANSFERRED = "ticket.transferred"
TICKET_CANCELLED = "ticket.cancelled"
TICKET_RATED = "ticket.rated"  # 好差评: one rating per visit
WINDOW_OPENED = "window.opened"
WINDOW_PAUSED = "window.paused"
WINDOW_RESUMED = "window.resumed"
WINDOW_CLOSED = "window.closed"
HALL_BROADCAST = "hall.broadcast"  # an operator's urgent text, on every screen and spoken
BOARD_CHANGED = "board.changed"  # the operators changed what the board and kiosks show
LEASE_GRANTED = "lease.granted"  # a block of numbers a dispenser may issue from while the hall is away

EVENT_TYPES = frozenset(
    {
        DAY_STARTED,
        TICKET_ISSUED,
        TICKET_CALLED,
        TICKET_RECALLED,
        TICKET_NO_SHOW,
        SERVICE_STARTED,
        SERVICE_FINISHED,
        TICKET_TRANSFERRED,
        TICKET_CANCELLED,
        TICKET_RATED,
        WINDOW_OPENED,
        WINDOW_PAUSED,
        WINDOW_RESUMED,
        WINDOW_CLOSED,
        HALL_BROADCAST,
        BOARD_CHANGED,
        LEASE_GRANTED,
    }
)


@dataclass(frozen=True)
class Event:
    seq: int
    ts: float  # seconds since the epoch, UTC
    day: str  # the hall day (ISO date in the hall's time zone) the event belongs to
    type: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ticket(self) -> str | None:
        return self.data.get("ticket")

    @property
    def window(self) -> str | None:
        return self.data.get("window")

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "at": iso_utc(self.ts),
            "day": self.day,
            "type": self.type,
            "data": self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


def hall_day(ts: float, tz: ZoneInfo) -> str:
    """The hall day of a moment: its date in the hall's time zone (not the server's, not UTC)."""
    return datetime.fromtimestamp(ts, tz).date().isoformat()


def iso_utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
