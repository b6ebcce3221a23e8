"""A case's notice, built from the case as the hall keeps it: 受理通知书 for an accepted case,
补正材料通知书 for one waiting for materials, 不予受理通知书 for a refused one, and the 办结/领取通知
once it is concluded. The drawing is `hall.notices`'; this module only says what is printed.

The applicant is printed from the masked forms the case keeps; nothing unmasked exists here.
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hall.cases.errors import CaseTransition
from hall.cases.model import PROVISION_LABEL, CaseRec, CaseState, Provision
from hall.config import HallConfig
from hall.notices import model as nm
from sync.workdays import DueDate

# the document number's 性质 part, by notice (机关简称 + 性质 + 〔年份〕 + 顺序号)
_KIND_MARK = {nm.Acceptance: "受", nm.Correction: "补", nm.Refusal: "不受", nm.Completion: "结"}
_KIND_OF_STATE: dict[CaseState, type] = {
    CaseState.ACCEPTED: nm.Acceptance, CaseState.HANDLING: nm.Acceptance, CaseState.CORRECTION: nm.Correction,
    CaseState.REFUSED: nm.Refusal, CaseState.CONCLUDED: nm.Completion, CaseState.DELIVERED: nm.Completion,
    CaseState.CLOSED: nm.Completion,
}


def _party(c: CaseRec) -> nm.Party:
    a = c.applicant
    agent = c.agent
    if a.person is not None:
        return nm.Party("person", a.person.name_masked or "申请人", a.person.id_masked, c.phone_masked,
                     agent.name_masked if agent else "", agent.id_masked if agent else "")
    return nm.Party("organisation", a.org_name, a.credit_code or "", c.phone_masked,
                 agent.name_masked if agent else "", agent.id_masked if agent else "")


def _delivery(c: CaseRec, config: HallConfig) -> nm.Delivery:
    d = c.delivery or {}
    if d.get("method") == "post":
        return nm.Delivery("post", address=d.get("address_masked", ""), tracking=d.get("tracking", ""))
    return nm.Delivery("pickup", place=f"{config.hall.name}出件窗口", when=config.hall.hours)


def _materials(c: CaseRec, but: frozenset[str] = frozenset()) -> tuple[nm.Material, ...]:
    """The materials handed in (how: 原件, 复印件, 电子证照, 影像), except those in `but`."""
    return tuple(nm.Material(name, PROVISION_LABEL[how]) for name, how in c.materials.items()
                 if how is not Provision.MISSING and name not in but)


def _window_name(window: str | None, config: HallConfig) -> str:
    w = config.window(window) if window else None
    return w.name if w else (window or "")


def case_notice(c: CaseRec, config: HallConfig, follow_url: str, now: float,
                staff_names: dict[str, str] | None = None) -> nm.CaseNotice:
    """The notice the case's state calls for; a case still in 预审 has none (409)."""
    m = config.matter(c.matter)
    forms = {x.name: x.form for x in m.materials} if m else {}
    tz = ZoneInfo(config.hall.timezone)
    hall = config.hall
    kind = _KIND_OF_STATE.get(c.state)
    if kind is None:
        raise CaseTransition(f"办件 {c.id} 处于「预审」，还没有通知书（受理、补正或不予受理之后才有）",
                             case=c.id, state=c.state.value, command="notice")
    base = nm.NoticeCase(
        number=f"{hall.name[:2]}{_KIND_MARK[kind]}字〔{c.year}〕第 {c.serial:06d} 号", case_number=c.id,
        hall=nm.HallInfo(name=hall.name, agency=hall.name, phone=hall.phone, address=hall.address, hours=hall.hours,
                      complaint_phone="12345"),
        applicant=_party(c),
        matter=nm.Matter(name=c.matter_name, code=c.matter, department=c.department,
                      legal_days=m.legal_days if m else None, promised_days=c.promised_days,
                      basis=m.basis if m else "", fee=m.fee if m else ""),
        received=dt.date.fromisoformat(c.created_day), issued=dt.datetime.fromtimestamp(now, tz).replace(tzinfo=None),
        staff=(staff_names or {}).get(c.staff or "", c.staff or "窗口工作人员"), follow_url=follow_url,
        window=_window_name(c.window, config))
    return _build(kind, c, base, forms, config)


def _build(kind: type, c: CaseRec, base: nm.NoticeCase, forms: dict[str, str], config: HallConfig) -> Any:
    if kind is nm.Acceptance:
        return nm.Acceptance(case=base, accepted=dt.date.fromisoformat(c.accepted_day or c.created_day),
                          materials=_materials(c),
                          due=DueDate(dt.date.fromisoformat(c.due or c.created_day), c.due_provisional,
                                      c.due_source),
                          delivery=_delivery(c, config))
    if kind is nm.Correction:
        corr = c.correction or {}
        items = corr.get("items", [])
        missing = tuple(nm.Material(i["material"], standard=forms.get(i["material"], ""), note=i.get("reason", ""))
                        for i in items)
        return nm.Correction(case=base, missing=missing, deadline=dt.date.fromisoformat(corr["deadline"]),
                          received=_materials(c, frozenset(i["material"] for i in items)))
    if kind is nm.Refusal:
        refusal = c.refusal or {}
        return nm.Refusal(case=base, reason=refusal.get("reason", ""), apply_to=refusal.get("redirect", ""))
    return nm.Completion(case=base, completed=dt.date.fromisoformat(c.concluded_day or c.created_day),
                      approved=bool(c.approved), result="准予许可" if c.approved else "不予许可",
                      delivery=_delivery(c, config))
