"""Pieces the terminal's flows share: the scan prompt, and a ticket's state at a glance."""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.theme import Theme
from kiosk.widgets.common import button, label, min_size
from kiosk.widgets.icons import pixmap


def window_words(ticket: dict[str, Any], numbered: str) -> str:
    """The window a ticket went to, as a citizen reads it: as the hall names it ("3号窗口") on
    a Chinese screen; an English screen (`numbered` translated: "Window {n}") says the number,
    since the hall's window names are Chinese labels over the counters."""
    window = str(ticket.get("window_name") or "")
    if ticket.get("window_number") is not None and (not window or numbered != "{n} 号窗口"):
        window = numbered.format(n=ticket["window_number"])
    return window


class ScanPrompt(QFrame):
    """What to hold where: the QR code to the scanner, or the ID card on the reader; and below,
    a button for each thing that may be typed instead (`typed_requested(kind)` when tapped)."""

    typed_requested = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "card")
        self.setObjectName("scanPrompt")
        self.icons = ("scanner",)
        box = QVBoxLayout(self)
        box.addStretch(1)
        self.pictures = QHBoxLayout()
        self.pictures.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture_labels = [QLabel(self), QLabel(self)]
        for picture in self.picture_labels:
            self.pictures.addWidget(picture)
        box.addLayout(self.pictures)
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.text = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.note = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        for widget in (self.title, self.text, self.note):
            box.addWidget(widget)
        self.choices = QVBoxLayout()  # one under another: whole words on a portrait screen
        self.choices.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addLayout(self.choices)
        self.typed_buttons: dict[str, QPushButton] = {}
        box.addStretch(1)
        self.apply_theme(theme)

    def set_typed(self, choices: list[tuple[str, str]]) -> None:
        """The buttons for typing instead: (kind, words) each, in this order; [] shows none."""
        for b in self.typed_buttons.values():
            b.hide()
            b.deleteLater()
        self.typed_buttons = {}
        for kind, words in choices:
            b = button(words, "primary" if not self.typed_buttons else "", parent=self)
            b.setObjectName(f"typed-{kind}")
            b.clicked.connect(lambda _=False, k=kind: self.typed_requested.emit(k))
            min_size(b, width=self.theme.px(14))  # the style sheet's own minimum would win over setMinimumWidth
            self.choices.addWidget(b, 0, Qt.AlignmentFlag.AlignHCenter)
            self.typed_buttons[kind] = b

    def show_prompt(self, title: str, text: str, note: str = "", icons: tuple[str, ...] = ("scanner",)) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.icons = icons
        self._draw()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        m = theme.px(1.0)
        self.layout().setContentsMargins(m, m, m, m)
        self.layout().setSpacing(theme.px(0.7))
        self.pictures.setSpacing(theme.px(2.0))
        self.choices.setSpacing(theme.px(0.5))
        for b in self.typed_buttons.values():
            min_size(b, width=theme.px(14))
        self._draw()

    def _draw(self) -> None:
        for i, picture in enumerate(self.picture_labels):
            if i < len(self.icons):
                picture.setPixmap(pixmap(self.icons[i], self.theme.palette.primary, self.theme.px(3.6)))
                picture.show()
            else:
                picture.hide()


STATE_TONES = {"waiting": "primary", "called": "ok", "serving": "ok", "done": "muted",
               "no_show": "bad", "cancelled": "bad", "expired": "bad"}


