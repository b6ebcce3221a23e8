"""Values of the queue domain: what a hall is made of, and the states a ticket and a window pass through."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Priority(enum.StrEnum):
    """Why a ticket may go ahead of others. NORMAL goes in turn."""

    NORMAL = "normal"
    APPOINTMENT = "appointment"  # checked in; counts as priority only within its slot + grace
    GREEN = "green"  # 绿色通道
    ELDERLY = "elderly"  # elderly (老年人: the ID card's birth date), or disabled as staff judged it
    AGENT = "agent"  # 代办 (agent service for someone else)
    # 残疾人: a citizen's own word at the dispenser (no card says it), so the ticket is marked
    # for the window to see the 残疾人证; or given by staff at the counter
    DISABLED = "disabled"


# Among priority tickets, lower rank is called first.
PRIORITY_RANK = {
    Priority.GREEN: 0,
    Priority.ELDERLY: 1,
    Priority.DISABLED: 1,
    Priority.APPOINTMENT: 2,
    Priority.AGENT: 3,
    Priority.NORMAL: 9,
}

PRIORITY_LABEL = {
    Priority.NORMAL: "普通",
    Priority.APPOINTMENT: "预约",
    Priority.GREEN: "绿色通道",
    Priority.ELDERLY: "老年人/残疾人",
    Priority.AGENT: "代办",
    Priority.DISABLED: "残疾人（窗口核验）",
}


class TicketState(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # still open when its hall day ended


OPEN_TICKET_STATES = frozenset({TicketState.WAITING, TicketState.CALLED, TicketState.SERVING})


class WindowState(enum.StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class SelectionMode(enum.StrEnum):
    """How a window orders the queues it serves when choosing among tickets of one class."""

    SEQUENCE = "sequence"  # the first queue listed first, then the next ...
    LONGEST_WAIT = "longest_wait"  # whoever has waited longest, across the window's queues


@dataclass(frozen=True)
class QueueDef:
    id: str
    prefix: str  # ticket letter(s): "A" gives A001, A002 ...
    name: str
    name_en: str = ""
    service_minutes: float = 8.0  # expected service time before the day has data


@dataclass(frozen=True)
class WindowDef:
    id: str
    number: int  # what the voice and the screens say: "3 号窗口"
    name: str
    queues: tuple[str, ...]  # served in this order
    ratio_normal: int = 2  # "2 normal : 1 priority"
    ratio_priority: int = 1
    mode: SelectionMode = SelectionMode.SEQUENCE


@dataclass(frozen=True)
class Policy:
    timezone: str = "Asia/Shanghai"
    no_show_after_recalls: int = 2  # a further recall marks the ticket no-show
    aging_minutes: float = 30.0  # a ticket that waited this long is called before any ratio
    appointment_grace_minutes: float = 15.0
    service_level_minutes: float = 20.0  # waits longer than this count against service level
    ticket_digits: int = 3


@dataclass(frozen=True)
class HallSetup:
    """What the queue engine needs to know of a hall (the rest of the config is not its business)."""

    queues: tuple[QueueDef, ...]
    windows: tuple[WindowDef, ...]
    policy: Policy = field(default_factory=Policy)

    def queue(self, queue_id: str) -> QueueDef | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def window(self, window_id: str) -> WindowDef | None:
        return next((w for w in self.windows if w.id == window_id), None)
