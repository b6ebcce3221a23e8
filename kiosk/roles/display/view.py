"""The hall display (大厅综合屏): who is called to which window, now and lately, how many wait
in each queue, which windows are open, the hall's announcements, the date and time.

It reads the hall's snapshot first and then follows the event stream from the snapshot's
sequence number, so across a hall restart or a network blip no call is missed or repeated.
Each new call lights up, is spoken (chime and 请 A017 号到 3 号窗口办理业务, twice), and goes
to the LED strip over its window when the display drives one (`--device led_strip:w01=...`). While
the hall is away the board keeps its last state and says so in one small line.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hall.client import HallError, HallUnavailable
from kiosk.context import Context
from kiosk.first_paint import after_first_paint
from kiosk.i18n import pick, pick_field
from kiosk.models import opening
from kiosk.models.broadcast import from_event
from kiosk.models.clock import hall_now
from kiosk.models.display.board import Board, QueueLine, Update, WindowLine, strip_text
from kiosk.models.display.samples import SAMPLE_ANNOUNCEMENTS, sample_call, sample_snapshot
from kiosk.roles.display.board import BoardWidget
from kiosk.roles.display.offhours import OffHoursBand
from kiosk.roles.display.screens import ScreenFollower
from kiosk.shell import RoleView
from kiosk.theme import Theme
from kiosk.voice_player import CallVoice
from kiosk.widgets.broadcast import BroadcastBanner

if TYPE_CHECKING:
    from hall.wire import StreamEvent

log = logging.getLogger(__name__)

SNAPSHOT_RETRY_MS = 3000
ANNOUNCEMENTS_MS = 10 * 60 * 1000
ANNOUNCEMENTS_RETRY_MS = 60 * 1000
HOURS_MS = 60 * 1000  # how often the board asks whether the hall issues tickets


class DisplayView(RoleView):
    idle_enabled = False
    offline_banner = False  # the board keeps its last state and says so in a small line
    show_header = False
    home_prompt = None
    broadcast_banner = False  # the display shows (and speaks) it over the board itself
    follows_events = True

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.board = BoardWidget(context.theme, self)
        self.board.hall = context.hall
        self.board.language = context.language
        self.board.layout_setting = context.settings.device_settings.get("display", {}).get("layout")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.board)
        self.voice = CallVoice(parent=self, history_size=100)
        self.offhours = OffHoursBand(self)  # out of hours: when tickets are issued again
        self.broadcast = BroadcastBanner(self)  # the operators' urgent text, over the board
        self.strips: dict[str, Any] = {}  # window id -> kiosk.peripherals.led.WindowStrip
        self.announcements: list[dict[str, Any]] = []
        self.tickers: list[tuple[str, str]] = []  # the operators' ticker texts: (Chinese, English or "")
        self._live = True  # False while a sample screen is shown
        self._online = True
        self._asking = False  # a snapshot request is under way
        self._snapshot_timer = self._timer(SNAPSHOT_RETRY_MS, self.on_snapshot_timer_timeout)
        self._announcements_timer = self._timer(ANNOUNCEMENTS_MS, self.on_announcements_timer_timeout)
        self._hours_timer = self._timer(HOURS_MS, self.on_hours_timer_timeout)
        link = context.link
        link.event_received.connect(self.on_link_event_received)
        link.online_changed.connect(self.on_link_online_changed)
        link.stream_status_changed.connect(self.on_link_stream_status_changed)
        self.screens = ScreenFollower(context.settings.screen, self._place_window, parent=self)
        self.retranslate_ui()
        after_first_paint(self, self._start)  # the snapshot over HTTP once the board shows

    def _timer(self, interval: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    def _start(self) -> None:
        if not self._live:
            return
        if self.context.settings.screen is not None:
            self.screens.place_now()
        self._load_snapshot()
        self._load_announcements()
        self.on_hours_timer_timeout()

    @Slot()
    def on_hours_timer_timeout(self) -> None:
        if not self._live:
            return
        self._hours_timer.start()
        self.context.link.call("hall_hours", done=self.on_hall_hours)

    def on_hall_hours(self, hours: dict) -> None:
        if self._live:
            self.offhours.show_hours(hours, self.context.language)

    # -- the hall's state

    def _load_snapshot(self) -> None:
        if self._asking or self.board.board.loaded:
            return
        self._asking = True
        self.context.link.call("snapshot", done=self.on_snapshot_loaded, failed=self.on_snapshot_failed)

    def on_snapshot_loaded(self, snapshot: dict) -> None:
        self._asking = False
        if not self._live or self.board.board.loaded:
            return  # once following the events, a later snapshot would only lose calls to announce
        update = self.board.board.load(snapshot)
        log.info("display: snapshot at seq %s, following events from there", self.board.board.seq)
        self.context.link.start_events(self.board.board.seq)
        self._set_offline(False)
        self._refresh(update)

    def on_snapshot_failed(self, exc: BaseException) -> None:
        self._asking = False
        if isinstance(exc, HallUnavailable) or not isinstance(exc, HallError):
            log.info("display: snapshot not loaded yet: %s", exc)
        else:  # refused (a wrong token, a device not allowed): staff must fix the setup
            log.warning("display: the hall refused the snapshot: %s", exc)
        if isinstance(exc, HallUnavailable) or not self._online:
            self._set_offline(True)
        if self._live:
            self._snapshot_timer.start()

    @Slot()
    def on_snapshot_timer_timeout(self) -> None:
        if self._live:
            self._load_snapshot()

    @Slot(object)
    def on_link_event_received(self, event: StreamEvent) -> None:
        if not self._live or not self.board.board.loaded:
            return
        seen = self.board.board.seq
        if event.type == "board.changed":  # the operators changed the notices: read them now
            self._load_announcements()
        broadcast = from_event(event)
        if broadcast is not None and (seen is None or event.seq > seen):
            hall_clock = self.board.board.hall_time()
            shown = self.broadcast.show_broadcast(broadcast, hall_clock, self.context.language)
            if shown and not self.board.board.late(event.ts):
                self.voice.say(broadcast.text)
                self.voice.say(broadcast.text)  # twice, as a call is
        self._refresh(self.board.board.apply(event))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.broadcast.place()
        self.offhours.place()

    def _refresh(self, update: Update) -> None:
        if not update.changed:
            return
        fresh = [c for c in update.calls if not c.late]
        for call in fresh:
            self.voice.announce(call.number, call.window_number)
        if fresh:
            self.board.flash()
        self._drive_strips(update.windows, again={c.window for c in fresh})
        self.board.update()

    # -- LED strips over the windows

    def _drive_strips(self, windows: set[str], again: set[str]) -> None:
        if not self._live:
            return
        from kiosk.peripherals.led import WindowStrip

        for name, worker in self.context.devices.workers.items():
            window = name.partition(":")[2]
            if name.startswith("led_strip:") and window not in self.strips:
                idle = str(self.context.settings.device_settings.get(name, {}).get("idle_text", ""))
                self.strips[window] = WindowStrip(worker, idle, parent=self)
                windows = windows | {window}
        for window in windows & set(self.strips):
            strip = self.strips[window]
            strip.show(strip_text(self.board.board, window, strip.idle_text), again=window in again)

    # -- announcements

    def _load_announcements(self) -> None:
        try:
            self.context.link.call("announcements", done=self.on_announcements_loaded,
                                   failed=self.on_announcements_failed)
            self.context.link.call("board", done=self.on_operators_board_loaded,
                                   failed=lambda exc: log.info("display: the operators' ticker not read: %s", exc))
        except AttributeError:  # a hall client without announcements: the ticker shows the default
            log.info("display: this hall client has no announcements")

    def on_announcements_loaded(self, answer: dict) -> None:
        if not self._live:
            return
        self.announcements = list(answer.get("announcements") or [])
        self._announcements_timer.start(ANNOUNCEMENTS_MS)
        self._show_ticker()

    def on_operators_board_loaded(self, answer: dict) -> None:
        if self._live:
            self.tickers = operator_tickers(answer)
            self._show_ticker()

    def on_announcements_failed(self, exc: BaseException) -> None:
        log.info("display: announcements not loaded: %s", exc)
        if self._live:
            self._announcements_timer.start(ANNOUNCEMENTS_RETRY_MS)

    @Slot()
    def on_announcements_timer_timeout(self) -> None:
        if self._live:
            self._load_announcements()

    def _show_ticker(self) -> None:
        language = self.context.language
        items = [pick(zh, en, language) for zh, en in self.tickers]
        for a in self.announcements:
            title, body = pick_field(a, "title", language), pick_field(a, "body", language)
            items.append((f"{title}: {body}" if language == "en" else f"【{title}】{body}") if title else body)
        text = "      ".join(i for i in items if i.strip()) or self.tr(
            "请留意屏幕和语音叫号；过号请到咨询服务台。办事指南可在自助查询机查看，或扫描号票上的二维码。")
        self.board.ticker.set_text(self.tr("公告"), text)

    # -- online or not

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        self._online = online
        self._set_offline(not online)
        if online and not self.board.board.loaded and self._live:
            self._load_snapshot()

    @Slot(bool, str)
    def on_link_stream_status_changed(self, connected: bool, _reason: str) -> None:
        # the stream is the board's lifeline: connected, the hall answers and the board is current
        if connected or self.board.board.loaded:
            self._set_offline(not connected)

    def _set_offline(self, offline: bool) -> None:
        if not self._live:
            return
        if offline and self.board.offline_since is None:
            self.board.offline_since = hall_now(self.context.hall)
        elif not offline:
            self.board.offline_since = None
        self.board.update()

    # -- the monitor

    def _place_window(self, index: int) -> None:
        screens = QGuiApplication.screens()
        window = self.window()
        if not 0 <= index < len(screens) or window is None:
            return
        screen = screens[index]
        if window.windowHandle() is not None:
            window.windowHandle().setScreen(screen)
        if self.context.settings.windowed:
            window.move(screen.geometry().topLeft())
            return
        window.setGeometry(screen.geometry())
        window.showFullScreen()

    # -- RoleView

    def retranslate_ui(self) -> None:
        self.board.language = self.context.language
        hall = self.context.hall
        self.board.hall_name = pick(hall.get("name", ""), hall.get("name_en", ""), self.context.language)
        self._show_ticker()
        self.offhours.show_hours(self.offhours.hours, self.context.language)
        self.broadcast.set_language(self.context.language)
        self.board.update()

    def apply_theme(self, theme: Theme) -> None:
        self.board.set_theme(theme)

    def on_context_hall_loaded(self, hall: dict) -> None:
        self.board.hall = hall
        self.board.hall_name = pick(hall.get("name", ""), hall.get("name_en", ""), self.context.language)
        board = self.board.board
        if board.loaded or not self._live:
            return
        # the hall's shape until its state arrives: names, no numbers yet
        board.queues = {q["id"]: QueueLine(q["id"], q.get("prefix", ""), q.get("name", q["id"]),
                                           q.get("name_en", "")) for q in hall.get("queues", [])}
        board.windows = {w["id"]: WindowLine(w["id"], int(w.get("number", 0)), w.get("name", ""))
                         for w in hall.get("windows", [])}
        self.board.update()

    def shutdown(self) -> None:
        self._live = False
        self._snapshot_timer.stop()
        self._announcements_timer.stop()
        self._hours_timer.stop()
        self.board.ticker.stop()
        self.screens.stop()
        self.voice.close()

    def sample_screens(self) -> list[tuple[str, object]]:
        return [
            ("idle", lambda: self._sample(calls=0)),
            ("calling", lambda: self._sample(fresh=True)),
            ("portrait", lambda: self._sample(fresh=True, preview="portrait")),
            ("compact", lambda: self._sample(fresh=True, preview="compact")),
            ("off_hours", lambda: self._sample(calls=0, hours=opening.SAMPLE_NIGHT)),
            ("offline", lambda: self._sample(offline=True)),
        ]

    def _sample(self, *, calls: int = 9, fresh: bool = False, preview: str | None = None,
                offline: bool = False, hours: dict | None = None) -> None:
        """A sample board from the loaded hall's shape: no hall, no voice, no strips."""
        self._live = False
        self._snapshot_timer.stop()
        self._announcements_timer.stop()
        self._hours_timer.stop()
        self.offhours.show_hours(hours or {}, self.context.language)
        board = Board()
        snapshot = sample_snapshot(self.context.hall, calls=calls)
        board.load(snapshot)
        if fresh:
            board.apply(sample_call(snapshot))
        self.board.board = board
        self.board.set_preview(preview)
        self.board.offline_since = hall_now(self.context.hall, time.time() - 180) if offline else None
        if fresh:
            self.board.hold_highlight()
        else:
            self.board.set_highlight(0.0)
        self.announcements = list(SAMPLE_ANNOUNCEMENTS)
        self._show_ticker()
        self.board.ticker.offset = 0.0  # the same picture every time
        self.board.update()


def operator_tickers(answer: Any) -> list[tuple[str, str]]:
    """The operators' ticker texts from the hall's `GET /board`, each with its English ("" when
    they gave none, or the hall is from before tickers had English)."""
    tickers = answer.get("tickers") if isinstance(answer, dict) else None
    english = answer.get("tickers_en") if isinstance(answer, dict) else None
    if not isinstance(tickers, list):
        return []
    english = english if isinstance(english, list) else []
    return [(t, english[i] if i < len(english) and isinstance(english[i], str) else "")
            for i, t in enumerate(tickers) if isinstance(t, str) and t.strip()]
