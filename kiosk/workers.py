"""Work off the GUI thread: one-shot jobs on the thread pool, long-lived devices on named threads.

No device, network or database call runs on the GUI thread. A job's result (or its exception)
comes back through a relay object that lives on the GUI thread, so the callbacks run there,
queued, after the job is done. `Threads` tracks every named thread for a clean shutdown.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; the job emits from the pool, the slots run here."""

    succeeded = Signal(object)
    raised = Signal(object)

    def __init__(self, jobs: Jobs, name: str, done: Done | None, failed: Failed | None) -> None:
        super().__init__(jobs)
        self.name, self.done, self.failed, self.jobs = name, done, failed, jobs
        self.succeeded.connect(self.on_relay_succeeded)
        self.raised.connect(self.on_relay_raised)

    @Slot(object)
    def on_relay_succeeded(self, result: Any) -> None:
        try:
            if self.done is not None:
                self.done(result)
        finally:
            self.jobs.finish(self)

    @Slot(object)
    def on_relay_raised(self, exc: BaseException) -> None:
        try:
            if self.failed is not None:
                self.failed(exc)
            else:
                log.warning("job %s failed: %s", self.name, exc)
        finally:
            self.jobs.finish(self)


class _Job(QRunnable):
    def __init__(self, relay: _Relay, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self.relay, self.fn, self.args, self.kwargs = relay, fn, args, kwargs
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # reported to the GUI thread, never lost in the pool
            self.relay.raised.emit(exc)
        else:
            self.relay.succeeded.emit(result)


class Jobs(QObject):
    """Runs `fn(*args)` on a thread pool; `done(result)` or `failed(exc)` runs on the GUI thread."""

    idle_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._running: set[_Relay] = set()

    def submit(self, name: str, fn: Callable[..., Any], *args: Any, done: Done | None = None,
               failed: Failed | None = None, **kwargs: Any) -> None:
        relay = _Relay(self, name, done, failed)
        self._running.add(relay)
        if len(self._running) == 1:
            self.idle_changed.emit(False)
        self.pool.start(_Job(relay, fn, args, kwargs))

    def finish(self, relay: _Relay) -> None:
        self._running.discard(relay)
        relay.deleteLater()
        if not self._running:
            self.idle_changed.emit(True)

    @property
    def running(self) -> int:
        return len(self._running)

    def wait(self, msecs: int = 5000) -> bool:
        return self.pool.waitForDone(msecs)


class Threads:
    """Named threads for long-lived workers, stopped together at shutdown."""

    def __init__(self) -> None:
        self._threads: dict[str, QThread] = {}

    def start(self, name: str, worker: QObject, on_started: Callable[[], None]) -> QThread:
        if name in self._threads:
            raise ValueError(f"a thread named {name!r} is already running")
        thread = QThread()
        thread.setObjectName(name)
        worker.moveToThread(thread)
        thread.started.connect(on_started)
        self._threads[name] = thread
        thread.start()
        return thread

    def names(self) -> list[str]:
        return sorted(self._threads)

    def stop(self, name: str, timeout_ms: int = 5000) -> None:
        thread = self._threads.pop(name, None)
        if thread is None:
            return
        thread.quit()
        if not thread.wait(timeout_ms):
            log.error("thread %s did not stop within %d ms", name, timeout_ms)

    def stop_all(self, timeout_ms: int = 5000) -> None:
        for name in list(self._threads):
            self.stop(name, timeout_ms)
