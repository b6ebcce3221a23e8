"""A printed document as data (lines of text, QR, barcode, image, feed, cut) and its ESC/POS bytes.

Text goes out as GB18030 in Chinese mode (ESC @, FS &). A line with a character the printer's
2-byte font lacks (outside GB2312 or GBK, as the profile says; emoji; private use) is drawn with
the system CJK font and sent as a raster image (GS v 0), so it prints right or visibly not at all,
never as '?'. Control characters in text are dropped: text can never smuggle in a command.
"""
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from drivers.escpos import commands as cmd
from drivers.escpos.commands import Align
from drivers.escpos.profiles import Profile


@dataclass(frozen=True)
class Text:
    text: str
    width: int = 1  # 1..8 multiples, GS !
    height: int = 1
    bold: bool = False
    underline: int = 0  # 0, 1 or 2 dots
    align: Align = Align.LEFT
    fit: bool = False  # narrow the width until the line fits the paper
    wrap: bool = False  # break into lines at the paper width (else the printer wraps)


@dataclass(frozen=True)
class Pair:
    """A label at the left and a value at the right of one line."""
    left: str
    right: str
    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass(frozen=True)
class Rule:
    """A line of `char` across the paper."""
    char: str = "-"


@dataclass(frozen=True)
class QR:
    data: str
    module: int = 0  # dots per module; 0: the profile's
    ec: str = "M"
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Barcode:
    data: str
    kind: str = "CODE128"
    height: int = 64
    module: int = 2
    hri: str = "below"
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Picture:
    """A 1-bit image: `bits` are rows of ceil(width / 8) bytes, MSB leftmost, 1 = black."""
    width: int
    height: int
    bits: bytes
    align: Align = Align.CENTER


@dataclass(frozen=True)
class Feed:
    lines: int = 0
    dots: int = 0


@dataclass(frozen=True)
class Cut:
    partial: bool = True
    feed: int | None = None  # GS V 65/66 n; None: the profile's


Block = Text | Pair | Rule | QR | Barcode | Picture | Feed | Cut


@dataclass(frozen=True)
class Document:
    blocks: tuple[Block, ...]

    @classmethod
    def of(cls, *blocks: Block) -> Document:
        return cls(tuple(blocks))


def clean(text: str) -> str:
    """Tabs become spaces; other control characters (commands in disguise) are dropped."""
    text = text.replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")


@functools.lru_cache(maxsize=8192)
def printable(ch: str, font: str) -> bool:
    """True when the printer's built-in font prints `ch` from its GB18030 2-byte code."""
    o = ord(ch)
    if o < 0x80:
        return 0x20 <= o < 0x7F
    if unicodedata.category(ch) in ("Co", "Cs", "Cn"):
        return False
    try:
        code = ch.encode("gb18030")
    except UnicodeEncodeError:
        return False
    if len(code) != 2:
        return False
    try:
        code.decode(font)  # the code lies in the font's set (GB2312 or GBK)
    except UnicodeDecodeError:
        return False
    return True


