"""Drawing printer dots with Pillow: text lines as a printer lays them out (12x24 and 24x24 cells),
QR codes, barcodes and images.

The driver uses it for the raster fallback (characters the printer's font lacks), the simulator
to draw what it received. Masks are mode "1" or "L" images in which ink is 1 or 255; a raster
row's MSB is its leftmost dot (GS v 0).
"""
from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from drivers.escpos.commands import Align

log = logging.getLogger(__name__)

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
CJK_FONTS = (
    WQY,
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # has CJK extensions A and B
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # symbols, some emoji
)
MONO_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", WQY)
MONO_BOLD_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", *MONO_FONTS)

# (character, width multiple, height multiple, bold, underline dots, wide, missing from font)
Cell = tuple[str, int, int, bool, int, bool, bool]
ASCII_CELL, CJK_CELL, CELL_HEIGHT = 12, 24, 24


@functools.lru_cache(maxsize=64)
def _font(path: str, size: int) -> Any:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


def _fonts(paths: Sequence[str], size: int) -> list[Any]:
    """The installed ones of `paths` (empty entries skipped), loaded at `size` pixels."""
    found = [f for f in (_font(p, size) for p in paths if p and os.path.exists(p)) if f]
    if not found:
        log.warning("none of the fonts %s is installed; text will look wrong", ", ".join(paths))
        found = [ImageFont.load_default(size)]
    return found


@functools.lru_cache(maxsize=8192)
def _has_glyph(font: Any, ch: str) -> bool:
    try:
        return bytes(font.getmask(ch)) != bytes(font.getmask("\U0010fffd"))
    except Exception:
        return False


@functools.lru_cache(maxsize=1024)
def _pick(fonts: tuple[Any, ...], ch: str) -> Any:
    found = next((f for f in fonts if _has_glyph(f, ch)), None)
    if found is None:
        log.warning("no installed font draws %r (U+%04X); it prints as an empty box "
                    "(set the printer's raster_font to a font that has it)", ch, ord(ch))
        return fonts[0]
    return found


@functools.lru_cache(maxsize=4096)
def glyph(ch: str, width: int, height: int, bold: bool, wide: bool, font: str = "") -> Image.Image:
    """One character cell as an ink mask ("L"), as large as the printer prints it; `font` is
    tried first for characters outside ASCII."""
    base = CJK_CELL if wide else ASCII_CELL
    cell_w, cell_h = base * height, CELL_HEIGHT * height
    img = Image.new("L", (cell_w, cell_h), 0)
    if ch.strip():
        draw = ImageDraw.Draw(img)
        if wide:
            fonts = _fonts((font, *CJK_FONTS), round(22 * height))
            face = _pick(tuple(fonts), ch)
            pos, anchor = (cell_w / 2, cell_h / 2), "mm"
        else:
            face = _pick(tuple(_fonts(MONO_BOLD_FONTS if bold else MONO_FONTS, round(20 * height))), ch)
            pos, anchor = (cell_w / 2, round(19 * height)), "ms"
        draw.text(pos, ch, fill=255, font=face, anchor=anchor)
        if bold and wide:  # emphasis as a printer does it: the same dots again, shifted
            shift = max(1, round(height * 0.6))
            draw.text((pos[0] + shift, pos[1]), ch, fill=255, font=face, anchor=anchor)
    if width != height:
        img = img.resize((base * width, cell_h), Image.Resampling.BILINEAR)
    return img


def cell_width(cell: Cell) -> int:
    return (CJK_CELL if cell[5] else ASCII_CELL) * cell[1]


def wrap_cells(cells: Sequence[Cell], dots: int) -> list[list[Cell]]:
    rows: list[list[Cell]] = [[]]
    used = 0
    for cell in cells:
        w = cell_width(cell)
        if rows[-1] and used + w > dots:
            rows.append([])
            used = 0
        rows[-1].append(cell)
        used += w
    return rows


