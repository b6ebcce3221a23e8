"""Codes read by a scanner or a camera, for the screens: `watched` emits each code's text once.

The device name picks the kind: "camera" reads codes from camera frames (`drivers.camera`,
the URL is a camera index, device path or stream); any other name is a code scanner
(`drivers.scanner`: serial line mode, or HID keyboard mode when the URL is under /dev/input/ or
the settings say `mode = "hid"`). A line the scanner sent that could not become a code (cut
short, not valid in its encoding) is reported by `rejected`, with the reason only.

What a code says is never logged here: a scanned code may carry an appointment code, a ticket
link or an ID number.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal

from drivers.scanner.scan import Rejected
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

READ_SECONDS = 0.15  # one watch round waits this long for a code, on the device's own thread
WATCH_INTERVAL = 0.05


class ScannerWorker(DeviceWorker):
    """A scanner's worker: `watched(str)` for each code, `rejected(str)` with the reason of a bad line."""

    rejected = Signal(str)

    def __init__(self, scanner: Any) -> None:
        self.scanner = scanner
        scanner.on_rejected = self._on_scanner_rejected
        super().__init__(scanner.link, watch=self._read, watch_interval=WATCH_INTERVAL)

    def _read(self, _session: Any) -> str | None:
        scan = self.scanner.read(READ_SECONDS)
        return None if scan is None else scan.text

    def _on_scanner_rejected(self, item: Rejected) -> None:
        self.rejected.emit(item.reason)


def worker(name: str, url: str, settings: Mapping[str, Any]) -> ScannerWorker:
    """The worker of a scanner ("scanner", "scanner:2") or of a camera reading codes ("camera")."""
    if name.split(":", 1)[0] == "camera":
        from drivers.camera import open_camera

        return ScannerWorker(open_camera(url, settings, device=name))
    from drivers.scanner import open_scanner

    return ScannerWorker(open_scanner(url, settings, device=name))