def columns(text: str) -> int:
    """Single-byte columns a text takes: every 2-byte GB character is full width."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text)


NO_LINE_START = set("，。、；：！？）》」』”’…%,.;:!?)")
BREAK_AFTER = set("，。、；：！？ ")


def wrap(text: str, width: int, *, lookback: int = 6) -> list[str]:
    """Lines of at most `width` columns; a line may end early after punctuation (within the last
    `lookback` characters), and never starts with closing punctuation."""
    lines, line = [], ""
    for ch in text:
        if line and columns(line + ch) > width:
            cut = max((i + 1 for i, c in enumerate(line) if c in BREAK_AFTER
                       and i >= len(line) - lookback), default=len(line))
            if ch in NO_LINE_START and cut == len(line) and len(line) > 1:
                cut -= 1  # carry the last character down with the punctuation
            lines.append(line[:cut])
            line = line[cut:].lstrip(" ")
        line += ch
    return [*lines, line]


class _Writer:
    """Emits bytes, and the text the printer would print, sending only the modes that change."""

    def __init__(self, profile: Profile) -> None:
        self.p = profile
        self.out = bytearray(cmd.INIT + cmd.CHINESE_ON)
        self.lines: list[str] = []
        self.align: int = Align.LEFT
        self.size = (1, 1)
        self.bold = False
        self.underline = 0

    def _modes(self, align: int, size: tuple[int, int], bold: bool, underline: int) -> None:
        if align != self.align:
            self.out += cmd.align(align)
            self.align = align
        if size != self.size:
            self.out += cmd.char_size(*size)
            self.size = size
        if bold != self.bold:
            self.out += cmd.bold(bold)
            self.bold = bold
        if underline != self.underline:
            self.out += cmd.underline(underline)
            self.underline = underline

    def line(self, text: str, width: int, height: int, bold: bool, underline: int,
             align: int) -> None:
        if all(printable(ch, self.p.font) for ch in text):
            self._modes(align, (width, height), bold, underline)
            self.out += text.encode("gb18030") + cmd.LF
            self.lines.append(text)
            return
        from drivers.escpos import render

        mask = render.text_mask(text, self.p.dots, width=width, height=height, bold=bold,
                                underline=underline, align=align,
                                spacing=self.p.line_spacing, font=self.p.raster_font)
        self.raster(*render.to_raster(mask))

    def raster(self, width_bytes: int, rows: int, data: bytes) -> None:
        band = max(1, self.p.raster_band)
        for top in range(0, rows, band):
            n = min(band, rows - top)
            self.out += cmd.raster(width_bytes, n, data[top * width_bytes:(top + n) * width_bytes])
            self.lines.append(f"[IMAGE {width_bytes * 8}x{n}]")

    def picture(self, width: int, height: int, bits: bytes, align: int) -> None:
        from drivers.escpos import render

        if width > self.p.dots:
            raise ValueError(f"image {width} dots wide does not fit {self.p.dots} dots")
        mask = render.place(render.from_raster((width + 7) // 8, height, bits), self.p.dots, align)
        self.raster(*render.to_raster(mask))

    def block(self, b: Block) -> None:
        p = self.p
        if isinstance(b, Text):
            width = b.width
            for raw in clean(b.text).split("\n"):
                if b.fit:
                    while width > 1 and columns(raw) * p.ascii_cell * width > p.dots:
                        width -= 1
                per_line = max(1, p.dots // (p.ascii_cell * width))
                for text in wrap(raw, per_line) if b.wrap else [raw]:
                    self.line(text, width, b.height, b.bold, b.underline, b.align)
        elif isinstance(b, Pair):
            left, right = clean(b.left).replace("\n", " "), clean(b.right).replace("\n", " ")
            per_line = p.dots // (p.ascii_cell * b.width)
            gap = max(1, per_line - columns(left) - columns(right))
            self.line(left + " " * gap + right, b.width, b.height, b.bold, 0, Align.LEFT)
        elif isinstance(b, Rule):
            char = clean(b.char)[:1] or "-"
            self.line(char * (p.columns // columns(char)), 1, 1, False, 0, Align.LEFT)
        elif isinstance(b, QR):
            data = b.data.encode("utf-8")
            module = b.module or p.qr_module
            if p.qr_native:
                self._modes(b.align, self.size, self.bold, self.underline)
                self.out += cmd.qr(data, module=module, ec=b.ec)
                self.lines.append(f"[QR] {b.data}")
            else:
                from drivers.escpos import render

                self.raster(*render.to_raster(render.place(render.qr_mask(data, module, b.ec),
                                                           p.dots, b.align)))
        elif isinstance(b, Barcode):
            self._modes(b.align, self.size, self.bold, self.underline)
            self.out += cmd.barcode(b.kind, b.data.encode("ascii"), height=b.height,
                                    module=b.module, hri=b.hri)
            self.lines.append(f"[BARCODE {b.kind}] {b.data}")
        elif isinstance(b, Picture):
            self.picture(b.width, b.height, b.bits, b.align)
        elif isinstance(b, Feed):
            if b.lines:
                self.out += cmd.feed_lines(b.lines)
            if b.dots:
                self.out += cmd.feed_dots(b.dots)
        elif isinstance(b, Cut):
            feed = p.cut_feed if b.feed is None else b.feed
            kind = cmd.Cut.PARTIAL if b.partial else cmd.Cut.FULL
            self.out += cmd.cut(kind, feed)
        else:
            raise TypeError(f"not a document block: {b!r}")


def _write(doc: Document | Iterable[Block], profile: Profile) -> _Writer:
    w = _Writer(profile)
    for b in doc.blocks if isinstance(doc, Document) else doc:
        w.block(b)
    return w


def encode(doc: Document | Iterable[Block], profile: Profile) -> bytes:
    """The document's ESC/POS bytes for a printer of this profile, starting with ESC @ FS &."""
    return bytes(_write(doc, profile).out)


def expected_text(doc: Document | Iterable[Block], profile: Profile) -> str:
    """What the printer prints as text, line by line; QR codes, barcodes and raster images as
    `[QR] data`, `[BARCODE kind] data` and `[IMAGE WxH]` lines (the simulator's text)."""
    return "\n".join(_write(doc, profile).lines)


def picture(img: object, max_width: int, *, dither: bool = True,
            align: Align = Align.CENTER) -> Picture:
    """A Pillow image (a logo) as a Picture at most `max_width` dots wide."""
    from drivers.escpos import render

    wb, rows, bits = render.to_raster(render.picture_mask(img, max_width, dither=dither))  # type: ignore[arg-type]
    return Picture(wb * 8, rows, bits, align)


def _lines(notes: str | Iterable[str]) -> Iterator[str]:
    yield from ([notes] if isinstance(notes, str) else notes)


def queue_ticket(hall_name: str, number: str, queue_name: str, people_ahead: int,
                 wait_minutes: int | None, issued_at: datetime, qr_url: str,
                 notes: str | Iterable[str] = "") -> Document:
    """A queue ticket (取号凭条): hall, the big number, queue, people ahead and estimated wait,
    time, a QR code to follow the queue on a phone, and a short note."""
    ahead = "无需等待" if people_ahead <= 0 else f"{people_ahead} 人"
    blocks: list[Block] = [
        Text(hall_name, width=2, height=2, bold=True, align=Align.CENTER, fit=True),
        Feed(dots=10),
        Rule("="),
        Feed(dots=12),
        Text("您的排队号", align=Align.CENTER),
        Feed(dots=6),
        Text(number, width=6, height=6, bold=True, align=Align.CENTER, fit=True),
        Feed(dots=8),
        Text(queue_name, width=2, height=2, align=Align.CENTER, fit=True),
        Feed(dots=12),
        Rule("-"),
        Feed(dots=6),
        Pair("前面等候", ahead, bold=True),
    ]
    if wait_minutes is not None and people_ahead > 0:
        blocks.append(Pair("预计等待", f"约 {wait_minutes} 分钟"))
    blocks += [
        Pair("取号时间", issued_at.strftime("%Y-%m-%d %H:%M")),
        Feed(dots=6),
        Rule("-"),
        Feed(dots=16),
        QR(qr_url),
        Feed(dots=8),
        Text("扫码查看排队进度", align=Align.CENTER),
        Feed(dots=12),
    ]
    blocks += [Text(n, align=Align.CENTER, wrap=True) for n in _lines(notes) if n]
    blocks += [Feed(lines=2), Cut()]
    return Document(tuple(blocks))
