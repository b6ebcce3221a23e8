"""办事指南: the hall's service guides, browsed by department or by kind, or searched.

Search takes what the on-screen letter keyboard types: full pinyin or initials (`gtgsh` and
`gongshanghu` find 个体工商户设立登记), English names, and Hanzi picked from the candidate bar
over the keys (then more pinyin); keys that would find nothing are dimmed, and a hint that says
all this stays in view. A guide
opens in full (guide_detail.py), where its notice can be printed. The guides come from the
terminal's last good copy (guide_store.py; its file is `kiosk.models.terminal.guide_cache`), so
they stay browsable while the hall is away.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hall.catalog_terms import kind_word
from hall.localized import localized
from kiosk.context import Context
from kiosk.models.clock import hall_now
from kiosk.models.terminal.guide_cache import default_cache_path
from kiosk.roles.terminal.guide_detail import GuideDetail
from kiosk.roles.terminal.guide_store import GuideStore
from kiosk.roles.terminal.page import FlowPage, MessagePanel, TitledList, clear_layout
from kiosk.roles.terminal.widgets import ListItem
from kiosk.theme import Theme
from kiosk.widgets.candidates import CandidateBar
from kiosk.widgets.common import button, label, scrolling
from kiosk.widgets.keyboard import OnScreenKeyboard

GROUPS, LIST, SEARCH, DETAIL, MESSAGE = range(5)
MODES = ("department", "kind", "search")
RESULTS = 30


class GuidesPage(FlowPage):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        options = context.settings.device_settings.get(context.settings.role, {})
        self.store = GuideStore(context, default_cache_path(options.get("data_dir")), self)
        self.store.changed.connect(self.on_store_changed)
        self.store.refresh_failed.connect(self.on_store_refresh_failed)
        self.store.start()
        self.mode = "department"
        self.group = ""
        self._came_from = GROUPS
        # modes
        # the three ways in sit in the page bar, where the title would be: a row saved for the list
        self.heading.hide()
        self.mode_group = QButtonGroup(self)
        self.mode_buttons = {}
        self.modes = QWidget(self)
        row = QHBoxLayout(self.modes)
        row.setContentsMargins(0, 0, 0, 0)
        for mode in MODES:
            b = button("", "choice", parent=self.modes)
            b.setObjectName(f"mode-{mode}")
            b.setCheckable(True)
            self.mode_group.addButton(b)
            b.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            self.mode_buttons[mode] = b
            row.addWidget(b)
        row.addStretch(1)
        self._modes_in_bar = True
        self.bar.insertWidget(2, self.modes, 1)
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        self.freshness = label("", "muted", parent=self)
        self.freshness.setObjectName("guidesFreshness")
        self.content.addWidget(self.freshness)
        # groups, and a group's guides
        self.groups_box = QWidget()
        self.groups_layout = QVBoxLayout(self.groups_box)
        self.views.addWidget(scrolling(self.groups_box))
        listing = TitledList()
        self.group_title, self.list_box, self.list_layout = listing.title, listing.box, listing.rows
        self.views.addWidget(listing)
        # search
        search = QWidget()
        self.search_grid = QGridLayout(search)
        self.search_grid.setContentsMargins(0, 0, 0, 0)
        self.query = QLineEdit(search)
        self.query.setObjectName("guideQuery")
        self.query.setReadOnly(True)  # typed on the keyboard below: no system input method
        self.results_box = QWidget()
        self.results_layout = QVBoxLayout(self.results_box)
        self.results_scroll = scrolling(self.results_box)
        self.keys_box = QWidget(search)
        keys = QVBoxLayout(self.keys_box)
        keys.setContentsMargins(0, 0, 0, 0)
        self.search_hint = label("", "subtitle", parent=self.keys_box)
        self.search_hint.setObjectName("searchHint")
        self.candidates = CandidateBar(context.theme, self.keys_box)
        self.candidates.picked.connect(self.on_candidates_picked)
        self.keyboard = OnScreenKeyboard(context.theme, "letters", max_length=20, parent=self.keys_box)
        self.keyboard.attach(self.query)
        for w in (self.search_hint, self.candidates, self.keyboard):
            keys.addWidget(w)
        # ten keys a row share the width: the style's minimum button width would push a
        # portrait screen in elder mode sideways (the keys stay wider than 60 dp)
        self.keyboard.text_edited.connect(self.on_keyboard_text_edited)
        self.clear_button = button("", parent=search)
        self.clear_button.clicked.connect(self.keyboard.clear)
        self._portrait: bool | None = None
        self.views.addWidget(search)
        # one guide
        self.detail = GuideDetail(context, self.views)
        self.views.addWidget(self.detail)
        self.message = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.message)
        self._arrange_search()

    # -- the flow

    def enter(self) -> None:
        self.set_mode("department")
        self.store.refresh()

    def leave(self) -> None:
        self.detail.leave()
        self.keyboard.clear()
        self.group = ""
        self.views.setCurrentIndex(GROUPS)

    def back(self) -> bool:
        current = self.views.currentIndex()
        if current == DETAIL:
            self.detail.leave()
            self._show(self._came_from)
            return True
        if current == LIST:
            self._show(GROUPS)
            return True
        return False

    def on_hall_loaded(self, _hall: dict) -> None:
        self.store.refresh()

    # -- showing

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.mode_buttons[mode].setChecked(True)
        if mode == "search":
            self._search(self.keyboard.text)
            self._show(SEARCH)
        else:
            self._fill_groups()
            self._show(GROUPS)

    def _show(self, view: int) -> None:
        if not self.store.ready and view != DETAIL:
            self._say_not_ready()
            view = MESSAGE
        self.views.setCurrentIndex(view)
        in_detail = view == DETAIL
        self.modes.setVisible(not in_detail)
        self.heading.setVisible(in_detail or not self._modes_in_bar)
        self.freshness.setVisible(view in (GROUPS, LIST) and bool(self.freshness.text()))

    def _say_not_ready(self) -> None:
        if self.context.link.online is False:
            self.message.show_message(self.tr("暂时无法获取办事指南"),
                                      self.tr("暂时连不上大厅服务器，请稍后再试，或到咨询服务台询问。"))
        else:
            self.message.show_message(self.tr("正在加载办事指南…"), "", icon_name="book", tone="info")

    @staticmethod
    def _clear(layout: QVBoxLayout) -> None:
        clear_layout(layout)

    def _groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        index = self.store.index
        if index is None:
            return []
        if self.mode == "kind":
            return [(k, index.by_kind(k)) for k in index.kinds()]
        return [(d, index.by_department(d)) for d in index.departments()]

    def _fill_groups(self) -> None:
        self._clear(self.groups_layout)
        for name, guides in self._groups():
            b = ListItem(self._group_name(name, guides) or self.tr("其他"), self.tr("%n 项事项", None, len(guides)), self.context.theme)
            b.setObjectName("group")
            b.clicked.connect(lambda _=False, n=name: self.open_group(n))
            self.groups_layout.addWidget(b)
        self.groups_layout.addStretch(1)
        self._freshness()

    def open_group(self, name: str) -> None:
        self.group = name
        guides = dict(self._groups()).get(name, [])
        self.group_title.setText(self._group_name(name, guides))
        self._fill_list(self.list_layout, guides)
        self._show(LIST)

    def _group_name(self, name: str, guides: list[dict[str, Any]]) -> str:
        """A group's name in the language shown: a department's English from its matters, a kind's
        from the catalogue's fixed terms."""
        if self.mode == "kind":
            return kind_word(name, self.context.language)
        if guides:
            return str(localized(guides[0], self.context.language).get("department") or name)
        return name

    def _guide_line(self, g: dict[str, Any]) -> str:
        g = localized(g, self.context.language)
        days = g.get("promised_days")
        limit = "" if days is None else self.tr("即办") if days == 0 else self.tr("%n 个工作日", None, days)
        return " · ".join(x for x in (str(g.get("department") or ""), limit) if x)

    def _fill_list(self, layout: QVBoxLayout, guides: list[dict[str, Any]]) -> None:
        self._clear(layout)
        for g in guides:
            b = ListItem(str(localized(g, self.context.language).get("name", "")), self._guide_line(g),
                         self.context.theme)
            b.setObjectName("guide")
            b.clicked.connect(lambda _=False, guide=g: self.open_guide(guide))
            layout.addWidget(b)
        layout.addStretch(1)

    def open_guide(self, guide: dict[str, Any]) -> None:
        self._came_from = self.views.currentIndex() if self.views.currentIndex() in (LIST, SEARCH) else GROUPS
        self.detail.show_guide_of(guide)
        self._show(DETAIL)

    def _search(self, text: str) -> list[dict[str, Any]]:
        index = self.store.index
        found = index.search(text, RESULTS) if index is not None and text else []
        self._fill_list(self.results_layout, found)
        if text and not found:
            self.results_layout.insertWidget(0, label(self.tr("没有找到，请换个说法或按部门查找"), "muted"))
        if index is not None and hasattr(index, "initials_keys"):
            self.keyboard.set_live_keys({k.upper() for k in index.initials_keys(text) if k.isalpha()})
        # Hanzi candidates serve Chinese typing; an English screen finds by English names and pinyin
        chinese = self.context.language != "en"
        shown = index.candidates(text, self.candidates.fit(self.width())) if index is not None and text and chinese else []
        self.candidates.show_candidates(text, shown)
        return found

    @Slot(str)
    def on_candidates_picked(self, text: str) -> None:
        self.keyboard.set_text(text)

    @Slot(str)
    def on_keyboard_text_edited(self, text: str) -> None:
        if self.mode == "search":
            self._search(text)

    @Slot()
    def on_store_changed(self) -> None:
        current = self.views.currentIndex()
        if current == DETAIL:
            self._freshness()
            return
        if self.mode == "search":
            self._search(self.keyboard.text)
            self._show(SEARCH)
        elif current == LIST and self.group:
            self._fill_groups()
            self.open_group(self.group)
        else:
            self._fill_groups()
            self._show(GROUPS)

    @Slot(object)
    def on_store_refresh_failed(self, _exc: object) -> None:
        self._freshness()
        if not self.store.ready and self.views.currentIndex() == MESSAGE:
            self._say_not_ready()

    def _freshness(self) -> None:
        offline = not self.store.live or self.context.link.online is False
        if self.store.saved_at is None or not offline:
            self.freshness.setText("")
        else:
            when = hall_now(self.context.hall, self.store.saved_at).strftime("%m-%d %H:%M")
            self.freshness.setText(self.tr("暂时连不上大厅服务器，显示的是 {when} 保存的办事指南").format(when=when))
        self.freshness.setVisible(bool(self.freshness.text()) and self.views.currentIndex() in (GROUPS, LIST))

    # -- look and language

    def _arrange_search(self) -> None:
        # side by side only where the keyboard leaves the results a fair share of the width
        window = self.window()
        keys_width = 10 * self.context.theme.min_target + 9 * self.context.theme.px(0.35)
        portrait = window.height() > window.width() or keys_width > 0.6 * window.width()
        if portrait == self._portrait:
            return
        self._portrait = portrait
        grid = self.search_grid
        for w in (self.query, self.clear_button, self.results_scroll, self.keys_box):
            grid.removeWidget(w)
        for i in range(3):
            grid.setRowStretch(i, 0)
            grid.setColumnStretch(i, 0)
        if portrait:
            grid.addWidget(self.query, 0, 0)
            grid.addWidget(self.clear_button, 0, 1)
            grid.addWidget(self.results_scroll, 1, 0, 1, 2)
            grid.addWidget(self.keys_box, 2, 0, 1, 2)
            grid.setRowStretch(1, 1)
            grid.setColumnStretch(0, 1)
        else:
            grid.addWidget(self.results_scroll, 0, 0, 3, 1)
            grid.addWidget(self.query, 0, 1)
            grid.addWidget(self.clear_button, 0, 2)
            grid.addWidget(self.keys_box, 1, 1, 1, 2)
            grid.setColumnStretch(0, 5)
            grid.setColumnStretch(1, 6)
            grid.setRowStretch(1, 1)
            grid.setRowStretch(2, 1)

    def _place_modes(self) -> None:
        """The ways in sit in the page bar when they fit there, else in a row beneath it."""
        gap = self.bar.spacing() * 4
        needed = sum(w.sizeHint().width() for w in (self.back_button, self.home_button, self.modes)) + gap
        in_bar = needed <= self.width()
        if in_bar == self._modes_in_bar:
            return
        self._modes_in_bar = in_bar
        (self.content if in_bar else self.bar).removeWidget(self.modes)
        if in_bar:
            self.bar.insertWidget(2, self.modes, 1)
        else:
            self.content.insertWidget(0, self.modes)
        self._show(self.views.currentIndex())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._arrange_search()
        self._place_modes()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.mode_buttons["department"].setText(self.tr("按部门"))
        self.mode_buttons["kind"].setText(self.tr("按事项类型"))
        self.mode_buttons["search"].setText(self.tr("搜索"))
        self.query.setPlaceholderText(self.tr("拼音或英文"))
        self.search_hint.setText(self.tr("全拼、首字母都可以：“不动产”输入 budongchan 或 BDC；也可点选键盘上方的字"))
        self.clear_button.setText(self.tr("清空"))
        self.detail.retranslate_ui()
        if self.store.ready:
            self._freshness()
            if self.views.currentIndex() == GROUPS:
                self._fill_groups()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.keyboard.apply_theme(theme)
        self.candidates.apply_theme(theme)
        self.keyboard.setMaximumHeight(round(theme.min_target * 1.35 * 3 + theme.px(0.35) * 2))
        self.detail.apply_theme(theme)
        gap = theme.px(0.45)
        for layout in (self.groups_layout, self.list_layout, self.results_layout):
            layout.setSpacing(gap)
            layout.setContentsMargins(0, 0, theme.px(0.5), 0)
        self.search_grid.setSpacing(theme.px(0.35))
        for row in self.findChildren(ListItem):
            row.apply_theme(theme)
        for b in self.mode_buttons.values():  # as tall as the bar's other buttons
            b.setStyleSheet("padding-top: 0px; padding-bottom: 0px;")
        self._portrait = None
        self._arrange_search()
        self._place_modes()

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.models.terminal.samples import sample_guide, sample_guides, sample_hall

        def prepare() -> None:
            if not self.store.ready or len(self.store.guides) < 2:
                self.store.set_sample(sample_guides())
            self.context.hall = {**sample_hall(), **self.context.hall}

        def guides_list() -> None:
            prepare()
            self.set_mode("department")
            self.open_group(self.store.index.departments()[0])

        def search() -> None:
            prepare()
            self.set_mode("search")
            self.keyboard.clear()
            self.keyboard.type_text("BDC")

        def candidates() -> None:
            prepare()
            self.set_mode("search")
            self.keyboard.clear()
            self.keyboard.type_text("HU")
        def detail() -> None:
            prepare()
            self.open_guide(sample_guide())

        def printing() -> None:
            detail()
            self.detail.show_status(self.tr("正在打印告知单…"), self.tr("打印需要几秒钟，请在打印机出纸口等候。"),
                                     "printer", "info")

        def printed() -> None:
            detail()
            self.detail.show_status(self.tr("告知单已打印"), self.tr("请在打印机出纸口取走您的一次性告知单。"),
                                     "check", "ok")

        def online() -> None:
            detail()
            self.detail.show_online_guide(self.tr("本机打印不了告知单"),
                                           self.tr("打印机暂时不能使用。请用手机扫描下方二维码，打开同一份告知单，材料清单都在里面。"))

        def groups() -> None:
            prepare()
            self.set_mode("department")

        return [("groups", groups), ("list", guides_list), ("search", search),
                ("search-candidates", candidates), ("detail", detail),
                ("printing", printing), ("printed", printed), ("qr-instead", online)]
