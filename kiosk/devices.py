"""Devices for the screens: each on its own named thread, reporting through signals.

A `DeviceWorker` drives one `drivers.link.Link` (connect, poll, reconnect with backoff) on a
thread of its own. Actions (print this ticket) and an optional watch (is a card on the reader?
did the scanner read a code?) run on that thread too, so the GUI thread never waits for a
device. Results come back as signals carrying dataclasses. `DeviceHub` holds a screen's
devices and their latest status for the status row; a device that fails degrades the flow,
it never blocks it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from drivers.errors import DeviceError
from drivers.link import Link
from drivers.status import DeviceStatus, State
from kiosk.workers import Threads

log = logging.getLogger(__name__)

Watch = Callable[[Any], Any]  # session -> something seen, or None


class DeviceWorker(QObject):
    """One device on its own thread. `act()` queues an action; `watched` reports what `watch` saw."""

    status_changed = Signal(object)  # DeviceStatus
    action_finished = Signal(str, object)  # action name, result
    action_failed = Signal(str, object)  # action name, DeviceError
    watched = Signal(object)
    _action_requested = Signal(str, object)

    def __init__(self, link: Link, *, watch: Watch | None = None, watch_interval: float = 0.3) -> None:
        super().__init__()
        self.link = link
        self.name = link.device
        self.watch, self.watch_interval = watch, watch_interval
        link.on_status = self.status_changed.emit
        self._step_timer: QTimer | None = None
        self._watch_timer: QTimer | None = None
        self._action_requested.connect(self.on_worker_action_requested)

    @property
    def status(self) -> DeviceStatus:
        return self.link.status

    # runs on the device thread from here on

    @Slot()
    def on_thread_started(self) -> None:
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.timeout.connect(self.on_step_timer_timeout)
        self.on_step_timer_timeout()
        if self.watch is not None:
            self._watch_timer = QTimer(self)
            self._watch_timer.setInterval(round(self.watch_interval * 1000))
            self._watch_timer.timeout.connect(self.on_watch_timer_timeout)
            self._watch_timer.start()

    @Slot()
    def on_step_timer_timeout(self) -> None:
        try:
            delay = self.link.step()
        except Exception:  # a driver bug must not stop the device's thread
            log.exception("%s: connect/poll failed unexpectedly", self.name)
            delay = 5.0
        if self._step_timer is not None:
            self._step_timer.start(max(50, round(delay * 1000)))

    @Slot()
    def on_watch_timer_timeout(self) -> None:
        if self.watch is None or self.link.status.state not in (State.READY, State.ERROR):
            return
        try:
            seen = self.link.use(self.watch)
        except DeviceError as exc:
            log.debug("%s watch: %s", self.name, exc.message)
            return
        except Exception:
            log.exception("%s: watch failed unexpectedly", self.name)
            return
        if seen is not None:
            self.watched.emit(seen)

    @Slot(str, object)
    def on_worker_action_requested(self, name: str, action: Callable[[Any], Any]) -> None:
        try:
            result = self.link.use(action)
        except DeviceError as exc:
            self.action_failed.emit(name, exc)
        except Exception as exc:  # reported like a device error: the screen degrades, never crashes
            log.exception("%s: action %s failed unexpectedly", self.name, name)
            self.action_failed.emit(name, DeviceError(f"{type(exc).__name__}: {exc}", device=self.name))
        else:
            self.action_finished.emit(name, result)

    # called from the GUI thread

    def act(self, name: str, action: Callable[[Any], Any]) -> None:
        """Runs `action(session)` on the device thread; answers with action_finished/failed."""
        self._action_requested.emit(name, action)

    def holds_card(self) -> bool:
        """Whether a card this reader read is still lying on it (its watch says so)."""
        return getattr(self.watch, "present", False) is True

    def rearm(self) -> None:
        """A screen asks for a card: the watch reads the one already lying on the reader again,
        if it can (`watch.rearm()`), rather than wait for it to be lifted and placed again."""
        rearm = getattr(self.watch, "rearm", None)
        if rearm is not None:
            rearm()


class DeviceHub(QObject):
    """A screen's devices by name, and their latest status."""

    status_changed = Signal(object)  # DeviceStatus

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threads = Threads()
        self.workers: dict[str, DeviceWorker] = {}
        self.states: dict[str, DeviceStatus] = {}

    def add(self, worker: DeviceWorker) -> DeviceWorker:
        if worker.name in self.workers:
            raise ValueError(f"device {worker.name!r} is already added")
        self.workers[worker.name] = worker
        self.states[worker.name] = worker.status
        worker.status_changed.connect(self.on_worker_status_changed)
        thread = self.threads.start(f"device-{worker.name}", worker, worker.on_thread_started)
        thread.finished.connect(worker.deleteLater)
        return worker

    def get(self, name: str) -> DeviceWorker | None:
        return self.workers.get(name)

    def usable(self, name: str) -> bool:
        state = self.states.get(name)
        return state is not None and state.usable

    @Slot(object)
    def on_worker_status_changed(self, status: DeviceStatus) -> None:
        self.states[status.device] = status
        self.status_changed.emit(status)

    def stop_all(self) -> None:
        for name, worker in list(self.workers.items()):
            worker.link.close()
            self.threads.stop(f"device-{name}")
        self.workers.clear()
