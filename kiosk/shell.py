"""The frame every role runs in: header, offline banner, the role's view, idle and admin exit.

The header carries the hall's name, the device status row (calm: grey when well, amber when
not), the clock, and the two buttons every screen has: 中文/English and 长辈模式 (elder mode:
1.5× type, high contrast, slower timeouts). The window is full screen and frameless; no key
combination closes it. An admin leaves by holding the logo for three seconds and entering
the PIN.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from drivers.status import DeviceStatus, State
from kiosk.context import Context
from kiosk.first_paint import after_first_paint
from kiosk.idle import IdleWatch
from kiosk.models.broadcast import HallTime, from_board, from_event
from kiosk.models.clock import header_text
from kiosk.theme import ELDER_LINE_HEIGHT, Theme, style_sheet, with_elder
from kiosk.widgets.broadcast import BroadcastBanner
from kiosk.widgets.card_reminder import CardReminder
from kiosk.widgets.common import ElidedLabel, button, label, set_line_height
from kiosk.widgets.icons import icon, pixmap
from kiosk.widgets.overlay import Overlay

if TYPE_CHECKING:
    from hall.wire import StreamEvent

log = logging.getLogger(__name__)

ADMIN_HOLD_MS = 3000
DEVICE_ICONS = {"receipt_printer": "printer", "a4_printer": "printer", "idcard": "idcard",
                "contactless": "idcard", "scanner": "scanner", "camera": "camera", "document_camera": "camera",
                "led_strip": "led", "hall": "network"}


class RoleView(QWidget):
    """A role's main widget. Subclasses fill in the parts that apply to them."""

    idle_enabled = True
    offline_banner = True  # the board says it in its own small line instead
    show_header = True  # a hall display is watched, never touched: the board is all it shows
    home_prompt: str | None = "choose"  # said aloud when elder mode is turned on at home
    broadcast_banner = True  # the shell shows the operators' urgent broadcast over the view
    follows_events = False  # the view starts the hall's event stream itself (from its snapshot)

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        context.theme_changed.connect(self.apply_theme)
        context.hall_loaded.connect(self.on_context_hall_loaded)

    def at_home(self) -> bool:
        return True

    def go_home(self) -> None:
        """Back to the first screen, everything entered gone (the shell wipes the session)."""

    def retranslate_ui(self) -> None:
        """Set every visible string again (the language changed)."""

    def apply_theme(self, theme: Theme) -> None:
        """Resize what the style sheet cannot (icons, fixed sizes)."""

    def on_context_hall_loaded(self, hall: dict) -> None:
        """The hall's description arrived (or changed)."""

    def shutdown(self) -> None:
        """Stop what the view started."""

    def sample_screens(self) -> list[tuple[str, object]]:
        """(name, show) for every screen of the role: `show()` puts the view in that screen with
        sample data and no hall or device (for `make screenshots`)."""
        return [("home", self.go_home)]

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


