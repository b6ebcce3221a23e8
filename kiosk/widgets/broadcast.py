"""The operators' urgent broadcast on a screen: a red band across it with the text, until the
broadcast ends (its time, or the operators ending it). What is beneath goes on; the display
also speaks the text (kiosk.voice_player.CallVoice.say). Every role's shell shows it
(kiosk.shell); the display places its own over the board. An English screen shows the
operators' English when they gave one, the Chinese otherwise; the display speaks the Chinese."""
from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.models.broadcast import Broadcast

STYLE = ("QLabel {{ background: #c62828; color: white; font-weight: 800; font-size: {px}px; padding: 28px 48px;"
         " border-top: 6px solid #ffd54f; border-bottom: 6px solid #ffd54f; }}")


class BroadcastBanner(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("broadcast")
        self.setStyleSheet(STYLE.format(px=32))
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown: Broadcast | None = None
        self.language = "zh"
        self._end = QTimer(self)
        self._end.setSingleShot(True)
        self._end.timeout.connect(self.on_end_timeout)
        self.hide()

    def show_broadcast(self, broadcast: Broadcast, hall_now: float, language: str = "zh") -> bool:
        """Shows `broadcast` until its end (by the hall's clock), in the screen's `language`; an
        ended one hides the band. Whether it is shown."""
        self.language = language
        self._end.stop()
        if not broadcast.shown_at(hall_now):
            self.shown = None
            self.hide()
            return False
        self.shown = broadcast
        self._write()
        self.place()
        self.show()
        self.raise_()
        self._end.start(max(1, round((broadcast.until - hall_now) * 1000)))
        return True

    def place(self) -> None:
        """Across the parent, a third of the way down, its font scaled to the parent's shorter side
        (a portrait kiosk gets the size a landscape board of the same width would)."""
        parent = self.parentWidget()
        if parent is None:
            return
        side = min(parent.height(), parent.width())
        self.setStyleSheet(STYLE.format(px=max(18, side // 16)))  # a style sheet's font wins
        height = min(parent.height(), self.heightForWidth(parent.width()) if self.text() else 0)
        self.setGeometry(0, parent.height() // 3, parent.width(), max(height, parent.height() // 6))

    def set_language(self, language: str) -> None:
        """The screen's language changed: the broadcast shown, if any, in the new one."""
        self.language = language
        if self.shown is not None:
            self._write()
            self.place()

    def _write(self) -> None:
        if self.shown is not None:
            self.setText(self.tr("紧急通知：") + self.shown.text_for(self.language))

    @Slot()
    def on_end_timeout(self) -> None:
        self.shown = None
        self.hide()
