"""Work that waits until a screen has painted for the first time.

A screen is judged by how soon it shows something to touch (`yiciban bench kiosk` times the
first paint). What the home screen does not need — the hall's description and snapshot over
HTTP (which loads the HTTP stack on a pool thread, sharing the interpreter with the GUI), the
terminal's flow pages — starts after it: `after_first_paint(view, start)`.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, then: Callable[[], None], delay_ms: int) -> None:
        super().__init__(widget)
        self.then, self.delay_ms = then, delay_ms
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(self.delay_ms, watched, self.then)  # not once the widget is gone
            self.deleteLater()
        return False


def after_first_paint(widget: QWidget, then: Callable[[], None], delay_ms: int = 0) -> None:
    """`then()` once, `delay_ms` after `widget` is first painted (never, if it never is)."""
    _FirstPaint(widget, then, delay_ms)