class TicketStatus(QFrame):
    """A ticket's number, queue and state in words, people ahead, wait, and window when called."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "card")
        self.setObjectName("ticketStatus")
        self.ticket: dict[str, Any] = {}
        self.row = row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        left = QVBoxLayout()
        self.number = label("", "huge", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.number.setObjectName("statusNumber")
        self.queue = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        left.addWidget(self.number)
        left.addWidget(self.queue)
        right = QVBoxLayout()
        self.state = label("", "title", parent=self)
        self.state.setObjectName("statusState")
        self.lines = label("", "", parent=self)
        self.lines.setObjectName("statusLines")
        right.addWidget(self.state)
        right.addWidget(self.lines)
        right.addStretch(1)
        code = QVBoxLayout()
        self.qr = QLabel(self)
        self.qr.setObjectName("statusQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        code.addWidget(self.qr)
        code.addWidget(self.qr_caption)
        code.addStretch(1)
        self.qr_url = ""
        row.addLayout(left, 2)
        row.addLayout(right, 3)
        row.addLayout(code, 0)
        self.apply_theme(theme)
        self.set_qr("")

    def set_qr(self, url: str, caption: str = "") -> None:
        """The ticket's follow link as a QR code beside it ("" hides it)."""
        from kiosk.roles.dispenser.ticket import qr_pixmap

        self.qr_url = url
        self.qr.setVisible(bool(url))
        self.qr_caption.setVisible(bool(url))
        self.qr_caption.setText(caption)
        if url:
            self.qr.setPixmap(qr_pixmap(url, self.theme.px(9)))

    def state_word(self, state: str) -> str:
        return {
            "waiting": self.tr("等候中"), "called": self.tr("已叫号"), "serving": self.tr("办理中"),
            "done": self.tr("已办结"), "no_show": self.tr("过号"), "cancelled": self.tr("已取消"),
            "expired": self.tr("已过期"),
        }.get(state, state)

    def window(self) -> str:
        """The window the ticket went to, as the citizen reads it ("" before it is called)."""
        return window_words(self.ticket, self.tr("{n} 号窗口"))

    def show_ticket(self, t: dict[str, Any], queue_name: str = "") -> None:
        self.ticket = t
        state = str(t.get("state", ""))
        self.number.setText(str(t.get("number", "")))
        self.queue.setText(queue_name or str(t.get("queue_name") or ""))
        self.state.setText(self.state_word(state))
        p = self.theme.palette
        color = {"primary": p.primary, "ok": p.ok, "bad": p.bad, "muted": p.muted}[STATE_TONES.get(state, "primary")]
        self.state.setStyleSheet(f"color: {color};")
        window = self.window()
        ahead, minutes = int(t.get("people_ahead") or 0), t.get("estimated_wait_minutes")
        if state == "waiting":
            lines = [self.tr("前面还有 {n} 人").format(n=ahead) if ahead else self.tr("前面无人等候，马上为您叫号")]
            if ahead and minutes:
                lines.append(self.tr("预计等候约 {m} 分钟").format(m=minutes))
            lines.append(self.tr("请留意叫号屏幕和语音提示"))
        elif state in ("called", "serving"):
            lines = [self.tr("请到 {window} 办理").format(window=window) if window else self.tr("请留意叫号屏幕")]
        elif state == "done":
            lines = [self.tr("业务已办结，感谢您的耐心等候")]
            if window:
                lines.append(self.tr("办理窗口：{window}").format(window=window))
        elif state == "no_show":
            lines = [self.tr("叫号时您不在，号码已过号"), self.tr("请到咨询服务台，工作人员会为您安排")]
        else:
            lines = [self.tr("这张票已不能办理，请重新取号")]
        body = "<br>".join(escape(line) for line in lines)
        if state in ("called", "serving") and window:  # where to go now is the largest fact here
            big = (f"<span style='font-size: {self.theme.px(3.2)}px; font-weight: bold;"
                   f" color: {self.theme.palette.primary};'>{escape(window)}</span>")
            body = body.replace(escape(window), big, 1)
        self.lines.setText(f"<div style='line-height: 140%'>{body}</div>")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        narrow = self.width() < self.theme.px(28)  # one column on a narrow screen in elder mode
        self.row.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        m = theme.px(1.2)
        self.layout().setContentsMargins(m, m, m, m)
        self.layout().setSpacing(theme.px(1.2))
        self.lines.setStyleSheet(f"font-size: {theme.px(1.3)}px;")
        self.number.setStyleSheet(f"font-size: {theme.px(4.2)}px; font-weight: bold; color: {theme.palette.primary};")
        if self.ticket:
            self.show_ticket(self.ticket, self.queue.text())
        if getattr(self, "qr_url", ""):
            self.set_qr(self.qr_url, self.qr_caption.text())


class ListItem(QPushButton):
    """A row to tap in a long list: a title that wraps, a muted line beneath, and optionally the
    start of what it opens (`preview`). `set_marked` frames the row whose content is shown."""

    def __init__(self, title: str, detail: str, theme: Theme, parent: QWidget | None = None, *,
                 preview: str = "") -> None:
        super().__init__(parent)
        self.setProperty("kind", "choice")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName(title)
        box = QVBoxLayout(self)
        self.title = label(title, "", parent=self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = label(detail, "muted", parent=self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setVisible(bool(detail))
        self.preview = label(preview, "", parent=self)
        self.preview.setObjectName("listItemPreview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setVisible(bool(preview))
        self.marked = False
        for child in (self.title, self.detail, self.preview):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(child)
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        pad = theme.px(0.6)
        self.layout().setContentsMargins(pad, theme.px(0.4), pad, theme.px(0.4))
        self.layout().setSpacing(theme.px(0.15))
        self.title.setStyleSheet(f"font-size: {theme.px(1.15)}px; font-weight: bold; background: transparent;")
        self.preview.setStyleSheet("background: transparent;")
        self.setMinimumHeight(theme.min_target)
        self.theme = theme
        self.set_marked(self.marked)

    def set_marked(self, marked: bool) -> None:
        """A frame in the primary colour around the row whose content is open beside the list."""
        self.marked = marked
        self.setStyleSheet(f"QPushButton {{ border: {self.theme.px(0.2)}px solid {self.theme.palette.primary}; }}"
                           if marked else "")

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return max(self.minimumHeight(), self.layout().totalHeightForWidth(width))

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = self.layout().totalSizeHint()
        return QSize(min(hint.width(), 400), max(self.minimumHeight(), hint.height()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.minimumHeight(), self.minimumHeight())
