"""The page every printed notice shares: A4, the embedded CJK font, header, field tables, QR, seal.

The CJK font is embedded (a TrueType face of WenQuanYi Micro Hei, subset to the glyphs used):
reportlab's built-in STSong-Light is not, and prints as garbage through CUPS. Pages are held
back until the end so each can say "第 n 页 共 N 页"; a later page carries a running head so a
loose sheet still says what it belongs to. PDF bytes out, the same bytes for the same input
(a retried print job sends the same document). No Qt and no I/O besides the font file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors, textsplit
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
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as _paragraph

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_NAME = "WQYMicroHei"
ACCENT = colors.HexColor("#B01E23")  # the one coloured line, under the title
SEAL_RED = colors.HexColor("#C8161D")
LABEL_SHADE = colors.HexColor("#F2F2F2")

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 16 * mm, 26 * mm
BODY_W = PAGE_W - 2 * MARGIN_X
QR_SIDE = 34 * mm  # the header's QR column, mirrored on the left so the title stays centred


# Chinese punctuation that must not start a line, missing from reportlab's table (which has
# only 、。）and ASCII): without it a line of a CJK paragraph may begin with "，".
_CANNOT_START = "，；：！？”’》」』〉"
_paragraph.ALL_CANNOT_START += _CANNOT_START  # paragraphs of several fragments
textsplit.ALL_CANNOT_START += _CANNOT_START  # paragraphs of one


class NoticeFontError(RuntimeError):
    """The CJK TrueType font needed to print Chinese is missing or unreadable."""


_registered: dict[Path, str] = {}  # font file → name registered with reportlab


def register_font(path: Path = FONT_PATH) -> str:
    """The reportlab name of the CJK font at `path`, registered once per process."""
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


def styles(font: str, lang: str = "zh", *, tight: bool = False) -> dict[str, ParagraphStyle]:
    """The paragraph styles of a notice in `lang`: Chinese breaks between any two characters
    (but before no closing punctuation), English only between words or after a word's hyphen
    (power-of-|attorney). `tight`: the same sizes of type with a line and a heading's space a
    little closer, for a notice that would otherwise leave a few lines to a second page."""
    chinese = lang == "zh"
    closer = 1.0 if tight else 0.0
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5 - closer,
                          wordWrap="CJK" if chinese else None, embeddedHyphenation=int(not chinese))
    center = ParagraphStyle("center", base, fontSize=9, leading=12.5 - closer, alignment=TA_CENTER)
    return {
        "label": ParagraphStyle("label", center),
        "body": base,
        "text": ParagraphStyle("text", base, fontSize=10.5, leading=16, firstLineIndent=21),
        "item": ParagraphStyle("item", base, leftIndent=12, firstLineIndent=-12, spaceAfter=1.5),
        "small": ParagraphStyle("small", base, fontSize=8, leading=11),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12.5 - closer),
        "center": center,
        "hall": ParagraphStyle("hall", base, fontSize=12, leading=16, alignment=TA_CENTER),
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER),
        "number": ParagraphStyle("number", base, fontSize=10, leading=14, alignment=TA_CENTER),
        "heading": ParagraphStyle("heading", base, fontSize=11.5, leading=16, spaceBefore=9 - 4 * closer,
                                  spaceAfter=4 - 2 * closer),
        "caption": ParagraphStyle("caption", base, fontSize=8, leading=11, alignment=TA_CENTER),
        "right": ParagraphStyle("right", base, fontSize=8.5, leading=12, alignment=2),
    }


def text(value: Any) -> str:
    """Data as Paragraph markup: escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


_HAN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uff60]")  # Hanzi, CJK punctuation


def paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """`markup` in `style`; on an English notice, a value the hall gave only in Chinese wraps
    as Chinese does (between characters), since it has no spaces to break at."""
    if style.wordWrap != "CJK" and _HAN.search(markup):
        style = ParagraphStyle(f"{style.name}-zh", style, wordWrap="CJK")
    return Paragraph(markup, style)


def fit(value: str, font: str, width: float, size: float = 8.5) -> str:
    """`value`, shortened with "…" to fit `width` points."""
    if pdfmetrics.stringWidth(value, font, size) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, size) > width:
        value = value[:-1]
    return value + "…"


class QrCode(Flowable):
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


