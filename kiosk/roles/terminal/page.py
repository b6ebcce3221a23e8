"""What every flow of the self-service terminal is built from.

`FlowPage` is one flow (check-in, guides, ...) in the terminal's page stack: a bar with 返回
and 首页 above its own content, the text of its home tile, and the hooks the terminal calls:
`enter()` when the citizen opens it, `leave()` when they go home (forget everything shown),
`back()` for a step back inside the flow, `on_code_scanned(text)` and `on_card_read(card)` for
what the scanner, camera or card readers delivered while it was shown. A flow that is done
emits `finished`; the terminal goes home and wipes the session. `ScanFlow` is a flow that starts
at a scan prompt and asks the hall while a busy panel shows; one that adds a typed view
(`_add_typed_view`) takes the number typed on its own keyboard too, from the prompt's buttons or
at once when a code will not scan (`ask_typed`).

`MessagePanel` says one thing calmly (an icon, a title, what to do next), `message_view` with
buttons below it; `hall_failure` turns
a hall error into words for the citizen; `TitledList` is a subtitle over rows that scroll.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hall.client import HallError, HallUnavailable
from kiosk.context import Context
from kiosk.roles.terminal.typed_entry import TypedEntryPanel
from kiosk.roles.terminal.widgets import ScanPrompt
from kiosk.theme import Theme
from kiosk.widgets.common import button, label, scrolling, set_button_icon
from kiosk.widgets.icons import pixmap

log = logging.getLogger(__name__)


def set_icon(widget: QPushButton, name: str, theme: Theme, *, on_primary: bool = False,
             factor: float = 1.4) -> None:
    color = theme.palette.on_primary if on_primary else theme.palette.primary
    set_button_icon(widget, name, color, theme.px(factor))


def clear_layout(layout: QLayout) -> None:
    """Removes everything from `layout`; the widgets are hidden at once and deleted later."""
    while layout.count():
        item = layout.takeAt(0)
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)


class MessagePanel(QFrame):
    """A card saying one thing: an icon, a title, and what to do next."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "card")
        self.icon_name, self.tone = "alert", "warn"
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.text = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        for widget in (self.picture, self.title, self.text):
            layout.addWidget(widget)
        self.extra = QVBoxLayout()
        self.extra.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addLayout(self.extra)
        layout.addStretch(1)
        self.apply_theme(theme)

    def show_message(self, title: str, text: str = "", *, icon_name: str = "alert", tone: str = "warn") -> None:
        self.icon_name, self.tone = icon_name, tone
        self.title.setText(title)
        self.text.setText(text)
        self.text.setVisible(bool(text))
        self._draw_icon()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        margin = theme.px(1.2)
        self.layout().setContentsMargins(margin, margin, margin, margin)
        self.layout().setSpacing(theme.px(0.6))
        self._draw_icon()

    def _draw_icon(self) -> None:
        p = self.theme.palette
        color = {"ok": p.ok, "warn": p.warn, "bad": p.bad, "info": p.primary}.get(self.tone, p.primary)
        self.picture.setPixmap(pixmap(self.icon_name, color, self.theme.px(3.2)))


def message_view(theme: Theme, *buttons: QPushButton) -> tuple[QWidget, MessagePanel]:
    """A view saying one thing, with `buttons` in a row below it, to the right; and its panel."""
    view = QWidget()
    layout = QVBoxLayout(view)
    layout.setContentsMargins(0, 0, 0, 0)
    panel = MessagePanel(theme, view)
    row = QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    layout.addWidget(scrolling(panel, view), 1)  # the words scroll if they must, the buttons stay in view
    layout.addLayout(row)
    return view, panel


def flow_text(text: str) -> str:
    """A flow's title or hint (`Flow` in view.py) in the screen's language."""
    return QCoreApplication.translate("TerminalView", text) if text else ""


