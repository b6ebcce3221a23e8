"""The 差评 register a supervisor sends up with the monthly report: one row per 差评 of the
period, saying which window, staff member and matter it was about, what the citizen said, who
called back and when, what was decided and done, how and when the citizen was told, and when
it was closed. Names, not ids; times in the hall's zone. Pure: from follow-up records."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hall.followups.model import FEEDBACK_LABEL, OUTCOME_LABEL, STATE_LABEL, FollowupRec

LEVEL_LABEL = {1: "非常不满意", 2: "不满意"}
HEADER = ["票号", "评价时间", "窗口", "工作人员", "事项", "评价", "原因", "状态", "责任部门", "责任人",
          "回访核实", "核实人", "核实时间", "核实说明", "整改期限", "整改完成时间", "整改情况",
          "申诉复核", "复核人", "复核说明", "反馈方式", "反馈人", "反馈时间", "反馈说明", "办结时间"]


def register_rows(recs: Iterable[FollowupRec], names: dict[str, dict[str, str]],
                  zone: dt.tzinfo) -> list[list[Any]]:
    """One row per follow-up, oldest first, in the order of HEADER."""
    def at(ts: float | None) -> str:
        return "" if ts is None else dt.datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")

    def name(dim: str, key: str | None) -> str:
        return "" if key is None else names[dim].get(key, key)

    rows = []
    for f in sorted(recs, key=lambda r: r.opened_ts):
        fb = f.feedback
        appeal = "" if f.appeal_upheld is None else "申诉成立（不计入统计）" if f.appeal_upheld else "驳回申诉"
        rows.append([
            f.number, at(f.opened_ts), name("window", f.window), name("staff", f.staff), name("matter", f.matter),
            LEVEL_LABEL.get(f.level, str(f.level)), "；".join([*f.reasons, f.text] if f.text else f.reasons),
            STATE_LABEL[f.state], f.department, name("staff", f.lead),
            OUTCOME_LABEL.get(f.outcome or "", ""), name("staff", f.verified_by), at(f.verified_ts), f.verify_note,
            "" if f.fix_due is None else f.fix_due.isoformat(), at(f.fixed_ts), f.fix_note,
            appeal, name("staff", f.decided_by), f.decision_note,
            "" if fb is None else FEEDBACK_LABEL[fb.how], "" if fb is None else name("staff", fb.by),
            "" if fb is None else at(fb.at), "" if fb is None else fb.note, at(f.closed_ts),
        ])
    return rows
