"""What a window's LED strip says, wherever it is driven from (the hall PC or the hall display),
and how it is laid into the strip's lines so that the controller's own wrapping, which breaks
after whichever character fills the line, never splits "3号窗口" or leaves a character alone.
"""
from __future__ import annotations

from ground.linebreak import break_lines, cells

DEFAULT_FONT_SIZE = 16  # dots: the controllers' built-in font when the area sends none


def call_text(number: str, window_number: int) -> str:
    return f"请{number}号到{window_number}号窗口"


def paused_text(window_number: int) -> str:
    return f"{window_number}号窗口 暂停服务"


def open_text(window_number: int) -> str:
    return f"{window_number}号窗口 欢迎办理"


def laid_out(text: str, width: int, font_size: int | None = None) -> str:
    """`text` for a wrapping area `width` dots wide: each line but the last padded with spaces
    (half a Chinese cell each) to the area's width, so the controller breaks where we chose.

    Text that fits on one line is sent as it is.
    """
    size = font_size or DEFAULT_FONT_SIZE
    half_cells = width // max(1, size // 2)
    if cells(text) * 2 <= half_cells:
        return text
    lines = break_lines(text, half_cells / 2)
    return "".join(line + " " * max(0, half_cells - round(cells(line) * 2)) for line in lines[:-1]) + lines[-1]
