"""The follow-up engine: opens a follow-up for a 差评, checks each command against the
follow-up's state and the caller's part in it, and decides the events; and the lights.

Like the queue and case engines, a command never changes state (`Ledger.apply` does). A refused
command names the follow-up's state and what was asked, and nothing is decided. The lights come
from the cases' engine (hall.cases.timing): the callback's deadline while the follow-up waits for
its callback (in hours, or working days), then the fix-and-feedback deadline in working days.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hall.cases.timing import GREEN, RED, YELLOW, Calendar, MemoCalendar, Subject, light
from hall.domain.engine import Draft
from hall.followups import ledger as fl
from hall.followups.errors import FollowupNotFound, FollowupTransition, InvalidFollowup
from hall.followups.model import (
    ALLOWED,
    APPEAL,
    EXPLAIN,
    FEEDBACK_LABEL,
    FEEDBACK_WAYS,
    OPEN_STATES,
    OUTCOME_LABEL,
    OUTCOMES,
    RECTIFY,
    STATE_LABEL,
    Deadlines,
    FollowupRec,
    Owner,
    State,
)

_COMMAND_LABEL = {"verify": "回访核实", "rectified": "整改完成", "decide_appeal": "申诉复核",
                  "feedback": "反馈群众", "close": "办结"}
MAX_NOTE = 500


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff id and role (staff or supervisor)."""

    id: str
    role: str
    supervises: bool = False  # a supervisor: decides appeals and sees to every follow-up

    @classmethod
    def of(cls, staff_id: str, role: str) -> Actor:
        return cls(staff_id, role, role == "supervisor")


def may_work(rec: FollowupRec, who: Actor) -> bool:
    """谁办理、谁负责: the staff who served and the window's lead work it; supervisors see to all."""
    return who.supervises or who.id in (rec.staff, rec.lead)


@dataclass(frozen=True)
class CallbackLight:
    color: str
    reason: str
    due_ts: float | None
    due_day: dt.date | None


