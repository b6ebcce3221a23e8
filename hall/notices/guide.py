"""The one-time notification sheet (一次性告知单) a kiosk prints for a service guide, as A4 PDF.

``notice_pdf(guide, hall, printed_at=...)`` lays out everything a citizen needs for one matter:
basic information and time limits, the full list of materials (form, copies, whether required),
the process, legal basis, notes, where to ask, and a QR code to the online guide. Long guides
run over several pages: the materials table repeats its header, every page carries the footer
and "第 n 页 共 N 页".

In English (`lang="en"`) every value is the hall's own English beside it (`name_en`,
`department_en`, a material's `note_en`, the hall's `address_en` …; hall.localized), the
catalogue's fixed terms (a matter's kind, a material's form) come from hall.catalog_terms, and
only a value the hall gave no English for stays Chinese. What a value means (容缺, whether a time-limit
text says more than its number, short steps) is read from the Chinese the catalogue defines.
English wraps between words, Chinese between characters.

The page (embedded CJK font, header, QR, footer, page numbers) is `hall.notices.base`'s, shared
with the case notices. No Qt here; the kiosk prints the bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from hall.catalog_terms import form_words, kind_word
from hall.localized import localized
from hall.notices.base import (
    BODY_W,
    FONT_PATH,
    NoticeFontError,
    Page,
    build_counted,
    field_table,
    grid,
    header,
    paragraph,
    register_font,
    styles,
)
from hall.notices.base import text as _text

__all__ = ["LABELS", "NoticeFontError", "notice_pdf"]

log = logging.getLogger(__name__)

_SHORT_STEP = 8  # steps no longer than this are written in one line, joined by arrows

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "一次性告知单", "name": "事项名称", "code": "基本编码", "kind": "事项类型",
        "department": "实施部门", "queue": "取号类别", "legal": "法定办结时限",
        "promised": "承诺办结时限", "fee": "收费标准", "visits": "到现场次数",
        "online": "网办程度", "conditions": "受理条件", "materials": "申请材料",
        "no": "序号", "material": "材料名称", "form": "形式", "count": "份数",
        "need": "必要性", "note": "备注", "required": "必需", "waivable": "容缺",
        "conditional": "按需", "steps": "办理流程", "basis": "设定依据", "notes": "注意事项",
        "consult": "咨询方式", "phone": "咨询电话", "address": "办公地址", "hours": "办公时间",
        "printed": "告知时间", "days": "{n}个工作日", "same_day": "即办", "times": "{n} 次",
        "scan_url": "扫码查看在线办事指南", "scan_code": "扫码获取事项编码",
        "legend": "必需：须提交；容缺：可先受理，按约定时间补交；按需：符合备注所列情形时提交。",
        "footer": "本告知单一次性告知办理本事项所需的全部材料。申请人按本单备齐材料即可办理，"
        "窗口不再要求提交本单以外的材料；如有疑问，请向窗口或咨询电话询问。",
        "page": "第 {page} 页 共 {total} 页", "numbers": "一二三四五六七八九十",
        "heading": "{number}、{title}", "none": "—", "colon": "：",
        "time": "{0.year}年{0.month}月{0.day}日 {0:%H:%M}",
    },
    "en": {
        "title": "One-Time Notification", "name": "Matter", "code": "Code",
        "kind": "Type", "department": "Department", "queue": "Queue",
        "legal": "Statutory time limit", "promised": "Promised time limit", "fee": "Fee",
        "visits": "Visits to the hall", "online": "Online service", "conditions": "Conditions",
        "materials": "Materials", "no": "No.", "material": "Material", "form": "Form",
        "count": "Copies", "need": "Need", "note": "Remarks", "required": "Required",
        "waivable": "May follow", "conditional": "If needed", "steps": "Process",
        "basis": "Legal basis", "notes": "Notes", "consult": "Enquiries", "phone": "Telephone",
        "address": "Address", "hours": "Hours", "printed": "Printed",
        "days": "{n} working days", "same_day": "On the spot", "times": "{n}",
        "scan_url": "Scan for the online guide", "scan_code": "Scan for the matter code",
        "legend": "Required: must be submitted. May follow: the application is accepted and "
        "the material is handed in later. If needed: only in the case the note describes.",
        "footer": "This notice lists, once and in full, every material this matter needs. With "
        "the materials listed here the application can be made; no other material will be "
        "asked for. Questions: ask at the window or call the enquiry number.",
        "page": "Page {page} of {total}", "numbers": "", "heading": "{number}. {title}",
        "time": "{0:%Y-%m-%d %H:%M}", "none": "—", "colon": ": ",
    },
}


def _days(days: Any, t: Mapping[str, str]) -> str:
    return "" if days is None else t["same_day"] if days == 0 else t["days"].format(n=days)


def _limit(days: Any, said: str, shown: str, t: Mapping[str, str]) -> str:
    """A time limit: the working days (0 is 即办) with the guide's own wording beneath, when its
    Chinese (`said`) says more than the number; `shown` is that wording in the notice's language."""
    plain = _days(days, t)
    if said and said != _days(days, LABELS["zh"]):
        return f"{plain}<br/><font size=8>{_text(shown)}</font>" if plain else _text(shown)
    return plain or t["none"]


