"""A finger on the corner editor's canvas, as the tests drive it: a press on one point of the
frame, a move half-way and to the end, a release (QTest mouse events, as a touch screen sends)."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest


def drag(canvas: Any, start: Any, end: Any) -> None:
    """Drags on `canvas` (a CornerCanvas) from `start` to `end`, both in the frame's pixels."""
    a, b = canvas.to_screen(start).toPoint(), canvas.to_screen(end).toPoint()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(canvas, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    QTest.mouseMove(canvas, b)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
