"""The dispenser's first screen: the queue tiles, the ID card strip, the way to search.

The strip prompts to swipe a card for elderly priority (only when the hall gives it and a
reader is there), or says what was read, masked. The search screen shows it too.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import pick
from kiosk.models.dispenser import QueueLoad
from kiosk.theme import Theme
from kiosk.widgets.common import (
    button,
    grow_to_fit,
    label,
    min_size,
    place_in_grid,
    scrolling,
    set_button_icon,
)
from kiosk.widgets.icons import pixmap


class QueueTile(QPushButton):
    """A queue: its letter, its name, and how many wait for how long."""

    def __init__(self, queue: dict[str, Any], theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.setObjectName(f"queue-{queue.get('id')}")
        self.setProperty("kind", "tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        row = QHBoxLayout(self)
        self.badge = QLabel(str(queue.get("prefix", "")), self)
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.name = label("", "", parent=self)
        self.load = label("", "muted", parent=self)
        text.addStretch(1)
        text.addWidget(self.name)
        text.addWidget(self.load)
        text.addStretch(1)
        row.addWidget(self.badge)
        row.addLayout(text, 1)
        for child in (self.badge, self.name, self.load):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        size = theme.px(3.0)
        self.badge.setFixedSize(size, size)
        p = theme.palette
        self.badge.setStyleSheet(f"background: {p.primary}; color: {p.on_primary}; border-radius: {size // 2}px;"
                                 f" font-size: {theme.px(1.6)}px; font-weight: bold;")
        self.name.setStyleSheet(f"font-size: {theme.px(1.45)}px; font-weight: bold;")
        self.load.setStyleSheet(f"font-size: {theme.px(1.0)}px; color: {p.muted};")
        self.floor, self.cap = round(theme.min_target * 1.35), round(theme.min_target * 2.6)
        self.setProperty("fitHeight", None)
        self._fit()

    def _fit(self) -> None:
        """As tall as its text needs; no taller than `cap` unless the text needs it."""
        grow_to_fit(self, self.floor)
        self.setMaximumHeight(max(self.cap, self.property("fitHeight") or 0))

    def show_text(self, name: str, load: str) -> None:
        self.name.setText(name)
        self.load.setText(load)
        self.load.setVisible(bool(load))
        self.setAccessibleName(f"{name} {load}")
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()


class IdentityStrip(QFrame):
    """Prompt to swipe an ID card, or what was read; tapping the prompt opens the help page."""

    tapped = Signal()
    clear_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identityStrip")
        self.setProperty("kind", "card")
        self.state = "hidden"
        self._values: dict[str, Any] = {}
        row = QHBoxLayout(self)
        self.picture = QLabel(self)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        self.title = label("", "", parent=self)
        self.detail = label("", "muted", parent=self)
        texts.addWidget(self.title)
        texts.addWidget(self.detail)
        self.action = button("", parent=self)
        self.action.setObjectName("identityAction")
        self.action.clicked.connect(self.on_action_clicked)
        row.addWidget(self.picture)
        row.addLayout(texts, 1)
        row.addWidget(self.action)
        self.theme = theme
        self.apply_theme(theme)
        self.hide()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.title.setStyleSheet(f"font-size: {theme.px(1.2)}px; font-weight: bold;")
        m = theme.px(0.6)
        self.layout().setContentsMargins(m, theme.px(0.3), m, theme.px(0.3))
        self.show_state(self.state, **self._values)

    def show_state(self, state: str, **values: Any) -> None:
        """hidden | prompt (age) | read (name, age, elderly) | problem"""
        self.state, self._values = state, values
        p = self.theme.palette
        names = {"prompt": ("idcard", p.primary), "read": ("check", p.ok), "problem": ("alert", p.warn)}
        if state not in names:
            self.hide()
            return
        self.picture.setPixmap(pixmap(names[state][0], names[state][1], self.theme.px(2.2)))
        age = values.get("age")
        if state == "prompt":
            self.title.setText(self.tr("如需老年人优先，请刷身份证"))
            self.detail.setText(self.tr("年满 {age} 周岁的老年人刷卡后优先叫号").format(age=age) if age
                                else self.tr("刷卡后可查看预约和办理进度"))
            self.action.setText(self.tr("刷卡位置"))
        elif state == "read":
            self.title.setText(self.tr("已读取身份证：{name}").format(name=values.get("name", "")))
            if values.get("elderly"):
                self.detail.setText(self.tr("年满 {age} 周岁，本次取号优先叫号").format(age=age))
            else:
                self.detail.setText(self.tr("本次按正常顺序叫号；身份证信息只用于本次取号"))
            self.action.setText(self.tr("清除"))
        else:
            self.title.setText(self.tr("未能读取身份证"))
            self.detail.setText(self.tr("请拿起身份证，再重新放到阅读区"))
            self.action.setText(self.tr("刷卡位置"))
        self.show()

    @Slot()
    def on_action_clicked(self) -> None:
        if self.state == "read":
            self.clear_clicked.emit()
        else:
            self.tapped.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if self.state in ("prompt", "problem"):
            self.tapped.emit()
        super().mousePressEvent(event)


class HomePage(QWidget):
    """The first screen: a tile for each queue, the ID card strip, and the way to search."""

    queue_chosen = Signal(str)
    search_clicked = Signal()
    back_clicked = Signal()

    def __init__(self, theme: Theme, embedded: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserHome")
        self.theme, self.embedded = theme, embedded
        self.language = "zh"
        self.queues: list[dict[str, Any]] = []
        self.loads: dict[str, QueueLoad] = {}
        self.tiles: dict[str, QueueTile] = {}
        self.connecting = True
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back = button("", parent=self)
        self.back.setObjectName("homeBack")
        self.back.clicked.connect(self.back_clicked)
        self.back.setVisible(embedded)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title = label("", "title", parent=self)
        self.subtitle = label("", "subtitle", parent=self)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        top.addWidget(self.back, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(titles, 1)
        box.addLayout(top)
        self.strip = IdentityStrip(theme, self)
        box.addWidget(self.strip)
        self.grid_host = QWidget(self)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.area = scrolling(self.grid_host, self)
        box.addWidget(self.area, 1)
        self.empty = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        box.addWidget(self.empty, 1)
        self.search = button("", parent=self)
        self.search.setObjectName("searchButton")
        self.search.clicked.connect(self.search_clicked)
        # 残疾人优先: no card says it, so the citizen asks; the ticket is marked for the window to verify
        self.disabled = button("", "choice", parent=self)
        self.disabled.setObjectName("disabledPriority")
        self.disabled.setCheckable(True)
        self.disabled.toggled.connect(self._texts_of_disabled)
        self.ways = ways = QBoxLayout(QBoxLayout.Direction.LeftToRight)  # one over the other in elder mode
        ways.addWidget(self.search, 3)
        ways.addWidget(self.disabled, 2)
        box.addLayout(ways)
        self._columns = 0
        self.area.hide()  # until the hall's queues are known
        self.search.hide()
        self.disabled.hide()
        self.apply_theme(theme)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.layout().setSpacing(theme.px(0.6))
        self.grid.setSpacing(theme.px(0.6))
        self.subtitle.setVisible(not theme.elder)  # elder type leaves room for the tiles only
        set_button_icon(self.back, "back", theme.palette.primary, theme.px(1.4))
        set_button_icon(self.search, "search", theme.palette.primary, theme.px(1.4))
        min_size(self.search, height=round(theme.min_target * 1.2))
        min_size(self.disabled, height=round(theme.min_target * 1.2))
        self.ways.setDirection(QBoxLayout.Direction.TopToBottom if theme.elder else QBoxLayout.Direction.LeftToRight)
        self._texts_of_disabled(self.disabled.isChecked())
        self.strip.apply_theme(theme)
        for tile in self.tiles.values():
            tile.apply_theme(theme)
        self._columns = 0
        self._layout_tiles()

    def retranslate(self) -> None:
        self.title.setText(self.tr("请选择要办理的业务"))
        self.subtitle.setText(self.tr("点击业务即可取号"))
        self.back.setText(self.tr("返回"))
        self.search.setText(self.tr("不知道选哪个？按事项名称搜索"))
        self._texts_of_disabled(self.disabled.isChecked())
        self.empty.setText(self.tr("正在连接大厅服务器，请稍候…") if self.connecting
                           else self.tr("暂时无法取号，请到咨询台"))
        self.strip.show_state(self.strip.state, **self.strip._values)
        self._texts()

    def set_queues(self, queues: list[dict[str, Any]], language: str) -> None:
        self.language = language
        if [q.get("id") for q in queues] != [q.get("id") for q in self.queues]:
            for tile in self.tiles.values():
                self.grid.removeWidget(tile)
                tile.hide()  # gone from the screen now, not at the next turn of the event loop
                tile.deleteLater()
            self.tiles = {}
            for q in queues:
                tile = QueueTile(q, self.theme, self.grid_host)
                tile.clicked.connect(lambda _=False, queue=q.get("id"): self.queue_chosen.emit(queue))
                self.tiles[q.get("id")] = tile
            self._columns = 0
        self.queues = list(queues)
        self.connecting = False
        self.empty.setVisible(not queues)
        self.area.setVisible(bool(queues))
        self.search.setVisible(bool(queues))
        self.disabled.setVisible(bool(queues))
        self._layout_tiles()
        self.retranslate()

    def _texts_of_disabled(self, asked: bool) -> None:
        """What the 残疾人优先 button says: what a tap asks for, or that it was asked and what then."""
        self.disabled.setText(self.tr("已选残疾人优先（窗口核验残疾人证）") if asked else self.tr("残疾人优先取号"))
        set_button_icon(self.disabled, "check" if asked else "checkbox",
                        self.theme.palette.on_primary if asked else self.theme.palette.primary, self.theme.px(1.4))
        self.disabled.setAccessibleName(self.disabled.text())

    def set_reachable(self, reachable: bool) -> None:
        """Before the hall's queues are known: connecting, or (the hall away) ask at the desk."""
        self.connecting = reachable
        self.retranslate()

    def set_loads(self, loads: dict[str, QueueLoad]) -> None:
        self.loads = dict(loads)
        self._texts()

    def _load_text(self, load: QueueLoad | None) -> str:
        if load is None:
            return ""
        if load.waiting <= 0:
            return self.tr("当前无人等候")
        if load.minutes is None:
            return self.tr("等候 {n} 人").format(n=load.waiting)
        return self.tr("等候 {n} 人 · 约 {minutes} 分钟").format(n=load.waiting, minutes=load.minutes)

    def _texts(self) -> None:
        for q in self.queues:
            tile = self.tiles.get(q.get("id"))
            if tile is not None:
                name = pick(q.get("name", ""), q.get("name_en", ""), self.language)
                tile.show_text(name, self._load_text(self.loads.get(q.get("id"))))

    def _layout_tiles(self) -> None:
        width = max(1, self.area.viewport().width() or self.width())
        columns = max(1, min(4, width // self.theme.px(11 if self.theme.elder else 13)))
        if len(self.tiles) <= 4:
            columns = min(columns, 2)
        if columns == self._columns:
            return
        self._columns = columns
        place_in_grid(self.grid, self.tiles.values(), columns)
        rows = -(-len(self.tiles) // columns)
        for r in range(max(self.grid.rowCount(), rows + 1)):
            self.grid.setRowStretch(r, 2 if r < rows else 1)  # tiles grow to their maximum, then room below
        for c in range(4):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._layout_tiles()
