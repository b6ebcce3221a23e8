"""The provincial 好差评 record: what a hall's ratings and 差评 follow-ups become on their way to
the province's 好差评 platform (国办发〔2019〕51号: every rating is uploaded, bound to its case).

Pure: `to_province(record, rules)` turns one outbox record into the province's record, or None
when the record is none of the province's business (everything but a rating and a follow-up's
change of state). A record that should go but cannot be expressed in the province's elements
(a channel the province has no code for, a matter code that is not 12 digits) raises
`Unmappable` naming the element, so the relay sets it aside with that reason instead of sending
something the province would refuse or, worse, accept wrongly. docs/provincial-haochaping.md
lists every element, where it comes from and its format.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from sync import records

RATED = "ticket.rated"
EVALUATION, RECTIFICATION = "evaluation", "rectification"
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

# 评价渠道 (pf) as the province codes it, from the hall's channel
CHANNEL_CODES = {"qr": "3", "pad": "4", "kiosk": "5", "keypad": "5"}
CHANNEL_NAMES = {"1": "PC端", "2": "移动端", "3": "二维码", "4": "政务大厅平板电脑", "5": "政务大厅其他终端",
                 "6": "电话", "7": "短信"}
LEVEL_NAMES = {"1": "非常不满意", "2": "不满意", "3": "基本满意", "4": "满意", "5": "非常满意"}
# 整改状态 (rectifyState), from the hall's follow-up state
RECTIFY_CODES = {"verify": "0", "rectifying": "1", "fixed": "2", "explained": "3", "appealed": "4",
                 "excluded": "5", "fed_back": "6", "closed": "7"}
RECTIFY_NAMES = {"0": "待回访核实", "1": "限期整改中", "2": "已整改", "3": "已解释说明", "4": "申诉中",
                 "5": "申诉成立", "6": "已反馈", "7": "已办结"}
OUTCOME_CODES = {"fix_now": "1", "rectify": "2", "explain": "3", "appeal": "4"}  # 处理方式
FEEDBACK_CODES = {"phone": "1", "sms": "2", "visit": "3", "letter": "4", "online": "5"}  # 反馈方式
_AREA = re.compile(r"\d{6}(\d{6})?")
_PREFIX = re.compile(r"\d{2}")
_MATTER = re.compile(r"\d{12}")
_NODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class Unmappable(ValueError):
    """The record must go to the province but one of its elements has no provincial form."""


@dataclass(frozen=True)
class ProvinceRules:
    """What the province's record needs that a hall's record does not say: the hall's 区划
    (6 or 12 digits; 12 are sent), the province's prefix for case numbers ("37" for Shandong:
    the provincial case number is "37" + the local one) and the node the records come from."""

    area_code: str
    node_id: str
    case_prefix: str = "37"

    def __post_init__(self) -> None:
        if not _AREA.fullmatch(self.area_code):
            raise ValueError(f"area code {self.area_code!r}: 6 or 12 digits (区划代码, like 370829)")
        if not _PREFIX.fullmatch(self.case_prefix):
            raise ValueError(f"case prefix {self.case_prefix!r}: the province's 2-digit code, like 37")
        if not self.area_code.startswith(self.case_prefix):
            raise ValueError(f"area code {self.area_code} is not in province {self.case_prefix}")
        if not _NODE.fullmatch(self.node_id):
            raise ValueError(f"node id {self.node_id!r}: letters, digits, '_', '.', ':', '-' (at most 64)")

    @property
    def area12(self) -> str:
        return self.area_code if len(self.area_code) == 12 else self.area_code + "000000"

    def case_number(self, local: str) -> str:
        """The provincial case number: the province's prefix, then the local number as it is
        printed on the notice, without its dashes (CATALOG.md §5)."""
        digits = local.replace("-", "")
        if not re.fullmatch(r"[0-9A-Z]{1,48}", digits):
            raise Unmappable(f"case number {local!r}: digits and capitals only, at most 48")
        return self.case_prefix + digits


def to_province(record: Any, rules: ProvinceRules) -> dict[str, Any] | None:
    """The province's record for one outbox record (`sync.protocol.Record`), or None."""
    payload = json.loads(record.payload_json)
    kind = payload.get("type")
    if record.type == records.QUEUE_EVENT and kind == RATED:
        data = payload.get("data") or {}
        cases = data.get("cases") or []
        body = _evaluation(rules, data, cases[0] if cases else None, payload.get("ts"))
        return {"recordId": record.key, "recordType": EVALUATION, "version": int(payload.get("seq", 0)), **body}
    if record.type == records.FOLLOWUP_EVENT and str(kind).startswith("followup.") and kind != "followup.light":
        fu = payload.get("followup") or {}
        body = _evaluation(rules, fu, fu.get("case"), _epoch(fu.get("opened_at")))
        return {"recordId": record.key, "recordType": RECTIFICATION, "version": int(payload.get("seq", 0)),
                **body, **_rectification(fu, payload.get("ts"))}
    return None


