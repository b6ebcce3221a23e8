"""What a contactless (PC/SC) reader reports and runs: frozen data, and APDU scripts from config.

An APDU script is data: a list of steps, each a command APDU in hex and the status words it
may answer with ("9000", "61XX" with X as a wildcard nibble). In a hall config a step is either
a string, `"00A4040007A0000000031010"` or `"00B0850000 -> 9000|6282"`, or a table
`{apdu = "00B0850000", expect = ["9000", "6282"], name = "card basics"}`.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_HEX_SPACE = re.compile(r"[\s:]")
_SW_PATTERN = re.compile(r"^[0-9A-FX]{4}$")


def parse_hex(text: str, what: str = "APDU") -> bytes:
    cleaned = _HEX_SPACE.sub("", text)
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not hex") from None


@dataclass(frozen=True)
class CardInfo:
    reader: str
    atr: bytes
    uid: bytes | None = None
    # pcscd's count of insertions and removals on the reader when it was seen: a card taken
    # away and another laid down between two looks shows as the same presence, another count
    events: int | None = None

    @property
    def uid_hex(self) -> str:
        return self.uid.hex().upper() if self.uid is not None else ""


class CardEventKind(enum.StrEnum):
    INSERTED = "inserted"
    REMOVED = "removed"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    atr: bytes = b""


CardEventCallback = Callable[[CardEvent], None]


@dataclass(frozen=True)
class ApduStep:
    apdu: bytes
    expect: tuple[str, ...] = ("9000",)  # upper-case hex, X = any nibble; () = any answer
    name: str = ""

    def __post_init__(self) -> None:
        if len(self.apdu) < 4:
            raise ValueError(f"APDU {self.apdu.hex()} is shorter than CLA INS P1 P2")
        for sw in self.expect:
            if not _SW_PATTERN.match(sw):
                raise ValueError(f"expected status word {sw!r} is not 4 hex digits (X = any)")

    @property
    def label(self) -> str:
        """Name, or the command header: never the data, which may hold a PIN."""
        return self.name or self.apdu[:4].hex(" ").upper()

    def accepts(self, sw: bytes) -> bool:
        if not self.expect:
            return True
        got = sw.hex().upper()
        return any(all(e in ("X", g) for e, g in zip(pattern, got, strict=True))
                   for pattern in self.expect)

    @classmethod
    def parse(cls, item: str | Mapping[str, Any]) -> ApduStep:
        if isinstance(item, str):
            apdu, _, expect = item.partition("->")
            patterns = [p for p in re.split(r"[|,\s]+", expect.strip().upper()) if p]
            return cls(parse_hex(apdu), tuple(patterns) if expect else ("9000",))
        if "apdu" not in item:
            raise ValueError(f"APDU step {dict(item)!r} has no 'apdu'")
        expect = item.get("expect", "9000")
        patterns = [expect] if isinstance(expect, str) else list(expect)
        if patterns in (["*"], ["any"]):
            patterns = []
        return cls(parse_hex(str(item["apdu"])), tuple(str(p).upper() for p in patterns),
                   str(item.get("name", "")))


@dataclass(frozen=True)
class ApduScript:
    name: str
    steps: tuple[ApduStep, ...]
    stop_on_mismatch: bool = True

    @classmethod
    def parse(cls, name: str, items: Sequence[str | Mapping[str, Any]],
              stop_on_mismatch: bool = True) -> ApduScript:
        if isinstance(items, str) or not items:
            raise ValueError(f"APDU script {name!r} needs a list of steps")
        return cls(name, tuple(ApduStep.parse(i) for i in items), stop_on_mismatch)


@dataclass(frozen=True)
class StepResult:
    step: ApduStep
    data: bytes
    sw: bytes

    @property
    def ok(self) -> bool:
        return self.step.accepts(self.sw)

    @property
    def sw_hex(self) -> str:
        return self.sw.hex().upper()


@dataclass(frozen=True)
class ScriptResult:
    script: str
    card: CardInfo
    steps: tuple[StepResult, ...]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and len(self.steps) > 0

    @property
    def failed(self) -> StepResult | None:
        return next((s for s in self.steps if not s.ok), None)

    def data(self, name: str) -> bytes:
        """The data a named step returned."""
        for s in self.steps:
            if s.step.name == name:
                return s.data
        raise KeyError(name)


def simple_tlv(data: bytes) -> dict[int, bytes]:
    """Simple TLV as the social-security card's files hold it (1-byte tag, 1-byte length, the
    value). The first entry of a tag counts; a truncated entry ends the parse."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos + 2 <= len(data):
        tag, length = data[pos], data[pos + 1]
        if pos + 2 + length > len(data):
            break
        out.setdefault(tag, data[pos + 2:pos + 2 + length])
        pos += 2 + length
    return out
