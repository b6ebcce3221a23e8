"""Contactless and social-security cards over PC/SC (pcscd + pyscard).

URLs: `pcsc://` (any reader) or `pcsc://<reader name, URL-quoted or not>`, matched as the start
of a reader's name (`pcsc://Virtual PCD 00 00`, `pcsc://ACS ACR1281`).
The simulator is our virtual card on vsmartcard's vpcd reader driver (`virtual_card.py`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from drivers.contactless.api import ContactlessReader
from drivers.contactless.model import (
    ApduScript,
    ApduStep,
    CardEvent,
    CardEventKind,
    CardInfo,
    ScriptResult,
    StepResult,
)

if TYPE_CHECKING:
    from drivers.contactless.reader import PcscReader
    from drivers.link import Link

log = logging.getLogger(__name__)

KIND = "contactless"

__all__ = [
    "ApduScript",
    "ApduStep",
    "CardEvent",
    "CardEventKind",
    "CardInfo",
    "ContactlessReader",
    "ScriptResult",
    "StepResult",
    "doctor",
    "make_link",
    "reader_name",
    "sim_main",
]


def reader_name(url: str) -> str:
    """The reader a URL names ("" = any reader)."""
    if url.startswith("pcsc:"):
        url = url.removeprefix("pcsc:").lstrip("/")
    return unquote(url).strip()


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None,
              **link_options: Any) -> Link[PcscReader]:
    """A `Link` to the reader the URL (or `settings["reader"]`) names: ready while pcscd lists
    it, disconnected when pcscd or the reader is gone. Polled every `status_interval` seconds (3)."""
    from drivers.contactless.reader import PcscReader, ReaderSettings
    from drivers.errors import DeviceError, DeviceUnavailable
    from drivers.link import Link

    settings = dict(settings or {})
    wanted = reader_name(url) or str(settings.get("reader", ""))

    def poll(reader: PcscReader) -> dict[str, Any]:
        try:
            readers = reader.readers()
        except DeviceError as exc:
            raise DeviceUnavailable(exc.message, device=device) from exc
        if not readers:
            raise DeviceUnavailable(f"no reader {wanted!r}" if wanted else "no reader connected", device=device)
        return {"readers": readers}

    def connect() -> PcscReader:
        reader = PcscReader(ReaderSettings(reader=wanted))
        poll(reader)
        return reader

    link_options.setdefault("poll_interval", float(settings.get("status_interval", 3.0)))
    return Link(device, KIND, connect, poll, **link_options)


def sim_main(argv: list[str]) -> int:
    from drivers.contactless.virtual_card import sim_main as run

    return run(argv)


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """Lists the readers and says whether a card is on the configured one. Never raises.
    (`timeout` is accepted for the common signature; these PC/SC calls do not wait.)"""
    name = reader_name(url) or str((settings or {}).get("reader", ""))
    details: dict[str, Any] = {"url": url, "reader": name or "any"}
    try:
        from drivers.contactless.reader import PcscReader, ReaderSettings
        from drivers.errors import DeviceError, DeviceUnavailable
    except ImportError as exc:  # pyscard (or libpcsclite) missing on this machine
        return {"state": "disconnected", "reason": f"PC/SC support is not installed: {exc}",
                "details": details}
    reader = PcscReader(ReaderSettings(reader=name))
    try:
        details["readers"] = reader.readers()
        card = reader.card_present()
    except DeviceUnavailable as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except DeviceError as exc:
        return {"state": "error", "reason": exc.message, "details": details}
    except Exception as exc:  # the doctor reports; it does not crash
        log.exception("contactless doctor failed")
        return {"state": "error", "reason": f"unexpected: {exc}", "details": details}
    details["card_present"] = card is not None
    if card is not None:
        details.update(card_reader=card.reader, atr=card.atr.hex().upper())
    reason = f"card on {card.reader}" if card else f"no card on {', '.join(details['readers'])}"
    return {"state": "ready", "reason": reason, "details": details}
