"""What a font-card LED strip shows, as a dot matrix and as a PNG that looks like the strip.

Layout follows the controllers' built-in fonts: fixed cells, a Chinese character `size` dots
wide, an ASCII one half that; lines wrap at the area's width when the area is multi-line with
automatic wrapping, and only the lines that fit are shown (the first page). Moving effects are
drawn as the text stands once it has come to rest.
"""
from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from drivers.ledstrip.area import Colour, DynamicArea, HAlign, Styled, VAlign
from drivers.ledstrip.texts import DEFAULT_FONT_SIZE

log = logging.getLogger(__name__)

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
LIT = {Colour.RED: (255, 46, 30), Colour.GREEN: (48, 230, 80), Colour.AMBER: (255, 176, 0)}
UNLIT = (44, 14, 12)
HOUSING = (18, 18, 18)

Grid = list[list[Colour | None]]  # [row][column]


def cell_width(char: str, size: int) -> int:
    return size if unicodedata.east_asian_width(char) in ("W", "F") else size // 2


def wrap(text: str, width: int, size: int, *, multi_line: bool, auto_wrap: bool) -> list[str]:
    """The lines an area shows: greedy wrapping at `width` dots when the area wraps."""
    return [text[a:b] for a, b in spans(text, width, size, multi_line=multi_line, auto_wrap=auto_wrap)]


def spans(text: str, width: int, size: int, *, multi_line: bool, auto_wrap: bool) -> list[tuple[int, int]]:
    """Each line as (start, end) in `text`; the spaces a line breaks at are not shown."""
    if not (multi_line and auto_wrap):
        return [(0, len(text))]
    lines: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, char in enumerate(text):
        w = cell_width(char, size)
        if i > start and used + w > width:
            lines.append(_trimmed(text, start, i))
            start, used = i, 0
        if i == start and char == " " and lines:
            start += 1
            continue
        used += w
    lines.append(_trimmed(text, start, len(text)))
    return lines


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


@lru_cache(maxsize=8)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        log.warning("font %s not found: Chinese text will not render", path)
        return ImageFont.load_default()


def rasterize(width: int, height: int, areas: Iterable[tuple[DynamicArea, Styled]], *,
              default_font: int = DEFAULT_FONT_SIZE, font_path: str = FONT) -> Grid:
    """The screen's dots: which are lit, in which colour."""
    canvas = Image.new("L", (width, height), 0)
    for area, styled in areas:
        layer = _draw_area(area, styled, styled.font_size or default_font, font_path)
        canvas.paste(layer, (area.x, area.y))
    pixels = canvas.load()
    assert pixels is not None
    return [[Colour(v) if (v := pixels[x, y]) in (1, 2, 3) else None for x in range(width)]
            for y in range(height)]


def _draw_area(area: DynamicArea, styled: Styled, size: int, font_path: str) -> Image.Image:
    layer = Image.new("L", (area.width, area.height), 0)
    draw = ImageDraw.Draw(layer)
    draw.fontmode = "1"  # LED dots are on or off
    font = _font(font_path, size)
    colours = [colour for colour, run in styled.runs for _ in run]
    text = styled.text
    lines = spans(text, area.width, size, multi_line=area.multi_line, auto_wrap=area.auto_wrap)
    pitch = size + area.line_spacing
    shown = max(1, min(len(lines), (area.height + area.line_spacing) // pitch)) if area.multi_line else 1
    block = shown * pitch - area.line_spacing
    top = {VAlign.TOP: 0, VAlign.BOTTOM: area.height - block, VAlign.CENTRE: (area.height - block) // 2}
    y = top[area.v_align]
    for start, end in lines[:shown]:
        used = sum(cell_width(c, size) for c in text[start:end])
        left = {HAlign.LEFT: 0, HAlign.RIGHT: area.width - used, HAlign.CENTRE: (area.width - used) // 2}
        x = max(0, left[area.h_align])
        for index in range(start, end):
            char, w = text[index], cell_width(text[index], size)
            if not char.isspace():
                draw.text((x + w / 2, y + size / 2), char, fill=int(colours[index]), font=font, anchor="mm")
            x += w
        y += pitch
    return layer


def to_png(grid: Sequence[Sequence[Colour | None]], path: str | Path, *, pitch: int = 6) -> Path:
    """Draws the dots as round LEDs on a dark housing, `pitch` image pixels apart."""
    height, width = len(grid), len(grid[0]) if grid else 0
    margin = pitch * 2
    image = Image.new("RGB", (width * pitch + 2 * margin, height * pitch + 2 * margin), HOUSING)
    sprites = {None: _dot(pitch, UNLIT)} | {c: _dot(pitch, LIT[c]) for c in Colour}
    for y, row in enumerate(grid):
        for x, dot in enumerate(row):
            image.paste(sprites[dot], (margin + x * pitch, margin + y * pitch))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    image.save(tmp, format="PNG")
    tmp.replace(path)  # a viewer never sees half a file
    return path


def _dot(pitch: int, colour: tuple[int, int, int]) -> Image.Image:
    sprite = Image.new("RGB", (pitch, pitch), (0, 0, 0))
    draw = ImageDraw.Draw(sprite)
    pad = max(1, pitch // 8)
    draw.ellipse((pad, pad, pitch - 1 - pad, pitch - 1 - pad), fill=colour)
    if colour != UNLIT and pitch >= 5:
        core = tuple(min(255, c + 60) for c in colour)
        draw.ellipse((pitch // 3, pitch // 3, pitch - 1 - pitch // 3, pitch - 1 - pitch // 3), fill=core)
    return sprite
