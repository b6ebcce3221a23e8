"""The display window on its monitor, following monitors plugged in and out.

A monitor plugged in, unplugged or made primary starts one single-shot timer; when the burst
of signals is over (a dock or an HDMI switch sends several) the window is placed once on the
configured monitor, or on the primary one while the configured one is away.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QScreen

from kiosk.models.display.layout import ScreenInfo, choose_screen

log = logging.getLogger(__name__)

DEBOUNCE_MS = 800

Screens = Callable[[], tuple[list[ScreenInfo], int]]  # the monitors and the primary one's index


def qt_screens() -> tuple[list[ScreenInfo], int]:
    screens = QGuiApplication.screens()
    primary = QGuiApplication.primaryScreen()
    infos = [ScreenInfo(s.name(), (s.geometry().x(), s.geometry().y(), s.geometry().width(),
                                   s.geometry().height())) for s in screens]
    return infos, screens.index(primary) if primary in screens else 0


class ScreenFollower(QObject):
    """Calls `place(index)` with the monitor the display belongs on, once per burst of changes."""

    placed = Signal(int)

    def __init__(self, wanted: int | None, place: Callable[[int], None], *, screens: Screens = qt_screens,
                 debounce_ms: int = DEBOUNCE_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wanted, self._place, self._screens = wanted, place, screens
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._following = True
        app = QGuiApplication.instance()
        app.screenAdded.connect(self.on_app_screen_added)
        app.screenRemoved.connect(self.on_app_screen_removed)
        app.primaryScreenChanged.connect(self.on_app_primary_screen_changed)

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def schedule(self) -> None:
        self._timer.start()  # restarting it folds a burst of signals into one placement

    def place_now(self) -> int | None:
        infos, primary = self._screens()
        index = choose_screen(infos, self.wanted, primary)
        if index is None:
            log.warning("no monitor to show the display on")
            return None
        if self.wanted is not None and index != self.wanted:
            log.warning("monitor %d is not connected; showing the display on monitor %d", self.wanted, index)
        self._place(index)
        self.placed.emit(index)
        return index

    def stop(self) -> None:
        self._timer.stop()
        if not self._following:
            return
        self._following = False
        app = QGuiApplication.instance()
        for signal, slot in ((app.screenAdded, self.on_app_screen_added),
                             (app.screenRemoved, self.on_app_screen_removed),
                             (app.primaryScreenChanged, self.on_app_primary_screen_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass

    @Slot(QScreen)
    def on_app_screen_added(self, _screen: QScreen) -> None:
        self.schedule()

    @Slot(QScreen)
    def on_app_screen_removed(self, _screen: QScreen) -> None:
        self.schedule()

    @Slot(QScreen)
    def on_app_primary_screen_changed(self, _screen: QScreen) -> None:
        self.schedule()

    @Slot()
    def on_timer_timeout(self) -> None:
        self.place_now()