def _form(form: str, lang: str) -> str:
    """原件+复印件, or "Original and copy"."""
    return " and ".join(form_words(form, "en")) if lang == "en" else form


def _need(material: Mapping[str, Any], t: Mapping[str, str]) -> str:
    """必需, 容缺 (accepted now, handed in later) or 按需 (only in the case the note gives)."""
    if material.get("waivable") or "容缺" in str(material.get("note", "")):
        return t["waivable"]
    return t["required"] if material.get("required", True) else t["conditional"]


def _info_table(guide: Mapping[str, Any], shown: Mapping[str, Any], s: dict[str, ParagraphStyle],
                t: Mapping[str, str], lang: str) -> Table:
    def field(key: str) -> tuple[str, str]:
        return t[key], _text(shown.get(key) or "")

    def limit(key: str) -> tuple[str, str]:
        said, words = (str(g.get(f"{key}_limit_text") or "") for g in (guide, shown))
        return t[key], _limit(guide.get(f"{key}_days"), said, words, t)

    visits = t["times"].format(n=guide["visits"]) if guide.get("visits") is not None else ""
    kind = (t["kind"], _text(kind_word(str(guide.get("kind") or ""), lang)))
    rows = [[field("name")], [field("code"), kind], [field("department")]]
    if shown.get("queue_name"):
        rows.append([(t["queue"], _text(shown["queue_name"]))])
    rest = [[field("fee"), (t["visits"], visits)], [field("online")], [field("conditions")]]
    legal, promised = limit("legal"), limit("promised")
    # the two limits side by side, or each on a row of its own when that is shorter: a limit with
    # its wording beneath ran to seven lines in half a row
    tables = [field_table(rows + limits + rest, s, t["none"]) for limits in ([[legal, promised]], [[legal], [promised]])]
    return min(tables, key=lambda table: table.wrap(BODY_W, 1e6)[1])


