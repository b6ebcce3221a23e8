"""The pad's ratings on their way to the hall: stored on disk first, then sent, off the GUI thread.

`RatingOutbox.record(...)` stores the rating (kiosk.pending) on the job pool and then sends
what is due; a timer sends again every few seconds while anything is pending, and at once
when the hall comes back. One round of sending runs at a time, so a rating never races
itself; each is sent with the idempotency key it was stored with.
"""
from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ground.paths import data_dir
from hall.client import HallClient
from kiosk.pending import FILE_NAME, Delivery, PendingRatings, deliver_due
from kiosk.workers import Jobs

log = logging.getLogger(__name__)


class RatingOutbox(QObject):
    pending_changed = Signal(int)  # how many ratings wait for the hall
    rating_delivered = Signal(str)  # ticket
    rating_refused = Signal(str, str)  # ticket, the hall's reason

    def __init__(self, jobs: Jobs, base_url: str, token: str, *, data_dir: str | None = None,
                 retry_seconds: float = 10.0, timeout: float = 5.0, file_name: str = FILE_NAME,
                 parent: QObject | None = None) -> None:
        """`file_name`: the store's file in the data directory (the kiosk keeps its own, beside a pad's)."""
        super().__init__(parent)
        self.jobs, self.base_url, self.token, self.timeout = jobs, base_url, token, timeout
        self.data_dir, self.file_name = data_dir, file_name
        self.pending = 0
        self._store: PendingRatings | None = None
        self._store_lock = threading.Lock()
        self._flushing = False
        self._again = False
        self._closed = False
        self.timer = QTimer(self)
        self.timer.setInterval(max(1000, round(retry_seconds * 1000)))
        self.timer.timeout.connect(self.on_timer_timeout)

    def start(self) -> None:
        """Opens the store and sends what an earlier run left pending."""
        self.timer.start()
        self.flush(force=True)

    # -- worker side (never on the GUI thread)

    def store(self, *, create: bool = True) -> PendingRatings | None:
        """The store, opened on first use; None when it was never made and `create` is false
        (nothing was ever stored, so nothing is pending: no file is made just to look)."""
        with self._store_lock:
            if self._store is None:
                path = data_dir(self.data_dir) / self.file_name
                if not create and not path.exists():
                    return None
                self._store = PendingRatings(path)
            return self._store

    def _client(self) -> HallClient:
        return HallClient(self.base_url, self.token, timeout=self.timeout)

    def _add(self, ticket: str, level: int, reasons: list[str], text: str, key: str,
             context: dict[str, Any], channel: str) -> int | None:
        try:
            store = self.store()
            assert store is not None
            store.add(ticket, level, reasons, text, key, channel=channel, context=context)
        except Exception:
            # the disk failed: the hall is the only place left to keep it
            log.exception("rating of %s could not be stored; sending it directly", ticket)
            with self._client() as client:
                client.rate(ticket, level, reasons, text, channel, key)
            return None
        return store.pending_count()

    def _deliver(self, force: bool) -> Delivery:
        store = self.store(create=False)
        if store is None:
            return Delivery([], [], [], 0, {})
        with self._client() as client:
            return deliver_due(store, client, force=force)

    # -- GUI side

    def record(self, ticket: str, level: int, reasons: list[str], text: str = "",
               context: dict[str, Any] | None = None, *, channel: str = "pad", key: str | None = None) -> str:
        """Keeps the rating and sends it; returns its idempotency key (`key`: the one a first
        attempt already carried, so the hall counts the rating once whichever attempt reached it)."""
        key = key or str(uuid.uuid4())
        self.jobs.submit("pad.store-rating", self._add, ticket, level, list(reasons), text, key,
                         dict(context or {}), channel, done=self.on_added, failed=self.on_add_failed)
        return key

    def flush(self, force: bool = False) -> None:
        """Sends what is due (everything pending, with `force`), one round at a time."""
        if self._closed:
            return
        if self._flushing:
            self._again = True
            return
        self._flushing = True
        self.jobs.submit("pad.send-ratings", self._deliver, force, done=self.on_delivered,
                         failed=self.on_deliver_failed)

    def _set_pending(self, count: int) -> None:
        if count != self.pending:
            self.pending = count
            self.pending_changed.emit(count)

    def on_added(self, count: int | None) -> None:
        if count is not None:
            self._set_pending(count)
            self.flush(force=True)

    def on_add_failed(self, exc: BaseException) -> None:
        log.error("a rating was neither stored nor accepted by the hall: %s", exc)

    def on_delivered(self, result: Delivery) -> None:
        self._flushing = False
        self._set_pending(result.pending)
        for key in result.sent:
            self.rating_delivered.emit(result.tickets[key])
        for key, reason in result.refused:
            self.rating_refused.emit(result.tickets[key], reason)
        if self._again:
            self._again = False
            self.flush(force=True)

    def on_deliver_failed(self, exc: BaseException) -> None:
        self._flushing = False
        log.error("sending ratings failed: %s", exc)

    @Slot()
    def on_timer_timeout(self) -> None:
        if self.pending:
            self.flush()

    def shutdown(self) -> None:
        self._closed = True
        self.timer.stop()
        self.jobs.wait()
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None