class FlowPage(QWidget):
    """One flow of the terminal. Subclasses build their content into `self.content`."""

    finished = Signal()
    wants_codes = False  # scanned codes go to on_code_scanned while shown
    wants_cards = False  # ID and social-security cards go to on_card_read while shown
    flow_title = ""  # the Chinese source of its title, from the terminal's FLOWS
    scrolls = True  # False: the flow's views fit the room themselves (a stack of pages of its own)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.bar = bar = QHBoxLayout()
        self.back_button = button("", parent=self)
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.on_back_button_clicked)
        self.heading = label("", "title", wrap=False, align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.home_button = button("", parent=self)
        self.home_button.setObjectName("homeButton")
        self.home_button.clicked.connect(self.finished)
        bar.addWidget(self.back_button)
        bar.addWidget(self.heading, 1)
        bar.addWidget(self.home_button)
        outer.addLayout(bar)
        # the flow's own content; it scrolls only where a small screen in elder mode is too short
        body = QWidget(self)
        body.setObjectName("flowBody")
        self.content = QVBoxLayout(body)
        self.content.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scrolling(body, self) if self.scrolls else body, 1)
        self._outer = outer

    # -- what the terminal asks of a flow

    def title(self) -> str:
        """The page's heading: its flow's title (`Flow.title`, set by the terminal)."""
        return flow_text(self.flow_title)

    def enter(self) -> None:
        """Opened from the home screen: start at the flow's first step."""

    def leave(self) -> None:
        """Going home: forget everything shown or entered."""

    def back(self) -> bool:
        """One step back inside the flow; False when already at its first step."""
        return False

    def on_code_scanned(self, text: str) -> None:
        """A code the scanner or the camera read while this flow was shown."""

    def on_card_read(self, card: Any) -> None:
        """An ID card (or a card that yields a valid ID number) read while this flow was shown."""

    def on_card_unusable(self) -> None:
        """A card was read while this flow was shown, but it names no one (or could not be read)."""

    def sample_screens(self) -> list[tuple[str, Any]]:
        return []

    def retranslate_ui(self) -> None:
        self.back_button.setText(self.tr("返回"))
        self.home_button.setText(self.tr("首页"))
        self.heading.setText(self.title())

    def apply_theme(self, theme: Theme) -> None:
        set_icon(self.back_button, "back", theme)
        set_icon(self.home_button, "home", theme)
        self._outer.setSpacing(theme.px(0.4))
        self.content.setSpacing(theme.px(0.6))
        for child in self.findChildren(MessagePanel):
            child.apply_theme(theme)

    def on_back_button_clicked(self) -> None:
        if not self.back():
            self.finished.emit()

    # -- shared helpers

    def set_bar_visible(self, visible: bool) -> None:
        for widget in (self.back_button, self.heading, self.home_button):
            widget.setVisible(visible)

    def device(self, *names: str) -> Any:
        """The first of the named devices that is configured (usable or not), or None."""
        for name in names:
            found = self.context.devices.get(name)
            if found is not None:
                return found
        return None

    def usable(self, *names: str) -> bool:
        return any(self.context.devices.usable(name) for name in names)

    def can_scan(self) -> bool:
        return self.device("scanner", "camera") is not None

    def can_read_cards(self) -> bool:
        return self.device("idcard", "contactless") is not None

    def hall_failure(self, exc: BaseException) -> tuple[str, str]:
        """(title, what to do) for a failed hall request, in the citizen's words."""
        if isinstance(exc, HallUnavailable) or not isinstance(exc, HallError):
            if not isinstance(exc, HallError):
                log.warning("hall request failed unexpectedly: %s", type(exc).__name__)
            return (self.tr("暂时连不上大厅服务器"),
                    self.tr("请稍后再试，或到咨询服务台请工作人员帮助。"))
        d = exc.details
        if exc.code == "too_early":
            return (self.tr("还没到签到时间"),
                    self.tr("您的预约时段是 {start}–{end}，{opens} 起可以签到，请稍后再来。").format(
                        start=d.get("slot_start", ""), end=d.get("slot_end", ""),
                        opens=d.get("check_in_from", "")))
        if exc.code == "expired":
            return (self.tr("预约时段已过"),
                    self.tr("签到已于 {until} 截止。请重新预约，或取普通号办理。").format(
                        until=d.get("check_in_until", "")))
        if exc.code == "invalid_code":
            return (self.tr("二维码无法识别"),
                    self.tr("二维码可能损坏或没有扫完整。请把二维码放平，对准扫码口重新扫描。"))
        if exc.code == "invalid_id_number":
            return (self.tr("没有读到有效的身份证号码"),
                    self.tr("请把身份证平放在读卡区，稍等片刻再拿开。"))
        if exc.code == "unroutable":
            return (self.tr("该预约的事项不在本厅排队办理"),
                    self.tr("请到咨询服务台，工作人员会为您指引。"))
        if exc.code == "not_found":
            return (self.tr("没有找到"), self.tr("请核对后再试，或到咨询服务台请工作人员帮助。"))
        log.warning("hall refused a terminal request: %s %s", exc.status, exc.code)
        return (self.tr("暂时无法办理"), self.tr("请到咨询服务台请工作人员帮助。"))