class FollowupEngine:
    def __init__(self, deadlines: Deadlines, owners: Mapping[str, Owner], default: Owner,
                 calendar: Calendar, ledger: fl.Ledger, zone: dt.tzinfo = dt.UTC) -> None:
        self.deadlines, self.owners, self.default = deadlines, dict(owners), default
        self.calendar = calendar
        self.ledger = ledger
        self.zone = zone

    # -- opening

    def open(self, rating: Mapping[str, Any], rated_at: float, rated_day: str) -> list[Draft]:
        """The follow-up a rating calls for (level 1-2, not yet followed up), or none. Its clocks
        run from the rating (`rated_at`, on the hall day `rated_day`), not from when it is opened."""
        level = int(rating.get("level", 5))
        ticket = rating.get("ticket")
        if level > 2 or not ticket or fl.followup_id(ticket) in self.ledger.items:
            return []
        owner = self.owners.get(rating.get("window") or "", self.default)
        return [Draft(fl.OPENED, {
            "followup": fl.followup_id(ticket), "ticket": ticket, "number": rating.get("number", ""),
            "level": level, "reasons": list(rating.get("reasons") or []), "text": rating.get("text", ""),
            "channel": rating.get("channel", ""), "window": rating.get("window"), "staff": rating.get("staff"),
            "matter": rating.get("matter"), "queue": rating.get("queue"), "case": rating.get("case"),
            "department": owner.department, "lead": owner.lead, "rated_at": rated_at, "rated_day": rated_day,
        })]

    # -- commands

    def get(self, ident: str) -> FollowupRec:
        rec = self.ledger.items.get(ident)
        if rec is None:
            raise FollowupNotFound(f"没有差评整改 {ident!r}", followup=ident)
        return rec

    def _ready(self, command: str, ident: str, who: Actor) -> FollowupRec:
        rec = self.get(ident)
        if rec.state not in ALLOWED[command]:
            allowed = "、".join(STATE_LABEL[s] for s in sorted(ALLOWED[command], key=lambda s: s.value))
            raise FollowupTransition(
                f"差评整改 {rec.number} {STATE_LABEL[rec.state]}，不能{_COMMAND_LABEL[command]}（只在{allowed}时可以）",
                followup=rec.id, state=rec.state.value, command=command)
        if command == "decide_appeal" and not who.supervises:
            raise FollowupTransition("申诉由主管复核决定", followup=rec.id, state=rec.state.value, command=command)
        if not may_work(rec, who):
            raise FollowupTransition(f"{who.id} 不负责差评整改 {rec.number}（谁办理、谁负责）",
                                     followup=rec.id, state=rec.state.value, command=command)
        return rec

    def verify(self, ident: str, who: Actor, outcome: str, note: str, at: float | None = None,
               now: float | None = None) -> list[Draft]:
        """回访核实; `at`: when the citizen was called (the click's moment when not given)."""
        rec = self._ready("verify", ident, who)
        if outcome not in OUTCOMES:
            raise InvalidFollowup(f"核实结果须为 {'、'.join(f'{o}（{OUTCOME_LABEL[o]}）' for o in OUTCOMES)}，"
                                  f"而不是 {outcome!r}", field="outcome")
        if outcome == APPEAL and rec.appeal_upheld is False:
            raise FollowupTransition(f"差评整改 {rec.number} 的申诉已被驳回，须整改或解释说明",
                                     followup=rec.id, state=rec.state.value, command="verify")
        if outcome in (APPEAL, EXPLAIN) and not (note or "").strip():
            raise InvalidFollowup(f"{OUTCOME_LABEL[outcome]}须写明理由", field="note")
        data = {"followup": rec.id, "outcome": outcome, "by": who.id, "note": _note(note)}
        if at is not None:
            data["at"] = _told_at(rec, at, at if now is None else now, "回访")
        if outcome == RECTIFY:
            data["fix_due"] = self.fix_due(rec).isoformat()
        return [Draft(fl.VERIFIED, data)]

    def rectified(self, ident: str, who: Actor, note: str) -> list[Draft]:
        rec = self._ready("rectified", ident, who)
        return [Draft(fl.RECTIFIED, {"followup": rec.id, "by": who.id, "note": _note(note)})]

    def decide_appeal(self, ident: str, who: Actor, upheld: bool, note: str) -> list[Draft]:
        rec = self._ready("decide_appeal", ident, who)
        return [Draft(fl.APPEAL_DECIDED, {"followup": rec.id, "upheld": bool(upheld), "by": who.id,
                                          "note": _note(note)})]

    def feedback(self, ident: str, who: Actor, how: str, at: float, now: float, note: str) -> list[Draft]:
        rec = self._ready("feedback", ident, who)
        if how not in FEEDBACK_WAYS:
            raise InvalidFollowup(f"反馈方式须为 {'、'.join(f'{k}（{v}）' for k, v in FEEDBACK_LABEL.items())}，"
                                  f"而不是 {how!r}", field="how")
        return [Draft(fl.FED_BACK, {"followup": rec.id, "how": how, "at": _told_at(rec, at, now, "反馈"),
                                    "by": who.id, "note": _note(note)})]

    def close(self, ident: str, who: Actor) -> list[Draft]:
        rec = self._ready("close", ident, who)
        return [Draft(fl.CLOSED, {"followup": rec.id, "by": who.id})]

    # -- deadlines and lights

    def fix_due(self, rec: FollowupRec) -> dt.date:
        return self.calendar.due_date(rec.opened_day, self.deadlines.fix_working_days).day

    def callback_light(self, rec: FollowupRec, now: float, today: dt.date, cal: Calendar) -> CallbackLight:
        d = self.deadlines
        if d.callback_hours is not None:
            due = rec.opened_ts + d.callback_hours * 3600
            when = dt.datetime.fromtimestamp(due, self.zone).strftime("%m-%d %H:%M")
            if now > due:
                late = (now - due) / 3600
                return CallbackLight(RED, f"回访已超时 {late:.0f} 小时（应于 {when} 前回访）", due, None)
            if due - now <= d.yellow_hours * 3600:
                return CallbackLight(YELLOW, f"回访剩余 {(due - now) / 3600:.0f} 小时（应于 {when} 前）", due, None)
            return CallbackLight(GREEN, f"应于 {when} 前回访", due, None)
        lit = light(Subject(rec.opened_day, d.callback_working_days or 0), today, cal, d.yellow_working_days)
        return CallbackLight(lit.color, "回访" + lit.reason, None, lit.due)

    def light_of(self, rec: FollowupRec, now: float, today: dt.date,
                 cal: Calendar | None = None) -> tuple[str, str, str] | None:
        """The light a follow-up shows now, why, and on which deadline ("callback" or "fix");
        None when it is no longer on a clock."""
        if rec.state not in OPEN_STATES:
            return None
        cal = cal or self.calendar
        if rec.state is State.VERIFY and not rec.called_back:
            lit = self.callback_light(rec, now, today, cal)
            return lit.color, lit.reason, "callback"
        fix = light(Subject(rec.opened_day, self.deadlines.fix_working_days), today, cal,
                    self.deadlines.yellow_working_days)
        return fix.color, "整改反馈" + fix.reason, "fix"

    def lights(self, now: float, today: dt.date, only: Iterable[str] | None = None) -> list[Draft]:
        """One followup.light event for each open follow-up whose light changed, or that moved
        from its callback's deadline to its fix's."""
        cal = MemoCalendar(self.calendar)
        recs = self.ledger.items.values() if only is None else [self.ledger.items[i] for i in only]
        drafts = []
        for rec in recs:
            lit = self.light_of(rec, now, today, cal)
            if lit is not None and (lit[0], lit[2]) != (rec.light, rec.light_phase):
                drafts.append(Draft(fl.LIGHT, {"followup": rec.id, "light": lit[0], "previous": rec.light,
                                               "reason": lit[1], "phase": lit[2]}))
        return drafts


def _told_at(rec: FollowupRec, at: float, now: float, what: str) -> float:
    """When the citizen was called back or told (`what`: 回访, 反馈), as the staff member gives it:
    not in the future, not before the rating (a time given to the minute may be the rating's own)."""
    english = {"回访": "callback", "反馈": "feedback"}[what]
    if at > now + 60:
        raise InvalidFollowup(f"{what}时间不能晚于现在（{english} time is in the future）", field="at")
    if at < rec.opened_ts - rec.opened_ts % 60:
        raise InvalidFollowup(f"{what}时间不能早于差评时间（{english} time is before the rating）", field="at")
    return at


def _note(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise InvalidFollowup(f"说明最多 {MAX_NOTE} 字，收到 {len(text)} 字", field="note")
    return text
