"""What is laid over a whole screen: the idle countdown and the admin PIN pad."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.theme import Theme
from kiosk.widgets.common import button, label
from kiosk.widgets.keyboard import OnScreenKeyboard


class Overlay(QFrame):
    """Covers its parent; shows one dialog card at a time."""

    continue_clicked = Signal()
    pin_entered = Signal(str)
    pin_cancelled = Signal()

    def __init__(self, theme: Theme, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.mode = ""
        outer = QVBoxLayout(self)
        outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dialog = QFrame(self)
        self.dialog.setObjectName("dialog")
        outer.addWidget(self.dialog, 0, Qt.AlignmentFlag.AlignCenter)
        box = QVBoxLayout(self.dialog)
        box.setContentsMargins(theme.px(1.5), theme.px(1.2), theme.px(1.5), theme.px(1.2))
        box.setSpacing(theme.px(0.8))
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter)
        self.message = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter)
        self.pin_field = QLineEdit(self.dialog)
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setReadOnly(True)  # typed on the pad below, never by a hidden keyboard
        self.pin_field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin_pad = OnScreenKeyboard(theme, "digits", max_length=12, parent=self.dialog)
        self.pin_pad.attach(self.pin_field)
        self.primary = button("", "primary")
        self.secondary = button("")
        buttons = QHBoxLayout()
        buttons.addWidget(self.secondary)
        buttons.addWidget(self.primary)
        for widget in (self.title, self.message, self.pin_field, self.pin_pad):
            box.addWidget(widget)
        box.addLayout(buttons)
        self.primary.clicked.connect(self.on_primary_clicked)
        self.secondary.clicked.connect(self.on_secondary_clicked)
        self.dialog.setMinimumWidth(theme.px(22))
        self.hide()

    def fit(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()

    def show_countdown(self, seconds: int) -> None:
        self.mode = "countdown"
        self.title.setText(self.tr("还在办理吗？"))
        self.message.setText(self.tr("{seconds} 秒后返回首页，已填写和读取的信息将被清除。")
                             .format(seconds=seconds))
        self.primary.setText(self.tr("继续办理"))
        self.secondary.hide()
        self.pin_field.hide()
        self.pin_pad.hide()
        self.fit()
        self.show()

    def show_pin(self, error: str = "") -> None:
        self.mode = "pin"
        self.title.setText(self.tr("管理员退出"))
        self.message.setText(error or self.tr("请输入管理密码"))
        self.primary.setText(self.tr("确定"))
        self.secondary.setText(self.tr("取消"))
        self.secondary.show()
        self.pin_pad.clear()
        self.pin_field.show()
        self.pin_pad.show()
        self.fit()
        self.show()

    def close_overlay(self) -> None:
        self.mode = ""
        self.pin_pad.clear()
        self.hide()

    def on_primary_clicked(self) -> None:
        if self.mode == "pin":
            pin = self.pin_pad.text
            self.pin_pad.clear()
            self.pin_entered.emit(pin)
        else:
            self.close_overlay()
            self.continue_clicked.emit()

    def on_secondary_clicked(self) -> None:
        self.close_overlay()
        self.pin_cancelled.emit()
