"""The LED strip's typed interface: what the hall and the display program against.

`drivers.ledstrip.strip.Bx5Strip` and `LineStrip` implement it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from drivers.ledstrip.area import Colour, Effect
    from drivers.status import DeviceStatus


class LedStrip(Protocol):
    def show(self, text: str, *, colour: Colour | None = None, effect: Effect | None = None) -> None: ...
    def clear(self) -> None: ...
    def status(self) -> DeviceStatus: ...
    def close(self) -> None: ...
    # percent 0-100; None on a strip whose protocol has no brightness command (the line protocol)
    set_brightness: Callable[[int], None] | None
