"""Keeping one device connected: open, poll, reconnect with backoff, report status.

A `Link` owns one device's connection. `step()` does one round (connect, or poll) and says how
long to wait before the next; `run()` drives it on the caller's thread until told to stop. A
device that misses a poll is not dropped at once: only after `missed_polls` in a row (a flapping
USB device or a busy printer is not "unplugged"). An unplugged device (`DeviceUnavailable`) is
dropped at once and reconnected with exponential backoff and jitter.

While it is down, its status says why and since when: `connecting` names where it connects and,
after a failure, how many attempts failed and the last failure's reason; its `since` is when
the device was last lost (or the link started), not the start of the latest attempt. The log
says the first failure at once and, while the device stays away, again every `remind_every`
seconds. An unexpected exception from a driver is a failure like any other (logged with its
traceback): it never ends the link's thread with the status left at `connecting`.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from drivers.errors import DeviceError, DeviceFault, DeviceUnavailable
from drivers.status import DeviceStatus, State

log = logging.getLogger(__name__)


class Session(Protocol):
    def close(self) -> None: ...


S = TypeVar("S", bound=Session)
T = TypeVar("T")
StatusCallback = Callable[[DeviceStatus], None]


class Link(Generic[S]):
    def __init__(
        self,
        device: str,
        kind: str,
        connect: Callable[[], S],
        poll: Callable[[S], Mapping[str, Any] | None] | None = None,
        *,
        poll_interval: float = 2.0,
        missed_polls: int = 3,
        backoff: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        on_status: StatusCallback | None = None,
        where: str = "",
        remind_every: float = 60.0,
    ) -> None:
        self.device, self.kind = device, kind
        self.where = where  # what it opens (a port, a URL), named in the reasons
        self.remind_every = remind_every
        self._connect, self._poll = connect, poll
        self.poll_interval, self.missed_polls = poll_interval, missed_polls
        self.min_backoff, self.max_backoff = backoff
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_status = on_status
        self.lock = threading.RLock()
        self.session: S | None = None
        self.missed = 0
        self.failures = 0
        self.down_since = clock()  # when the device was lost, or the link made
        self.last_error = ""
        self._reminded = self.down_since
        self.status = DeviceStatus(device, kind, State.CONNECTING, "starting", self.down_since)

    # -- status

    def _set(self, state: State, reason: str = "", details: Mapping[str, Any] | None = None,
             since: float | None = None) -> None:
        old = self.status
        if old.state is state and old.reason == reason and (details or {}) == dict(old.details):
            return
        when = self.clock() if since is None else since
        self.status = DeviceStatus(self.device, self.kind, state, reason, when, dict(details or {}))
        if old.state is not state and State.READY in (old.state, state):
            log.info("%s %s: %s -> %s %s", self.kind, self.device, old.state, state, reason)
        if self.on_status is not None:
            try:
                self.on_status(self.status)
            except Exception:
                log.exception("status callback of %s failed", self.device)

    # -- one round

    def step(self) -> float:
        """Connects or polls once; returns the seconds to wait before the next round."""
        with self.lock:
            if self.session is None:
                return self._try_connect()
            return self._try_poll()

    def _down(self) -> dict[str, Any]:
        """What a status says while the device is away: where, how many failures, the last one."""
        out: dict[str, Any] = {"attempts": self.failures}
        if self.where:
            out["where"] = self.where
        if self.last_error:
            out["last_error"] = self.last_error
        return out

    def connecting_reason(self) -> str:
        where = f"connecting to {self.where}" if self.where else "connecting"
        if not self.failures:
            return where
        return f"{where}: {self.failures} attempts failed, the last: {self.last_error}"

    def _failed(self, reason: str) -> None:
        """A failed attempt: said in the status, and in the log at once and then now and again."""
        self.failures += 1
        self.last_error = reason
        self._set(State.DISCONNECTED, reason, self._down(), since=self.down_since)
        now = self.clock()
        if self.failures == 1 or now - self._reminded >= self.remind_every:
            self._reminded = now
            log.warning("%s %s: not connected for %.0f s (%d attempts%s): %s", self.kind, self.device,
                        now - self.down_since, self.failures, f" to {self.where}" if self.where else "", reason)

    def _try_connect(self) -> float:
        self._set(State.CONNECTING, self.connecting_reason(), self._down(), since=self.down_since)
        try:
            self.session = self._connect()
        except DeviceError as exc:
            self._failed(exc.message)
            return self._backoff()
        except Exception as exc:  # a driver's bug: said, and tried again like any failure
            log.exception("%s %s: connecting raised", self.kind, self.device)
            self._failed(f"unexpected {type(exc).__name__}: {exc}")
            return self._backoff()
        if self.failures:
            log.warning("%s %s: connected after %.0f s and %d failed attempts", self.kind, self.device,
                        self.clock() - self.down_since, self.failures)
        self.failures = 0
        self.last_error = ""
        self.missed = 0
        if self._poll is not None:
            return self._try_poll()  # ready once the device has answered, not merely opened
        self._set(State.READY, "connected")
        return self.poll_interval

    def _try_poll(self) -> float:
        if self._poll is None:
            return self.poll_interval
        assert self.session is not None
        try:
            details = self._poll(self.session)
        except DeviceUnavailable as exc:
            self._drop(exc.message)
            return self._backoff()
        except DeviceFault as exc:
            self.missed = 0
            self._set(State.ERROR, exc.message, {"code": exc.code})
            return self.poll_interval
        except DeviceError as exc:
            self.missed += 1
            if self.missed >= self.missed_polls:
                self._drop(f"no answer to {self.missed} polls: {exc.message}")
                return self._backoff()
            log.debug("%s missed poll %d: %s", self.device, self.missed, exc.message)
            return self.poll_interval
        except Exception as exc:  # a driver's bug: the device is dropped and reconnected, not the thread
            log.exception("%s %s: polling raised", self.kind, self.device)
            self._drop(f"unexpected {type(exc).__name__}: {exc}")
            return self._backoff()
        self.missed = 0
        self._set(State.READY, "ok", details)
        return self.poll_interval

    def _drop(self, reason: str) -> None:
        session, self.session = self.session, None
        self.down_since = self.clock()
        if session is not None:
            try:
                session.close()
            except Exception:
                log.debug("closing %s failed", self.device, exc_info=True)
        self._failed(reason)

    def _backoff(self) -> float:
        base = min(self.max_backoff, self.min_backoff * 2 ** max(0, self.failures - 1))
        return base * self.rng.uniform(0.8, 1.2)

    # -- use

    def use(self, action: Callable[[S], T]) -> T:
        """Runs an action on the connected device. Not connected: `DeviceUnavailable` at once.

        An unplug noticed during the action drops the session, so the next round reconnects.
        """
        with self.lock:
            if self.session is None:
                raise DeviceUnavailable(self.status.reason or "not connected", device=self.device)
            try:
                return action(self.session)
            except DeviceUnavailable as exc:
                self._drop(exc.message)
                raise

    def run(self, stop: threading.Event) -> None:
        """Drives the link until `stop` is set (on a thread of the caller's choosing)."""
        while not stop.is_set():
            delay = self.step()
            stop.wait(delay)
        self.close()

    def close(self) -> None:
        with self.lock:
            session, self.session = self.session, None
            if session is not None:
                session.close()
            self._set(State.DISCONNECTED, "closed")