def draw_row(cells: Sequence[Cell], align: int, dots: int, spacing: int, font: str = "") -> Image.Image:
    """One printed row (no wrapping) as an ink mask of `dots` width."""
    tallest = max((CELL_HEIGHT * c[2] for c in cells), default=0)
    row = Image.new("L", (dots, max(spacing, tallest)), 0)
    total = sum(cell_width(c) for c in cells)
    x = {Align.CENTER: (dots - total) // 2, Align.RIGHT: dots - total}.get(Align(align), 0)
    x = max(0, x)
    for c in cells:
        ch, w, h, bold, ul, wide, missing = c
        cw = cell_width(c)
        if not missing:
            mask = glyph(ch, w, h, bold, wide, font)
            row.paste(255, (x, 0), mask)
        if ul:
            ImageDraw.Draw(row).rectangle((x, CELL_HEIGHT * h - ul, x + cw - 1, CELL_HEIGHT * h - 1), 255)
        x += cw
    return row


def stack(masks: Iterable[Image.Image], width: int) -> Image.Image:
    parts = list(masks)
    out = Image.new("L", (width, sum(p.height for p in parts) or 1), 0)
    y = 0
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    return out


def text_cells(text: str, width: int, height: int, bold: bool, underline: int) -> list[Cell]:
    return [(ch, width, height, bold, underline, ord(ch) >= 0x80, False) for ch in text]


def text_mask(text: str, dots: int, *, width: int = 1, height: int = 1, bold: bool = False,
              underline: int = 0, align: int = Align.LEFT, spacing: int = 30,
              font: str = "") -> Image.Image:
    """A line of text as the printer would print it, wrapped at `dots`: the raster fallback."""
    cells = text_cells(text, width, height, bold, underline)
    return stack((draw_row(r, align, dots, spacing, font) for r in wrap_cells(cells, dots)), dots)


def to_raster(mask: Image.Image) -> tuple[int, int, bytes]:
    """(bytes per row, rows, data) for GS v 0; the width is padded to whole bytes."""
    width_bytes = (mask.width + 7) // 8
    if mask.width != width_bytes * 8:
        padded = Image.new(mask.mode, (width_bytes * 8, mask.height), 0)
        padded.paste(mask, (0, 0))
        mask = padded
    one = mask if mask.mode == "1" else mask.point(lambda v: 255 if v >= 128 else 0).convert("1")
    return width_bytes, mask.height, one.tobytes()


def from_raster(width_bytes: int, rows: int, data: bytes) -> Image.Image:
    return Image.frombytes("1", (width_bytes * 8, rows), bytes(data)).convert("L")


def place(mask: Image.Image, dots: int, align: int) -> Image.Image:
    """The mask on a line `dots` wide, aligned; a wider mask is cut at the right."""
    out = Image.new("L", (dots, mask.height), 0)
    x = {Align.CENTER: (dots - mask.width) // 2, Align.RIGHT: dots - mask.width}.get(Align(align), 0)
    out.paste(mask.convert("L"), (max(0, x), 0))
    return out


def picture_mask(img: Image.Image, max_width: int, *, dither: bool = True) -> Image.Image:
    """A picture (logo, photo) as an ink mask at most `max_width` dots wide."""
    gray = img.convert("RGBA")
    white = Image.new("RGBA", gray.size, (255, 255, 255, 255))
    gray = Image.alpha_composite(white, gray).convert("L")
    if gray.width > max_width:
        gray = gray.resize((max_width, max(1, round(gray.height * max_width / gray.width))),
                           Image.Resampling.LANCZOS)
    ink = gray.point(lambda v: 255 - v)
    if dither:
        return ink.convert("1").convert("L")
    return ink.point(lambda v: 255 if v >= 128 else 0)


def qr_mask(data: bytes, module: int, ec: str = "M") -> Image.Image:
    import segno

    try:
        text: str | bytes = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data
    try:
        code = segno.make_qr(text, error=ec.lower(), boost_error=False, encoding="utf-8"
                             if isinstance(text, str) and not text.isascii() else None)
    except ValueError as exc:  # too long for any version: a printer prints nothing either
        log.debug("cannot draw QR code of %d bytes: %s", len(data), exc)
        return Image.new("L", (1, 1), 0)
    rows = list(code.matrix)
    size = len(rows)
    img = Image.new("L", (size, size), 0)
    img.putdata([255 if v & 1 else 0 for row in rows for v in row])
    return img.resize((size * module, size * module), Image.Resampling.NEAREST)


def barcode_mask(kind: str, text: str, height: int, module: int, hri: int) -> Image.Image:
    """A linear barcode drawn from its modules; HRI text below (2), above (1) or both (3)."""
    bars: list[int] | None = None
    try:
        import zxingcpp

        fmt = {"UPC-A": "UPCA", "UPC-E": "UPCE", "CODE39": "Code39", "CODE93": "Code93",
               "CODE128": "Code128", "CODABAR": "Codabar"}.get(kind, kind)
        symbol = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, fmt))
        pixels = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
        bars = [1 if v < 128 else 0 for v in pixels.tobytes()[:pixels.shape[1]]]
    except Exception as exc:  # not installed, or data the symbology does not take
        log.debug("cannot draw %s %r: %s", kind, text, exc)
    hri_cells = text_cells(text, 1, 1, False, 0) if hri else []
    hri_row = draw_row(hri_cells, Align.CENTER, max(len(text) * ASCII_CELL, 1), CELL_HEIGHT)
    if bars:
        width = len(bars) * module
        code = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(code)
        for i, v in enumerate(bars):
            if v:
                draw.rectangle((i * module, 0, (i + 1) * module - 1, height - 1), 255)
    else:
        code = Image.new("L", (max(hri_row.width, 64), height), 0)
        ImageDraw.Draw(code).rectangle((0, 0, code.width - 1, height - 1), outline=255, width=2)
    parts = ([hri_row] if hri in (1, 3) else []) + [code] + ([hri_row] if hri in (2, 3) else [])
    width = max(p.width for p in parts)
    return stack((place(p, width, Align.CENTER) for p in parts), width)
