"""Due dates promised before the calendar knew their year, recomputed once it does.

A case accepted in December may be due in a year whose swapped days (调休) are not published
yet: its due date is provisional. When the platform's calendar or a newer package brings that
year, every open case whose due date was provisional is worked out again; a date that moved, or
that is no longer provisional, is a `case.due_changed` event naming the old date, the new one
and why. The light follows from the new date (the engine's `lights`).
"""
from __future__ import annotations

import datetime as dt

from hall.cases import events as cev
from hall.cases.model import CLOCK_STATES, CaseRec
from hall.cases.timing import Light
from hall.domain.engine import Draft


def reason_of(old_due: str | None, lit: Light) -> str:
    """Why a due date changed: the year now published, or a calendar update still provisional."""
    if lit.provisional:
        return "工作日历已更新，到期日仍为暂定（如遇节假日调整顺延）"
    years = sorted({lit.due.year} | ({int(old_due[:4])} if old_due else set()))
    shown = "、".join(str(y) for y in years)
    return f"{shown} 年节假日安排已发布（calendar for {shown} published）"


def due_changes(cases: list[CaseRec], lights: dict[str, Light], today: dt.date) -> list[Draft]:
    """A `case.due_changed` for each open case with a provisional due date whose recomputed
    date (`lights`: case number -> its light on the calendar as it is now) moved or became firm."""
    out = []
    day = today.isoformat()
    for c in cases:
        if c.state not in CLOCK_STATES or not c.due_provisional or c.id not in lights:
            continue
        lit = lights[c.id]
        due = lit.due.isoformat()
        if due == c.due and lit.provisional:
            continue
        out.append(Draft(cev.DUE_CHANGED, {
            "case": c.id, "previous_due": c.due, "due": due, "provisional": lit.provisional,
            "source": lit.source, "reason": reason_of(c.due, lit), "day": day}))
    return out
