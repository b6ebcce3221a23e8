"""Where things go on the hall display, and on which monitor (Qt-free).

Three layouts, each the board's own size cut into areas:

- landscape (a 1920×1080 LED wall): the current call large on the left, recent calls in the
  middle, waiting counts and open windows on the right;
- portrait (1080×1920): the same stacked, recent calls in two columns;
- compact (1280×800, small panels): the current call and recent calls side by side, the
  queues below them.

A clock bar runs along the top and the announcements ticker along the bottom of each. The
layout follows the board's aspect ratio and size unless the setting `display.layout` names one.
"""
from __future__ import annotations

from dataclasses import dataclass

LAYOUTS = ("landscape", "portrait", "compact")
COMPACT_BELOW = 1500  # a board narrower than this (a 1280×800 panel) has no room for three columns

Rect = tuple[int, int, int, int]  # x, y, width, height


def choose_layout(width: int, height: int, setting: str | None = None) -> str:
    """The layout for a board of `width`×`height` px: the setting's when it names one."""
    wanted = (setting or "").strip().lower()
    if wanted in LAYOUTS:
        return wanted
    if height >= width:
        return "portrait"
    if width < COMPACT_BELOW or width / max(1, height) < 1.5:
        return "compact"
    return "landscape"


def natural_aspect(layout: str) -> float:
    """Width / height of the screens a layout is made for (to preview it on another screen)."""
    return {"landscape": 16 / 9, "portrait": 9 / 16, "compact": 16 / 10}[layout]


def fit_aspect(width: int, height: int, aspect: float) -> Rect:
    """The largest rectangle of `aspect` centred in `width`×`height`."""
    w, h = width, round(width / aspect)
    if h > height:
        w, h = round(height * aspect), height
    return (width - w) // 2, (height - h) // 2, w, h


@dataclass(frozen=True)
class Plan:
    layout: str
    unit: int  # a row of the lists, in px: the type scales from it
    top: Rect  # date, time and the calm status line
    current: Rect
    recent: Rect
    queues: Rect
    windows: Rect
    ticker: Rect
    gap: int


def _rows(x: int, y: int, w: int, heights: list[int], gap: int) -> list[Rect]:
    out = []
    for h in heights:
        out.append((x, y, w, h))
        y += h + gap
    return out


def plan(layout: str, width: int, height: int, *, elder: bool = False) -> Plan:
    """The areas of a board of `width`×`height` in `layout`. Elder mode makes the rows taller
    (fewer, larger lines), the areas stay."""
    short = min(width, height)
    gap = max(6, round(short * 0.018))
    unit = round(short * (0.095 if layout != "compact" else 0.085) * (1.25 if elder else 1.0))
    inner_w = width - 2 * gap
    bars = 1.2 if elder else 1.0  # the clock and the ticker grow too
    if layout == "portrait":
        top_h, ticker_h = round(height * 0.06 * bars), round(height * 0.055 * bars)
        free = height - top_h - ticker_h - 6 * gap
        current_h, recent_h, windows_h = round(free * 0.30), round(free * 0.33), round(free * 0.10)
        queues_h = free - current_h - recent_h - windows_h
        top, current, recent, queues, windows, ticker = _rows(
            gap, gap, inner_w, [top_h, current_h, recent_h, queues_h, windows_h, ticker_h], gap)
        return Plan(layout, unit, top, current, recent, queues, windows, ticker, gap)
    top_h = round(height * (0.09 if layout == "landscape" else 0.11) * bars)
    ticker_h = round(height * (0.08 if layout == "landscape" else 0.1) * bars)
    top = (gap, gap, inner_w, top_h)
    ticker = (gap, height - gap - ticker_h, inner_w, ticker_h)
    mid_y = gap + top_h + gap
    mid_h = ticker[1] - gap - mid_y
    if layout == "landscape":
        free = inner_w - 2 * gap
        cur_w, rec_w = round(free * 0.40), round(free * 0.27)
        side_w = free - cur_w - rec_w
        current = (gap, mid_y, cur_w, mid_h)
        recent = (gap + cur_w + gap, mid_y, rec_w, mid_h)
        side_x = recent[0] + rec_w + gap
        windows_h = round(mid_h * 0.27)
        queues = (side_x, mid_y, side_w, mid_h - windows_h - gap)
        windows = (side_x, mid_y + queues[3] + gap, side_w, windows_h)
        return Plan(layout, unit, top, current, recent, queues, windows, ticker, gap)
    # compact: current | recent over queues; the open windows in a line under the current call
    free = inner_w - gap
    cur_w = round(free * 0.5)
    right_w = free - cur_w
    windows_h = round(mid_h * 0.2)
    current = (gap, mid_y, cur_w, mid_h - windows_h - gap)
    windows = (gap, current[1] + current[3] + gap, cur_w, windows_h)
    recent_h = round(mid_h * 0.5)
    right_x = gap + cur_w + gap
    recent = (right_x, mid_y, right_w, recent_h)
    queues = (right_x, mid_y + recent_h + gap, right_w, mid_h - recent_h - gap)
    return Plan(layout, unit, top, current, recent, queues, windows, ticker, gap)


def grid(count: int, width: int, height: int, unit: int, *, min_cell_w: int) -> tuple[int, int]:
    """(columns, rows) for up to `count` cells of about `unit` px high in `width`×`height`."""
    rows = max(1, height // max(1, unit))
    cols = max(1, width // max(1, min_cell_w))
    while cols > 1 and (cols - 1) * rows >= count:
        cols -= 1
    return cols, rows


# -- which monitor

@dataclass(frozen=True)
class ScreenInfo:
    name: str
    geometry: Rect


def choose_screen(screens: list[ScreenInfo], wanted: int | None, primary: int = 0) -> int | None:
    """The index of the monitor the display goes to: the configured one while it is plugged in,
    otherwise the primary one (and back to the configured one when it returns). None: no monitor."""
    if not screens:
        return None
    if wanted is not None and 0 <= wanted < len(screens):
        return wanted
    return primary if 0 <= primary < len(screens) else 0
