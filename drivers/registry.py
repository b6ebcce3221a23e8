"""The device kinds, and where each keeps its simulator and its doctor check.

Every kind package (drivers/<package>/) offers:
- `sim_main(argv) -> int`: `yiciban sim <kind> [--pty [--link PATH] | --tcp PORT] [faults]`;
  prints `listening <where>` as its first line of output, then serves until interrupted.
- `doctor(url, settings, timeout) -> dict`: opens the configured device (and only it), asks it
  for its state, and returns {"state": ready|error|disconnected, "reason": str, "details": {...}}.
  It never raises.
"""
from __future__ import annotations

import importlib
from types import ModuleType

# kind (as in the hall config's [[peripherals]]) -> package
KINDS: dict[str, str] = {
    "idcard": "drivers.idcard",
    "contactless": "drivers.contactless",
    "receipt_printer": "drivers.escpos",
    "a4_printer": "drivers.cups",
    "keypad_bus": "drivers.keypad",
    "led_strip": "drivers.ledstrip",
    "scanner": "drivers.scanner",
    "camera": "drivers.camera",
}


def package(kind: str) -> ModuleType:
    if kind not in KINDS:
        raise KeyError(f"unknown device kind {kind!r} (known: {', '.join(KINDS)})")
    return importlib.import_module(KINDS[kind])
