"""What a 差评 follow-up is: its states and the transitions between them, its record (folded
from its events), and the deadlines a hall sets. Pure: no clock, no I/O.

A follow-up opens on a rating of level 1 or 2 and is assigned by "谁办理、谁负责": to the
department or the lead of the window that served. The accountable side calls back first
(回访核实) and decides: fix at once (立行立改), fix by a deadline (限期整改), explain (解释说明) or
appeal (申诉, decided by a supervisor; an upheld appeal takes the rating out of the statistics).
The fix or explanation is fed back to the citizen (how, when, by whom), then the case is closed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from enum import StrEnum


class State(StrEnum):
    VERIFY = "verify"  # 待回访核实
    RECTIFYING = "rectifying"  # 限期整改中
    FIXED = "fixed"  # 已整改，待反馈
    EXPLAINED = "explained"  # 已解释说明，待反馈
    APPEALED = "appealed"  # 申诉中，待主管决定
    EXCLUDED = "excluded"  # 申诉成立：不计入统计
    FED_BACK = "fed_back"  # 已反馈群众
    CLOSED = "closed"  # 已办结


STATE_LABEL = {
    State.VERIFY: "待回访核实", State.RECTIFYING: "限期整改中", State.FIXED: "已整改待反馈",
    State.EXPLAINED: "已解释待反馈", State.APPEALED: "申诉待复核", State.EXCLUDED: "申诉成立（不计入统计）",
    State.FED_BACK: "已反馈", State.CLOSED: "已办结",
}

# the outcomes of the callback (回访核实)
FIX_NOW, RECTIFY, EXPLAIN, APPEAL = "fix_now", "rectify", "explain", "appeal"
OUTCOMES = (FIX_NOW, RECTIFY, EXPLAIN, APPEAL)
OUTCOME_LABEL = {FIX_NOW: "立行立改", RECTIFY: "限期整改", EXPLAIN: "解释说明", APPEAL: "申诉"}
OUTCOME_STATE = {FIX_NOW: State.FIXED, RECTIFY: State.RECTIFYING, EXPLAIN: State.EXPLAINED,
                 APPEAL: State.APPEALED}
FEEDBACK_WAYS = ("phone", "sms", "visit", "letter", "online")  # how the citizen was told
FEEDBACK_LABEL = {"phone": "电话", "sms": "短信", "visit": "当面", "letter": "书面", "online": "网上"}

# the states each command may start from
ALLOWED = {
    "verify": frozenset({State.VERIFY}),
    "rectified": frozenset({State.RECTIFYING}),
    "decide_appeal": frozenset({State.APPEALED}),
    "feedback": frozenset({State.FIXED, State.EXPLAINED}),
    "close": frozenset({State.FED_BACK}),
}
OPEN_STATES = frozenset({State.VERIFY, State.RECTIFYING, State.FIXED, State.EXPLAINED, State.APPEALED})


@dataclass(frozen=True)
class Deadlines:
    """A hall's deadlines: the callback in hours or in working days (one of them), the fix and
    feedback in working days counted from the day of the rating, and when the light turns yellow."""

    callback_hours: int | None = 24
    callback_working_days: int | None = None
    fix_working_days: int = 5
    yellow_hours: int = 4
    yellow_working_days: int = 1

    def __post_init__(self) -> None:
        if (self.callback_hours is None) == (self.callback_working_days is None):
            raise ValueError("the callback deadline needs hours or working days, exactly one of them")


@dataclass(frozen=True)
class Owner:
    """Who answers for a window's 差评: its department and its lead (a staff id)."""

    department: str
    lead: str | None = None


@dataclass(frozen=True)
class Feedback:
    how: str
    at: float  # when the citizen was told (seconds since the epoch)
    by: str  # staff id
    note: str


@dataclass(frozen=True)
class FollowupRec:
    id: str
    ticket: str
    number: str  # the ticket's number, A017
    level: int
    reasons: tuple[str, ...]
    text: str
    channel: str
    window: str | None
    staff: str | None
    matter: str | None
    queue: str | None
    case: str | None
    department: str
    lead: str | None
    opened_ts: float
    opened_day: dt.date
    state: State = State.VERIFY
    outcome: str | None = None
    verified_ts: float | None = None
    verified_by: str | None = None
    verify_note: str = ""
    fix_due: dt.date | None = None
    fixed_ts: float | None = None
    fix_note: str = ""  # what the 限期整改 did, as told at 整改完成
    appeal_note: str = ""
    appeal_upheld: bool | None = None
    decided_by: str | None = None
    decision_note: str = ""  # the supervisor's reason for upholding or rejecting the appeal
    feedback: Feedback | None = None
    closed_ts: float | None = None
    light: str | None = None
    light_reason: str = ""
    light_phase: str | None = None  # "callback" (回访) or "fix" (整改反馈): the deadline the light is on
    history: tuple[tuple[int, str], ...] = field(default=())  # (seq, event type)

    def moved(self, seq: int, kind: str, **changes: object) -> FollowupRec:
        return replace(self, history=(*self.history, (seq, kind)), **changes)  # type: ignore[arg-type]

    @property
    def called_back(self) -> bool:
        return self.verified_ts is not None

    @property
    def counted(self) -> bool:
        """Whether the rating counts in the statistics (an upheld appeal takes it out)."""
        return self.state is not State.EXCLUDED
