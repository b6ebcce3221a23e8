"""通知公告: the hall's announcements valid today, a list and each one in full.

The list is asked for each time the page opens; the last good copy stays on screen while the
hall is away.
"""
from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from kiosk.context import Context
from kiosk.i18n import pick_field
from kiosk.roles.terminal.page import FlowPage, MessagePanel, clear_layout
from kiosk.roles.terminal.widgets import ListItem
from kiosk.theme import Theme
from kiosk.widgets.common import card, label, scrolling

LIST, DETAIL, MESSAGE = range(3)


class AnnouncementsPage(FlowPage):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.items: list[dict[str, Any]] | None = None
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        self.list_box = QWidget()
        self.list_layout = QVBoxLayout(self.list_box)
        self.views.addWidget(scrolling(self.list_box))
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
        self.views.addWidget(scrolling(self.detail_box))
        self.message = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.message)

    def enter(self) -> None:
        if self.items is None:
            self.message.show_message(self.tr("正在加载通知公告…"), "", icon_name="megaphone", tone="info")
            self.views.setCurrentIndex(MESSAGE)
        else:
            self._fill()
        self.context.link.call("announcements", done=self.on_announcements_answered,
                               failed=self.on_announcements_failed)

    def leave(self) -> None:
        self.views.setCurrentIndex(LIST)

    def back(self) -> bool:
        if self.views.currentIndex() == DETAIL:
            self.views.setCurrentIndex(LIST)
            return True
        return False

    def on_announcements_answered(self, answer: dict[str, Any]) -> None:
        self.items = [a for a in answer.get("announcements", []) if isinstance(a, dict)]
        if self.isVisible() and self.views.currentIndex() != DETAIL:
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

    def _fill(self) -> None:
        layout = self.list_layout
        clear_layout(layout)
        for a in self.items or []:
            b = ListItem(pick_field(a, "title", self.context.language), self._dates(a), self.context.theme)
            b.setObjectName("announcement")
            b.clicked.connect(lambda _=False, item=a: self.open_item(item))
            layout.addWidget(b)
        if not self.items:
            layout.addWidget(label(self.tr("今天没有新的通知公告"), "subtitle", align=Qt.AlignmentFlag.AlignCenter))
        layout.addStretch(1)
        self.views.setCurrentIndex(LIST)

    def open_item(self, a: dict[str, Any]) -> None:
        self.detail_title.setText(pick_field(a, "title", self.context.language))
        self.detail_date.setText(self._dates(a))
        body = escape(pick_field(a, "body", self.context.language)).replace("\n", "<br>")
        self.detail_body.setText(f"<div style='line-height: 150%'>{body}</div>")  # 适老化: airy lines
        self.views.setCurrentIndex(DETAIL)

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
            self._fill()

        def detail() -> None:
            listing()
            self.open_item(self.items[0])

        return [("list", listing), ("detail", detail)]
