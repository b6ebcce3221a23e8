"""The hall display out of hours: a calm band across the board that says the hall issues no
tickets now and when it does again, while the announcements go on running beneath it (the
24-hour mode). Hidden while the hall issues tickets."""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.models import opening

STYLE = ("QLabel {{ background: #0D3F9F; color: white; font-weight: 700; font-size: {px}px; padding: 28px 48px;"
         " border-top: 4px solid #FFC94A; border-bottom: 4px solid #FFC94A; }}")


class OffHoursBand(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("offHoursBand")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hours: dict[str, Any] = {}
        self.language = "zh"
        self.hide()

    def show_hours(self, hours: dict[str, Any], language: str) -> None:
        self.hours, self.language = hours, language
        if opening.issuing(hours):
            self.hide()
            return
        words = opening.from_hours(hours, language)
        reason = f" · {words.reason}" if words.reason else ""
        stays = "The self-service area stays open 24 hours" if language == "en" else "自助服务区 24 小时开放"
        self.setText(f"{words.headline}{reason}\n{words.when}\n{stays}")
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        """Across the parent, a quarter of the way down, its font scaled to the parent's height."""
        parent = self.parentWidget()
        if parent is None:
            return
        self.setStyleSheet(STYLE.format(px=max(18, parent.height() // 20)))
        height = min(parent.height(), self.heightForWidth(parent.width()) if self.text() else 0)
        self.setGeometry(0, parent.height() // 4, parent.width(), max(height, parent.height() // 4))