def _evaluation(rules: ProvinceRules, data: dict[str, Any], case: str | None, ts: Any) -> dict[str, Any]:
    ticket = data.get("ticket")
    if not isinstance(ticket, str) or not ticket:
        raise Unmappable("evaluateId: the rating names no ticket")
    channel = data.get("channel") or ""
    if channel not in CHANNEL_CODES:
        raise Unmappable(f"pf: channel {channel!r} has no provincial code (known: {', '.join(sorted(CHANNEL_CODES))})")
    level = data.get("level")
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise Unmappable(f"alternate: level {level!r} is not 1-5")
    matter = data.get("matter")
    if matter is not None and not _MATTER.fullmatch(str(matter)):
        raise Unmappable(f"taskCode: matter {matter!r} is not a 12-digit 事项编码")
    if case is not None and matter is None:
        raise Unmappable(f"taskCode: case {case} names no matter")
    return {
        "evaluateId": f"{rules.node_id}:{ticket}"[:64],
        "areaCode": rules.area12,
        "pf": CHANNEL_CODES[channel],
        "alternate": str(level),
        "badReasons": [str(r)[:records.MAX_TEXT] for r in data.get("reasons") or []],
        "writingEvaluation": str(data.get("text") or "")[:500],
        "projectNo": rules.case_number(case) if case else None,
        "taskCode": matter,
        "windowNo": data.get("window"),
        "staffNo": data.get("staff"),
        "assessTime": beijing(ts),
    }


def _rectification(fu: dict[str, Any], ts: Any) -> dict[str, Any]:
    state = fu.get("state")
    if state not in RECTIFY_CODES:
        raise Unmappable(f"rectifyState: follow-up state {state!r} is unknown")
    feedback = fu.get("feedback") or {}
    how = feedback.get("how")
    if feedback and how not in FEEDBACK_CODES:
        raise Unmappable(f"feedbackWay: {how!r} is unknown (known: {', '.join(FEEDBACK_CODES)})")
    outcome = fu.get("outcome")
    return {
        "rectifyState": RECTIFY_CODES[state],
        "handleWay": OUTCOME_CODES.get(outcome) if outcome else None,
        "handleDept": fu.get("department") or None,
        "verifyTime": beijing(_epoch(fu.get("verified_at"))),
        "fixDeadline": fu.get("fix_due"),
        "feedbackWay": FEEDBACK_CODES[how] if feedback else None,
        "feedbackTime": beijing(_epoch(feedback.get("at"))) if feedback else None,
        "feedbackStaff": feedback.get("by") if feedback else None,
        "counted": "0" if state == "excluded" else "1",
        "updateTime": beijing(ts),
    }


def beijing(ts: Any) -> str | None:
    """Seconds since the epoch as the province writes a time: Beijing time, to the second."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(float(ts), BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def _epoch(value: Any) -> float | None:
    """The hall's ISO time text (with its offset) in seconds since the epoch."""
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
