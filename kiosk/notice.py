"""The one-time notification sheet (一次性告知单) a kiosk prints for a service guide, as A4 PDF.

``notice_pdf(guide, hall, printed_at=...)`` lays out everything a citizen needs for one matter:
basic information and time limits, the full list of materials (form, copies, whether required),
the process, legal basis, notes, where to ask, and a QR code to the online guide. Long guides
run over several pages: the materials table repeats its header, every page carries the footer
and "第 n 页 共 N 页".

The CJK font is embedded (a TrueType face of WenQuanYi Micro Hei): reportlab's built-in
STSong-Light is not, and prints as garbage through CUPS. No Qt here; the kiosk prints the bytes.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

log = logging.getLogger(__name__)

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_NAME = "WQYMicroHei"
ACCENT = colors.HexColor("#B01E23")  # the one coloured line, under the title

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 16 * mm, 26 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
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


class NoticeFontError(RuntimeError):
    """The CJK TrueType font needed to print Chinese is missing or unreadable."""


_registered: dict[Path, str] = {}  # font file → name registered with reportlab


def _register_font(path: Path) -> str:
    if not path.is_file():
        raise NoticeFontError(
            f"CJK font {path} not found: install the fonts-wqy-microhei package "
            "(the notice embeds it so Chinese prints on any printer)"
        )
    name = _registered.get(path)
    if name is None:
        name = FONT_NAME if not _registered else f"{FONT_NAME}{len(_registered)}"
        try:
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        except (TTFError, OSError) as exc:
            raise NoticeFontError(f"CJK font {path} cannot be used: {exc}") from exc
        _registered[path] = name
    return name


def _styles(font: str, lang: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, wordWrap="CJK")
    center = ParagraphStyle("center", base, fontSize=9, leading=12.5, alignment=TA_CENTER)
    return {
        # fixed labels: English breaks between words, Chinese anywhere
        "label": ParagraphStyle("label", center, wordWrap="CJK" if lang == "zh" else None),
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=11),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12.5),
        "center": center,
        "hall": ParagraphStyle("hall", base, fontSize=12, leading=16, alignment=TA_CENTER),
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", base, fontSize=11.5, leading=16, spaceBefore=9,
                                  spaceAfter=4),
        "caption": ParagraphStyle("caption", base, fontSize=8, leading=11, alignment=TA_CENTER),
        "right": ParagraphStyle("right", base, fontSize=8.5, leading=12, alignment=2),
    }


def _text(value: Any) -> str:
    """Data as Paragraph markup: escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


class _QrCode(Flowable):
    """A QR code drawn as vector squares: sharp on any printer, no image to embed."""

    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        ascii_only = payload.isascii()
        self.qr = segno.make_qr(payload, error="m", encoding=None if ascii_only else "utf-8",
                                eci=not ascii_only)
        self.width = self.height = size

    def draw(self) -> None:
        rows = [list(row) for row in self.qr.matrix_iter(border=2)]
        module = self.width / len(rows)
        self.canv.setFillColor(colors.black)
        for y, row in enumerate(rows):
            x = 0
            while x < len(row):  # one rectangle per run of dark modules
                if not row[x]:
                    x += 1
                    continue
                end = x
                while end < len(row) and row[end]:
                    end += 1
                top = self.height - (y + 1) * module
                self.canv.rect(x * module, top, (end - x) * module, module, stroke=0, fill=1)
                x = end


def _limit(days: Any, text: str, t: Mapping[str, str]) -> str:
    """A time limit: the working days (0 is 即办) with the guide's own wording beneath."""
    plain = "" if days is None else t["same_day"] if days == 0 else t["days"].format(n=days)
    if text and text != plain:
        return f"{plain}<br/><font size=8>{_text(text)}</font>" if plain else _text(text)
    return plain or t["none"]


