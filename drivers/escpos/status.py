"""Printer status: DLE EOT 1-4 replies, automatic status back (ASB) and GS r 1, as pure parsing.

Reply bytes are told apart by their fixed bits (PROTOCOLS.md §2.2): a DLE EOT reply is
`0xx1xx10`, the first byte of a 4-byte ASB block `0xx1xx00`, a GS r 1 reply has bit 4 clear,
and the answer to "clear buffers" is `37 25 00`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# fault codes, most urgent first: what `DeviceFault.code` and the link's status details carry
COVER_OPEN = "cover_open"
PAPER_OUT = "paper_out"
CUTTER_ERROR = "cutter_error"
UNRECOVERABLE = "unrecoverable_error"
RECOVERABLE = "recoverable_error"
OFFLINE = "offline"
PAPER_NEAR_END = "paper_near_end"  # a warning, not a fault

MESSAGES = {
    COVER_OPEN: "printer cover is open",
    PAPER_OUT: "printer is out of paper",
    CUTTER_ERROR: "paper cutter error",
    UNRECOVERABLE: "printer error that needs service",
    RECOVERABLE: "printer error (head temperature or voltage), recovers by itself",
    OFFLINE: "printer is offline",
    PAPER_NEAR_END: "paper roll nearly used up",
}


@dataclass(frozen=True)
class PrinterStatus:
    online: bool = True
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False
    recoverable_error: bool = False
    error: bool = False  # "an error occurred" without a named cause
    feed_button: bool = False
    drawer_high: bool = False
    raw: bytes = b""  # the replies the status was read from

    @property
    def fault(self) -> str | None:
        """The code of the condition that stops printing, or None when the printer can print."""
        for code, flag in (
            (COVER_OPEN, self.cover_open),
            (PAPER_OUT, self.paper_out),
            (CUTTER_ERROR, self.cutter_error),
            (UNRECOVERABLE, self.unrecoverable_error),
            (RECOVERABLE, self.recoverable_error or self.error),
            (OFFLINE, not self.online),
        ):
            if flag:
                return code
        return None

    @property
    def warnings(self) -> tuple[str, ...]:
        return (PAPER_NEAR_END,) if self.paper_near_end and not self.paper_out else ()

    @property
    def message(self) -> str:
        code = self.fault
        return MESSAGES[code] if code else "ready"

    def details(self) -> dict[str, Any]:
        paper = "out" if self.paper_out else "near_end" if self.paper_near_end else "ok"
        out: dict[str, Any] = {"online": self.online, "paper": paper,
                               "cover": "open" if self.cover_open else "closed"}
        if self.fault:
            out["code"] = self.fault
        if self.warnings:
            out["warnings"] = list(self.warnings)
        if self.raw:
            out["raw"] = self.raw.hex(" ")
        return out


def is_eot_reply(b: int) -> bool:
    return b & 0x93 == 0x12


def is_asb_head(b: int) -> bool:
    return b & 0x93 == 0x10


def is_paper_sensor_reply(b: int) -> bool:
    return b & 0x90 == 0x00


def parse_eot(replies: Mapping[int, int]) -> PrinterStatus:
    """Status from DLE EOT replies keyed by n (1..4); a missing n says nothing about its bits."""
    for n, b in replies.items():
        if not is_eot_reply(b):
            raise ValueError(f"DLE EOT {n} reply {b:02X} does not match 0xx1xx10")
    p, o, e, s = (replies.get(n, 0x12) for n in (1, 2, 3, 4))
    return PrinterStatus(
        online=not p & 0x08,
        drawer_high=bool(p & 0x04),
        feed_button=bool(p & 0x40),
        cover_open=bool(o & 0x04),
        paper_out=bool(o & 0x20) or s & 0x60 == 0x60,
        error=bool(o & 0x40),
        recoverable_error=bool(e & 0x04) or bool(e & 0x40),
        cutter_error=bool(e & 0x08),
        unrecoverable_error=bool(e & 0x20),
        paper_near_end=s & 0x0C == 0x0C,
        raw=bytes(replies[n] for n in sorted(replies)),
    )


def parse_asb(block: bytes) -> PrinterStatus:
    """Status from a 4-byte automatic status back block."""
    if len(block) != 4 or not is_asb_head(block[0]):
        raise ValueError(f"not an ASB block: {block.hex(' ')}")
    b1, b2, b3 = block[0], block[1], block[2]
    return PrinterStatus(
        online=not b1 & 0x08,
        drawer_high=bool(b1 & 0x04),
        cover_open=bool(b1 & 0x20),
        feed_button=bool(b1 & 0x40),
        recoverable_error=bool(b2 & 0x04) or bool(b2 & 0x40),
        cutter_error=bool(b2 & 0x08),
        unrecoverable_error=bool(b2 & 0x20),
        paper_near_end=bool(b3 & 0x03),
        paper_out=bool(b3 & 0x0C),
        raw=bytes(block),
    )


def parse_paper_sensor(b: int) -> tuple[bool, bool]:
    """(near end, out) from a GS r 1 reply."""
    return bool(b & 0x03), bool(b & 0x0C)


class ReplySplitter:
    """Splits the printer's byte stream into replies: ("eot", b), ("asb", 4 bytes),
    ("paper", b) for GS r 1, ("clear", 3 bytes); a byte that fits none is dropped."""

    def __init__(self) -> None:
        self._partial = bytearray()
        self._need = 0
        self._kind = ""
        self.dropped = 0

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        for b in data:
            if self._need:
                self._partial.append(b)
                if len(self._partial) == self._need:
                    out.append((self._kind, bytes(self._partial)))
                    self._partial.clear()
                    self._need = 0
                continue
            if is_eot_reply(b):
                out.append(("eot", bytes((b,))))
            elif is_asb_head(b):
                self._start("asb", b, 4)
            elif b == 0x37:
                self._start("clear", b, 3)
            elif is_paper_sensor_reply(b):
                out.append(("paper", bytes((b,))))
            else:
                self.dropped += 1
        return out

    def _start(self, kind: str, b: int, need: int) -> None:
        self._kind, self._need = kind, need
        self._partial = bytearray((b,))
