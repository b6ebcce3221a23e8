"""Transports come from a URL, never from probing: a device path or udev symlink, `socket://`,
`spy://` (hex dump for field debugging), `loop://` ... as pyserial's `serial_for_url` reads them.

Opening a port writes nothing to it: a driver speaks only to the port its configuration names.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import serial

from drivers.errors import DeviceUnavailable

log = logging.getLogger(__name__)

Transport = serial.SerialBase
TransportFactory = Callable[[], Transport]


def open_url(url: str, *, baudrate: int = 115200, timeout: float = 0.2, **settings: Any) -> Transport:
    """Opens the port a URL names; a failure is `DeviceUnavailable` naming the URL and why."""
    try:
        port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout, **settings)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise DeviceUnavailable(f"cannot open {url}: {exc}") from exc
    return port


def factory(url: str, **settings: Any) -> TransportFactory:
    """A transport factory for a device's reconnect loop: each call opens the port anew."""
    return lambda: open_url(url, **settings)