def _fit(text: str, font: str, width: float, size: float = 8.5) -> str:
    """`text`, shortened with "…" to fit `width` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _need(material: Mapping[str, Any], t: Mapping[str, str]) -> str:
    """必需, 容缺 (accepted now, handed in later) or 按需 (only in the case the note gives)."""
    if material.get("waivable") or "容缺" in str(material.get("note", "")):
        return t["waivable"]
    return t["required"] if material.get("required", True) else t["conditional"]


def _grid(data: list[list[Any]], widths: Sequence[float], font: str,
          extra: Sequence[tuple[Any, ...]] = (), repeat: int = 0) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=repeat, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), font),  # else the empty spanned cells use Helvetica
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        *extra,
    ]))
    return table


def _info_table(guide: Mapping[str, Any], s: Mapping[str, ParagraphStyle],
                t: Mapping[str, str]) -> Table:
    def label(key: str) -> Paragraph:
        return Paragraph(t[key], s["label"])

    def value(markup: str) -> Paragraph:
        return Paragraph(markup or t["none"], s["cell"])

    def field(key: str) -> Paragraph:
        return value(_text(guide.get(key) or ""))

    rows: list[list[Any]] = [
        [label("name"), field("name"), "", ""],
        [label("code"), field("code"), label("kind"), field("kind")],
        [label("department"), field("department"), "", ""],
    ]
    if guide.get("queue_name"):
        rows.append([label("queue"), field("queue_name"), "", ""])
    rows += [
        [label("legal"), value(_limit(guide.get("legal_days"), guide.get("legal_limit_text", ""), t)),
         label("promised"),
         value(_limit(guide.get("promised_days"), guide.get("promised_limit_text", ""), t))],
        [label("fee"), field("fee"), label("visits"),
         value(t["times"].format(n=guide["visits"]) if guide.get("visits") is not None else "")],
        [label("online"), field("online"), "", ""],
        [label("conditions"), field("conditions"), "", ""],
    ]
    spans = [("SPAN", (1, i), (3, i)) for i, row in enumerate(rows) if row[2] == ""]
    return _grid(rows, [27 * mm, 60 * mm, 27 * mm, BODY_W - 114 * mm], s["cell"].fontName, spans)


def _materials_table(materials: Sequence[Mapping[str, Any]], s: Mapping[str, ParagraphStyle],
                     t: Mapping[str, str]) -> Table:
    head = [Paragraph(t[k], s["label"]) for k in ("no", "material", "form", "count", "need", "note")]
    rows: list[list[Any]] = [head]
    for number, m in enumerate(materials, 1):
        rows.append([
            Paragraph(str(number), s["center"]),
            Paragraph(_text(m.get("name", "")), s["cell"]),
            Paragraph(_text(m.get("form", "")), s["center"]),
            Paragraph(str(m.get("count", 1)), s["center"]),
            Paragraph(_need(m, t), s["label"]),
            Paragraph(_text(m.get("note", "")), s["cell"]),
        ])
    widths = [11 * mm, 63 * mm, 28 * mm, 13 * mm, 18 * mm]
    widths.append(BODY_W - sum(widths))
    rule = [("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.black)]
    return _grid(rows, widths, s["cell"].fontName, rule, repeat=1)


def _story(guide: Mapping[str, Any], hall: Mapping[str, Any], hall_name: str, printed: str,
           s: Mapping[str, ParagraphStyle], t: Mapping[str, str]) -> list[Flowable]:
    url = str(hall.get("guide_url") or "")
    code = str(guide.get("code", ""))
    qr = [_QrCode(url.replace("{code}", code) if url else code, 22 * mm),
          Paragraph(t["scan_url"] if url else t["scan_code"], s["caption"])]
    title = [Paragraph(_text(hall_name), s["hall"]), Paragraph(t["title"], s["title"])]
    side = 34 * mm  # the QR code's column, mirrored on the left so the title stays centred
    header = Table([["", title, qr]], colWidths=[side, BODY_W - 2 * side, side])
    header.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), s["body"].fontName), ("VALIGN", (0, 0), (1, 0), "MIDDLE"),
        ("ALIGN", (2, 0), (2, 0), "CENTER"), ("VALIGN", (2, 0), (2, 0), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    story: list[Flowable] = [
        header,
        HRFlowable(width="100%", thickness=1.6, color=ACCENT, spaceBefore=3, spaceAfter=3),
        Paragraph(f"{t['printed']}{t['colon']}{printed}", s["right"]),
        Spacer(1, 3 * mm),
        _info_table(guide, s, t),
    ]
    numbers = iter(t["numbers"] or [str(n) for n in range(1, 10)])

    def heading(key: str) -> Paragraph:
        title = t["heading"].format(number=next(numbers), title=t[key])
        return Paragraph(title, s["heading"])

    story += [heading("materials"), _materials_table(guide.get("materials") or [], s, t),
              Spacer(1, 1.5 * mm), Paragraph(t["legend"], s["small"])]
    steps = [str(step) for step in guide.get("steps") or []]
    if steps:
        story.append(heading("steps"))
        if max(map(len, steps)) <= _SHORT_STEP:  # 受理 → 审核 → 办结: one line reads better
            story.append(Paragraph(" → ".join(map(_text, steps)), s["body"]))
        else:
            story += [Paragraph(f"{i}. {_text(step)}", s["body"]) for i, step in enumerate(steps, 1)]
    for key in ("basis", "notes"):
        if guide.get(key):
            story += [heading(key), Paragraph(_text(guide[key]), s["body"])]

    contact = [(k, hall.get(k)) for k in ("phone", "address", "hours") if hall.get(k)]
    if contact:
        lines = [Paragraph(f"{t[k]}{t['colon']}{_text(v)}", s["body"]) for k, v in contact]
        lines.append(Paragraph(f"{t['code']}{t['colon']}{_text(code)}", s["body"]))
        story.append(KeepTogether([heading("consult"), *lines]))
    return story


def _numbered_canvas(font: str, t: Mapping[str, str]) -> Callable[..., Canvas]:
    """A canvas that holds pages back until the end, to print "第 n 页 共 N 页" on each."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                self.setFont(font, 8.5)
                self.setFillColor(colors.black)
                label = t["page"].format(page=self._pageNumber, total=total)
                self.drawCentredString(PAGE_W / 2, 9 * mm, label)
                super().showPage()
            super().save()

    return NumberedCanvas


