"""Telling systemd that a service is up and still alive (sd_notify), with the standard library only.

A unit with `Type=notify` and `WatchdogSec=` waits for READY=1 before it counts the service as
started, and restarts it when WATCHDOG=1 stops coming: a hall whose event loop hangs is
restarted instead of sitting there with its port open. Outside systemd ($NOTIFY_SOCKET unset)
every call here does nothing. A child process inherits the variables but is not the process
systemd watches ($WATCHDOG_PID names that one), so a child stays silent too.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def _address() -> str | None:
    path = os.environ.get("NOTIFY_SOCKET", "")
    if not path or path[0] not in "/@":
        return None
    watched = os.environ.get("WATCHDOG_PID", "")
    if watched and watched != str(os.getpid()):
        return None
    return "\0" + path[1:] if path[0] == "@" else path


def enabled() -> bool:
    """True in the process that systemd started with a notify socket."""
    return _address() is not None


def notify(*states: str) -> bool:
    """Send `states` (`READY=1`, `WATCHDOG=1`, `STATUS=...`) to systemd; False when not under
    systemd or when the socket refused them (logged: the service keeps running)."""
    address = _address()
    if address is None or not states:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(states).encode())
    except OSError as exc:
        log.warning("could not notify systemd at %s: %s", os.environ.get("NOTIFY_SOCKET"), exc)
        return False
    return True


def watchdog_seconds() -> float | None:
    """The unit's WatchdogSec= in seconds, or None when this process is not watched."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    if not usec.isdigit() or int(usec) == 0 or _address() is None:
        return None
    return int(usec) / 1_000_000


def ping_every() -> float:
    """How often to send WATCHDOG=1: twice per watchdog period (30 s when not watched)."""
    period = watchdog_seconds()
    return 30.0 if period is None else max(period / 2, 0.5)


async def alive_async() -> None:
    """uvicorn's `callback_notify`: called from the server's main loop, so a ping proves it turns."""
    notify("READY=1", "WATCHDOG=1")


def beating(check: Callable[[], bool] | None = None) -> Callable[[], bool]:
    """Wrap a loop's `alive()` check (called at least once a second) so that each call also
    tells systemd the loop turns: READY=1 on the first call, WATCHDOG=1 at most every
    `ping_every()` seconds after that. The result is `check()`'s, or True without one."""
    state = {"last": None}
    every = ping_every()

    def alive() -> bool:
        now = time.monotonic()
        if state["last"] is None:
            notify("READY=1", "WATCHDOG=1")
            state["last"] = now
        elif now - state["last"] >= every:
            notify("WATCHDOG=1")
            state["last"] = now
        return True if check is None else check()

    return alive
