"""Barcode/QR scanners: serial line mode (USB-CDC, preferred at kiosks), HID keyboard mode read
through evdev with the device grabbed, and (in `drivers.camera`) codes read from camera frames.

All follow `Scanner` (api.py) and deliver frozen `Scan`s (scan.py). See docs/protocols/scanner.md.

A peripheral's settings (hall config) choose the mode: `mode = "serial"` (default, or any URL
that is not under /dev/input/) or `"hid"`; serial takes `baudrate`, `suffix`, `encoding`,
`errors`, `max_length`, `aim`; HID takes `aim`, `tab_ends_line`, `alt_codes`, `max_length`.

Importing this package does no work: pyserial and evdev load when a scanner is made.
"""
from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from drivers.scanner.codec import DEFAULT_BAUDRATE

if TYPE_CHECKING:
    from drivers.link import Link, StatusCallback
    from drivers.scanner.reader import LinkedScanner

KIND = "scanner"
_EXPORTS = {
    "HidScanner": "drivers.scanner.hid", "KeyDecoder": "drivers.scanner.hid",
    "LineConfig": "drivers.scanner.codec", "ScanCodec": "drivers.scanner.codec",
    "Rejected": "drivers.scanner.scan", "Scan": "drivers.scanner.scan",
    "Scanner": "drivers.scanner.api", "SerialScanner": "drivers.scanner.serial_scanner",
    "ScannerSimulator": "drivers.scanner.simulator",
}
__all__ = [*_EXPORTS, "doctor", "make_link", "open_scanner", "sim_main"]

log = logging.getLogger(__name__)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _mode(url: str, settings: Mapping[str, Any]) -> str:
    mode = str(settings.get("mode") or ("hid" if url.startswith("/dev/input/") else "serial"))
    if mode not in ("serial", "hid"):
        raise ValueError(f"scanner mode {mode!r}: use serial or hid")
    return mode


def open_scanner(url: str, settings: Mapping[str, Any] | None = None, *, device: str = "scanner",
                 on_status: StatusCallback | None = None) -> LinkedScanner[Any]:
    """The scanner a peripheral's URL and settings describe (not yet connected: `read` connects).
    Its `link` keeps it connected; `read` delivers what it scanned."""
    from drivers.scanner.codec import LineConfig
    from drivers.scanner.hid import HidScanner
    from drivers.scanner.serial_scanner import SerialScanner

    settings = settings or {}
    if _mode(url, settings) == "hid":
        return HidScanner(
            url,
            device=device,
            aim=bool(settings.get("aim", False)),
            tab_ends_line=bool(settings.get("tab_ends_line", False)),
            alt_codes=str(settings.get("alt_codes", "gbk")),
            max_length=int(settings.get("max_length", 4096)),
            on_status=on_status,
        )
    return SerialScanner(
        url,
        LineConfig.from_settings(settings),
        device=device,
        baudrate=int(settings.get("baudrate", DEFAULT_BAUDRATE)),
        on_status=on_status,
    )


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None, *,
              on_status: StatusCallback | None = None) -> Link[Any]:
    """The `Link` of the scanner `open_scanner` makes: a scanner reads through its own link, so a
    screen that reads codes takes the scanner (`open_scanner`) and with it this link."""
    return open_scanner(url, settings, device=device, on_status=on_status).link


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 2.0) -> dict[str, Any]:
    """Serial: opens the port (writes nothing) and closes it. HID: the device exists, its name.

    Never raises: {"state": ready|error|disconnected, "reason": str, "details": {...}}.
    """
    from drivers.scanner.codec import LineConfig

    settings = settings or {}
    try:
        mode = _mode(url, settings)
        if mode == "hid":
            return _doctor_hid(url)
        config = LineConfig.from_settings(settings)
    except (ValueError, TypeError) as exc:
        return {"state": "error", "reason": f"settings: {exc}", "details": {"url": url}}
    return _doctor_serial(url, config, int(settings.get("baudrate", DEFAULT_BAUDRATE)), timeout)


def _doctor_serial(url: str, config: Any, baudrate: int, timeout: float) -> dict[str, Any]:
    from drivers.errors import DeviceError
    from drivers.transport import open_url

    details: dict[str, Any] = {"url": url, "mode": "serial", "baudrate": baudrate,
                               "suffix": config.suffix, "encoding": config.encoding, "aim": config.aim}
    try:
        port = open_url(url, baudrate=baudrate, timeout=min(timeout, 0.5))
    except DeviceError as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    try:
        details["bytes_waiting"] = port.in_waiting
    except Exception as exc:  # a port that opens but fails at once
        return {"state": "error", "reason": f"port opened but failed: {exc}", "details": details}
    finally:
        try:
            port.close()
        except Exception:
            log.debug("closing %s failed", url, exc_info=True)
    return {"state": "ready", "reason": "port opens; the scanner sends only when a code is scanned",
            "details": details}


def _doctor_hid(path: str) -> dict[str, Any]:
    details: dict[str, Any] = {"path": path, "mode": "hid"}
    if not os.path.exists(path):
        return {"state": "disconnected", "reason": f"no input device {path}", "details": details}
    details["resolved"] = os.path.realpath(path)
    try:
        import evdev

        dev = evdev.InputDevice(path)
    except PermissionError:
        return {"state": "error", "details": details,
                "reason": f"{path} exists but cannot be read: add the kiosk user to group 'input'"}
    except Exception as exc:
        return {"state": "error", "reason": f"{path} cannot be opened: {exc}", "details": details}
    try:
        details.update(name=dev.name, phys=dev.phys)
    finally:
        dev.close()
    return {"state": "ready", "reason": f"input device {dev.name!r}", "details": details}


def sim_main(argv: Sequence[str] | None = None) -> int:
    from drivers.scanner.simulator import sim_main as main

    return main(argv)