class Shell(QWidget):
    admin_exit_requested = Signal()

    def __init__(self, context: Context, view_class: type[RoleView]) -> None:
        super().__init__()
        self.setObjectName("shell")
        self.context = context
        theme = context.theme
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self.on_hold_timeout)
        self._may_close = context.settings.windowed
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        self.header = self._build_header(theme)
        root.addWidget(self.header)
        self.banner = label("", "", parent=self)
        self.banner.setObjectName("banner")
        self.banner.hide()
        root.addWidget(self.banner)
        self.body = QWidget(self)
        self.body.setObjectName("body")
        body_layout = QVBoxLayout(self.body)
        margin = theme.px(0.8)
        body_layout.setContentsMargins(margin, margin, margin, margin)
        self.view = view_class(context, self.body)
        body_layout.addWidget(self.view)
        self.header.setVisible(self.view.show_header)
        if not self.view.show_header:
            body_layout.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.body, 1)
        self.broadcast = BroadcastBanner(self) if self.view.broadcast_banner else None
        self.hall_time = HallTime()
        if self.broadcast is not None:
            context.link.event_received.connect(self.on_link_event_received)
        self.card_reminder = CardReminder(self, context.speak)
        context.session.card_visit_ended = self.on_session_card_visit_ended
        self.overlay = Overlay(theme, self)
        self.overlay.continue_clicked.connect(self.on_overlay_continue_clicked)
        self.overlay.pin_entered.connect(self.on_overlay_pin_entered)
        s = context.settings
        self.idle = IdleWatch(s.idle_seconds, s.warn_seconds, self._has_something_to_lose, parent=self)
        self.idle.warning.connect(self.overlay.show_countdown)
        self.idle.warning_cancelled.connect(self.on_idle_warning_cancelled)
        self.idle.timed_out.connect(self.on_idle_timed_out)
        context.link.online_changed.connect(self.on_link_online_changed)
        context.devices.status_changed.connect(self.on_devices_status_changed)
        context.languages.language_changed.connect(self.on_languages_language_changed)
        context.hall_loaded.connect(self.on_context_hall_loaded)
        context.visit_modes_reset.connect(self.on_context_visit_modes_reset)
        self._statuses: dict[str, DeviceStatus] = {}
        self._clock = QTimer(self)
        self._clock.timeout.connect(self.on_clock_timeout)
        self._clock.start(1000)
        self.on_clock_timeout()
        self.retranslate_ui()
        self.apply_theme(theme)

    # -- building

    def _build_header(self, theme: Theme) -> QWidget:
        header = QWidget(self)
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        row = QHBoxLayout(header)
        self.logo = QPushButton(header)
        self.logo.setObjectName("logo")
        self.logo.setFlat(True)
        self.logo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.logo.pressed.connect(lambda: self._hold.start(ADMIN_HOLD_MS))
        self.logo.released.connect(self.on_logo_released)
        self.hall_name = ElidedLabel("", header)  # a long name gives way before the buttons do
        self.hall_name.setObjectName("hallName")
        self.status_row = QHBoxLayout()
        self.status_icons: dict[str, QLabel] = {}
        self.clock = QLabel(header)
        self.clock.setObjectName("clock")
        self.language_button = button("", parent=header)
        self.language_button.setObjectName("languageButton")
        self.language_button.clicked.connect(self.context.languages.toggle)
        self.elder_button = button("", parent=header)
        self.elder_button.setObjectName("elderButton")
        self.elder_button.setCheckable(True)
        self.elder_button.setChecked(theme.elder)
        self.elder_button.toggled.connect(self.on_elder_button_toggled)
        # one row on a landscape screen; on a portrait one the hall's name gets a row of its own
        self.header_top = QHBoxLayout()
        self.header_tools = QHBoxLayout()
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.header_top)
        column.addLayout(self.header_tools)
        row.addLayout(column)
        self._header_portrait: bool | None = None
        self._arrange_header(portrait=False)
        return header

    def _arrange_header(self, portrait: bool) -> None:
        if portrait == self._header_portrait:
            return
        self._header_portrait = portrait
        for layout in (self.header_top, self.header_tools):
            while layout.count():
                layout.takeAt(0)
        gap = self.context.theme.px(0.8)
        self.header_top.addWidget(self.logo)
        self.header_top.addWidget(self.hall_name, 1)
        tools = self.header_tools if portrait else self.header_top
        if portrait:
            tools.addWidget(self.clock)
            tools.addStretch(1)
        tools.addLayout(self.status_row)
        if not portrait:
            tools.addSpacing(gap)
            tools.addWidget(self.clock)
        tools.addSpacing(gap)
        tools.addWidget(self.language_button)
        tools.addWidget(self.elder_button)

    def retranslate_ui(self) -> None:
        hall = self.context.hall
        name = hall.get("name_en") if self.context.language == "en" and hall.get("name_en") else hall.get("name")
        self.hall_name.setText(name or self.tr("政务服务中心"))
        self.language_button.setText("中文" if self.context.language == "en" else "English")
        self.elder_button.setText(self.tr("长辈模式"))
        self._show_online(self.context.link.online)
        if self.broadcast is not None:
            self.broadcast.set_language(self.context.language)
        self.card_reminder.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        app = QApplication.instance()
        if app is not None:
            app.setStyleSheet(style_sheet(theme))
        set_line_height(ELDER_LINE_HEIGHT if theme.elder else 1.0)
        size = theme.px(1.6)
        self.logo.setIcon(icon("logo", theme.palette.on_header, size * 2))
        self.logo.setIconSize(QSize(size, size))
        self.elder_button.setIcon(icon("elder", theme.palette.on_header if not theme.elder
                                       else theme.palette.header, size * 2))
        self.elder_button.setIconSize(QSize(size, size))
        self._draw_statuses()
        factor = 2.0 if theme.elder else 1.0
        s = self.context.settings
        self.idle.set_timeouts(s.idle_seconds * factor, s.warn_seconds * factor)

    # -- idle and session

    def _has_something_to_lose(self) -> bool:
        return not self.view.at_home() or not self.context.session.empty or self.context.visit_modes_changed()

    def start(self) -> None:
        QApplication.instance().installEventFilter(self.idle)
        if self.view.idle_enabled:
            self.idle.start()
        if self.broadcast is not None and self.context.settings.hall_url:
            after_first_paint(self, self._follow_broadcasts)

    # -- the operators' urgent broadcast

    def _follow_broadcasts(self) -> None:
        """One already on is read from the hall's board; new ones come with the event stream."""
        self.context.link.call("board", done=self.on_board_loaded,
                               failed=lambda exc: log.info("no broadcast read from the hall yet: %s", exc))
        if not self.view.follows_events:
            self.context.link.start_events(None)

    def on_board_loaded(self, answer: dict) -> None:
        self.hall_time.learn(answer.get("now"))
        shown = from_board(answer)
        if shown is not None and self.broadcast is not None:
            self.broadcast.show_broadcast(shown, self.hall_time.now(), self.context.language)

    @Slot(object)
    def on_link_event_received(self, event: StreamEvent) -> None:
        shown = from_event(event)
        if shown is not None and self.broadcast is not None:
            self.broadcast.show_broadcast(shown, self.hall_time.now(), self.context.language)

    def wipe_session(self) -> None:
        """Home, and everything this citizen entered, read or scanned forgotten."""
        self.overlay.close_overlay()
        self.context.session.wipe()
        self.view.go_home()

    def on_session_card_visit_ended(self) -> None:
        self.card_reminder.remind(self._card_lying)

    def _card_lying(self) -> str | None:
        """The card reader a card read in a visit still lies on, if any; none once a new visit
        reads a card (the card left lying, or another, is in use again)."""
        if self.context.session.card_read:
            return None
        for name in ("idcard", "contactless"):
            worker = self.context.devices.get(name)
            if worker is not None and worker.holds_card():
                return name
        return None

    @Slot()
    def on_idle_timed_out(self) -> None:
        log.info("idle timeout: back to home, session wiped")
        self.wipe_session()
        self.context.reset_visit_modes()

    @Slot()
    def on_context_visit_modes_reset(self) -> None:
        self.elder_button.setChecked(self.context.settings.elder)  # toggled: the theme follows

    @Slot()
    def on_idle_warning_cancelled(self) -> None:
        if self.overlay.mode == "countdown":
            self.overlay.close_overlay()

    @Slot()
    def on_overlay_continue_clicked(self) -> None:
        self.idle.poke()

    # -- header state

    @Slot()
    def on_clock_timeout(self) -> None:
        self.clock.setText(header_text(self.context.hall))  # the hall's time, not the machine's zone

    @Slot(bool)
    def on_elder_button_toggled(self, on: bool) -> None:
        self.context.set_theme(with_elder(self.context.theme, on))
        self.apply_theme(self.context.theme)
        if on and self.view.home_prompt and self.view.at_home():
            self.context.speak(self.view.home_prompt)

    @Slot(dict)
    def on_context_hall_loaded(self, _hall: dict) -> None:
        self.retranslate_ui()

    @Slot(str)
    def on_languages_language_changed(self, _language: str) -> None:
        self.retranslate_ui()

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        self._show_online(online)
        self._statuses["hall"] = DeviceStatus("hall", "hall", State.READY if online else State.DISCONNECTED)
        self._draw_statuses()

    def _show_online(self, online: bool | None) -> None:
        if online is False and self.view.offline_banner:
            self.banner.setText(self.tr("暂时连不上大厅服务器，正在自动重连，请稍候。"))
            self.banner.show()
        else:
            self.banner.hide()

    @Slot(object)
    def on_devices_status_changed(self, status: DeviceStatus) -> None:
        self._statuses[status.device] = status
        self._draw_statuses()

    def _draw_statuses(self) -> None:
        theme = self.context.theme
        size = theme.px(1.2)
        for name, status in sorted(self._statuses.items()):
            widget = self.status_icons.get(name)
            if widget is None:
                widget = QLabel(self)
                widget.setObjectName(f"status-{name}")
                self.status_icons[name] = widget
                self.status_row.addWidget(widget)
            well = status.state is State.READY
            color = "#C9D6F0" if well else theme.palette.highlight
            widget.setPixmap(pixmap(DEVICE_ICONS.get(name.split(":")[0], "alert"), color, size))
            widget.setProperty("state", status.state.value)
            widget.setAccessibleName(f"{name}: {status.state.value} {status.reason}")

    # -- leaving

    @Slot()
    def on_logo_released(self) -> None:
        self._hold.stop()

    @Slot()
    def on_hold_timeout(self) -> None:
        self.overlay.show_pin("" if self.context.settings.admin_pin_hash else self.tr("本机未设置管理密码"))

    @Slot(str)
    def on_overlay_pin_entered(self, pin: str) -> None:
        from hall.passwords import verify_password

        pin_hash = self.context.settings.admin_pin_hash
        if not (pin_hash and pin):
            self.on_pin_checked(False)
            return
        # scrypt takes a noticeable moment: on the job pool, not on the GUI thread
        self.context.jobs.submit("admin-pin", verify_password, pin, pin_hash, done=self.on_pin_checked,
                                 failed=lambda _exc: self.on_pin_checked(False))

    def on_pin_checked(self, right: bool) -> None:
        if right:
            log.info("admin exit")
            self._may_close = True
            self.overlay.close_overlay()
            self.admin_exit_requested.emit()
            self.close()
        else:
            log.warning("admin exit: wrong PIN")
            self.overlay.show_pin(self.tr("密码不正确"))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - no key leaves or escapes
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._may_close:
            event.ignore()
            return
        self.idle.stop()
        self.view.shutdown()
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._arrange_header(portrait=self.height() > self.width())
        if self.broadcast is not None:
            self.broadcast.place()
        if self.card_reminder.isVisible():
            self.card_reminder.place()
        if self.overlay.isVisible():
            self.overlay.fit()
