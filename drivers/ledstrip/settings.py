"""A strip from the hall config: `[[peripherals]] kind = "led_strip"` with its settings as data.

    url = "socket://10.0.3.21:5005"   (or a serial device such as /dev/yiciban-led-3)
    settings = { protocol = "bx5", screen = 1, width = 192, height = 32, colour = "red",
                 effect = "static", font_size = 16, encoding = "gb2312", baudrate = 57600 }

Line-protocol strips: `protocol = "line"`, `encoding = "utf-8"` or `"gb18030"`, `acks = false`
for strips that never answer.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

from drivers.ledstrip.area import Colour, DynamicArea, Effect, HAlign, RunMode, VAlign
from drivers.ledstrip.strip import Bx5Strip, LedStrip, LineStrip, StatusCallback
from drivers.transport import factory

Settings = Mapping[str, str | int | float | bool]

DEFAULT_BAUD = {"bx5": 57600, "line": 9600}


E = TypeVar("E", bound=enum.Enum)


def _named(kind: type[E], value: object, what: str) -> E:
    try:
        return kind[str(value).upper()]
    except KeyError:
        names = ", ".join(m.name.lower() for m in kind)
        raise ValueError(f"{what} {value!r} is not one of {names}") from None


def colour_of(value: object) -> Colour:
    return Colour.AMBER if str(value).lower() == "yellow" else _named(Colour, value, "colour")


def area_from_settings(settings: Settings) -> DynamicArea:
    def number(key: str, default: int) -> int:
        return int(settings.get(key, default))

    font = settings.get("font_size")
    return DynamicArea(
        x=number("x", 0), y=number("y", 0), width=number("width", 192), height=number("height", 32),
        area_id=number("area_id", 0), line_spacing=number("line_spacing", 0),
        run_mode=RunMode(number("run_mode", RunMode.CYCLE)), timeout=number("area_timeout", 0),
        h_align=_named(HAlign, settings.get("align", "centre"), "align"),
        v_align=_named(VAlign, settings.get("valign", "centre"), "valign"),
        multi_line=bool(settings.get("multi_line", True)), auto_wrap=bool(settings.get("auto_wrap", True)),
        effect=_named(Effect, settings.get("effect", "static"), "effect"),
        speed=number("speed", 4), stay=number("stay", 10),
        font_size=int(font) if font not in (None, "", 0) else None,
    )


def open_strip(url: str, settings: Settings | None = None, *, name: str = "led-strip",
               on_status: StatusCallback | None = None) -> LedStrip:
    """The strip a configuration names; the port opens on first use. Bad settings: `ValueError`."""
    settings = settings or {}
    protocol = str(settings.get("protocol", "bx5")).lower()
    if protocol not in DEFAULT_BAUD:
        raise ValueError(f"protocol {protocol!r} is not bx5 or line")
    connect = factory(url, baudrate=int(settings.get("baudrate", DEFAULT_BAUD[protocol])))
    timeout = float(settings.get("timeout", 1.0))
    retries = int(settings.get("retries", 2))
    if protocol == "line":
        return LineStrip(connect, name=name, encoding=str(settings.get("encoding", "utf-8")).lower(),
                         acks=bool(settings.get("acks", True)), timeout=timeout, retries=retries,
                         on_status=on_status)
    return Bx5Strip(connect, name=name, screen=int(settings.get("screen", 1)), area=area_from_settings(settings),
                    colour=colour_of(settings.get("colour", "red")), encoding=str(settings.get("encoding", "gb2312")).lower(), timeout=timeout, retries=retries,
                    on_status=on_status)
