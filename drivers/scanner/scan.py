"""What every scanner delivers: a `Scan`, or a `Rejected` line (the protocol is in api.py).

A `Scan` is one read code: its text, the symbology when the scanner said which (AIM
identifier), the bytes it came from, and when the scan completed (wall-clock seconds). A
`Rejected` is a line the scanner sent that could not become a scan (too long, not valid in the
configured encoding, an impossible Alt code): it is reported, never silently dropped and never
turned into a guess.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scan:
    text: str
    symbology: str | None
    raw: bytes
    at: float
    aim: str = ""  # the AIM symbology identifier as sent (e.g. "]Q1"), when enabled and present


@dataclass(frozen=True)
class Rejected:
    reason: str
    raw: bytes = b""  # the start of the offending line (at most `RAW_HEAD` bytes)
    at: float = 0.0


RAW_HEAD = 64


