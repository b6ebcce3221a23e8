"""A follow-up as the API, the supervisors' page and the platform see it. The rating's text is
the citizen's own words about the service (refused when it holds an ID number); the ledger
keeps no name or ID number of the citizen."""
from __future__ import annotations

import datetime as dt
from typing import Any

from hall.domain.events import iso_utc
from hall.followups.model import FEEDBACK_LABEL, OUTCOME_LABEL, STATE_LABEL, FollowupRec


def _at(ts: float | None) -> str | None:
    return None if ts is None else iso_utc(ts)


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def followup_view(rec: FollowupRec) -> dict[str, Any]:
    fb = rec.feedback
    return {
        "id": rec.id, "ticket": rec.ticket, "number": rec.number, "level": rec.level,
        "reasons": list(rec.reasons), "text": rec.text, "channel": rec.channel, "window": rec.window,
        "staff": rec.staff, "matter": rec.matter, "queue": rec.queue, "case": rec.case,
        "department": rec.department, "lead": rec.lead,
        "opened_at": _at(rec.opened_ts), "opened_day": _day(rec.opened_day),
        "state": rec.state.value, "state_label": STATE_LABEL[rec.state],
        "outcome": rec.outcome, "outcome_label": OUTCOME_LABEL.get(rec.outcome or ""),
        "verified_at": _at(rec.verified_ts), "verified_by": rec.verified_by, "verify_note": rec.verify_note,
        "fix_due": _day(rec.fix_due), "fixed_at": _at(rec.fixed_ts), "fix_note": rec.fix_note,
        "appeal_upheld": rec.appeal_upheld, "decided_by": rec.decided_by, "decision_note": rec.decision_note,
        "feedback": None if fb is None else {"how": fb.how, "how_label": FEEDBACK_LABEL[fb.how], "at": _at(fb.at),
                                             "by": fb.by, "note": fb.note},
        "closed_at": _at(rec.closed_ts), "counted": rec.counted,
        "light": rec.light, "light_reason": rec.light_reason, "light_phase": rec.light_phase,
    }
