"""The BX-5 dynamic area ("A3 06", real-time text) as data, and its parameter bytes.

Parameters after the 5-byte command header: delete count (0: none, FF: all) [+ area ids], area
count, then per area its length (2 bytes) and a 27-byte record followed by the text:

    type, X(2), Y(2), width(2), height(2), area id, line spacing, run mode, timeout(2), sound,
    extension count, alignment, single/multi line, manual/auto wrap, effect, exit effect, speed,
    dwell (0.5 s units), text length(4), text

X and width count 8-pixel columns unless bit 15 is set (then pixels); Y and height are pixels.
Text is GB2312/GBK; `\\C1` `\\C2` `\\C3` switch to red, green, yellow and `\\FO00n` picks the built-in
font (n = 0, 1, 2 for 16, 24, 32 dots). See docs/protocols/ledstrip.md for what is verified.
"""
from __future__ import annotations

import enum
import logging
import re
import struct
from dataclasses import dataclass, field
from typing import TypeVar

from drivers.errors import DeviceProtocolError

log = logging.getLogger(__name__)

RECORD = struct.Struct("<BHHHHBBBHBBBBBBBBBI")  # 27 bytes, text length last
PIXELS = 0x8000
MAX_TEXT_BYTES = 512
FONT_CODES = {16: "0", 24: "1", 32: "2"}
FONT_SIZES = {v: k for k, v in FONT_CODES.items()}
ENCODINGS = ("gb2312", "gbk", "gb18030")


class Colour(enum.IntEnum):
    RED = 1
    GREEN = 2
    AMBER = 3  # "yellow" on red-green controllers


class Effect(enum.IntEnum):
    STATIC = 1
    TYPE_OUT = 2  # 快速打出
    SCROLL_LEFT = 3
    SCROLL_RIGHT = 4
    SCROLL_UP = 5
    SCROLL_DOWN = 6


class RunMode(enum.IntEnum):
    CYCLE = 0  # show the data again and again
    STAY = 1  # show once, then keep the last page
    CYCLE_THEN_HIDE = 2  # cycle; hide when not updated within the timeout
    CYCLE_THEN_LOGO = 3  # cycle; show the last page when not updated within the timeout
    ONCE = 4  # show once, then nothing
    ONCE_COUNTED = 5  # show `timeout` times, then nothing


class HAlign(enum.IntEnum):
    LEFT = 0
    RIGHT = 1
    CENTRE = 2


class VAlign(enum.IntEnum):
    TOP = 0
    BOTTOM = 1
    CENTRE = 2


@dataclass(frozen=True)
class DynamicArea:
    """Where and how an area shows its text: settings as data (one per strip model or window)."""

    x: int = 0
    y: int = 0
    width: int = 192
    height: int = 32
    area_id: int = 0
    line_spacing: int = 0
    run_mode: RunMode = RunMode.CYCLE
    timeout: int = 0  # seconds (or times) for run modes 2-5
    h_align: HAlign = HAlign.CENTRE
    v_align: VAlign = VAlign.CENTRE
    multi_line: bool = True
    auto_wrap: bool = True
    effect: Effect = Effect.STATIC
    exit_effect: int = 0
    speed: int = 4  # 0 fastest ... 24 slowest
    stay: int = 10  # dwell after the effect, in 0.5 s units
    font_size: int | None = None  # 16, 24 or 32 sends a font code; None: the controller's own

    def __post_init__(self) -> None:
        for name in ("x", "y", "width", "height"):
            if not 0 <= getattr(self, name) < PIXELS:
                raise ValueError(f"{name} {getattr(self, name)} is out of range")
        if self.width == 0 or self.height == 0:
            raise ValueError("an area needs a width and a height")
        for name in ("area_id", "line_spacing", "exit_effect", "speed", "stay"):
            if not 0 <= getattr(self, name) <= 255:
                raise ValueError(f"{name} {getattr(self, name)} does not fit in a byte")
        if not 0 <= self.timeout <= 0xFFFF:
            raise ValueError(f"timeout {self.timeout} does not fit in two bytes")
        if self.font_size is not None and self.font_size not in FONT_CODES:
            raise ValueError(f"font size {self.font_size} is not one of {sorted(FONT_CODES)}")


def _columns(value: int) -> int:
    """X and width: 8-pixel units where they fit (every controller reads those), else pixels."""
    return value // 8 if value % 8 == 0 else PIXELS | value


def _from_columns(value: int) -> int:
    return value & ~PIXELS if value & PIXELS else value * 8


