"""The screens' line to the hall server: requests on the job pool, events as Qt signals.

`HallLink.call("issue", queue="A", done=...)` runs `HallClient.issue` off the GUI thread, one
client per pool thread. `online_changed` tells the screens, honestly and calmly, when the hall
stops answering and when it is back; a request that fails because the hall is away marks the
link offline at once, and a light health check every few seconds brings it back. The health
check also compares this machine's clock with the hall's and says when they differ by more than
a minute (`clock_skew_changed`, and a warning in the log). Every half minute it sends the
hall a heartbeat (`kiosk.heartbeat`): its clock, version, devices (`devices`, set by the app)
and disk, for the hall's health page.

With `follow=True` the link also follows the event stream (`hall.event_stream.EventStream`:
each event once, in order, across reconnects) and re-emits each event as `event_received`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from drivers.status import DeviceStatus
from ground.clocks import skew_note
from hall.client import HallClient, HallError, HallUnavailable
from kiosk import heartbeat
from kiosk.workers import Jobs

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 5000


class HallLink(QObject):
    online_changed = Signal(bool, str)
    event_received = Signal(object)  # a hall.wire.StreamEvent
    stream_status_changed = Signal(bool, str)
    clock_skew_changed = Signal(str)  # what to say about this machine's clock; "" when it agrees

    def __init__(self, base_url: str, token: str, jobs: Jobs, *, follow: bool = False,
                 after: int | None = None, timeout: float = 5.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base_url, self.token, self.jobs, self.timeout = base_url.rstrip("/"), token, jobs, timeout
        self._local = threading.local()
        self._clients: list[HallClient] = []
        self._clients_lock = threading.Lock()
        self._online: bool | None = None
        self.clock_note: str | None = None  # set while this machine's clock is off the hall's
        self._checking = False
        self._stream = None
        self.stopped = False  # after stop(): the screen is shutting down, nothing more is asked
        self._follow, self._after = follow, after
        self._health = QTimer(self)
        self._health.setInterval(HEALTH_INTERVAL_MS)
        self._health.timeout.connect(self.on_health_timeout)
        # the screen's devices and their states, for the heartbeat (kiosk.devices.DeviceHub.states)
        self.devices: Callable[[], Mapping[str, DeviceStatus]] = dict
        self._beating = False
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(heartbeat.HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self.on_heartbeat_timeout)
        self._soon = QTimer(self)  # a device changed: the hall hears of it within seconds
        self._soon.setSingleShot(True)
        self._soon.setInterval(heartbeat.SOON_MS)
        self._soon.timeout.connect(self.on_heartbeat_timeout)

    # -- requests

    def _client(self) -> HallClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = HallClient(self.base_url, self.token, timeout=self.timeout)
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _run(self, method: str, args: tuple, kwargs: dict) -> Any:
        return getattr(self._client(), method)(*args, **kwargs)

    def call(self, method: str, *args: Any, done: Callable[[Any], None] | None = None,
             failed: Callable[[BaseException], None] | None = None, **kwargs: Any) -> None:
        """`HallClient.<method>(*args, **kwargs)` on the pool; `done(answer)` or `failed(exc)` here."""
        if not hasattr(HallClient, method):
            raise AttributeError(f"HallClient has no method {method!r}")
        if self.stopped:
            log.debug("not asking the hall for %s: the link is stopped", method)
            return

        def on_done(answer: Any) -> None:
            self._set_online(True, "")
            if done is not None:
                done(answer)

        def on_failed(exc: BaseException) -> None:
            if isinstance(exc, HallUnavailable) or not isinstance(exc, HallError):
                self._set_online(False, str(exc))
            if failed is not None:
                failed(exc)
            else:
                log.warning("hall %s failed: %s", method, exc)

        self.jobs.submit(f"hall.{method}", self._run, method, args, kwargs, done=on_done, failed=on_failed)

    # -- online state

    @property
    def online(self) -> bool | None:
        return self._online

    def _set_online(self, online: bool, reason: str) -> None:
        if online != self._online:
            self._online = online
            log.info("hall server %s%s", "reachable" if online else "unreachable",
                     f": {reason}" if reason and not online else "")
            self.online_changed.emit(online, reason)

    @Slot()
    def on_health_timeout(self) -> None:
        if self._checking:
            return
        self._checking = True

        def finished(skew: float | None) -> None:
            self._checking = False
            self._set_skew(skew)

        def failed(_exc: BaseException) -> None:
            self._checking = False

        self.call("clock_skew", done=finished, failed=failed)

    @Slot(object)
    def beat_soon(self, _status: object = None) -> None:
        """A device's state changed: a heartbeat in a few seconds (one for a burst of changes)."""
        if self._heartbeat.isActive() and not self._soon.isActive():
            self._soon.start()

    @Slot()
    def on_heartbeat_timeout(self) -> None:
        """Tells the hall this screen is alive (one heartbeat at a time; a hall away is already
        said by the health check, an older hall without heartbeats once in the log)."""
        if self._beating:
            return
        self._beating = True

        def finished(_answer: Any) -> None:
            self._beating = False

        def failed(exc: BaseException) -> None:
            self._beating = False
            if isinstance(exc, HallError) and exc.status in (404, 405):
                log.info("the hall takes no heartbeats (an older hall server): %s", exc.message)
                self._heartbeat.stop()
            elif not isinstance(exc, HallUnavailable):
                log.warning("heartbeat refused: %s", exc)

        self.call("heartbeat", heartbeat.body(self.devices()), done=finished, failed=failed)

    def _set_skew(self, skew: float | None) -> None:
        """Says so (log and `clock_skew_changed`) when this machine's clock starts or stops
        being more than a minute off the hall's."""
        note = skew_note(skew)
        if (note is None) == (self.clock_note is None):
            return
        self.clock_note = note
        if note is not None:
            log.warning("%s", note)
        else:
            log.info("this machine's clock agrees with the hall's again")
        self.clock_skew_changed.emit(note or "")

    # -- life

    def start(self) -> None:
        self.stopped = False
        self._health.start()
        self.on_health_timeout()
        self._heartbeat.start()
        self.on_heartbeat_timeout()
        if self._follow:
            self.start_events(self._after)

    def start_events(self, after: int | None) -> None:
        """Follows the event stream after sequence number `after` (None: from now on), once.

        A screen that shows state reads the snapshot first and follows from its `seq`, so no
        event is missed or applied twice.
        """
        if self._stream is not None:
            return
        from hall.event_stream import EventStream
        from hall.wire import StreamEvent

        def typed(event: dict[str, Any]) -> None:
            # a malformed event is logged and skipped by the stream; unknown fields are ignored
            self.event_received.emit(StreamEvent.read(event, "an event from the hall"))

        self._stream = EventStream(self.base_url, self.token, after=after, on_event=typed,
                                   on_status=self.stream_status_changed.emit,
                                   name="kiosk-hall-events").start()

    @property
    def last_seq(self) -> int | None:
        return self._stream.last_seq if self._stream is not None else None

    def stop(self) -> None:
        self.stopped = True
        self._health.stop()
        self._heartbeat.stop()
        self._soon.stop()
        if self._stream is not None:
            self._stream.stop()
            self._stream = None
        self.jobs.wait(int(self.timeout * 1000) + 1000)
        with self._clients_lock:
            for client in self._clients:
                client.close()
            self._clients.clear()