PROMPT, BUSY = range(2)  # the first views of a ScanFlow; its subclass adds the rest after them


class ScanFlow(FlowPage):
    """A flow that starts at a scan prompt and asks the hall: a stack of views, the prompt and a
    busy panel first. Each request counts in `_asked`, so the answer to an older one is dropped."""

    wants_codes = True

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._asked = 0
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        self.prompt = ScanPrompt(context.theme, self.views)
        self.views.addWidget(self.prompt)
        self.busy = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.busy)
        self.typed: TypedEntryPanel | None = None
        self.typed_view = -1

    def _add_typed_view(self) -> int:
        """Adds the view where a number is typed instead of scanned; its index."""
        self.typed = TypedEntryPanel(self.context.theme, lambda: self.context.hall, self.views)
        self.typed.submitted.connect(self.on_typed_submitted)
        self.views.addWidget(self.typed)
        self.typed_view = self.views.count() - 1
        self.prompt.typed_requested.connect(self.ask_typed)
        return self.typed_view

    def ask_typed(self, kind: str, notice: str = "") -> None:
        """The keyboard for `kind`; `notice` says why when a code would not scan."""
        assert self.typed is not None, "the flow has no typed view"
        self._asked += 1  # an answer still on its way is for a question no longer asked
        self.typed.ask(kind, notice)
        self._show(self.typed_view)

    def on_typed_submitted(self, kind: str, value: str) -> None:
        """What was typed, read as `kind` (kiosk.models.terminal.typed.read)."""

    def _show(self, view: int) -> None:
        self.views.setCurrentIndex(view)
        if view == PROMPT:
            self.context.speak("scan_code")

    def _busy(self, title: str, icon_name: str) -> int:
        """Shows the busy panel for a new request; its number, for the answer to check."""
        self._asked += 1
        self.busy.show_message(title, self.tr("请稍候"), icon_name=icon_name, tone="info")
        self._show(BUSY)
        return self._asked

    def _add_message_view(self, *buttons: QPushButton) -> MessagePanel:
        """A view saying one thing, with `buttons` in a row below it, to the right."""
        view, panel = message_view(self.context.theme, *buttons)
        self.views.addWidget(view)
        return panel

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        if self.typed is not None:
            self.typed.retranslate_ui()
        if self.views.currentIndex() == PROMPT:
            self.enter()  # enter() writes the prompt's words

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.prompt.apply_theme(theme)
        if self.typed is not None:
            self.typed.apply_theme(theme)


class TitledList(QWidget):
    """A subtitle over a column of rows that scrolls; the owner adds its rows to `rows`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = label("", "subtitle", parent=self)
        self.box = QWidget()
        self.rows = QVBoxLayout(self.box)
        self.rows.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(scrolling(self.box), 1)
