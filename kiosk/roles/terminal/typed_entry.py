"""A number typed on the terminal's own keyboard instead of scanned or read from a card: a queue
ticket's number, an appointment's check-in code or mobile number, a case number, an ID number
(kiosk.models.terminal.typed says what each may be). Every scan flow offers it from its prompt,
and at once when a code will not scan; the system input method never opens. The field shows what
was typed as the kind is written (a mobile number as 138 1234 5678); the hall is asked with it plain.

A case number is answered by the hall only under the ID it was filed with, so a typed case
number alone shows nobody's case: the progress flow asks for the ID number too when no card
was read.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from kiosk.models.clock import hall_today
from kiosk.models.terminal import typed
from kiosk.theme import Theme
from kiosk.widgets.common import button, label
from kiosk.widgets.keyboard import OnScreenKeyboard


class TypedEntryPanel(QWidget):
    """The typed text, the keyboard its kind needs and 查询; `submitted(kind, value)` with what
    the hall is asked with once the text reads as its kind."""

    submitted = Signal(str, str)

    def __init__(self, theme: Theme, hall: Callable[[], Mapping[str, Any]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hall, self.kind, self.notice_text = hall, "ticket", ""
        box = QVBoxLayout(self)
        self.notice = label("", "subtitle", parent=self)
        self.notice.setObjectName("typedNotice")
        self.title = label("", "title", parent=self)
        self.title.setObjectName("typedTitle")
        self.hint = label("", "", parent=self)
        self.field = QLineEdit(self)
        self.field.setObjectName("typedField")
        self.field.setReadOnly(True)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error = label("", "", parent=self)
        self.error.setObjectName("typedError")
        self.keyboards = {
            "code": OnScreenKeyboard(theme, "code", parent=self),
            "digits": OnScreenKeyboard(theme, "digits", parent=self),
            "id": OnScreenKeyboard(theme, "digits", with_x=True, parent=self),
        }
        self.search_button = button("", "primary", parent=self)
        self.search_button.setObjectName("typedSearch")
        self.search_button.clicked.connect(self.on_search_button_clicked)
        for w in (self.notice, self.title, self.hint, self.field, self.error):
            box.addWidget(w)
        for keyboard in self.keyboards.values():
            keyboard.text_edited.connect(self._edited)
            box.addWidget(keyboard)
        box.addWidget(self.search_button)
        box.addStretch(1)
        self.apply_theme(theme)
        self.ask("ticket")

    @property
    def keyboard(self) -> OnScreenKeyboard:
        return self.keyboards[typed.kind_of(self.kind).keys]

    def ask(self, kind: str, notice: str = "") -> None:
        """Shows the empty field and keyboard for `kind`; `notice` above it says why (a damaged code)."""
        spec = typed.kind_of(kind)
        self.kind, self.notice_text = kind, notice
        for name, keyboard in self.keyboards.items():
            keyboard.attach(None)  # the keyboard keeps the text; the field shows it (_edited)
            keyboard.setVisible(name == spec.keys)
        self.keyboard.max_length = spec.max_length
        self.retranslate_ui()
        self.clear()

    def clear(self) -> None:
        self.keyboard.set_text("")

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """What was typed goes when the panel does (asked, or left): a number is kept nowhere."""
        self.clear()
        super().hideEvent(event)

    def _edited(self, text: str) -> None:
        self.field.setText(typed.shown(self.kind, text))
        self.error.hide()
        self.search_button.setEnabled(typed.long_enough(self.kind, text))

    def on_search_button_clicked(self) -> None:
        hall = self.hall() or {}
        digits = int((hall.get("policy") or {}).get("ticket_digits") or 3)
        try:
            value = typed.read(self.kind, self.keyboard.text, day=hall_today(hall), digits=digits)
        except typed.Unreadable as exc:
            self.error.setText(self.problem(exc))
            self.error.show()
            return
        self.submitted.emit(self.kind, value)

    def problem(self, exc: typed.Unreadable) -> str:
        if exc.why == "checksum":
            return self.tr("这个身份证号的最后一位对不上，请核对后重新输入。")
        if exc.why == "short":
            return self.tr("还没有输完整，请核对位数。")
        return {
            "ticket": self.tr("排队号是字母加数字，例如 A012，请核对。"),
            "rating_code": self.tr("评价码是 10 位字母和数字（数字只有 2–7），请核对。"),
            "appointment": self.tr("核验码由 8–16 位字母和数字组成，请核对。"),
            "phone": self.tr("手机号是 1 开头的 11 位数字，请核对。"),
            "case": self.tr("办件号只有数字，请核对。"),
        }.get(exc.kind, self.tr("身份证号是 18 位，最后一位可能是 X，请核对。"))

    def retranslate_ui(self) -> None:
        title, hint = {
            "ticket": (self.tr("输入排队号"), self.tr("号码印在排队票最上方，例如 A012。前面的 0 可以不输。")),
            "rating_code": (self.tr("输入评价码"), self.tr("评价码印在排队票二维码的下方，是 10 位字母和数字。")),
            "appointment": (self.tr("输入预约核验码"),
                            self.tr("核验码在预约短信或小程序的预约详情里，是 8–16 位字母和数字。")),
            "phone": (self.tr("输入预约时填写的手机号"),
                      self.tr("11 位数字。号码只用于这次签到，不会保存。")),
            "case": (self.tr("输入办件号"),
                     self.tr("办件号印在受理通知书上方。只查得到以您的身份证申请的办件。")),
            "id_number": (self.tr("输入身份证号"),
                          self.tr("18 位，最后一位可能是 X。号码只用于这次查询，不会保存。")),
        }[self.kind]
        self.title.setText(title)
        self.hint.setText(hint)
        self.notice.setText(self.notice_text)
        self.notice.setVisible(bool(self.notice_text))
        self.search_button.setText(self.tr("查询"))

    def apply_theme(self, theme: Theme) -> None:
        self.field.setMinimumHeight(theme.min_target)
        self.field.setStyleSheet(f"font-size: {theme.px(1.6)}px; letter-spacing: 2px;")
        self.notice.setStyleSheet(f"color: {theme.palette.warn}; font-weight: bold;")
        self.error.setStyleSheet(f"color: {theme.palette.bad}; font-size: {theme.px(1.2)}px;")
        for keyboard in self.keyboards.values():
            keyboard.apply_theme(theme)
