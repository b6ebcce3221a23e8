"""The dispenser's matter search: pinyin on the on-screen keys, results that take a ticket.

个体工商户设立登记 is found by GTGSH or gongshanghu, 不动产登记 by BDC or budongchan, and by its
English name; Hanzi the pinyin spells are offered over the keys to pick (kiosk.widgets.candidates);
keys that would lead nowhere are dimmed.
Each result names the queue its ticket is taken in; a tap takes it.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import pick_field
from kiosk.roles.dispenser.pages import IdentityStrip
from kiosk.theme import Theme
from kiosk.widgets.candidates import CandidateBar
from kiosk.widgets.common import (
    button,
    card,
    grow_to_fit,
    label,
    min_size,
    scrolling,
    set_button_icon,
)
from kiosk.widgets.keyboard import OnScreenKeyboard

RESULT_LIMIT = 30


class ResultButton(QPushButton):
    """A matter found by the search, and the queue it is taken in."""

    def __init__(self, entry: dict[str, Any], theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setProperty("kind", "choice")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        box = QVBoxLayout(self)
        box.setSpacing(0)
        self.title = label("", "", parent=self)
        self.detail = label("", "muted", parent=self)
        for child in (self.title, self.detail):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(child)
        self.title.setStyleSheet(f"font-size: {theme.px(1.25)}px; font-weight: bold;")
        self.floor = round(theme.min_target * 1.1)
        min_size(self, height=self.floor)

    def show_text(self, title: str, detail: str) -> None:
        self.title.setText(title)
        self.detail.setText(detail)
        self.setAccessibleName(title)
        grow_to_fit(self, self.floor)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        grow_to_fit(self, self.floor)


class SearchPage(QWidget):
    """Pinyin search over the hall's matters (个体工商户设立登记: GTGSH) and queues."""

    entry_chosen = Signal(dict)
    back_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserSearch")
        self.theme = theme
        self.index: Any | None = None
        self.language = "zh"
        self.queue_names: dict[str, str] = {}
        self.results: list[ResultButton] = []
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back = button("", parent=self)
        self.back.setObjectName("searchBack")
        self.back.clicked.connect(self.back_clicked)
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setReadOnly(True)  # typed on the keys below, never by a system keyboard
        self.field.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        top.addWidget(self.back)
        top.addWidget(self.field, 1)
        box.addLayout(top)
        self.strip = IdentityStrip(theme, self)
        box.addWidget(self.strip)
        self.hint = label("", "muted", parent=self)
        box.addWidget(self.hint)
        self.list_host = QWidget(self)
        self.list = QVBoxLayout(self.list_host)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.addStretch(1)
        self.area = scrolling(self.list_host, self)
        box.addWidget(self.area, 1)
        self.keyboard = OnScreenKeyboard(theme, "letters", max_length=16, parent=self)
        self.keyboard.attach(self.field)
        # the keys keep their touch size; spare height goes to the results, not to taller keys
        self.keyboard.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.keyboard.text_edited.connect(self.on_keyboard_text_edited)
        self.candidates = CandidateBar(theme, self)
        self.candidates.picked.connect(self.keyboard.set_text)
        keys = card(self)
        keys_box = QVBoxLayout(keys)
        keys_box.addWidget(self.candidates)
        keys_box.addWidget(self.keyboard)
        self.keys_card = keys
        box.addWidget(keys)
        self.apply_theme(theme)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.layout().setSpacing(theme.px(0.5))
        self.list.setSpacing(theme.px(0.4))
        set_button_icon(self.back, "back", theme.palette.primary, theme.px(1.4))
        self.keyboard.apply_theme(theme)
        self.candidates.apply_theme(theme)
        # the style sheet's minimum for every button would make ten keys wider than a
        # portrait screen in elder mode; the keys stretch to fill the row anyway
        self.keyboard.setStyleSheet(f'QPushButton[kind="key"] {{ min-width: {round(theme.min_target * 0.6)}px; }}')
        m = theme.px(0.5)
        self.keys_card.layout().setContentsMargins(m, m, m, m)
        self.strip.apply_theme(theme)
        self.show_results()

    def retranslate(self) -> None:
        self.back.setText(self.tr("返回"))
        self.field.setPlaceholderText(self.tr("输入拼音或英文"))
        self.strip.show_state(self.strip.state, **self.strip._values)
        self.show_results()

    def set_index(self, index: Any | None, queue_names: dict[str, str], language: str) -> None:
        self.index, self.queue_names, self.language = index, queue_names, language
        self.show_results()

    def clear(self) -> None:
        self.keyboard.clear()

    @Slot(str)
    def on_keyboard_text_edited(self, _text: str) -> None:
        self.show_results()

    def show_results(self) -> None:
        query = self.keyboard.text
        for result in self.results:
            self.list.removeWidget(result)
            result.hide()  # gone from the screen now, not at the next turn of the event loop
            result.deleteLater()
        self.results = []
        if self.index is None:
            self.hint.setText(self.tr("正在准备事项目录，请稍候…"))
            self.keyboard.set_live_keys(None)
            return
        found = self.index.search(query, limit=RESULT_LIMIT) if query else []
        self.keyboard.set_live_keys({k.upper() for k in self.index.initials_keys(query)})
        # Hanzi candidates serve Chinese typing; an English screen finds by English names and pinyin
        chinese = self.language != "en"
        self.candidates.show_candidates(query, self.index.candidates(query, self.candidates.fit(self.width()))
                                        if query and chinese else [])
        if not query:
            self.hint.setText(self.tr("输入事项名称的拼音，全拼、首字母都可以：「不动产」输入 budongchan 或 BDC"))
        elif not found:
            self.hint.setText(self.tr("没有找到相关事项，请换个说法，或到咨询台询问"))
        else:
            self.hint.setText(self.tr("找到 {n} 项，点击即可取号").format(n=len(found)))
        for entry in found:
            result = ResultButton(entry, self.theme, self.list_host)
            queue = self.queue_names.get(entry.get("queue"), entry.get("queue_name", ""))
            name = pick_field(entry, "name", self.language)
            if entry.get("is_queue"):
                detail = self.tr("业务类别，直接在此取号")
            else:
                detail = self.tr("在「{queue}」取号").format(queue=queue)
                department = pick_field(entry, "department", self.language)  # the hall's English
                if department:
                    detail = f"{department} · {detail}"
            result.show_text(name, detail)
            result.clicked.connect(lambda _=False, e=entry: self.entry_chosen.emit(e))
            self.list.insertWidget(self.list.count() - 1, result)
            self.results.append(result)
