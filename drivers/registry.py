"""The one list of device kinds: one name per kind, and the same entry points for every kind.

The hall config's `[[peripherals]] kind`, the screens' `--device KIND=URL` (`KIND:NAME` for a
second device of a kind, `led_strip:w01`), `yiciban doctor` and `yiciban sim KIND` all take
their kinds from here and nowhere else. Older names (`printer`, `escpos`, `led` ...) are
accepted as aliases of the kind they meant, with a message naming the kind to write instead.

Every kind package (drivers/<package>/) offers:
- `make_link(device, url, settings, **link_options) -> Link`: the `drivers.link.Link` that
  keeps the device connected (opens it, polls it, reconnects with backoff, reports status).
  Both the screens (`kiosk.peripherals`) and the hall PC (`hall.peripherals`) get their links
  from here.
- `doctor(url, settings, timeout) -> dict`: opens the configured device (and only it), asks it
  for its state, and returns {"state": ready|error|disconnected, "reason": str, "details": {...}}.
  It never raises.
- `sim_main(argv) -> int`: `yiciban sim <kind> [--pty [--link PATH] | --tcp PORT] [faults]`;
  prints `listening <where>` as its first line of output, then serves until interrupted.
- an `api` module holding the kind's Protocol, the typed interface its users program against.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.link import Link

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    name: str  # the one name, as the config, the screens and the tools write it
    package: str  # drivers.<package>
    aliases: tuple[str, ...] = ()  # older names, accepted with a message
    on_screens: bool = True  # False: only the hall PC drives it (its events act on the queue)


_ALL = (
    Kind("idcard", "drivers.idcard"),  # 身份证阅读器: resident ID card reader, SAM serial protocol
    Kind("contactless", "drivers.contactless", ("pcsc",)),  # PC/SC reader: social-security cards
    Kind("receipt_printer", "drivers.escpos", ("printer", "escpos")),  # ESC/POS ticket and receipt printer
    Kind("a4_printer", "drivers.cups", ("cups",)),  # A4 printer behind a CUPS queue
    Kind("keypad_bus", "drivers.keypad", ("keypad",), on_screens=False),  # RS-485 window keypads and pads
    Kind("led_strip", "drivers.ledstrip", ("led", "ledstrip")),  # window LED strip (BX-5 or line protocol)
    Kind("scanner", "drivers.scanner"),  # barcode/QR scanner (serial line mode or HID keyboard)
    Kind("camera", "drivers.camera"),  # a camera used to read codes (tickets, appointment QRs)
    Kind("document_camera", "drivers.camera.document"),  # 高拍仪: finds, dewarps and captures pages
)

KINDS: dict[str, Kind] = {k.name: k for k in _ALL}
ALIASES: dict[str, str] = {alias: k.name for k in _ALL for alias in k.aliases}
NAMES: tuple[str, ...] = tuple(KINDS)
SCREEN_KINDS: tuple[str, ...] = tuple(k.name for k in _ALL if k.on_screens)


class UnknownKind(ValueError):
    """A device kind that is neither a kind nor an older name of one."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown device kind {name!r} (known: {', '.join(NAMES)})")
        self.name = name


def canonical(name: str) -> str:
    """The kind `name` means: itself, or the kind an older name stands for. `UnknownKind` else."""
    if name in KINDS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    raise UnknownKind(name)


def alias_note(name: str) -> str | None:
    """For an older name, the line that says what to write instead; None for a kind's own name."""
    if name not in ALIASES:
        return None
    return f"device kind {name!r} is the older name of {ALIASES[name]!r}; write {ALIASES[name]!r}"


def resolve(name: str) -> str:
    """`canonical`, logging the note when an older name was used."""
    kind = canonical(name)
    if kind != name:
        log.warning("%s", alias_note(name))
    return kind


def device_name(name: str) -> str:
    """A screen's device name, `KIND` or `KIND:NAME` (`led_strip:w01`), with its kind's own name
    (`printer` -> `receipt_printer`, `led:w01` -> `led_strip:w01`). `UnknownKind` else."""
    kind, sep, rest = name.partition(":")
    return resolve(kind.strip()) + sep + rest


def package(kind: str) -> ModuleType:
    """The driver package of a kind (or of an older name of one)."""
    return importlib.import_module(KINDS[canonical(kind)].package)


def make_link(kind: str, device: str, url: str, settings: Mapping[str, Any] | None = None,
              **link_options: Any) -> Link[Any]:
    """The `Link` keeping device `device` of `kind` at `url` connected. Bad URL or settings:
    `ValueError` (or `DeviceError`) now, with the reason, before anything is opened."""
    link: Link[Any] = package(kind).make_link(device, url, dict(settings or {}), **link_options)
    link.where = link.where or url  # its reasons say what it opens
    return link


def doctor(kind: str, url: str, settings: Mapping[str, Any] | None = None, timeout: float = 3.0) -> dict[str, Any]:
    return package(kind).doctor(url, dict(settings or {}), timeout)


def sim_main(kind: str, argv: list[str]) -> int:
    return package(kind).sim_main(argv)
