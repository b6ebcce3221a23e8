"""The keypad bus's typed interface: what the hall needs of the window keypads and pads on one bus.

`drivers.keypad.bus.KeypadBus` implements it over RS-485.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from drivers.keypad.model import Led

if TYPE_CHECKING:
    from drivers.status import DeviceStatus


class CallerBus(Protocol):
    """What the hall needs from the window keypads and pads of one bus (events come by callback)."""

    def show(self, address: int, text: str, line: int = 0) -> None: ...

    def signal(self, address: int, beeps: int = 1, led: Led = Led.OFF, blink: bool = False) -> None: ...

    def request_evaluation(self, address: int, ticket: str, *, window: int = 0,
                           request_id: int | None = None) -> int: ...

    def cancel_evaluation(self, address: int) -> None: ...

    def statuses(self) -> Mapping[int, DeviceStatus]: ...
