"""The ledger: every follow-up folded from its events, in order. `apply` is the only place a
follow-up changes, so the hall's event log is the ledger's truth and a restart rebuilds it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hall.domain.events import Event
from hall.followups.model import OUTCOME_STATE, Feedback, FollowupRec, State

PREFIX = "followup."
OPENED = "followup.opened"
VERIFIED = "followup.verified"
RECTIFIED = "followup.rectified"
APPEAL_DECIDED = "followup.appeal_decided"
FED_BACK = "followup.fed_back"
CLOSED = "followup.closed"
LIGHT = "followup.light"
TYPES = (OPENED, VERIFIED, RECTIFIED, APPEAL_DECIDED, FED_BACK, CLOSED, LIGHT)


def followup_id(ticket: str) -> str:
    """One follow-up per rated visit (一次一评): named after its ticket."""
    return f"fu-{ticket}"


@dataclass
class Ledger:
    items: dict[str, FollowupRec] = field(default_factory=dict)
    last_seq: int = 0

    def apply(self, e: Event) -> None:
        d = e.data
        if e.type == OPENED:
            self.items[d["followup"]] = FollowupRec(
                id=d["followup"], ticket=d["ticket"], number=d["number"], level=d["level"],
                reasons=tuple(d.get("reasons") or ()), text=d.get("text", ""), channel=d.get("channel", ""),
                window=d.get("window"), staff=d.get("staff"), matter=d.get("matter"), queue=d.get("queue"),
                case=d.get("case"), department=d["department"], lead=d.get("lead"),
                opened_ts=d.get("rated_at", e.ts), opened_day=dt.date.fromisoformat(d.get("rated_day", e.day)),
                history=((e.seq, e.type),))
        elif e.type in TYPES:
            rec = self.items[d["followup"]]
            self.items[rec.id] = _moved(rec, e)
        self.last_seq = e.seq

    def open(self) -> list[FollowupRec]:
        return [f for f in self.items.values() if f.state not in (State.EXCLUDED, State.FED_BACK, State.CLOSED)]


def _moved(rec: FollowupRec, e: Event) -> FollowupRec:
    d = e.data
    if e.type == VERIFIED:
        return rec.moved(e.seq, e.type, state=OUTCOME_STATE[d["outcome"]], outcome=d["outcome"],
                         verified_ts=d.get("at", e.ts), verified_by=d["by"], verify_note=d.get("note", ""),
                         fix_due=dt.date.fromisoformat(d["fix_due"]) if d.get("fix_due") else None,
                         appeal_note=d.get("note", "") if d["outcome"] == "appeal" else rec.appeal_note,
                         fixed_ts=d.get("at", e.ts) if d["outcome"] == "fix_now" else None)
    if e.type == RECTIFIED:
        return rec.moved(e.seq, e.type, state=State.FIXED, fixed_ts=e.ts, fix_note=d.get("note", ""))
    if e.type == APPEAL_DECIDED:
        upheld = bool(d["upheld"])
        off = {"light": None, "light_reason": "", "light_phase": None} if upheld else {}
        return rec.moved(e.seq, e.type, state=State.EXCLUDED if upheld else State.VERIFY, appeal_upheld=upheld,
                         decided_by=d["by"], decision_note=d.get("note", ""), **off)
    if e.type == FED_BACK:
        fb = Feedback(how=d["how"], at=d["at"], by=d["by"], note=d.get("note", ""))
        return rec.moved(e.seq, e.type, state=State.FED_BACK, feedback=fb, light=None, light_reason="",
                         light_phase=None)
    if e.type == CLOSED:
        return rec.moved(e.seq, e.type, state=State.CLOSED, closed_ts=e.ts)
    if e.type == LIGHT:
        return rec.moved(e.seq, e.type, light=d["light"], light_reason=d.get("reason", ""),
                         light_phase=d.get("phase"))
    return rec