def grid(data: list[list[Any]], widths: Sequence[float], font: str,
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


Field = tuple[str, str]  # (label, value as Paragraph markup)


def field_table(rows: Sequence[Sequence[Field]], s: dict[str, ParagraphStyle],
                none: str = "—") -> Table:
    """Label/value rows of one or two fields each; a single field spans the whole row."""
    data: list[list[Any]] = []
    extra: list[tuple[Any, ...]] = [("BACKGROUND", (0, 0), (0, -1), LABEL_SHADE)]
    for i, row in enumerate(rows):
        cells: list[Any] = []
        for label, markup in row:
            cells += [paragraph(label, s["label"]), paragraph(markup or none, s["cell"])]
        if len(row) == 1:
            cells += ["", ""]
            extra.append(("SPAN", (1, i), (3, i)))
        else:
            extra.append(("BACKGROUND", (2, i), (2, i), LABEL_SHADE))
        data.append(cells)
    widths = [27 * mm, 60 * mm, 27 * mm, BODY_W - 114 * mm]
    return grid(data, widths, s["cell"].fontName, extra)


def header(hall_name: str, title: str, s: dict[str, ParagraphStyle], *, qr_payload: str,
           qr_caption: str, number: str = "") -> list[Flowable]:
    """The hall's name, the title (and the document number beneath it), the QR on the right,
    and the accent line."""
    middle: list[Flowable] = [paragraph(text(hall_name), s["hall"]), Paragraph(title, s["title"])]
    if number:
        middle.append(Paragraph(text(number), s["number"]))
    qr = [QrCode(qr_payload, 22 * mm), Paragraph(qr_caption, s["caption"])]
    table = Table([["", middle, qr]], colWidths=[QR_SIDE, BODY_W - 2 * QR_SIDE, QR_SIDE])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), s["body"].fontName), ("VALIGN", (0, 0), (1, 0), "MIDDLE"),
        ("ALIGN", (2, 0), (2, 0), "CENTER"), ("VALIGN", (2, 0), (2, 0), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return [table, HRFlowable(width="100%", thickness=1.6, color=ACCENT, spaceBefore=3, spaceAfter=3)]


class SealArea(Flowable):
    """On the left the applicant's signature line and the time of receipt; on the right the
    agency's name and the date, with a dashed circle over them where the seal is stamped."""

    HEIGHT = 34 * mm

    def __init__(self, font: str, agency: str, date_text: str, lines: Sequence[str],
                 seal_hint: str) -> None:
        super().__init__()
        self.font, self.agency, self.date_text = font, agency, date_text
        self.lines, self.seal_hint = list(lines), seal_hint
        self.width, self.height = BODY_W, self.HEIGHT

    def draw(self) -> None:
        c = self.canv
        c.setFillColor(colors.black)
        c.setLineWidth(0.6)
        c.setFont(self.font, 10.5)
        for i, line in enumerate(self.lines):
            y = 24 * mm - i * 10 * mm
            c.drawString(0, y, line)
            left = pdfmetrics.stringWidth(line, self.font, 10.5) + 2
            c.line(left, y - 0.7 * mm, left + 48 * mm, y - 0.7 * mm)
        centre, middle = self.width - 36 * mm, 16 * mm
        c.drawCentredString(centre, middle + 1 * mm, fit(self.agency, self.font, 70 * mm, 10.5))
        c.drawCentredString(centre, middle - 5 * mm, self.date_text)
        c.saveState()
        c.setStrokeColor(SEAL_RED)
        c.setFillColor(SEAL_RED)
        c.setDash(3, 2)
        c.circle(centre, middle, 16 * mm, stroke=1, fill=0)
        c.setFont(self.font, 7.5)
        c.drawCentredString(centre, middle + 9 * mm, self.seal_hint)
        c.restoreState()


def numbered_canvas(font: str, page_label: str) -> Callable[..., Canvas]:
    """A canvas that holds pages back until the end, to print `page_label` ("第 {page} 页 共
    {total} 页") on each."""

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
                self.drawCentredString(PAGE_W / 2, 9 * mm,
                                       page_label.format(page=self._pageNumber, total=total))
                super().showPage()
            super().save()

    return NumberedCanvas


@dataclass(frozen=True)
class Page:
    """What each page of a notice carries besides its story."""

    font: str
    title: str  # the document's title, also in the running head of later pages
    author: str  # the hall's name
    subject: str  # right of the running head: the matter, or the document number
    footer: Paragraph
    page_label: str  # "第 {page} 页 共 {total} 页"


def build(story: list[Flowable], page: Page) -> bytes:
    """Lay out `story` on A4 pages with the running head, footer and page numbers."""
    return build_counted(story, page)[0]


def build_counted(story: list[Flowable], page: Page) -> tuple[bytes, int]:
    """`build`, and the number of pages it took."""
    font = page.font

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.5)
        if doc.page > 1:  # a running head, so a loose page still says what it belongs to
            canvas.setFont(font, 8.5)
            head = f"{page.author}  {page.title}"
            canvas.drawString(MARGIN_X, PAGE_H - 11 * mm, head)
            room = BODY_W - pdfmetrics.stringWidth(head, font, 8.5) - 10 * mm
            canvas.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 11 * mm, fit(page.subject, font, room))
            canvas.line(MARGIN_X, PAGE_H - 12.5 * mm, PAGE_W - MARGIN_X, PAGE_H - 12.5 * mm)
        _, height = page.footer.wrap(BODY_W, MARGIN_BOTTOM)
        canvas.line(MARGIN_X, 14 * mm + height + 2, PAGE_W - MARGIN_X, 14 * mm + height + 2)
        page.footer.drawOn(canvas, MARGIN_X, 14 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{page.title} {page.subject}", author=page.author,
        creator="yiciban", invariant=True, initialFontName=font, initialFontSize=9.5,
    )
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, PAGE_H - MARGIN_TOP - MARGIN_BOTTOM, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("notice", [frame], onPage=decorate)])
    doc.build(story, canvasmaker=numbered_canvas(font, page.page_label))
    return buffer.getvalue(), doc.page
