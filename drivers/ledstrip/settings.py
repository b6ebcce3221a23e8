"""A strip from the hall config: `[[peripherals]] kind = "led_strip"` with its settings as data.

    url = "socket://10.0.3.21:5005"   (or a serial device such as /dev/yiciban-led-3)
    settings = { protocol = "bx5", screen = 1, width = 192, height = 32, colour = "red",
                 effect = "static", font_size = 16, encoding = "gb2312", baudrate = 57600 }

Line-protocol strips: `protocol = "line"`, `encoding = "utf-8"` or `"gb18030"`, `acks = false`
for strips that never answer.

`make_link` keeps a strip connected for the hall PC and the display alike: it asks the strip
for its state every `status_interval` seconds (10).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from drivers.errors import DeviceFault, DeviceUnavailable
from drivers.ledstrip.api import LedStrip
from drivers.ledstrip.area import Colour, DynamicArea, Effect, HAlign, RunMode, VAlign
from drivers.ledstrip.strip import Bx5Strip, LineStrip, StatusCallback
from drivers.link import Link
from drivers.status import State
from drivers.transport import factory

Settings = Mapping[str, str | int | float | bool]

DEFAULT_BAUD = {"bx5": 57600, "line": 9600}
KIND = "led_strip"
STATUS_SECONDS = 10.0


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


def poll(strip: LedStrip) -> Mapping[str, Any]:
    """The strip's answer to a status request, as a `Link` poll: gone or faulty raises."""
    status = strip.status()  # asks the strip; never raises
    if status.state is State.DISCONNECTED:
        raise DeviceUnavailable(status.reason or "no answer", device=status.device)
    if status.state is State.ERROR:
        raise DeviceFault(status.reason, device=status.device, code=str(status.details.get("code", "")))
    return dict(status.details)


def make_link(device: str, url: str, settings: Settings | None = None, **link_options: Any) -> Link[LedStrip]:
    """A `Link` to the strip: ready once it has answered a status request. Bad settings:
    `ValueError` now, before anything is opened."""
    options = dict(settings or {})
    interval = float(options.pop("status_interval", STATUS_SECONDS))
    open_strip(url, options, name=device)

    def connect() -> LedStrip:
        strip = open_strip(url, options, name=device)
        try:
            poll(strip)
        except Exception:
            strip.close()
            raise
        return strip

    link_options.setdefault("poll_interval", interval)
    return Link(device, KIND, connect, poll, **link_options)
