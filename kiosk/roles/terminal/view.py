"""The self-service terminal (自助终端): home tiles, and one page per flow.

The flows are a registry, `FLOWS`: each entry names its tile's icon and words and the
`FlowPage` class that runs it (see page.py for what a page does). Adding a flow is one entry.
An entry may name the devices it `needs`: its tile shows only on a terminal that has all of
them configured, as the free copy service needs the document camera (高拍仪). A page with an
`open_flow(key)` signal may hand the citizen to another flow (a number for the window).

The home screen paints first: a flow's page (its module, and the widgets it builds) is made
after the first paint, one page per turn of the event loop, or at once when it is opened or a
code arrives for it; a terminal is touchable as soon as its tiles show (docs/benchmarks/kiosk.md).

Codes scanned and cards read go to the page on screen when it asks for them. On the home
screen a ticket's QR opens its progress, any other code the appointment check-in. What was
scanned or read lives in `context.session` and is wiped whenever the terminal goes home.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Slot
from PySide6.QtWidgets import QGridLayout, QStackedWidget, QVBoxLayout, QWidget

from drivers.status import DeviceStatus
from ground.privacy import is_valid_id_number
from kiosk.context import Context
from kiosk.first_paint import after_first_paint
from kiosk.models import opening
from kiosk.models.terminal.codes import is_ticket_code
from kiosk.roles.terminal.offhours import HoursBanner
from kiosk.roles.terminal.page import FlowPage, flow_text
from kiosk.shell import RoleView
from kiosk.theme import Theme
from kiosk.widgets.common import Tile, label, place_in_grid

log = logging.getLogger(__name__)

CODE_DEVICES = ("scanner", "camera")
PAGES_AFTER_MS = 100  # after the first paint, the pages are made one by one
CARD_DEVICES = ("idcard", "contactless")


@dataclass(frozen=True)
class Flow:
    key: str
    icon: str
    page: str  # "module:Class" of its FlowPage, imported when the page is first made
    title: str  # on its tile and over its page: Chinese source, translated in the "TerminalView" context
    hint: str = ""  # the tile's second line
    needs: tuple[str, ...] = ()  # device names that must all be configured for the tile to show

    def page_class(self) -> type[FlowPage]:
        module, _, name = self.page.partition(":")
        return getattr(importlib.import_module(module), name)


# each text literal in its own QT_TRANSLATE_NOOP, so that lupdate finds it
FLOWS: tuple[Flow, ...] = (
    Flow("ticket", "ticket", "kiosk.roles.terminal.ticket:TicketPage",
         QT_TRANSLATE_NOOP("TerminalView", "取号"), QT_TRANSLATE_NOOP("TerminalView", "现场排队取号")),
    Flow("checkin", "calendar", "kiosk.roles.terminal.checkin:CheckInPage",
         QT_TRANSLATE_NOOP("TerminalView", "预约签到"),
         QT_TRANSLATE_NOOP("TerminalView", "扫预约二维码或刷身份证")),
    Flow("guides", "book", "kiosk.roles.terminal.guides:GuidesPage",
         QT_TRANSLATE_NOOP("TerminalView", "办事指南"),
         QT_TRANSLATE_NOOP("TerminalView", "材料清单、办理时限，可打印告知单")),
    Flow("announcements", "megaphone", "kiosk.roles.terminal.announcements:AnnouncementsPage",
         QT_TRANSLATE_NOOP("TerminalView", "通知公告"), QT_TRANSLATE_NOOP("TerminalView", "办事时间、政策通知")),
    Flow("progress", "search", "kiosk.roles.terminal.progress:ProgressPage",
         QT_TRANSLATE_NOOP("TerminalView", "进度查询"),
         QT_TRANSLATE_NOOP("TerminalView", "扫排队票二维码或刷身份证")),
    Flow("rate", "star", "kiosk.roles.terminal.rate:RatePage",
         QT_TRANSLATE_NOOP("TerminalView", "服务评价"),
         QT_TRANSLATE_NOOP("TerminalView", "扫排队票二维码，评价办理过的服务")),
    Flow("copy", "printer", "kiosk.roles.terminal.copy:CopyPage",
         QT_TRANSLATE_NOOP("TerminalView", "复印 / 打印"),
         QT_TRANSLATE_NOOP("TerminalView", "免费复印身份证和材料"), needs=("document_camera",)),
    Flow("apply", "camera", "kiosk.roles.terminal.selfservice:SelfServicePage",
         QT_TRANSLATE_NOOP("TerminalView", "自助申报"),
         QT_TRANSLATE_NOOP("TerminalView", "刷身份证，拍摄材料，网上预审"), needs=("document_camera",)),
    Flow("supplement", "idcard", "kiosk.roles.terminal.supplement:SupplementPage",
         QT_TRANSLATE_NOOP("TerminalView", "补正材料"),
         QT_TRANSLATE_NOOP("TerminalView", "按补正通知书补交材料"), needs=("document_camera",)),
)


class TerminalView(RoleView):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.stack = QStackedWidget(self)
        QVBoxLayout(self).addWidget(self.stack)
        self.layout().setContentsMargins(0, 0, 0, 0)
        self.home = QWidget(self.stack)
        self.home.setObjectName("terminalHome")
        home_layout = QVBoxLayout(self.home)
        self.greeting = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self.home)
        self.home_hint = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self.home)
        self.hours_banner = HoursBanner(context, self.home)  # the 24-hour mode, out of hours
        self.grid = QGridLayout()
        home_layout.addWidget(self.greeting)
        home_layout.addWidget(self.home_hint)
        home_layout.addWidget(self.hours_banner)
        home_layout.addLayout(self.grid, 1)
        self.stack.addWidget(self.home)
        self.pages: dict[str, FlowPage] = {}  # the pages made so far (see page())
        self.tiles: dict[str, Tile] = {}
        configured = set(context.settings.devices)
        self.flows = {flow.key: flow for flow in FLOWS if all(need in configured for need in flow.needs)}
        for flow in self.flows.values():
            tile = Tile(flow.icon, context.theme, self.home)
            tile.setObjectName(f"tile-{flow.key}")
            tile.clicked.connect(lambda _=False, key=flow.key: self.open(key))
            self.tiles[flow.key] = tile
        self._wired: set[str] = set()
        self._columns = 0
        self._place_tiles()
        context.devices.status_changed.connect(self.on_devices_status_changed)
        QTimer.singleShot(0, self._wire_devices)  # the devices are opened after the view is built
        after_first_paint(self, self._make_next_page, PAGES_AFTER_MS)  # the pages, behind the home screen
        self.retranslate_ui()
        self.apply_theme(context.theme)

    # -- pages

    def page(self, key: str) -> FlowPage:
        """The flow's page, made now if it has not been yet."""
        page = self.pages.get(key)
        if page is not None:
            return page
        flow = self.flows[key]
        page = flow.page_class()(self.context, self.stack)
        page.setObjectName(f"page-{key}")
        page.flow_title = flow.title
        page.finished.connect(self.on_page_finished)
        opener = getattr(page, "open_flow", None)
        if opener is not None:
            opener.connect(self.on_page_open_flow)
        self.stack.addWidget(page)
        self.pages[key] = page
        page.retranslate_ui()
        page.apply_theme(self.context.theme)
        hook = getattr(page, "on_hall_loaded", None)
        if hook is not None and self.context.hall:
            hook(self.context.hall)
        return page

    def _make_next_page(self) -> None:
        missing = [key for key in self.flows if key not in self.pages]
        if missing:
            self.page(missing[0])
            QTimer.singleShot(0, self, self._make_next_page)

    def open(self, key: str) -> FlowPage:
        page = self.page(key)
        current = self.current_page()
        if current is not None and current is not page:
            current.leave()
        self.stack.setCurrentWidget(page)
        page.enter()
        if page.wants_cards:  # a card laid down before the flow was chosen is read now
            for name in CARD_DEVICES:
                worker = self.context.devices.get(name)
                if worker is not None:
                    worker.rearm()
        return page

    def current_page(self) -> FlowPage | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, FlowPage) else None

    def at_home(self) -> bool:
        return self.stack.currentWidget() is self.home

    def go_home(self) -> None:
        for page in self.pages.values():
            page.leave()
        self.stack.setCurrentWidget(self.home)

    @Slot(str)
    def on_page_open_flow(self, key: str) -> None:
        self.context.session.wipe(visit_ends=False)
        if key in self.flows:
            self.open(key)
        else:
            self.go_home()

    @Slot()
    def on_page_finished(self) -> None:
        self.context.session.wipe()
        self.go_home()

    # -- devices: codes and cards

    def _wire_devices(self) -> None:
        for name in (*CODE_DEVICES, *CARD_DEVICES):
            worker = self.context.devices.get(name)
            if worker is None or name in self._wired:
                continue
            self._wired.add(name)
            slot = self.on_code_watched if name in CODE_DEVICES else self.on_card_watched
            worker.watched.connect(slot)
            rejected = getattr(worker, "rejected", None)
            if rejected is not None:
                rejected.connect(self.on_code_rejected)

    @Slot(object)
    def on_devices_status_changed(self, _status: DeviceStatus) -> None:
        self._wire_devices()

    @Slot(object)
    def on_code_watched(self, text: Any) -> None:
        if not isinstance(text, str):
            return
        page = self.current_page()
        if page is None:
            key = "progress" if is_ticket_code(text) else "checkin"
            if key not in self.flows:
                return
            page = self.open(key)
        if page.wants_codes:
            self.context.session.scans.append(text)
            page.on_code_scanned(text)

    @Slot(str)
    def on_code_rejected(self, _reason: str) -> None:
        page = self.current_page()
        if page is not None and page.wants_codes:
            page.on_code_scanned("\ufffd")  # read, but unreadable: the page says so

    @Slot(object)
    def on_card_watched(self, card: Any) -> None:
        page = self.current_page()
        if page is None or not page.wants_cards:
            return
        number = getattr(card, "id_number", None)
        if not isinstance(number, str) or not is_valid_id_number(number.upper()):
            page.on_card_unusable()  # a card that names nobody identifies nobody
            return
        self.context.session.hold(card)
        page.on_card_read(card)

    # -- look and language

    def _place_tiles(self) -> None:
        columns = 3 if self.width() >= self.height() * 0.9 else 2
        if columns == self._columns:
            return
        self._columns = columns
        place_in_grid(self.grid, self.tiles.values(), columns)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_tiles()

    def retranslate_ui(self) -> None:
        self.greeting.setText(self.tr("您好，请选择要办理的业务"))
        self.home_hint.setText(self.tr("持预约二维码或排队票二维码，可直接对准扫码口扫描"))
        for key, flow in self.flows.items():
            self.tiles[key].set_text(flow_text(flow.title), flow_text(flow.hint))
        for page in self.pages.values():
            page.retranslate_ui()
        self.hours_banner.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.hours_banner.apply_theme(theme)
        gap = theme.px(0.8)
        self.grid.setSpacing(gap)
        self.home.layout().setSpacing(theme.px(0.5))
        for tile in self.tiles.values():
            tile.apply_theme(theme)
        for page in self.pages.values():
            page.apply_theme(theme)

    def on_context_hall_loaded(self, hall: dict) -> None:
        for page in self.pages.values():
            hook = getattr(page, "on_hall_loaded", None)
            if hook is not None:
                hook(hall)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.hours_banner.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self.hours_banner.stop()

    def shutdown(self) -> None:
        self.hours_banner.stop()
        for page in self.pages.values():
            hook = getattr(page, "shutdown", None)
            if hook is not None:
                hook()

    def sample_screens(self) -> list[tuple[str, object]]:
        screens: list[tuple[str, object]] = [("home", self._sample_home),
                                             ("home_off_hours", self._sample_home_off_hours)]
        for key in self.flows:
            for name, show in self.page(key).sample_screens():
                screens.append((f"{key}-{name}", lambda k=key, s=show: (self.open_sample(k), s())))
        return screens

    def open_sample(self, key: str) -> None:
        self.go_home()
        self.stack.setCurrentWidget(self.page(key))

    def _sample_home(self) -> None:
        self.hours_banner.sample = True  # the sample screens ask no hall
        self.hours_banner.stop()
        self.hours_banner.show_hours({})
        self.go_home()

    def _sample_home_off_hours(self) -> None:
        self._sample_home()
        self.hours_banner.show_hours(opening.SAMPLE_NIGHT)
