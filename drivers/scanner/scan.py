"""What every scanner delivers, and the one protocol all scanner kinds follow.

A `Scan` is one read code: its text, the symbology when the scanner said which (AIM
identifier), the bytes it came from, and when the scan completed (wall-clock seconds). A
`Rejected` is a line the scanner sent that could not become a scan (too long, not valid in the
configured encoding, an impossible Alt code): it is reported, never silently dropped and never
turned into a guess.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from drivers.status import DeviceStatus


@dataclass(frozen=True)
class Scan:
    text: str
    symbology: str | None
    raw: bytes
    at: float
    aim: str = ""  # the AIM symbology identifier as sent (e.g. "]Q1"), when enabled and present


@dataclass(frozen=True)
class Rejected:
    reason: str
    raw: bytes = b""  # the start of the offending line (at most `RAW_HEAD` bytes)
    at: float = 0.0


RAW_HEAD = 64


@runtime_checkable
class Scanner(Protocol):
    """A code scanner of any kind: serial line mode, HID keyboard mode, or a camera."""

    @property
    def status(self) -> DeviceStatus: ...

    def read(self, timeout: float | None = None) -> Scan | None:
        """The next scan, or None when `timeout` seconds pass without one (or after `close`)."""
        ...

    def scans(self, stop: threading.Event | None = None) -> Iterator[Scan]:
        """Scans as they come, until `stop` is set or the scanner is closed."""
        ...

    def close(self) -> None: ...
