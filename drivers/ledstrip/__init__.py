"""Window LED strips (docs/protocols/ledstrip.md): Onbon BX-5 dynamic-area text, or a plain line
protocol, over serial or TCP.

- `bx5`: framing, escaping, CRC-16/ARC, ACK/NAK answers (pure).
- `area`: the A3 06 dynamic area as data, its parameter bytes, text encoding and colour codes (pure).
- `line`: the plain line protocol (pure).
- `strip`: the two drivers, `Bx5Strip` and `LineStrip`.
- `api`: the `LedStrip` protocol.
- `settings`: `open_strip(url, settings)` from the hall config, and `make_link`.
- `render`: what the strip shows as dots and as a PNG.
- `simulator`, `cli`: the simulated strip, `sim_main` and `doctor`.
"""
from __future__ import annotations

from drivers.ledstrip.api import LedStrip
from drivers.ledstrip.area import Colour, DynamicArea, Effect, HAlign, RunMode, VAlign
from drivers.ledstrip.cli import doctor, sim_main
from drivers.ledstrip.settings import area_from_settings, make_link, open_strip
from drivers.ledstrip.simulator import StripSimulator
from drivers.ledstrip.strip import Bx5Strip, LineStrip

__all__ = [
    "Bx5Strip", "Colour", "DynamicArea", "Effect", "HAlign", "LedStrip", "LineStrip", "RunMode",
    "StripSimulator", "VAlign", "area_from_settings", "doctor", "make_link", "open_strip",
    "sim_main",
]
