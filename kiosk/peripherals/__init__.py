"""The devices a screen drives, by name: each module offers `worker(name, url, settings)`.

A screen's devices come from its settings (`--device printer=/dev/ttyUSB0`). Each becomes a
`kiosk.devices.DeviceWorker` on its own thread in the screen's `DeviceHub`. A device that cannot
be set up (a bad URL, a missing library) is reported in the status row and left out: the
screen runs without it.
"""
from __future__ import annotations

import importlib
import logging

from drivers.status import DeviceStatus, State
from kiosk.context import Settings
from kiosk.devices import DeviceHub

log = logging.getLogger(__name__)

# device name -> module with worker(name, url, settings) -> DeviceWorker
KINDS = {
    "printer": "kiosk.peripherals.printer",  # ESC/POS ticket and receipt printer
    "idcard": "kiosk.peripherals.idcard",  # SAM ID card reader
    "scanner": "kiosk.peripherals.scanner",  # QR/barcode scanner (serial or HID)
    "camera": "kiosk.peripherals.scanner",  # codes read from camera frames
    "a4_printer": "kiosk.peripherals.a4",  # CUPS
    "contactless": "kiosk.peripherals.contactless",  # PC/SC: social-security cards
    "led": "kiosk.peripherals.led",  # window LED strips driven by the display
}


def open_devices(hub: DeviceHub, settings: Settings) -> list[str]:
    """Starts every configured device; returns the names that could not be set up."""
    failed: list[str] = []
    for name, url in settings.devices.items():
        kind = name.split(":", 1)[0]  # "led:w01" is the LED strip of window w01
        try:
            if kind not in KINDS:
                raise ValueError(f"unknown device {kind!r} (known: {', '.join(KINDS)})")
            module = importlib.import_module(KINDS[kind])
            hub.add(module.worker(name, url, settings.device_settings.get(name, {})))
        except Exception as exc:  # the screen runs without it; the status row says why
            log.error("device %s (%s) not started: %s", name, url, exc)
            hub.on_worker_status_changed(DeviceStatus(name, kind, State.DISCONNECTED, str(exc)))
            failed.append(name)
    return failed
