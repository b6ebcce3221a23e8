"""Line mode framing of barcode/QR scanners (USB-CDC, TTL, RS-232), as pure functions.

A scanner in line mode sends each code's bytes followed by its configured suffix. This module
turns a byte stream into `Scan`s:

- **Splitting.** `suffix` is one of `cr` (the usual default), `lf`, `crlf`, `tab`, `any` (CR, LF
  or CRLF each end a line) or `none` (no suffix: the driver calls `flush()` after an idle gap).
  Empty lines are dropped. Splitting does not depend on how the stream was chunked.
- **Length guard.** A line longer than `max_length` bytes is reported once as `Rejected` as soon
  as it passes the limit, and its bytes are discarded up to the next suffix; memory stays bounded.
- **AIM identifier.** With `aim` on, a line starting `]` + code + modifier (e.g. `]Q1`, `]C0`,
  `]E0`) has the three characters removed and named in `Scan.symbology`/`Scan.aim`. A line
  without one is still delivered, with `symbology=None`.
- **Decoding.** `encoding` is `utf-8`, `gbk`, `gb18030`, `auto` (UTF-8 when the bytes are valid
  UTF-8, else GB18030) or any Python codec name. With `errors="strict"` (the default) bytes that
  are not valid in the encoding make the line `Rejected`, naming the encoding and the offset: a
  scanner set to the wrong encoding shows up at once instead of garbling names. With
  `errors="replace"` such bytes become U+FFFD. `Scan.raw` always holds the bytes as received
  (without suffix and AIM prefix).
"""
from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.scanner.scan import RAW_HEAD, Rejected, Scan

DEFAULT_BAUDRATE = 9600  # GM65 and most TTL modules; USB-CDC ignores it

SUFFIXES: dict[str, bytes] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t"}
SUFFIX_NAMES = (*SUFFIXES, "any", "none")
ENCODING_ALIASES = {"utf8": "utf-8", "utf-8": "utf-8", "gbk": "gbk", "gb18030": "gb18030", "auto": "auto"}
DEFAULT_MAX_LENGTH = 4096

# ISO/IEC 15424 symbology identifiers: the code character after "]" -> symbology name
# (named as camera decoding names formats). "E4" is EAN-8; other "E" modifiers EAN-13/UPC.
AIM_CODES: dict[str, str] = {
    "A": "Code39", "B": "Telepen", "C": "Code128", "d": "DataMatrix", "E": "EAN13",
    "e": "DataBar", "F": "Codabar", "G": "Code93", "H": "Code11", "I": "ITF",
    "L": "PDF417", "M": "MSI", "Q": "QRCode", "U": "MaxiCode", "X": "Other", "z": "Aztec",
}


@dataclass(frozen=True)
class LineConfig:
    suffix: str = "cr"
    encoding: str = "utf-8"
    errors: str = "strict"
    max_length: int = DEFAULT_MAX_LENGTH
    aim: bool = False

    def __post_init__(self) -> None:
        if self.suffix not in SUFFIX_NAMES:
            raise ValueError(f"scanner suffix {self.suffix!r}: use one of {', '.join(SUFFIX_NAMES)}")
        if self.errors not in ("strict", "replace"):
            raise ValueError(f"scanner errors policy {self.errors!r}: use strict or replace")
        if self.max_length < 1:
            raise ValueError("scanner max_length must be at least 1")
        if self.encoding.lower() not in ENCODING_ALIASES:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(f"scanner encoding {self.encoding!r} is not known") from None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> LineConfig:
        """From a peripheral's settings (hall config): suffix, encoding, errors, max_length, aim."""
        names = ("suffix", "encoding", "errors", "max_length", "aim")
        return cls(**{k: settings[k] for k in names if k in settings})


def split_aim(line: bytes) -> tuple[str, str | None, bytes]:
    """(aim identifier, symbology, payload) when the line starts with one, else ("", None, line)."""
    if len(line) >= 3 and line[:1] == b"]" and 0x21 <= line[1] < 0x7F and 0x21 <= line[2] < 0x7F:
        aim = line[:3].decode("ascii")
        code = aim[1]
        symbology = AIM_CODES.get(code, "Other")
        if aim == "]E4":
            symbology = "EAN8"
        return aim, symbology, line[3:]
    return "", None, line


def decode_text(data: bytes, encoding: str = "utf-8", errors: str = "strict") -> str:
    """Bytes to text by the configured policy; `UnicodeDecodeError` under `strict`."""
    name = ENCODING_ALIASES.get(encoding.lower(), encoding)
    if name == "auto":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            name = "gb18030"
    return data.decode(name, errors)


def decode_line(line: bytes, config: LineConfig, at: float = 0.0) -> Scan | Rejected:
    """One framed line (no suffix) to a `Scan`, or `Rejected` saying why not."""
    aim, symbology, payload = split_aim(line) if config.aim else ("", None, line)
    if not payload:
        return Rejected(f"no data after the AIM identifier {aim}", line[:RAW_HEAD], at)
    try:
        text = decode_text(payload, config.encoding, config.errors)
    except UnicodeDecodeError as exc:
        return Rejected(
            f"not valid {config.encoding} at byte {exc.start} ({exc.reason}); "
            "check the scanner's encoding setting",
            line[:RAW_HEAD],
            at,
        )
    return Scan(text, symbology, payload, at, aim)