def notice_pdf(guide: Mapping[str, Any], hall: Mapping[str, Any], *, printed_at: datetime,
               lang: str = "zh", font_path: Path = FONT_PATH) -> bytes:
    """The 一次性告知单 for `guide` (``MatterConfig.model_dump()``, optionally ``queue_name``) as
    A4 PDF bytes. `hall` gives ``name`` (``name_en`` for English) and, when known, ``phone``,
    ``address``, ``hours`` and ``guide_url`` (``{code}`` is replaced by the matter code; without
    it the QR code holds the code itself). `lang` "en" translates the fixed labels only."""
    lang = "en" if lang == "en" else "zh"
    t = LABELS[lang]
    font = _register_font(font_path)
    s = _styles(font, lang)
    hall_name = str((lang == "en" and hall.get("name_en")) or hall.get("name", ""))
    matter = str(guide.get("name", ""))
    footer = Paragraph(t["footer"], s["small"])

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        if doc.page > 1:  # a running head, so a loose page still says what it belongs to
            canvas.setFont(font, 8.5)
            head = f"{hall_name}  {t['title']}"
            canvas.drawString(MARGIN_X, PAGE_H - 11 * mm, head)
            room = BODY_W - pdfmetrics.stringWidth(head, font, 8.5) - 10 * mm
            canvas.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 11 * mm, _fit(matter, font, room))
            canvas.line(MARGIN_X, PAGE_H - 12.5 * mm, PAGE_W - MARGIN_X, PAGE_H - 12.5 * mm)
        _, height = footer.wrap(BODY_W, MARGIN_BOTTOM)
        canvas.line(MARGIN_X, 14 * mm + height + 2, PAGE_W - MARGIN_X, 14 * mm + height + 2)
        footer.drawOn(canvas, MARGIN_X, 14 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{t['title']} {matter}", author=hall_name,
        creator="yiciban", invariant=True, initialFontName=font, initialFontSize=9.5,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("notice", [frame], onPage=decorate)])
    printed = t["time"].format(printed_at)
    doc.build(_story(guide, hall, hall_name, printed, s, t), canvasmaker=_numbered_canvas(font, t))
    log.debug("notice for %s: %d pages", guide.get("code"), doc.page)
    return buffer.getvalue()
