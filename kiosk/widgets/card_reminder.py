"""A card left on the reader when a citizen's visit ends: a band at the foot of the screen says
"请取走您的身份证" (or 社保卡) until the card is lifted, or for a minute at most, and an
elder-mode screen says it aloud. ID cards are what citizens most often leave behind at a hall's machines, and a
card left lying would be read again when the next citizen opens a flow that asks for one."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import Qt
from PySide6.QtWidgets import QLabel, QWidget

STYLE = ("QLabel {{ background: #ffd54f; color: #1a1a1a; font-weight: 800; font-size: {px}px;"
         " padding: 20px 32px; border-top: 4px solid #c62828; }}")
LOOK_MS = 500  # how often the reader is asked whether the card is still there
LONGEST_MS = 60_000  # a card nobody takes: the band goes, the hall's staff find the card


class CardReminder(QLabel):
    def __init__(self, parent: QWidget, speak: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.setObjectName("cardReminder")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # a tap on the band reaches what is beneath: the next citizen is not kept from a tile
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.speak = speak
        self.lying: Callable[[], str | None] = lambda: None
        self.kind = "idcard"
        self._look = QTimer(self)
        self._look.setInterval(LOOK_MS)
        self._look.timeout.connect(self.on_look_timeout)
        self._longest = QTimer(self)
        self._longest.setSingleShot(True)
        self._longest.setInterval(LONGEST_MS)
        self._longest.timeout.connect(self.on_longest_timeout)
        self.retranslate_ui()
        self.hide()

    def remind(self, lying: Callable[[], str | None]) -> bool:
        """Shows the band while `lying()` names a reader a card still lies on ("idcard",
        "contactless"); whether it did."""
        kind = lying()
        if kind is None:
            return False
        self.lying, self.kind = lying, kind
        self.retranslate_ui()
        self.place()
        self.show()
        self.raise_()
        self._look.start()
        self._longest.start()
        self.speak("take_card")
        return True

    def dismiss(self) -> None:
        self._look.stop()
        self._longest.stop()
        self.hide()

    @Slot()
    def on_look_timeout(self) -> None:
        if self.lying() is None:
            self.dismiss()

    @Slot()
    def on_longest_timeout(self) -> None:
        self.dismiss()

    def retranslate_ui(self) -> None:
        self.setText(self.tr("请取走您的社保卡") if self.kind == "contactless" else self.tr("请取走您的身份证"))

    def place(self) -> None:
        """Across the foot of the parent, its font scaled to the parent's shorter side."""
        parent = self.parentWidget()
        if parent is None:
            return
        side = min(parent.height(), parent.width())
        self.setStyleSheet(STYLE.format(px=max(18, side // 20)))  # a style sheet's font wins
        height = max(self.heightForWidth(parent.width()), side // 8)
        self.setGeometry(0, parent.height() - height, parent.width(), height)
