"""Where a windowed screen opens: a region of the monitor's free area, given as fractions.

The demo opens its four screens on one desktop or virtual screen; each is told its region
(`yiciban kiosk ROLE --windowed --size 540x960 --region 0,0,0.3,1`), and opens as the largest
window of its shape (`--size`) that fits there, at the region's top-left corner, so the four sit
side by side however large the monitor is. Qt-free: `kiosk.app` gives the monitor's area.
"""
from __future__ import annotations

Region = tuple[float, float, float, float]  # x, y, width, height, as fractions of the free area
Rect = tuple[int, int, int, int]  # x, y, width, height in pixels


def parse_region(text: str) -> Region:
    """`"0.6,0,0.4,0.45"` → a region; a clear error when it is not four fractions inside 0..1."""
    parts = [p.strip() for p in text.split(",")]
    try:
        x, y, w, h = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"--region must be four fractions X,Y,WIDTH,HEIGHT such as 0,0,0.5,1, "
                         f"not {text!r}") from None
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 - x + 1e-9 and 0 < h <= 1 - y + 1e-9):
        raise ValueError(f"--region {text!r} does not lie inside the screen (0..1 each way, "
                         "width and height above 0)")
    return x, y, w, h


def place(region: Region, area: Rect, shape: tuple[int, int]) -> Rect:
    """The largest rectangle of `shape`'s proportions inside `region` of `area`, at its top-left."""
    ax, ay, aw, ah = area
    x, y, w, h = region
    room_w, room_h = w * aw, h * ah
    scale = min(room_w / shape[0], room_h / shape[1])
    return ax + round(x * aw), ay + round(y * ah), max(1, int(shape[0] * scale)), max(1, int(shape[1] * scale))
