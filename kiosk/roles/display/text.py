"""Type on the hall display's board: one-line text that shrinks to fit, the board's colours.

Every colour a text is drawn in stands at least 4.5:1 against every panel it is drawn on, the
lit calling card included (tests/unit/test_contrast.py measures each pair); elder mode draws
on black with lighter text.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from kiosk.theme import FONT_FAMILY


@dataclass(frozen=True)
class BoardColours:
    """The board's colours; `panel` under every text, `lit` under a fresh call at full glow."""

    panel: str = "#0E2A5C"
    lit: str = "#0D3680"
    edge: str = "#4A6AA8"  # a panel's outline against the board: 3:1
    text: str = "#FFFFFF"
    muted: str = "#A9BCE0"
    window_text: str = "#7CD4FF"
    number: str = "#FFC94A"
    open: str = "#34C77B"  # an open window's chip; its number in `on_open`
    on_open: str = "#06163A"
    paused: str = "#E39B1B"
    closed: str = "#A9BCE0"
    alert: str = "#FFB74D"
    rule: str = "#5A7CBC"  # the lines between recent calls


ELDER_BOARD = BoardColours(panel="#000000", lit="#0D3680", edge="#FFFFFF", muted="#E3EAF6",
                           window_text="#A8E4FF", closed="#E3EAF6", rule="#FFFFFF")


def board_colours(elder: bool) -> BoardColours:
    return ELDER_BOARD if elder else BoardColours()

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
