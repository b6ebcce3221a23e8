"""The client of the hall server, used by every other role (kiosk, dispenser, display, pad, autopilot).

`HallClient` speaks the HTTP API; its errors are `HallError` (the server refused, with its
code and message) and `HallUnavailable` (the server did not answer or failed). No `requests`
exception reaches a caller. `EventStream` follows the event stream over a WebSocket on its own
thread and hands each event to its callback exactly once, in order, across reconnects.
"""
from __future__ import annotations

import contextlib
import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import requests
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

log = logging.getLogger(__name__)

API = "/api/v1"


class HallError(Exception):
    """The hall server refused a request. `code` is the server's error code ("nothing_to_call")."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{message} ({status} {code})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class HallUnavailable(HallError):
    """The hall server did not answer, timed out, or failed (5xx). Nothing is known to have changed."""


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _present(**values: Any) -> dict[str, Any]:
    """The values given, without the ones left out (None): the server takes its defaults."""
    return {k: v for k, v in values.items() if v is not None}


class HallClient:
    """The hall's HTTP API. Each method returns the server's JSON answer as a dict.

    Every state-changing request carries an Idempotency-Key (a fresh one unless given) and is
    sent once more, with the same key, if the answer is lost; reads are retried likewise. One
    client per thread: its requests.Session is not meant to be shared.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, key: str | None = None,
                 retry: bool = False) -> dict[str, Any]:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        attempts = 2 if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                resp = self.session.request(method, url, json=body, params=params,
                                            headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                lost = isinstance(exc, (requests.ConnectionError, requests.Timeout))
                if lost and attempt < attempts:
                    # it may have been carried out: the same idempotency key makes the retry safe
                    log.info("%s %s: %s; retrying once", method, path, type(exc).__name__)
                    continue
                raise HallUnavailable(0, "unavailable", f"hall server at {self.base_url} did not "
                                      f"answer {method} {path} ({type(exc).__name__})") from None
            return self._answer(resp, method, path)
        raise AssertionError("unreachable")

    def _answer(self, resp: requests.Response, method: str, path: str) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code < 400:
            if not isinstance(data, dict):
                raise HallError(resp.status_code, "bad_response",
                                f"hall server at {self.base_url} answered {method} {path} "
                                "with something that is not a JSON object")
            return data
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            code, message = data["error"], str(data.get("message") or data["error"])
            details = data.get("details") if isinstance(data.get("details"), dict) else {}
        else:
            code, message, details = f"http_{resp.status_code}", resp.reason or "error", {}
        if resp.status_code >= 500:
            raise HallUnavailable(resp.status_code, code,
                                  f"hall server at {self.base_url} failed: {message}", details)
        raise HallError(resp.status_code, code, message, details)

    def _command(self, path: str, body: dict[str, Any] | None = None,
                 idempotency_key: str | None = None) -> dict[str, Any]:
        """A state-changing request: always keyed, so one retry after a lost answer is safe."""
        key = idempotency_key or str(uuid.uuid4())
        return self._request("POST", API + path, body=body, key=key, retry=True)

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._request("GET", API + path, params=params, retry=True)

    # -- public and session

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Logs a staff member in; later requests carry the session's token."""
        data = self._request("POST", f"{API}/auth/login",
                             body={"username": username, "password": password})
        self.token = data["token"]
        return data

    def logout(self) -> dict[str, Any]:
        data = self._request("POST", f"{API}/auth/logout")
        self.token = None
        return data

    def me(self) -> dict[str, Any]:
        return self._get("/me")

    # -- reading

    def hall(self) -> dict[str, Any]:
        return self._get("/hall")

    def snapshot(self) -> dict[str, Any]:
        return self._get("/snapshot")

    def events(self, after: int = 0, limit: int = 500) -> dict[str, Any]:
        return self._get("/events", {"after": after, "limit": limit})

    def stats(self, day: str | None = None) -> dict[str, Any]:
        return self._get("/stats", {"day": day} if day else None)

    def ticket(self, id: str) -> dict[str, Any]:
        return self._get(f"/tickets/{_segment(id)}")

    def window(self, window: str) -> dict[str, Any]:
        return self._get(f"/windows/{_segment(window)}")

    # -- tickets

    def issue(self, queue: str | None = None, matter: str | None = None, priority: str = "normal",
              channel: str = "api", slot_start: datetime | str | None = None,
              slot_end: datetime | str | None = None,
              idempotency_key: str | None = None) -> dict[str, Any]:
        """A new ticket (by queue, or by matter code). A retried issue never makes two tickets."""
        body = _present(queue=queue, matter=matter, priority=priority, channel=channel,
                        slot_start=_when(slot_start), slot_end=_when(slot_end))
        return self._command("/tickets", body, idempotency_key)

    def cancel(self, id: str, reason: str = "", idempotency_key: str | None = None) -> dict[str, Any]:
        return self._command(f"/tickets/{_segment(id)}/cancel", {"reason": reason}, idempotency_key)

    def transfer(self, id: str, to_queue: str | None = None, to_window: str | None = None,
                 keep_place: bool = False, by_window: str | None = None,
                 idempotency_key: str | None = None) -> dict[str, Any]:
        body = _present(to_queue=to_queue, to_window=to_window, keep_place=keep_place,
                        by_window=by_window)
        return self._command(f"/tickets/{_segment(id)}/transfer", body, idempotency_key)

    # -- windows

    def _window_command(self, window: str, action: str, body: dict[str, Any] | None = None,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        return self._command(f"/windows/{_segment(window)}/{action}", body, idempotency_key)

    def call_next(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "call-next", None, idempotency_key)

    def call(self, window: str, ticket: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "call", {"ticket": ticket}, idempotency_key)

    def recall(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "recall", None, idempotency_key)

    def no_show(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "no-show", None, idempotency_key)

    def start(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "start", None, idempotency_key)

    def finish(self, window: str, matter: str | None = None,
               idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "finish", _present(matter=matter), idempotency_key)

    def open_window(self, window: str, staff: str | None = None,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "open", _present(staff=staff), idempotency_key)

    def pause(self, window: str, reason: str = "", idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "pause", {"reason": reason}, idempotency_key)

    def resume(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "resume", None, idempotency_key)

    def close_window(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "close", None, idempotency_key)


# ---------------------------------------------------------------------------------------------
# The event stream

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
