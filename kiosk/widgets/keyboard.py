"""The on-screen keyboard: kiosks have no keyboard and need no system input method.

Three layouts: `letters` (A–Z, for pinyin search: typing B D C finds 不动产登记), `digits`
(0–9, and X for the last character of an ID number when `with_x`) and `code` (a row of digits
over the letters, for a ticket's number like A012 or an appointment's check-in code). Keys are large;
keys that would lead nowhere can be dimmed (`set_live_keys`). The keyboard edits a QLineEdit
it is attached to, or only emits `text_edited` when none is.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from kiosk.theme import Theme
from kiosk.widgets.common import button

LETTER_ROWS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
DIGIT_ROWS = ("123", "456", "789")


class OnScreenKeyboard(QWidget):
    key_pressed = Signal(str)
    text_edited = Signal(str)

    def __init__(self, theme: Theme, layout: str = "letters", *, with_x: bool = False,
                 max_length: int = 32, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if layout not in ("letters", "digits", "code"):
            raise ValueError(f"keyboard layout must be letters, digits or code, not {layout!r}")
        self.setObjectName(f"keyboard-{layout}")
        self.layout_name, self.with_x, self.max_length = layout, with_x, max_length
        self.target: QLineEdit | None = None
        self._text = ""
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setSpacing(theme.px(0.35))
        grid.setContentsMargins(0, 0, 0, 0)
        if layout in ("letters", "code"):
            top = 1 if layout == "code" else 0
            if layout == "code":
                for c, ch in enumerate("1234567890"):
                    grid.addWidget(self._key(ch, ch), 0, 2 * c, 1, 2)
            for r, row in enumerate(LETTER_ROWS):
                for c, ch in enumerate(row):  # stagger the rows as on a real keyboard: 2 cells a key
                    grid.addWidget(self._key(ch, ch), top + r, 2 * c + r, 1, 2)
            grid.addWidget(self._key("⌫", "backspace"), top + 2, 16, 1, 4)
        else:
            for r, row in enumerate(DIGIT_ROWS):
                for c, ch in enumerate(row):
                    grid.addWidget(self._key(ch, ch), r, c)
            grid.addWidget(self._key("X" if with_x else "", "X"), 3, 0)
            self.keys["X"].setEnabled(with_x)
            grid.addWidget(self._key("0", "0"), 3, 1)
            grid.addWidget(self._key("⌫", "backspace"), 3, 2)
        self.apply_theme(theme)

    def _key(self, face: str, name: str) -> QPushButton:
        key = button(face, "key", parent=self)
        key.setObjectName(f"key-{name}")
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        key.setAutoRepeat(name == "backspace")
        key.clicked.connect(lambda _=False, n=name: self.press(n))
        self.keys[name] = key
        return key

    def apply_theme(self, theme: Theme) -> None:
        size = round(theme.min_target * (1.15 if self.layout_name == "digits" else 1.0))
        for key in self.keys.values():
            key.setMinimumSize(size if self.layout_name == "digits" else size // 2, size)

    def attach(self, target: QLineEdit | None) -> None:
        self.target = target
        self._text = target.text() if target is not None else ""

    @property
    def text(self) -> str:
        return self.target.text() if self.target is not None else self._text

    def set_text(self, text: str) -> None:
        text = text[: self.max_length]
        if self.target is not None:
            self.target.setText(text)
        self._text = text
        self.text_edited.emit(text)

    def press(self, name: str) -> None:
        """What a tap on a key does (also the tests' entry point)."""
        self.key_pressed.emit(name)
        if name == "backspace":
            self.set_text(self.text[:-1])
        elif name == "clear":
            self.set_text("")
        elif len(self.text) < self.max_length:
            self.set_text(self.text + name)

    def type_text(self, text: str) -> None:
        for ch in text.upper():
            key = self.keys.get(ch)
            if key is None or not key.isEnabled():
                raise ValueError(f"no live key {ch!r} on the {self.layout_name} keyboard")
            key.click()

    def set_live_keys(self, live: set[str] | None) -> None:
        """Dim the letter keys not in `live` (None: every key is live)."""
        for name, key in self.keys.items():
            if name in ("backspace", "clear") or (name == "X" and self.layout_name == "digits"):
                continue
            key.setEnabled(live is None or name in live)

    def clear(self) -> None:
        self.set_text("")
