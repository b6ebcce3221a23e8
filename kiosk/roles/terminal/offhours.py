"""The terminal's home out of hours: a banner that says the hall issues no tickets now, when it
does again, and that the self-service flows below stay open (the 24-hour mode). It asks the
hall once a minute while shown; nothing is said while the hall issues tickets."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from kiosk.context import Context
from kiosk.models import opening
from kiosk.theme import Theme

HOURS_EVERY_MS = 60_000


class HoursBanner(QLabel):
    """Hidden while the hall issues tickets; else one line on the home screen."""

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hoursBanner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.context = context
        self.hours: dict[str, Any] = {}
        self.sample = False
        self.timer = QTimer(self)
        self.timer.setInterval(HOURS_EVERY_MS)
        self.timer.timeout.connect(self.ask)
        self.hide()

    def start(self) -> None:
        if not self.sample:
            self.timer.start()
            self.ask()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def ask(self) -> None:
        def done(hours: dict) -> None:
            if isValid(self) and not self.sample:
                self.show_hours(hours)
        self.context.link.call("hall_hours", done=done)

    def show_hours(self, hours: dict[str, Any]) -> None:
        self.hours = hours
        self.retranslate()

    def retranslate(self) -> None:
        text = opening.banner(self.hours, self.context.language)
        self.setText(text)
        self.setVisible(bool(text))

    def apply_theme(self, theme: Theme) -> None:
        p = theme.palette
        pad = theme.px(0.6)
        self.setStyleSheet(f"QLabel#hoursBanner {{ background: {p.surface}; color: {p.text}; "
                           f"border: 2px solid {p.warn}; border-radius: {theme.px(0.4)}px; "
                           f"padding: {pad}px; font-size: {theme.px(1.1)}px; }}")
