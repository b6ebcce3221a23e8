"""The yiciban plain line protocol for simple LED strips (docs/protocols/ledstrip.md).

One command per line, ended by CR LF, text in UTF-8 or GB18030 (a setting of the strip):

    SHOW <text>      show the text                        -> OK
    CLEAR            blank the strip                      -> OK
    STATUS           ask what the strip is and shows      -> OK <width>x<height> <text>
    anything else / too long / undecodable                -> ERR <reason>

Text never holds CR, LF or other control characters (they become spaces). A line is at most
`MAX_LINE` bytes with its CR LF; a strip that gets a longer one answers ERR and resynchronises at
the next LF. Strips that never answer can be driven with acknowledgements turned off.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import DeviceProtocolError

EOL = b"\r\n"
MAX_LINE = 512
ENCODINGS = ("utf-8", "gb18030")
VERBS = ("SHOW", "CLEAR", "STATUS")


def clean(text: str) -> str:
    return "".join(" " if ord(c) < 0x20 or c == "\x7f" else c for c in text)


def command(verb: str, text: str = "", encoding: str = "utf-8") -> bytes:
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding {encoding!r} is not one of {ENCODINGS}")
    line = (f"{verb} {clean(text)}" if verb == "SHOW" else verb).encode(encoding) + EOL
    if len(line) > MAX_LINE:
        raise ValueError(f"line of {len(line)} bytes is over {MAX_LINE}")
    return line


@dataclass(frozen=True)
class LineCommand:
    verb: str
    text: str = ""


def parse_command(line: bytes, encoding: str = "utf-8") -> LineCommand:
    """A line (without its CR LF) as a command; anything else is `DeviceProtocolError`."""
    try:
        text = line.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DeviceProtocolError(f"not {encoding}") from exc
    verb, _, rest = text.partition(" ")
    if verb not in VERBS or (verb != "SHOW" and rest):
        raise DeviceProtocolError(f"unknown command {text[:20]!r}")
    if any(ord(c) < 0x20 or c == "\x7f" for c in rest):
        raise DeviceProtocolError("control character in the text")
    return LineCommand(verb, rest)


@dataclass(frozen=True)
class LineReply:
    ok: bool
    text: str = ""


def reply(ok: bool, text: str = "", encoding: str = "utf-8") -> bytes:
    return (("OK" if ok else "ERR") + (f" {clean(text)}" if text else "")).encode(encoding) + EOL


def parse_reply(line: bytes, encoding: str = "utf-8") -> LineReply:
    try:
        text = line.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DeviceProtocolError(f"answer is not {encoding}: {line[:40]!r}") from exc
    word, _, rest = text.partition(" ")
    if word not in ("OK", "ERR"):
        raise DeviceProtocolError(f"answer {text[:40]!r} is neither OK nor ERR")
    return LineReply(word == "OK", rest)


class LineSplitter:
    """Cuts a byte stream into lines (without CR LF); never raises.

    A lone LF ends a line too; a line over `MAX_LINE` is dropped up to the next LF and reported
    as `None` so that the strip can answer ERR for it.
    """

    def __init__(self, limit: int = MAX_LINE) -> None:
        self.limit = limit
        self._buf = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes | None]:
        lines: list[bytes | None] = []
        for byte in data:
            if byte == 0x0A:
                if self._overflow:
                    lines.append(None)
                else:
                    lines.append(bytes(self._buf[:-1] if self._buf.endswith(b"\r") else self._buf))
                self._buf.clear()
                self._overflow = False
            elif not self._overflow:
                self._buf.append(byte)
                if len(self._buf) > self.limit - 1:
                    self._overflow = True
                    self._buf.clear()
        return lines