def _materials_table(materials: Sequence[Mapping[str, Any]], shown: Sequence[Mapping[str, Any]],
                     s: Mapping[str, ParagraphStyle], t: Mapping[str, str], lang: str) -> Table:
    """One row a material: its words from `shown` (the notice's language), what it is from
    `materials` (the form, the count, whether it is needed)."""
    head = [Paragraph(t[k], s["label"]) for k in ("no", "material", "form", "count", "need", "note")]
    rows: list[list[Any]] = [head]
    for number, (m, words) in enumerate(zip(materials, shown, strict=True), 1):
        rows.append([
            Paragraph(str(number), s["center"]),
            paragraph(_text(words.get("name", "")), s["cell"]),
            paragraph(_text(_form(str(m.get("form", "")), lang)), s["center"]),
            Paragraph(str(m.get("count", 1)), s["center"]),
            Paragraph(_need(m, t), s["label"]),
            paragraph(_text(words.get("note", "")), s["cell"]),
        ])
    fixed = [11 * mm, 28 * mm, 13 * mm, 18 * mm]
    room = BODY_W - sum(fixed)
    name = _name_width([r[1] for r in rows[1:]], [r[5] for r in rows[1:]], room)
    widths = [fixed[0], name, *fixed[1:], room - name]
    rule = [("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black)]
    return grid(rows, widths, s["cell"].fontName, rule, repeat=1)


_NAME_WIDTH = 63 * mm  # the material column's width when the texts leave a choice
_CELL_PADDING = 8  # a cell's left and right padding (`grid`), in points


def _name_width(names: Sequence[Paragraph], notes: Sequence[Paragraph], room: float) -> float:
    """The material column's share of `room` (it and the remarks'): the width that gives the table
    fewest lines, so that an English notice, whose names run longer, keeps to one page as often as
    the Chinese one; between equals, the one nearest the usual width."""
    def lines(p: Paragraph, width: float) -> int:
        return round(p.wrap(width - _CELL_PADDING, 1e6)[1] / p.style.leading) if p.text else 1

    best: tuple[int, float, float] | None = None
    for width in (w * mm for w in range(45, int((room - 30 * mm) / mm) + 1)):
        total = sum(max(lines(n, width), lines(r, room - width)) for n, r in zip(names, notes, strict=True))
        key = (total, abs(width - _NAME_WIDTH), width)
        best = key if best is None or key < best else best
    return best[2] if best is not None else _NAME_WIDTH


def _story(guide: Mapping[str, Any], hall: Mapping[str, Any], printed: str,
           s: dict[str, ParagraphStyle], lang: str) -> list[Flowable]:
    """Everything below the page's own parts; `guide` and `hall` as given (in Chinese, with
    their English beside), shown in `lang`."""
    t = LABELS[lang]
    shown, place = localized(dict(guide), lang), localized(dict(hall), lang)
    url = str(hall.get("guide_url") or "")
    code = str(guide.get("code", ""))
    story: list[Flowable] = [
        *header(str(place.get("name") or ""), t["title"], s, qr_payload=url.replace("{code}", code) if url else code,
                qr_caption=t["scan_url"] if url else t["scan_code"]),
        Paragraph(f"{t['printed']}{t['colon']}{printed}", s["right"]),
        Spacer(1, 3 * mm),
        _info_table(guide, shown, s, t, lang),
    ]
    numbers = iter(t["numbers"] or [str(n) for n in range(1, 10)])

    def heading(key: str) -> Paragraph:
        title = t["heading"].format(number=next(numbers), title=t[key])
        return Paragraph(title, s["heading"])

    materials = guide.get("materials") or []
    story += [heading("materials"), _materials_table(materials, shown.get("materials") or materials, s, t, lang),
              Spacer(1, 1.5 * mm), Paragraph(t["legend"], s["small"])]
    steps = [str(step) for step in shown.get("steps") or []]
    if steps:
        story.append(heading("steps"))
        said = [str(step) for step in guide.get("steps") or []]
        if max(map(len, said)) <= _SHORT_STEP:  # 受理 → 审核 → 办结: one line reads better
            story.append(paragraph(" → ".join(map(_text, steps)), s["body"]))
        else:
            story += [paragraph(f"{i}. {_text(step)}", s["body"]) for i, step in enumerate(steps, 1)]
    for key in ("basis", "notes"):
        if shown.get(key):
            story += [heading(key), paragraph(_text(shown[key]), s["body"])]

    contact = [(k, place.get(k)) for k in ("phone", "address", "hours") if place.get(k)]
    if contact:
        lines = [paragraph(f"{t[k]}{t['colon']}{_text(v)}", s["body"]) for k, v in contact]
        lines.append(Paragraph(f"{t['code']}{t['colon']}{_text(code)}", s["body"]))
        story.append(KeepTogether([heading("consult"), *lines]))
    return story


def notice_pdf(guide: Mapping[str, Any], hall: Mapping[str, Any], *, printed_at: datetime,
               lang: str = "zh", font_path: Path = FONT_PATH) -> bytes:
    """The 一次性告知单 for `guide` (``MatterConfig.model_dump()``, optionally ``queue_name``) as
    A4 PDF bytes. `hall` gives ``name`` (``name_en`` for English) and, when known, ``phone``,
    ``address``, ``hours`` and ``guide_url`` (``{code}`` is replaced by the matter code; without
    it the QR code holds the code itself), each text with its ``*_en`` beside it. `lang` "en"
    prints the labels and every value in English, a value without English in Chinese."""
    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    font = register_font(font_path)
    s = styles(font, lang)
    hall_name = str(localized(dict(hall), lang).get("name") or "")
    matter = str(localized(dict(guide), lang).get("name") or "")
    page = Page(font=font, title=t["title"], author=hall_name, subject=matter,
                footer=Paragraph(t["footer"], s["small"]), page_label=t["page"])
    printed = t["time"].format(printed_at)
    pdf, pages = build_counted(_story(guide, hall, printed, s, lang), page)
    if pages > 1:  # lines a little closer, where that keeps the notice to fewer sheets
        tight, fewer = build_counted(_story(guide, hall, printed, styles(font, lang, tight=True), lang), page)
        if fewer < pages:
            pdf = tight
    log.debug("notice for %s: %d bytes", guide.get("code"), len(pdf))
    return pdf
