"""Type on the hall display's board: one-line text that shrinks to fit, the board's colours."""
from __future__ import annotations

import math

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from kiosk.theme import FONT_FAMILY

MUTED = "#A9BCE0"
WINDOW_TEXT = "#7CD4FF"
OPEN = "#1F9D5B"
PAUSED = "#E39B1B"
ALERT = "#FFB74D"
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter


def font(px: float, bold: bool = True) -> QFont:
    f = QFont(FONT_FAMILY)
    f.setPixelSize(max(8, round(px)))
    f.setBold(bold)
    return f


def draw_text(p: QPainter, rect: QRect, text: str, px: float, color: str, *,
              align: Qt.AlignmentFlag = ALIGN_LEFT, bold: bool = True, min_px: float = 10) -> int:
    """Text in one line: shrunk to fit `rect`'s width (not below `min_px`), then cut short.
    Returns the width drawn."""
    f = font(min(px, rect.height() * 0.92), bold)
    width = QFontMetrics(f).horizontalAdvance(text)
    if width > rect.width() > 0:
        size = max(min_px, math.floor(f.pixelSize() * rect.width() / width))
        f = font(size, bold)
        while size > min_px and QFontMetrics(f).horizontalAdvance(text) > rect.width():
            size -= 1
            f = font(size, bold)
        text = QFontMetrics(f).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    p.setFont(f)
    p.setPen(QColor(color))
    p.drawText(rect, align, text)
    return min(rect.width(), QFontMetrics(f).horizontalAdvance(text))
