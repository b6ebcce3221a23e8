"""Idle timeout: after a quiet spell the screen warns with a countdown, then goes home and wipes.

Any touch, click or key anywhere in the application restarts the count. The watcher only
counts while the screen has something to lose (the role is away from home, or the session
holds anything); `clock` is injectable so tests move time without sleeping.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate, QEvent.Type.KeyPress, QEvent.Type.Wheel,
})


class IdleWatch(QObject):
    warning = Signal(int)  # whole seconds left, each second of the warning
    warning_cancelled = Signal()
    timed_out = Signal()

    def __init__(self, idle_seconds: float, warn_seconds: float, active: Callable[[], bool],
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_seconds, self.warn_seconds = idle_seconds, warn_seconds
        self.active, self.clock = active, clock
        self.last_input = clock()
        self.warning_shown = False
        self.timer = QTimer(self)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.on_timer_timeout)

    def start(self) -> None:
        self.last_input = self.clock()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def set_timeouts(self, idle_seconds: float, warn_seconds: float) -> None:
        self.idle_seconds, self.warn_seconds = idle_seconds, warn_seconds

    def poke(self) -> None:
        self.last_input = self.clock()
        if self.warning_shown:
            self.warning_shown = False
            self.warning_cancelled.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in INPUT_EVENTS:
            self.poke()
        return False

    @Slot()
    def on_timer_timeout(self) -> None:
        if not self.active():
            self.last_input = self.clock()
            if self.warning_shown:
                self.warning_shown = False
                self.warning_cancelled.emit()
            return
        left = self.idle_seconds - (self.clock() - self.last_input)
        if left <= 0:
            self.warning_shown = False
            self.last_input = self.clock()
            self.timed_out.emit()
        elif left <= self.warn_seconds:
            self.warning_shown = True
            self.warning.emit(int(left + 0.999))
