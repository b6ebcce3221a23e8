"""Contactless and social-security cards over PC/SC (pcscd + pyscard).

URLs: `pcsc://` (any reader) or `pcsc://<reader name, URL-quoted or not>`, matched as the start
of a reader's name (`pcsc://Virtual PCD 00 00`, `pcsc://ACS ACR1281`).
The simulator is our virtual card on vsmartcard's vpcd reader driver (`virtual_card.py`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from drivers.contactless.model import (
    ApduScript,
    ApduStep,
    CardEvent,
    CardEventKind,
    CardInfo,
    ContactlessReader,
    ScriptResult,
    StepResult,
)

log = logging.getLogger(__name__)

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
    "reader_name",
    "sim_main",
]


def reader_name(url: str) -> str:
    """The reader a URL names ("" = any reader)."""
    if url.startswith("pcsc:"):
        url = url.removeprefix("pcsc:").lstrip("/")
    return unquote(url).strip()


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