class LineSplitter:
    """Bytes in, complete lines (without suffix) out; oversize lines as `Rejected`."""

    def __init__(self, suffix: str = "cr", max_length: int = DEFAULT_MAX_LENGTH) -> None:
        if suffix not in SUFFIX_NAMES:
            raise ValueError(f"scanner suffix {suffix!r}: use one of {', '.join(SUFFIX_NAMES)}")
        self.suffix = suffix
        self.max_length = max_length
        self._buf = bytearray()
        self._discarding = False
        self._scan_from = 0  # where the next search for a suffix starts

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line held (0 while an oversize line is being discarded)."""
        return len(self._buf)

    def held(self) -> bytes:
        """The bytes of the unfinished line."""
        return bytes(self._buf)

    def _find(self) -> tuple[int, int]:
        """(start, length) of the first suffix in the buffer at or after `_scan_from`; (-1, 0)."""
        buf, start = self._buf, self._scan_from
        if self.suffix == "none":
            return -1, 0
        if self.suffix == "any":
            cr, lf = buf.find(b"\r", start), buf.find(b"\n", start)
            hits = [i for i in (cr, lf) if i >= 0]
            if not hits:
                return -1, 0
            i = min(hits)
            return i, 1
        sep = SUFFIXES[self.suffix]
        return buf.find(sep, start), len(sep)

    def feed(self, data: bytes) -> list[bytes | Rejected]:
        out: list[bytes | Rejected] = []
        self._buf += data
        while True:
            i, n = self._find()
            if i < 0:
                break
            line = bytes(self._buf[:i])
            del self._buf[: i + n]
            self._scan_from = 0
            if self._discarding:
                self._discarding = False
            elif len(line) > self.max_length:
                out.append(self._too_long(line))
            elif line:
                out.append(line)
        self._guard(out)
        # a suffix split over two chunks (CR | LF) must still be found: look back len-1 bytes
        keep = len(SUFFIXES.get(self.suffix, b"x")) - 1
        self._scan_from = max(0, len(self._buf) - keep)
        return out

    def _guard(self, out: list[bytes | Rejected]) -> None:
        # with CRLF, a CR at the very end may be the start of the suffix, not content
        partial = 1 if self.suffix == "crlf" and self._buf.endswith(b"\r") else 0
        if self._discarding:
            del self._buf[: len(self._buf) - partial]  # keep only what may begin the suffix
            return
        if len(self._buf) - partial > self.max_length:
            out.append(self._too_long(self._buf))
            self._discarding = True
            del self._buf[: len(self._buf) - partial]

    def _too_long(self, line: bytes | bytearray) -> Rejected:
        # the head is cut the same whether the line was seen whole or still growing
        return Rejected(
            f"line longer than {self.max_length} bytes; discarded up to the next suffix",
            bytes(line[: min(RAW_HEAD, self.max_length + 1)]),
        )

    def flush(self) -> list[bytes | Rejected]:
        """Ends the current line (idle gap with suffix `none`, or closing): it is returned."""
        line = bytes(self._buf)
        self._buf.clear()
        self._scan_from = 0
        was_discarding, self._discarding = self._discarding, False
        if was_discarding or not line:
            return []
        return [self._too_long(line) if len(line) > self.max_length else line]


class ScanCodec:
    """A `LineSplitter` and `decode_line` together: bytes in, `Scan`/`Rejected` out."""

    def __init__(self, config: LineConfig | None = None) -> None:
        self.config = config or LineConfig()
        self.splitter = LineSplitter(self.config.suffix, self.config.max_length)

    @property
    def pending(self) -> int:
        return self.splitter.pending

    def _finish(self, items: list[bytes | Rejected], at: float) -> list[Scan | Rejected]:
        out: list[Scan | Rejected] = []
        for item in items:
            if isinstance(item, Rejected):
                out.append(Rejected(item.reason, item.raw, at))
            else:
                out.append(decode_line(item, self.config, at))
        return out

    def feed(self, data: bytes, at: float = 0.0) -> list[Scan | Rejected]:
        return self._finish(self.splitter.feed(data), at)

    def flush(self, at: float = 0.0) -> list[Scan | Rejected]:
        return self._finish(self.splitter.flush(), at)


def encode_line(text: str, config: LineConfig, aim: str = "") -> bytes:
    """What a scanner configured like `config` sends for `text` (for simulators and tests)."""
    name = ENCODING_ALIASES.get(config.encoding.lower(), config.encoding)
    payload = text.encode("utf-8" if name == "auto" else name)
    suffix = SUFFIXES.get(config.suffix, b"\r" if config.suffix == "any" else b"")
    return aim.encode("ascii") + payload + suffix
