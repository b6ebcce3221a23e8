"""Resident ID card reader (身份证阅读器) on the SAM serial protocol (docs/protocols/idcard.md).

- `codec`: frames, commands, SW3 result codes, the streaming frame decoder (pure).
- `card`: the 256-byte text block of the four card layouts, its checks, code tables, `IdCard`.
- `api`: the `IdCardReader` protocol.
- `reader`: `SamReader` (an `IdCardReader`), `make_link`, `doctor`.
- `photo`: WLT photo decoding through a vendor library, or an explicit "photo unavailable".
- `simulator`: the reader's side on a pty or TCP, with faults; `sim_main`.
- `cli`: `decode_main` for `yiciban idcard decode HEX|FILE [--reveal]`.

Importing this package does no work and does not load pyserial.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.idcard.reader import SamReader
    from drivers.link import Link

KIND = "idcard"


def sim_main(argv: list[str] | None = None) -> int:
    """`yiciban sim idcard [--pty [--link PATH] | --tcp PORT] [--card KIND] [faults]`"""
    from drivers.idcard.simulator import sim_main as main

    return main(argv)


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 2.0) -> dict[str, Any]:
    """SAM status (11 FF) and SAM ID (12 FF) of the reader the URL names. Never raises."""
    from drivers.idcard.reader import doctor as check

    return check(url, settings, timeout)


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None,
              **link_options: Any) -> Link[SamReader]:
    """A `Link` keeping the reader connected: open + SAM status to connect, SAM status to poll."""
    from drivers.idcard.reader import make_link as make

    return make(device, url, settings, **link_options)


def decode_main(argv: list[str] | None = None) -> int:
    """`yiciban idcard decode HEX|FILE [--reveal]`"""
    from drivers.idcard.cli import decode_main as main

    return main(argv)
