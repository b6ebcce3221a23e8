"""Window caller keypads and evaluation key pads on one RS-485 bus (docs/protocols/keypad-bus.md).

- `codec`: framing (STX, byte stuffing, CRC-16/MODBUS, ETX) and a resynchronising deframer.
- `messages`: the commands and replies as dataclasses and their payload bytes.
- `bus`: `KeypadBus`, the master that polls every address and delivers each event once.
- `simulator`: keypads and pads answering on the device side, with faults.
- `cli`: `sim_main` (the simulator on a pty or TCP port, driven from stdin) and `doctor`.

`open_bus(device, url, settings)` is the bus a hall config's `keypad_bus` entry describes; its
`link` keeps the port open, and each of the link's polls polls every address on the bus.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from drivers.keypad.api import CallerBus
from drivers.keypad.bus import EventCallback, KeypadBus
from drivers.keypad.cli import devices_from_settings, doctor, sim_main
from drivers.keypad.model import (
    BusDevice,
    BusEvent,
    DeviceInfo,
    EvaluationResult,
    Key,
    KeyPressed,
    Led,
    Level,
    RatingRefused,
    Reason,
)
from drivers.keypad.simulator import BusSimulator, SimKeypad, SimPad

__all__ = [
    "BusDevice", "BusEvent", "BusSimulator", "CallerBus", "DeviceInfo", "EvaluationResult", "Key", "KeyPressed",
    "KeypadBus", "Led", "Level", "RatingRefused", "Reason", "SimKeypad", "SimPad",
    "devices_from_settings", "doctor", "make_link", "open_bus", "sim_main",
]

if TYPE_CHECKING:
    from drivers.link import Link
    from drivers.transport import Transport

KIND = "keypad_bus"


def open_bus(device: str, url: str, settings: Mapping[str, Any] | None = None, *,
             on_event: EventCallback | None = None, **options: Any) -> KeypadBus:
    """The bus at `url` with the keypads and pads its settings name (`keypads = "1,2"`,
    `pads = "11,12"`, `baudrate`). Bad settings: `ValueError` now; the port opens when polled."""
    from drivers.transport import factory

    settings = dict(settings or {})
    devices = devices_from_settings(settings)
    return KeypadBus(factory(url, baudrate=int(settings.get("baudrate", 9600))), devices,
                     name=device, on_event=on_event, **options)


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None, **link_options: Any) -> Link[Transport]:
    """The `Link` of the bus `open_bus` makes (its session is the port; a poll polls the bus)."""
    return open_bus(device, url, settings, **link_options).link

