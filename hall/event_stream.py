"""Following the hall's event stream: each event once, in order, across reconnects.

`EventStream` runs on its own named thread, resumes after the last event it delivered on every
reconnection, drops duplicates and fills gaps over HTTP before going on.
"""
from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from hall.client import API, HallClient, HallError

log = logging.getLogger(__name__)


EventCallback = Callable[[dict[str, Any]], None]
StatusCallback = Callable[[bool, str], None]
Fetch = Callable[[int], Iterable[dict[str, Any]]]


class _Resync(Exception):
    """The stream is behind or out of order: reconnect from the last delivered event."""


class EventStream:
    """Follows the hall's events on a named thread; `on_event` gets each event once, in order.

    `after` is the last sequence number the caller already has (0: everything; None: from now
    on). Every (re)connection resumes after the last event delivered. A duplicate is dropped;
    an event ahead of the next expected one is never delivered early: the missing ones are
    read over HTTP first, or the stream reconnects. Heartbeats are not events, but one that
    shows the server ahead of us starts that catch-up too. `on_status(connected, reason)`
    reports each connect and disconnect. An exception in `on_event` is logged and the event
    counts as delivered (it is not offered again).
    """

    def __init__(self, base_url: str, token: str, after: int | None = None,
                 on_event: EventCallback | None = None, on_status: StatusCallback | None = None,
                 *, name: str = "hall-events", min_backoff: float = 0.5, max_backoff: float = 10.0,
                 open_timeout: float = 5.0, fetch: Fetch | None = None,
                 rng: random.Random | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.on_event = on_event or (lambda event: None)
        self.on_status = on_status or (lambda connected, reason: None)
        self.name = name
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.open_timeout = open_timeout
        self._http = HallClient(self.base_url, token, timeout=open_timeout)
        self._fetch = fetch or self._fetch_http
        self._rng = rng or random.Random()
        self._last = after
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws: ClientConnection | None = None
        self._connected = False
        self._reported: bool | None = None  # the last state told to on_status
        self._lock = threading.Lock()

    @property
    def last_seq(self) -> int | None:
        """The sequence number of the last event delivered (None: not known yet)."""
        return self._last

    @property
    def connected(self) -> bool:
        return self._connected

    def start(self) -> EventStream:
        if self._thread is not None:
            raise RuntimeError("event stream already started")
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        with self._lock:
            ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                ws.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._http.close()

    def __enter__(self) -> EventStream:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            reason, healthy = self._session()
            if self._stop.is_set():
                reason = "stopped"
            self._connected = False
            if self._reported is not False:
                self._status(False, reason)
            if self._stop.is_set():
                break
            failures = 0 if healthy else failures + 1
            delay = min(self.max_backoff, self.min_backoff * 2 ** max(0, failures - 1))
            delay = self._rng.uniform(delay / 2, delay)
            log.debug("%s: reconnecting in %.1f s (%s)", self.name, delay, reason)
            self._stop.wait(delay)
        log.debug("%s: stopped at seq %s", self.name, self._last)

    def _session(self) -> tuple[str, bool]:
        """One connection, until it fails. Returns why it ended, and whether it had worked."""
        healthy = False
        try:
            if self._last is None:
                self._last = int(self._http.health()["seq"])
            query = urlencode({"after": self._last, "token": self.token})
            ws_url = self.base_url.replace("http", "ws", 1) + f"{API}/events/ws?{query}"
            with connect(ws_url, open_timeout=self.open_timeout, close_timeout=1,
                         ping_interval=20, ping_timeout=20, max_size=2**22) as ws:
                with self._lock:
                    self._ws = ws
                if self._stop.is_set():
                    return "stopped", True
                opened = time.monotonic()
                self._connected = True
                self._status(True, f"connected after seq {self._last}")
                try:
                    while not self._stop.is_set():
                        message = ws.recv()
                        healthy = True
                        self._handle(message)
                except _Resync as exc:
                    return str(exc), True
                finally:
                    healthy = healthy or time.monotonic() - opened >= self.max_backoff
                    with self._lock:
                        self._ws = None
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            if rcvd is not None and rcvd.code >= 4000:
                return f"refused by the server: {rcvd.code} {rcvd.reason}", False
            return "connection closed", healthy
        except HallError as exc:
            return f"hall server not available: {exc.message}", False
        except (OSError, TimeoutError, WebSocketException) as exc:
            return f"{type(exc).__name__}: {exc}", healthy
        except Exception as exc:  # the thread must outlive whatever happens
            log.exception("%s: unexpected failure", self.name)
            return f"{type(exc).__name__}: {exc}", False
        return "stopped", healthy

    def _handle(self, message: str | bytes) -> None:
        try:
            data = json.loads(message)
        except ValueError:
            log.warning("%s: ignored a message that is not JSON", self.name)
            return
        last = self._last or 0
        if not isinstance(data, dict):
            return
        if data.get("type") == "heartbeat":
            head = data.get("head")
            if isinstance(head, int) and head > last:
                self._catch_up(head)
            elif isinstance(head, int) and head < last:
                # the server has fewer events than we delivered: its data was reset
                log.warning("%s: server is at seq %d, behind our %d; following it from there",
                            self.name, head, last)
                self._last = head
                raise _Resync(f"server reset to seq {head}")
            return
        seq = data.get("seq")
        if not isinstance(seq, int):
            log.warning("%s: ignored a message without a sequence number", self.name)
        elif seq == last + 1:
            self._deliver(data)
        elif seq > last + 1:
            # never deliver ahead of a missing event: fetch the missing ones first
            self._catch_up(seq - 1)
            self._deliver(data)
        # seq <= last: delivered already

    def _catch_up(self, upto: int) -> None:
        """Delivers the events after the last one, up to `upto`, read over HTTP."""
        try:
            while (self._last or 0) < upto:
                before = self._last or 0
                for event in self._fetch(before):
                    if event.get("seq") != (self._last or 0) + 1 or event["seq"] > upto:
                        break
                    self._deliver(event)
                if self._last == before:
                    break
        except HallError as exc:
            raise _Resync(f"catching up after seq {self._last} failed: {exc.message}") from None
        if (self._last or 0) < upto:
            raise _Resync(f"could not catch up from seq {self._last} to {upto}")

    def _fetch_http(self, after: int) -> list[dict[str, Any]]:
        return list(self._http.events(after, 1000)["events"])

    def _deliver(self, event: dict[str, Any]) -> None:
        try:
            self.on_event(event)
        except Exception:
            log.exception("%s: event callback failed at seq %s", self.name, event.get("seq"))
        self._last = event["seq"]

    def _status(self, connected: bool, reason: str) -> None:
        self._reported = connected
        log.log(logging.INFO if connected else logging.WARNING, "%s: %s (%s)", self.name,
                "connected" if connected else "disconnected", reason)
        try:
            self.on_status(connected, reason)
        except Exception:
            log.exception("%s: status callback failed", self.name)
