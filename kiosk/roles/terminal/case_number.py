"""The case number typed on the terminal's digit keyboard, for 办件进度 with the ID card just read:
the hall answers a number only under the ID it was filed with, so a typed number alone shows
nobody's case. Digits only (a hall's case numbers are read aloud); the system input method never
opens."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from kiosk.theme import Theme
from kiosk.widgets.common import button, label
from kiosk.widgets.keyboard import OnScreenKeyboard

MIN_DIGITS, MAX_DIGITS = 4, 24


class CaseNumberPanel(QWidget):
    """The typed number, the digit keyboard and 查询; `submitted(number)` once it is long enough."""

    submitted = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        self.title = label("", "title", parent=self)
        self.hint = label("", "muted", parent=self)
        self.field = QLineEdit(self)
        self.field.setObjectName("caseNumber")
        self.field.setReadOnly(True)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keyboard = OnScreenKeyboard(theme, "digits", max_length=MAX_DIGITS, parent=self)
        self.keyboard.attach(self.field)
        self.keyboard.text_edited.connect(self._edited)
        self.search_button = button("", "primary", parent=self)
        self.search_button.setObjectName("caseNumberSearch")
        self.search_button.clicked.connect(lambda: self.submitted.emit(self.field.text()))
        for w in (self.title, self.hint, self.field, self.keyboard, self.search_button):
            box.addWidget(w)
        box.addStretch(1)
        self.retranslate_ui()
        self.apply_theme(theme)
        self._edited("")

    def clear(self) -> None:
        self.keyboard.set_text("")

    def _edited(self, text: str) -> None:
        self.search_button.setEnabled(len(text) >= MIN_DIGITS)

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("输入办件号"))
        self.hint.setText(self.tr("办件号印在受理通知书上方。只查得到以刚才所刷身份证申请的办件。"))
        self.search_button.setText(self.tr("查询"))

    def apply_theme(self, theme: Theme) -> None:
        self.field.setMinimumHeight(theme.min_target)
        self.field.setStyleSheet(f"font-size: {theme.px(1.6)}px; letter-spacing: 2px;")
        self.keyboard.apply_theme(theme)