def encode_text(text: str, colour: Colour = Colour.RED, *, font_size: int | None = None,
                encoding: str = "gb2312") -> bytes:
    """The bytes of the text with its colour (and font) codes.

    A backslash in the text would start a control code on the controller, so it is sent as a
    full-width ＼; control characters become spaces; a character the encoding lacks becomes `?`.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding {encoding!r} is not one of {ENCODINGS}")
    clean = "".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in text.replace("\\", "＼"))
    data = clean.encode(encoding, errors="replace")
    if data.count(b"?") > clean.count("?"):
        log.warning("%s lacks characters of %r: sent as ?", encoding, text)
    prefix = f"\\C{int(colour)}" + (f"\\FO00{FONT_CODES[font_size]}" if font_size else "")
    data = prefix.encode("ascii") + data
    if len(data) > MAX_TEXT_BYTES:
        raise ValueError(f"text of {len(data)} bytes is over {MAX_TEXT_BYTES}")
    return data


def encode_params(area: DynamicArea, text: bytes, *, delete: tuple[int, ...] = ()) -> bytes:
    """The A3 06 parameters updating one area with (already encoded) text."""
    align = int(area.h_align) | int(area.v_align) << 2
    record = RECORD.pack(
        0, _columns(area.x), area.y, _columns(area.width), area.height, area.area_id,
        area.line_spacing, area.run_mode, area.timeout, 0, 0, align,
        2 if area.multi_line else 1, 2 if area.auto_wrap else 1, area.effect, area.exit_effect,
        area.speed, area.stay, len(text),
    ) + text
    head = bytes((len(delete),)) + bytes(delete) + b"\x01"
    return head + struct.pack("<H", len(record)) + record


@dataclass(frozen=True)
class Update:
    """What an A3 06 asks: areas to delete (None: all) and areas with their text bytes."""

    delete: tuple[int, ...] | None
    areas: tuple[tuple[DynamicArea, bytes], ...] = field(default_factory=tuple)


E = TypeVar("E", bound=enum.IntEnum)


def _enum(kind: type[E], value: int, what: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise DeviceProtocolError(f"{what} {value}") from exc


def decode_params(params: bytes) -> Update:
    """Parses A3 06 parameters as a controller would; malformed ones are `DeviceProtocolError`."""
    try:
        return _decode(params)
    except (struct.error, IndexError) as exc:
        raise DeviceProtocolError(f"A3 06 parameters cut short: {exc}") from exc


def _decode(p: bytes) -> Update:
    count, at = p[0], 1
    delete: tuple[int, ...] | None = None  # FF: every area
    if count != 0xFF:
        delete, at = tuple(p[at : at + count]), at + count
        if len(delete) != count:
            raise DeviceProtocolError("delete list cut short")
    areas, at = [], at + 1
    for _ in range(p[at - 1]):
        (size,) = struct.unpack_from("<H", p, at)
        record = p[at + 2 : at + 2 + size]
        if len(record) != size or size < RECORD.size:
            raise DeviceProtocolError(f"area of {size} bytes, {len(record)} present")
        areas.append(_area(record))
        at += 2 + size
    if at != len(p):
        raise DeviceProtocolError(f"{len(p) - at} bytes after the last area")
    return Update(delete, tuple(areas))


def _area(record: bytes) -> tuple[DynamicArea, bytes]:
    (kind, x, y, width, height, area_id, spacing, run, timeout, sound, extension, align, lines, wrap,
     effect, exit_effect, speed, stay, length) = RECORD.unpack_from(record)
    if kind != 0 or sound != 0 or extension != 0:
        raise DeviceProtocolError(f"area type {kind}, sound {sound}, extensions {extension}: not supported")
    if length != len(record) - RECORD.size:
        raise DeviceProtocolError(f"text length {length}, {len(record) - RECORD.size} bytes present")
    if lines not in (1, 2) or wrap not in (1, 2):
        raise DeviceProtocolError(f"line flags {lines} {wrap}")
    try:
        area = DynamicArea(
            _from_columns(x), y, _from_columns(width), height, area_id, spacing,
            _enum(RunMode, run, "run mode"), timeout, _enum(HAlign, align & 3, "alignment"),
            _enum(VAlign, align >> 2 & 3, "alignment"), lines == 2, wrap == 2,
            _enum(Effect, effect, "effect"), exit_effect, speed, stay,
        )
    except ValueError as exc:
        raise DeviceProtocolError(f"area {exc}") from exc
    return area, bytes(record[RECORD.size :])


@dataclass(frozen=True)
class Styled:
    """Text as the controller reads it: runs of (colour, text) and the font asked for."""

    runs: tuple[tuple[Colour, str], ...]
    font_size: int | None = None

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.runs)


_CODE = re.compile(r"\\(C[1-3]|F[A-Z][0-9][0-9][0-9])")


def parse_text(data: bytes, colour: Colour = Colour.RED) -> Styled:
    """Splits controller text into coloured runs; unknown codes stay as text."""
    text = data.decode("gb18030", errors="replace")  # decode first: a GBK trail byte may be 0x5C
    runs: list[tuple[Colour, str]] = []
    font: int | None = None
    at = 0
    for match in _CODE.finditer(text):
        if match.start() > at:
            runs.append((colour, text[at : match.start()]))
        code = match.group(1)
        if code[0] == "C":
            colour = Colour(int(code[1]))
        else:
            font = FONT_SIZES.get(code[-1], font)
        at = match.end()
    if at < len(text):
        runs.append((colour, text[at:]))
    return Styled(tuple(runs), font)
