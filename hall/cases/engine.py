"""The case engine: commands check a case's state and decide the events that follow.

Like the queue engine, a command never changes state: `CaseBook.apply` does, event by event.
A command refused names the case's state and the command, and nothing is decided.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from hall.cases import events as cev
from hall.cases.codes import case_number, check_number_pattern
from hall.cases.errors import CaseNotFound, CaseTransition, InvalidCase
from hall.cases.model import (
    CLOCK_STATES,
    PROVISION_LABEL,
    STATE_LABEL,
    Applicant,
    CasePolicy,
    CaseRec,
    CaseState,
    Channel,
    Delivery,
    MatterDef,
    Person,
    PickupProof,
    Provision,
    check_masked_phone,
)
from hall.cases.recompute import due_changes
from hall.cases.state import CaseBook
from hall.cases.timing import Calendar, Light, MemoCalendar, Subject, TimedStep, light
from hall.domain.engine import Draft

_CHECKED = frozenset({CaseState.PRESUBMITTED, CaseState.CORRECTION})  # a window may still decide
_COMMAND_LABEL = {
    "update_materials": "更新材料", "accept": "受理", "request_correction": "补正",
    "refuse": "不予受理", "supplement": "补正提交", "start_step": "开始环节", "finish_step": "完成环节", "conclude": "办结",
    "deliver": "出件", "close": "归档", "rate": "评价",
}
# a case is rated once its service to the citizen has ended: decided against, or concluded
RATABLE = frozenset({CaseState.REFUSED, CaseState.CONCLUDED, CaseState.DELIVERED, CaseState.CLOSED})


class CaseEngine:
    def __init__(self, matters: Mapping[str, MatterDef], policy: CasePolicy, calendar: Calendar,
                 book: CaseBook | None = None) -> None:
        check_number_pattern(policy.number_pattern)
        self.matters = matters
        self.policy = policy
        self.calendar = calendar
        self.book = book or CaseBook()

    # -- looking up

    def case(self, number: str) -> CaseRec:
        c = self.book.cases.get(number)
        if c is None:
            raise CaseNotFound(f"没有办件 {number!r}", case=number)
        return c

    def matter(self, code: str) -> MatterDef:
        m = self.matters.get(code)
        if m is None:
            raise InvalidCase(f"没有编码为 {code!r} 的事项", field="matter")
        return m

    def _in(self, number: str, command: str, allowed: Iterable[CaseState]) -> CaseRec:
        c = self.case(number)
        allowed = frozenset(allowed)
        if c.state not in allowed:
            wanted = "、".join(STATE_LABEL[s] for s in CaseState if s in allowed)
            raise CaseTransition(
                f"办件 {number} 处于「{STATE_LABEL[c.state]}」，不能{_COMMAND_LABEL[command]}（须为{wanted}）",
                case=number, state=c.state.value, command=command)
        return c

    # -- the application

    def create(self, day: dt.date, matter: str, applicant: Applicant, channel: Channel | str,
               materials: Mapping[str, str] | None = None, applies: Iterable[str] = (),
               agent: Person | None = None, phone_masked: str = "", ticket: str | None = None,
               window: str | None = None, staff: str | None = None, department: str | None = None) -> list[Draft]:
        """A new case in 预审 with its number; the materials checked against the matter's checklist."""
        m = self.matter(matter)
        try:
            channel = Channel(channel)
        except ValueError:
            raise InvalidCase(f"未知的渠道 {channel!r}（window/kiosk/village/phone）", field="channel") from None
        if phone_masked:
            check_masked_phone(phone_masked)
        provided, applying = self._materials(m, materials or {}, applies)
        serial = self.book.serials.get(day.year, 0) + 1
        number = case_number(self.policy.number_pattern, self.policy.area, day.year, serial)
        if number in self.book.cases:
            raise CaseTransition(f"办件编号 {number} 已被使用，编号规则须含年份与序号", case=number)
        data: dict[str, Any] = {
            "case": number, "serial": serial, "year": day.year, "matter": m.code, "matter_name": m.name,
            "department": department or m.department, "applicant": applicant.to_dict(),
            "agent": agent.to_dict() if agent else None, "phone_masked": phone_masked,
            "channel": channel.value, "from_ticket": ticket, "window": window, "staff": staff,
            "materials": provided, "applies": applying, "promised_days": m.promised_days, "day": day.isoformat(),
        }
        return [Draft(cev.CREATED, data)]

    def _materials(self, m: MatterDef, given: Mapping[str, str], applies: Iterable[str]) -> tuple[dict, list]:
        applying = []
        for name in applies:
            d = m.material(name)
            if d is None:
                raise InvalidCase(f"材料「{name}」不在事项 {m.code} 的材料清单上", field="applies", material=name)
            if not d.required and name not in applying:
                applying.append(name)
        provided = {}
        for name, how in given.items():
            d = m.material(name)
            if d is None:
                raise InvalidCase(f"材料「{name}」不在事项 {m.code} 的材料清单上", field="materials", material=name)
            try:
                provided[name] = Provision(how).value
            except ValueError:
                raise InvalidCase(f"材料「{name}」的提供方式 {how!r} 无效（original/copy/licence/image/missing）",
                                  field="materials", material=name) from None
            if not d.required and provided[name] != Provision.MISSING and name not in applying:
                applying.append(name)  # bringing a conditional material says its condition applies
        for d in m.materials:
            if d.required or d.name in applying:
                provided.setdefault(d.name, Provision.MISSING.value)
        return provided, applying

    def missing(self, c: CaseRec) -> list[str]:
        """Required materials (and conditional ones whose condition applies) not provided."""
        m = self.matters.get(c.matter)
        names = [d.name for d in m.materials if d.required or d.name in c.applies] if m else list(c.materials)
        return [n for n in names if c.materials.get(n, Provision.MISSING) is Provision.MISSING]

    def update_materials(self, day: dt.date, case: str, materials: Mapping[str, str],
                         applies: Iterable[str] | None = None, staff: str | None = None) -> list[Draft]:
        c = self._in(case, "update_materials", _CHECKED)
        merged = {**{k: v.value for k, v in c.materials.items()}, **materials}
        provided, applying = self._materials(self.matter(c.matter), merged,
                                             c.applies if applies is None else applies)
        return [Draft(cev.MATERIALS_UPDATED, {"case": case, "materials": provided, "applies": applying,
                                              "staff": staff, "day": day.isoformat()})]

    def accept(self, day: dt.date, case: str, staff: str | None = None, window: str | None = None) -> list[Draft]:
        """受理: every required material provided; the due date is the promised limit's N-th
        working day after today (today not counted; 即办: today)."""
        c = self._in(case, "accept", _CHECKED)
        missing = self.missing(c)
        if missing:
            raise InvalidCase(f"办件 {case} 缺少必要材料，不能受理：{'、'.join(missing)}（请出具补正通知）",
                              field="materials", missing=",".join(missing))
        due = self.calendar.due_date(day, c.promised_days)
        return [Draft(cev.ACCEPTED, {
            "case": case, "staff": staff or c.staff, "window": window or c.window, "day": day.isoformat(),
            "promised_days": c.promised_days, "due": due.day.isoformat(), "provisional": due.provisional,
            "source": due.source})]

    def dates(self, day: dt.date, code: str) -> dict[str, Any]:
        """What a window would tell the applicant of `code` today, before deciding: the promised
        date if accepted (as `accept` computes it) and the 补正 deadline if materials are asked."""
        m = self.matter(code)
        due = self.calendar.due_date(day, m.promised_days)
        deadline = self.calendar.due_date(day, self.policy.correction_working_days)
        return {"matter": m.code, "promised_days": m.promised_days,
                "due": due.day.isoformat(), "due_provisional": due.provisional,
                "correction_deadline": deadline.day.isoformat(),
                "correction_deadline_provisional": deadline.provisional}

    def request_correction(self, day: dt.date, case: str, items: Iterable[Mapping[str, str]] = (),
                           deadline_days: int | None = None, staff: str | None = None,
                           window: str | None = None) -> list[Draft]:
        """补正: every missing material and every one staff found non-conforming, told at once."""
        c = self._in(case, "request_correction", _CHECKED)
        m = self.matter(c.matter)
        listed: dict[str, str] = {n: "未提供" for n in self.missing(c)}
        for item in items:
            name = item.get("material", "")
            if m.material(name) is None:
                raise InvalidCase(f"材料「{name}」不在事项 {m.code} 的材料清单上", field="items", material=name)
            listed[name] = item.get("reason") or listed.get(name) or "不符合要求"
        if not listed:
            raise InvalidCase(f"办件 {case} 的材料齐全，没有需要补正的材料", field="items")
        n = self.policy.correction_working_days if deadline_days is None else deadline_days
        if not 0 < n <= 60:
            raise InvalidCase("补正期限须为 1 到 60 个工作日", field="deadline_days")
        deadline = self.calendar.due_date(day, n)
        out = [{"material": k, "reason": v, "form": (m.material(k).form if m.material(k) else "")}
               for k, v in listed.items()]
        return [Draft(cev.CORRECTION_REQUESTED, {
            "case": case, "items": out, "deadline": deadline.day.isoformat(),
            "deadline_provisional": deadline.provisional, "day": day.isoformat(),
            "staff": staff or c.staff, "window": window or c.window})]

    def supplement(self, day: dt.date, case: str, materials: Iterable[str], channel: str = "kiosk") -> list[Draft]:
        """补正 brought: every material the notice listed is now provided (as `image` from the
        kiosk); the case goes back to its window as 预审, to be accepted or told again."""
        c = self._in(case, "supplement", {CaseState.CORRECTION})
        listed = [i["material"] for i in (c.correction or {}).get("items", [])]
        given = list(dict.fromkeys(materials))
        stray = [n for n in given if n not in listed]
        if stray:
            raise InvalidCase(f"材料「{'、'.join(stray)}」不在办件 {case} 的补正清单上", field="materials",
                              material=stray[0])
        lacking = [n for n in listed if n not in given]
        if lacking:
            raise InvalidCase(f"办件 {case} 还缺补正材料：{'、'.join(lacking)}", field="materials",
                              missing=",".join(lacking))
        merged = {**{k: v.value for k, v in c.materials.items()}, **{n: Provision.IMAGE.value for n in given}}
        provided, _ = self._materials(self.matter(c.matter), merged, c.applies)
        return [Draft(cev.SUPPLEMENTED, {"case": case, "materials": provided, "supplied": given,
                                         "channel": channel, "day": day.isoformat(), "window": c.window})]

    def refuse(self, day: dt.date, case: str, reason: str, redirect: str = "", staff: str | None = None,
               window: str | None = None) -> list[Draft]:
        """不予受理: with the reason and where to apply instead."""
        c = self._in(case, "refuse", _CHECKED)
        if not reason.strip():
            raise InvalidCase("不予受理须写明理由", field="reason")
        return [Draft(cev.REFUSED, {"case": case, "reason": reason.strip(), "redirect": redirect.strip(),
                                    "day": day.isoformat(), "staff": staff or c.staff,
                                    "window": window or c.window})]

    # -- handling

    def start_step(self, day: dt.date, case: str, step: str, limit_days: int | None = None,
                   staff: str | None = None, source: str = "hall", update: str | None = None) -> list[Draft]:
        """A step of handling; `source` "platform" and `update` (its id) when a back office sent it."""
        c = self._in(case, "start_step", CLOCK_STATES)
        if not step.strip():
            raise InvalidCase("环节须有名称", field="step")
        if c.open_step is not None:
            raise CaseTransition(f"办件 {case} 的环节「{c.open_step.name}」尚未完成", case=case,
                                 state=c.state.value, command="start_step")
        if limit_days is not None and not 0 <= limit_days <= 365:
            raise InvalidCase("环节时限须为 0 到 365 个工作日", field="limit_days")
        return [Draft(cev.STEP_STARTED, {"case": case, "step": step.strip(), "limit_days": limit_days,
                                         "day": day.isoformat(), "staff": staff, "source": source,
                                         "update": update})]

    def finish_step(self, day: dt.date, case: str, staff: str | None = None, source: str = "hall",
                    update: str | None = None) -> list[Draft]:
        c = self._in(case, "finish_step", {CaseState.HANDLING})
        s = c.open_step
        if s is None:
            raise CaseTransition(f"办件 {case} 没有进行中的环节", case=case, state=c.state.value,
                                 command="finish_step")
        return [Draft(cev.STEP_FINISHED, {"case": case, "step": s.name, "day": day.isoformat(),
                                          "staff": staff, "source": source, "update": update})]

    def conclude(self, day: dt.date, case: str, approved: bool, note: str = "", staff: str | None = None,
                 source: str = "hall", update: str | None = None) -> list[Draft]:
        """办结, approved or not; an open step is finished with it. On time when today is not
        after the due date (pauses added back)."""
        c = self._in(case, "conclude", CLOCK_STATES)
        out = []
        if c.open_step is not None:
            out.append(Draft(cev.STEP_FINISHED, {"case": case, "step": c.open_step.name, "day": day.isoformat(),
                                                 "staff": staff, "source": source}))
        lit = self.light_of(c, day)
        out.append(Draft(cev.CONCLUDED, {"case": case, "approved": bool(approved), "note": note,
                                         "day": day.isoformat(), "on_time": lit.remaining >= 0,
                                         "due": lit.due.isoformat(), "staff": staff, "source": source,
                                         "update": update}))
        return out

    def deliver(self, day: dt.date, case: str, method: Delivery | str, proof: str | None = None,
                address_masked: str = "", tracking: str = "", staff: str | None = None) -> list[Draft]:
        """出件: at the result window against the ID card or the notice's QR, or by free post."""
        c = self._in(case, "deliver", {CaseState.CONCLUDED})
        try:
            method = Delivery(method)
        except ValueError:
            raise InvalidCase(f"未知的出件方式 {method!r}（pickup/post）", field="method") from None
        data: dict[str, Any] = {"case": c.id, "method": method.value, "day": day.isoformat(), "staff": staff}
        if method is Delivery.PICKUP:
            try:
                data["proof"] = PickupProof(proof).value
            except ValueError:
                raise InvalidCase("窗口领取须核验身份证或通知书二维码（proof: id_card/notice_qr）",
                                  field="proof") from None
        else:
            if not address_masked.strip() or not tracking.strip():
                raise InvalidCase("免费寄递须有收件地址与快递单号", field="tracking" if address_masked else "address")
            data.update(address_masked=address_masked.strip(), tracking=tracking.strip())
        return [Draft(cev.DELIVERED, data)]

    def close(self, day: dt.date, case: str, staff: str | None = None) -> list[Draft]:
        self._in(case, "close", {CaseState.DELIVERED})
        return [Draft(cev.CLOSED, {"case": case, "day": day.isoformat(), "staff": staff})]

    def rate(self, day: dt.date, case: str, level: int, reasons: Iterable[str] = (), text: str = "",
             channel: str = "qr") -> list[Draft]:
        """好差评 of the case (一事一评): once, after 办结 or 不予受理; 差评 (1, 2) say why."""
        c = self._in(case, "rate", RATABLE)
        if c.rating is not None:
            raise CaseTransition(f"办件 {case} 已评价过（一事一评）", case=case, state=c.state.value, command="rate")
        if not 1 <= level <= 5:
            raise InvalidCase(f"评价等级须为 1–5，而不是 {level}", field="level")
        reasons = list(reasons)
        if level <= 2 and not reasons and not text.strip():
            raise InvalidCase("差评须说明原因（reasons 或 text）", field="reasons")
        return [Draft(cev.RATED, {"case": case, "level": level, "reasons": reasons, "text": text.strip(),
                                  "channel": channel, "day": day.isoformat()})]

    # -- the light

    def subject(self, c: CaseRec) -> Subject:
        steps = tuple(TimedStep(s.name, dt.date.fromisoformat(s.started), s.limit_days,
                                dt.date.fromisoformat(s.finished) if s.finished else None, s.pauses)
                      for s in c.steps)
        return Subject(dt.date.fromisoformat(c.accepted_day or c.created_day), c.promised_days, steps)

    def light_of(self, c: CaseRec, today: dt.date, calendar: Calendar | None = None) -> Light:
        return light(self.subject(c), today, calendar or self.calendar, self.policy.yellow_working_days)

    def lights(self, today: dt.date, cases: Iterable[str] | None = None) -> list[Draft]:
        """A `case.light` event for every case on the clock whose light or due date changed (the
        reason is the one at the change: a count of days left changing daily is no event)."""
        cal = MemoCalendar(self.calendar)
        chosen = self.book.cases.values() if cases is None else (self.book.cases[n] for n in cases)
        out = []
        day = today.isoformat()
        # without steps, a light depends on the day of acceptance and the limit alone
        plain: dict[tuple[str | None, int], tuple[Light, str]] = {}
        for c in chosen:
            if c.state not in CLOCK_STATES:
                continue
            if c.steps:
                lit = self.light_of(c, today, cal)
                due = lit.due.isoformat()
            else:
                key = (c.accepted_day, c.promised_days)
                found = plain.get(key)
                if found is None:
                    lit = self.light_of(c, today, cal)
                    found = plain[key] = (lit, lit.due.isoformat())
                lit, due = found
            if lit.color != c.light or due != c.due or lit.provisional != c.due_provisional:
                out.append(Draft(cev.LIGHT, {"case": c.id, "light": lit.color, "reason": lit.reason,
                                             "previous": c.light, "due": due, "provisional": lit.provisional,
                                             "source": lit.source, "day": day}))
        return out

    def due_dates(self, today: dt.date) -> list[Draft]:
        """A `case.due_changed` for every open case whose provisional due date the calendar as it
        is now moves or makes firm (its year published); `lights` then follows the new dates."""
        cal = MemoCalendar(self.calendar)
        pending = [c for c in self.book.cases.values() if c.state in CLOCK_STATES and c.due_provisional]
        return due_changes(pending, {c.id: self.light_of(c, today, cal) for c in pending}, today)


def provision_labels(c: CaseRec) -> dict[str, str]:
    return {k: PROVISION_LABEL[v] for k, v in c.materials.items()}
