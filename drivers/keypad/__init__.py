"""Window caller keypads and evaluation key pads on one RS-485 bus (docs/protocols/keypad-bus.md).

- `codec`: framing (STX, byte stuffing, CRC-16/MODBUS, ETX) and a resynchronising deframer.
- `messages`: the commands and replies as dataclasses and their payload bytes.
- `bus`: `KeypadBus`, the master that polls every address and delivers each event once.
- `simulator`: keypads and pads answering on the device side, with faults.
- `cli`: `sim_main` (the simulator on a pty or TCP port, driven from stdin) and `doctor`.
"""
from __future__ import annotations

from drivers.keypad.bus import KeypadBus
from drivers.keypad.cli import devices_from_settings, doctor, sim_main
from drivers.keypad.model import (
    BusDevice,
    BusEvent,
    CallerBus,
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
    "devices_from_settings", "doctor", "sim_main",
]
