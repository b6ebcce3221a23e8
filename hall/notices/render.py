"""The four case notices a window prints, as A4 PDF: 受理, 补正材料, 不予受理, 办结/领取.

``case_notice_pdf(notice)`` takes one of `hall.notices.model`'s dataclasses and lays it out on
the shared page (`hall.notices.base`): the hall, the title and the document number with a QR to
the case's follow page; a sentence saying what was decided; a table of the fields CATALOG.md
§3–§4 lists (applicant masked, matter and code, dates, limits, the due date with
"（如遇节假日调整顺延）" while the working days are provisional); the materials; how to follow
progress and how the result is delivered; the seal area and the applicant's signature line.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from hall.notices import base
from hall.notices.base import BODY_W, FONT_PATH, Field, SealArea, field_table, grid
from hall.notices.base import text as _t
from hall.notices.model import (
    Acceptance,
    CaseNotice,
    Completion,
    Correction,
    Delivery,
    Material,
    NoticeCase,
    Refusal,
)

log = logging.getLogger(__name__)

TITLES = {Acceptance: "受理通知书", Correction: "补正材料通知书", Refusal: "不予受理通知书",
          Completion: "办结通知书"}
SEALS = {Acceptance: "受理专用章", Correction: "受理专用章", Refusal: "受理专用章",
         Completion: "业务专用章"}
PROVISIONAL = "（如遇节假日调整顺延）"
NUMBERS = "一二三四五六七八九十"
LAW = "《中华人民共和国行政许可法》第三十二条"
REMEDY = ("如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
          "或者六个月内依法向人民法院提起行政诉讼。")
FOOTER = "本通知书一式两份，一份交申请人，一份由受理窗口存档。请妥善保管，凭本通知书或申请人身份证件查询、领取办理结果。"


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _limit(days: int | None) -> str:
    return "—" if days is None else "即办" if days == 0 else f"{days}个工作日"


def _party_fields(case: NoticeCase) -> list[list[Field]]:
    a = case.applicant
    id_label = "证件号码" if a.kind == "person" else "统一社会信用代码"
    rows: list[list[Field]] = [[("申请人", _t(a.name)), (id_label, _t(a.id_text))]]
    if a.agent_name:
        rows.append([("代办人", _t(a.agent_name)), ("代办人证件", _t(a.agent_id))])
    rows.append([("联系电话", _t(a.phone)), ("办件编号", _t(case.case_number))])
    return rows


def _matter_fields(case: NoticeCase) -> list[list[Field]]:
    m = case.matter
    return [[("申请事项", _t(m.name))], [("事项编码", _t(m.code)), ("办理部门", _t(m.department))]]


def _staff_fields(case: NoticeCase) -> list[list[Field]]:
    staff = [("受理人", _t(case.staff)), ("联系电话", _t(case.staff_phone or case.hall.phone))]
    fee = ("收费标准", _t(case.matter.fee) or "不收费")
    return [staff, [("受理窗口", _t(case.window) or "—"), fee]]


def _materials(materials: Sequence[Material], s: dict[str, ParagraphStyle], *,
               missing: bool) -> Table:
    keys = ("序号", "材料名称", "要求标准", "补正原因") if missing else ("序号", "材料名称", "形式", "份数")
    rows: list[list[Flowable]] = [[Paragraph(k, s["label"]) for k in keys]]
    for number, m in enumerate(materials, 1):
        tail = [m.standard, m.note] if missing else [m.form, str(m.count)]
        rows.append([Paragraph(str(number), s["center"]), Paragraph(_t(m.name), s["cell"]),
                     Paragraph(_t(tail[0]) or "—", s["cell" if missing else "center"]),
                     Paragraph(_t(tail[1]) or "—", s["cell" if missing else "center"])])
    widths = [11 * mm, 62 * mm, 62 * mm] if missing else [11 * mm, 104 * mm, 34 * mm]
    widths.append(BODY_W - sum(widths))
    rule = [("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black)]
    return grid(rows, widths, s["cell"].fontName, rule, repeat=1)


def _delivery(d: Delivery, phone: str) -> list[str]:
    if d.method == "post":
        lines = ["办理结果通过免费邮寄送达" + (f"，寄往：{_t(d.address)}" if d.address else "") + "。"]
        if d.tracking:
            lines.append(f"邮件单号：<b>{_t(d.tracking)}</b>，可凭单号在寄递企业网站或电话查询投递情况。")
        return lines
    where = _t(d.place) or "办理结果领取窗口"
    when = f"，领取时间：{_t(d.when)}" if d.when else ""
    return [f"请到 {where} 领取办理结果{when}。如需改为免费邮寄，请致电 {_t(phone)}。"]


class _Sections:
    """Numbered section headings: 一、… 二、…"""

    def __init__(self, s: dict[str, ParagraphStyle]) -> None:
        self.s, self.n = s, 0

    def __call__(self, title: str, *lines: str, numbered: bool = False) -> list[Flowable]:
        self.n += 1
        head = Paragraph(f"{NUMBERS[self.n - 1]}、{title}", self.s["heading"])
        if numbered:
            lines = tuple(f"{i}. {line}" for i, line in enumerate(lines, 1))
        return [head, *(Paragraph(line, self.s["item" if numbered else "body"]) for line in lines)]


Body = tuple[list[Flowable], list[str]]  # the notice's own part, and its lines for 告知事项


def _follow(case: NoticeCase) -> str:
    hall = case.hall
    line = f"扫描右上角二维码，或拨打 {_t(hall.phone)}，凭办件编号 {_t(case.case_number)} 查询办理进度"
    if hall.complaint_phone:
        line += f"；意见建议和投诉请拨打 {_t(hall.complaint_phone)}"
    return line + "。"


def _opening(notice: CaseNotice, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    case = notice.case
    matter = f"“{_t(case.matter.name)}”"
    since = f"您（单位）于{day_text(case.received)}提交的{matter}申请"
    if isinstance(notice, Acceptance):
        body = f"{since}，申请材料齐全、符合法定形式，根据{LAW}的规定，决定予以受理。"
    elif isinstance(notice, Correction):
        body = (f"{since}，申请材料不齐全或者不符合法定形式，根据{LAW}的规定，"
                f"现将需要补正的全部内容一次性告知如下，请于<b>{day_text(notice.deadline)}</b>前补正。")
    elif isinstance(notice, Refusal):
        body = f"{since}，经审查，根据{_t(notice.basis) or LAW}的规定，决定不予受理，理由如下。"
    else:
        verdict = "准予办理" if notice.approved else "不予批准"
        body = f"{since}，已于{day_text(notice.completed)}办结，结果为：<b>{verdict}</b>。"
    return [Paragraph(f"{_t(case.applicant.name)}：", s["body"]), Spacer(1, 1.5 * mm),
            Paragraph(body, s["text"]), Spacer(1, 3 * mm)]


def _acceptance(n: Acceptance, s: dict[str, ParagraphStyle], sections: _Sections) -> Body:
    case = n.case
    due = day_text(n.due.day) + (PROVISIONAL if n.due.provisional else "")
    rows = [*_party_fields(case), *_matter_fields(case),
            [("收件日期", day_text(case.received)), ("受理日期", day_text(n.accepted))],
            [("法定办结时限", _limit(case.matter.legal_days)),
             ("承诺办结时限", _limit(case.matter.promised_days))],
            [("承诺办结日期", f"<b>{due}</b>")], *_staff_fields(case)]
    story: list[Flowable] = [field_table(rows, s)]
    story += sections("已收材料")
    story += [_materials(n.materials, s, missing=False)] if n.materials else [Paragraph("—", s["body"])]
    steps = "、".join(n.special_steps)
    notes = [f"办结时限自受理之日的次日起按工作日计算。依法需要{_t(steps)}的，"
             "所需时间不计算在办结时限内，届时另行书面告知。",
             *_delivery(n.delivery, case.hall.phone)]
    return story, notes


def _correction(n: Correction, s: dict[str, ParagraphStyle], sections: _Sections) -> Body:
    case = n.case
    rows = [*_party_fields(case), *_matter_fields(case),
            [("收件日期", day_text(case.received)), ("补正期限", f"<b>{day_text(n.deadline)}</b>前")],
            *_staff_fields(case)]
    story: list[Flowable] = [field_table(rows, s)]
    story += sections(f"需要补正的材料（共{len(n.missing)}项）")
    story.append(_materials(n.missing, s, missing=True))
    if n.reason:
        story.append(Paragraph(f"补正原因：{_t(n.reason)}", s["body"]))
    notes = ["以上为需要补正的全部内容，补正时不再要求提交本通知书以外的材料。请按要求标准备齐后"
             f"于{day_text(n.deadline)}前到任一综合受理窗口提交，办结时限自受理之日的次日起计算。"]
    if n.received:
        notes.append("已收取并留存的材料：" + "、".join(_t(m.name) for m in n.received) + "，补正时无需再交。")
    return story, notes


def _refusal(n: Refusal, s: dict[str, ParagraphStyle], sections: _Sections) -> Body:
    case = n.case
    rows = [*_party_fields(case), *_matter_fields(case),
            [("收件日期", day_text(case.received)), ("决定日期", day_text(case.issued.date()))],
            *_staff_fields(case)]
    story: list[Flowable] = [field_table(rows, s)]
    story += sections("不予受理的理由", _t(n.reason))
    notes = [f"本申请事项请向 <b>{_t(n.apply_to)}</b> 提出。"] if n.apply_to else []
    notes.append(_t(n.remedy) or REMEDY)
    return story, notes


def _completion(n: Completion, s: dict[str, ParagraphStyle], sections: _Sections) -> Body:
    case = n.case
    rows = [*_party_fields(case), *_matter_fields(case),
            [("申请日期", day_text(case.received)), ("办结日期", day_text(n.completed))],
            [("办理结果", _t(n.result))],
            [("送达方式", "免费邮寄" if n.delivery.method == "post" else "窗口领取")],
            *_staff_fields(case)]
    notes = _delivery(n.delivery, case.hall.phone)
    if n.delivery.method == "pickup" and n.bring:
        notes.append("领取时请携带：" + "、".join(_t(b) for b in n.bring) + "；"
                     "委托他人领取的，另带委托书和受托人身份证件。")
    return [field_table(rows, s)], notes


BODIES = {Acceptance: _acceptance, Correction: _correction, Refusal: _refusal, Completion: _completion}


def case_notice_pdf(notice: CaseNotice, *, font_path: Path = FONT_PATH) -> bytes:
    """The notice as A4 PDF bytes (the same bytes for the same notice)."""
    body = BODIES.get(type(notice))
    if body is None:
        raise TypeError(f"not a case notice: {type(notice).__name__}")
    case, title = notice.case, TITLES[type(notice)]
    if isinstance(notice, Completion) and notice.delivery.method == "pickup":
        title = "办结领取通知书"
    font = base.register_font(font_path)
    s = base.styles(font)
    story: list[Flowable] = [
        *base.header(case.hall.name, title, s, qr_payload=case.follow_url, qr_caption="扫码查询办理进度",
                number=case.number),
        Spacer(1, 2 * mm), *_opening(notice, s),
    ]
    sections = _Sections(s)
    own, notes = body(notice, s, sections)  # type: ignore[operator]
    story += [*own, *sections("告知事项", *notes, _follow(case), numbered=True)]
    story += [CondPageBreak(SealArea.HEIGHT + 4 * mm), Spacer(1, 3 * mm),
              SealArea(font, case.hall.agency, day_text(case.issued.date()),
                       ["申请人（代办人）签收：", "签收时间："], SEALS[type(notice)])]
    page = base.Page(font=font, title=title, author=case.hall.name, subject=case.number,
                footer=Paragraph(FOOTER, s["small"]), page_label="第 {page} 页 共 {total} 页")
    pdf = base.build(story, page)
    log.debug("%s %s: %d bytes", notice.kind, case.number, len(pdf))
    return pdf
