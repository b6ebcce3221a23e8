"""The devices a screen drives: each named `KIND` or `KIND:NAME`, the kinds those of `drivers.registry`.

A screen's devices come from its settings (`--device receipt_printer=/dev/ttyUSB0`,
`--device led_strip:w01=socket://…`). Each becomes a `kiosk.devices.DeviceWorker` on its own
thread in the screen's `DeviceHub`, over the `Link` the registry builds for its kind. A kind with
more to do on a screen than report its status (print, read cards, scan codes) has a module here
offering `worker(name, url, settings)`. A device that cannot be set up (a bad URL, a missing
library) is reported in the status row and left out: the screen runs without it.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from drivers import registry
from drivers.status import DeviceStatus, State
from kiosk.context import Settings
from kiosk.devices import DeviceHub, DeviceWorker

log = logging.getLogger(__name__)

# kind -> module with worker(name, url, settings) -> DeviceWorker, for what a screen does with it
WORKERS = {
    "receipt_printer": "kiosk.peripherals.printer",  # tickets and receipts, each printed once
    "idcard": "kiosk.peripherals.idcard",  # a placed card read once
    "scanner": "kiosk.peripherals.scanner",  # QR/barcode scanner (serial or HID)
    "camera": "kiosk.peripherals.scanner",  # codes read from camera frames
    "a4_printer": "kiosk.peripherals.a4",  # PDFs through CUPS
    "document_camera": "kiosk.peripherals.document_camera",  # a still page captured while a flow asks
    "contactless": "kiosk.peripherals.contactless",  # social-security cards
    "led_strip": "kiosk.peripherals.led",  # window LED strips driven by the display
}


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The worker of device `name` (`KIND` or `KIND:NAME`, older kind names accepted)."""
    name = registry.device_name(name)
    kind = name.split(":", 1)[0]
    if kind not in registry.SCREEN_KINDS:
        raise ValueError(f"a {kind} is driven by the hall PC, not a screen: list it in the hall config's "
                         f'[[peripherals]] with host = "hall"')
    if kind in WORKERS:
        return importlib.import_module(WORKERS[kind]).worker(name, url, settings)
    return DeviceWorker(registry.make_link(kind, name, url, settings))


def open_devices(hub: DeviceHub, settings: Settings) -> list[str]:
    """Starts every configured device; returns the names that could not be set up."""
    failed: list[str] = []
    for given, url in settings.devices.items():
        name, kind = given, given.split(":", 1)[0]
        try:
            name = registry.device_name(given)
            kind = name.split(":", 1)[0]
            hub.add(worker(name, url, settings.device_settings.get(name, settings.device_settings.get(given, {}))))
        except Exception as exc:  # the screen runs without it; the status row says why
            log.error("device %s (%s) not started: %s", name, url, exc)
            hub.on_worker_status_changed(DeviceStatus(name, kind, State.DISCONNECTED, str(exc)))
            failed.append(name)
    return failed
