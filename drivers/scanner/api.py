"""The code scanner's typed interface: serial line mode, HID keyboard mode, or a camera.

`drivers.scanner.serial_scanner.SerialScanner`, `drivers.scanner.hid.HidScanner` and
`drivers.camera.scanner.CameraScanner` implement it.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from drivers.scanner.scan import Scan
    from drivers.status import DeviceStatus


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
