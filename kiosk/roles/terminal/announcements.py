"""通知公告: the hall's announcements valid today, a list and each one in full.

The list is asked for each time the page opens; the last good copy stays on screen while the
hall is away. On a landscape screen the list and the announcement read stand side by side (the
first one open), so the screen is not a short list over empty space; on a portrait screen the
list opens each one on its own, and 返回 goes back to the list. Each row gives the start of the
text, so a citizen sees what it is about before tapping.
"""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.context import Context
from kiosk.i18n import pick_field
from kiosk.roles.terminal.page import FlowPage, MessagePanel, clear_layout
from kiosk.roles.terminal.widgets import ListItem
from kiosk.theme import Theme
from kiosk.widgets.common import card, label, scrolling

LIST, MESSAGE = range(2)  # LIST: the list, and the one read beside it or instead of it
PREVIEW_CHARS = 44  # the start of an announcement's text under its title in the list


class AnnouncementsPage(FlowPage):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.items: list[dict[str, Any]] | None = None
        self.selected: dict[str, Any] | None = None  # the announcement shown in full
        self.reading = False  # a portrait screen shows the one selected instead of the list
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        split = QWidget()
        row = QHBoxLayout(split)
        row.setContentsMargins(0, 0, 0, 0)
        self.list_box = QWidget()
        self.list_layout = QVBoxLayout(self.list_box)
        self.list_area = scrolling(self.list_box, split)
        self.detail_box = card()
        detail_layout = QVBoxLayout(self.detail_box)
        self.detail_title = label("", "title", parent=self.detail_box)
        self.detail_date = label("", "muted", parent=self.detail_box)
        self.detail_body = label("", "", parent=self.detail_box)
        self.detail_body.setTextFormat(Qt.TextFormat.RichText)  # the body is escaped
        self.detail_body.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        for w in (self.detail_title, self.detail_date, self.detail_body):
            detail_layout.addWidget(w)
        detail_layout.addStretch(1)
        self.detail_area = scrolling(self.detail_box, split)
        row.addWidget(self.list_area, 2)
        row.addWidget(self.detail_area, 3)
        self.views.addWidget(split)
        self.message = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.message)
        self._arrange()

    # -- one screen or two

    def wide(self) -> bool:
        """Room for the list and an announcement side by side (a landscape screen)."""
        return self.width() > self.height()

    def _arrange(self) -> None:
        both = self.wide()
        self.list_area.setVisible(both or not self.reading)
        self.detail_area.setVisible(self.selected is not None and (both or self.reading))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange()

    def enter(self) -> None:
        if self.items is None:
            self.message.show_message(self.tr("正在加载通知公告…"), "", icon_name="megaphone", tone="info")
            self.views.setCurrentIndex(MESSAGE)
        else:
            self._fill()
        self.context.link.call("announcements", done=self.on_announcements_answered,
                               failed=self.on_announcements_failed)

    def leave(self) -> None:
        self.reading = False
        self.selected = None
        self.views.setCurrentIndex(LIST)
        self._arrange()

    def back(self) -> bool:
        if self.reading and not self.wide():
            self.reading = False
            self._arrange()
            return True
        return False

    def on_announcements_answered(self, answer: dict[str, Any]) -> None:
        self.items = [a for a in answer.get("announcements", []) if isinstance(a, dict)]
        if self.isVisible() and not (self.reading and not self.wide()):
            self._fill()

    def on_announcements_failed(self, exc: BaseException) -> None:
        if self.items is None and self.isVisible():
            title, text = self.hall_failure(exc)
            self.message.show_message(title, text)
            self.views.setCurrentIndex(MESSAGE)

    def _dates(self, a: dict[str, Any]) -> str:
        start, end = a.get("valid_from") or a.get("published"), a.get("valid_until")
        if start and end:
            return self.tr("{start} 至 {end}").format(start=start, end=end)
        if start:
            return self.tr("{start} 起").format(start=start)
        return self.tr("长期有效") if not end else self.tr("至 {end}").format(end=end)

    def _preview(self, a: dict[str, Any]) -> str:
        joint = " " if self.context.language == "en" else ""  # Chinese runs on across a line's end
        body = joint.join(pick_field(a, "body", self.context.language).split())
        return body if len(body) <= PREVIEW_CHARS else body[:PREVIEW_CHARS].rstrip() + "…"

    def _fill(self) -> None:
        layout = self.list_layout
        clear_layout(layout)
        items = self.items or []
        if self.selected is not None:  # the same one stays open when the list comes again
            self.selected = next((a for a in items if a.get("id") == self.selected.get("id")), None)
        for a in items:
            b = ListItem(pick_field(a, "title", self.context.language), self._dates(a), self.context.theme,
                         preview=self._preview(a))
            b.setObjectName("announcement")
            b.setProperty("announcement", a.get("id"))
            b.clicked.connect(lambda _=False, item=a: self.open_item(item))
            layout.addWidget(b)
        if not items:
            layout.addWidget(label(self.tr("今天没有新的通知公告"), "subtitle", align=Qt.AlignmentFlag.AlignCenter))
        layout.addStretch(1)
        self.views.setCurrentIndex(LIST)
        if self.selected is None and items and self.wide():
            self.open_item(items[0])
        elif self.selected is not None:
            self.open_item(self.selected)
        else:
            self.reading = False
            self._arrange()

    def open_item(self, a: dict[str, Any]) -> None:
        self.selected = a
        self.detail_title.setText(pick_field(a, "title", self.context.language))
        self.detail_date.setText(self._dates(a))
        body = escape(pick_field(a, "body", self.context.language)).replace("\n", "<br>")
        self.detail_body.setText(f"<div style='line-height: 150%'>{body}</div>")  # 适老化: airy lines
        for row in self.list_box.findChildren(ListItem):
            row.set_marked(row.property("announcement") == a.get("id"))
        self.reading = True
        self.views.setCurrentIndex(LIST)
        self._arrange()
        self.detail_area.verticalScrollBar().setValue(0)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.list_layout.setSpacing(theme.px(0.45))
        self.list_layout.setContentsMargins(0, 0, theme.px(0.5), 0)
        pad = theme.px(1.2)
        self.detail_box.layout().setContentsMargins(pad, pad, pad, pad)
        self.detail_box.layout().setSpacing(theme.px(0.6))
        self.detail_body.setStyleSheet(f"font-size: {theme.px(1.15)}px;")
        for row in self.findChildren(ListItem):
            row.apply_theme(theme)

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.models.terminal.samples import sample_announcements

        def listing() -> None:
            self.items = sample_announcements()
            self.selected, self.reading = None, False
            self._fill()

        def detail() -> None:
            listing()
            self.open_item(self.items[1] if self.wide() else self.items[0])

        return [("list", listing), ("detail", detail)]
