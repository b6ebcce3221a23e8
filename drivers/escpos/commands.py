"""ESC/POS byte builders: pure functions, one per command (PROTOCOLS.md §2).

Nothing here knows about text encoding or documents; `ticket.py` composes these.
"""
from __future__ import annotations

import enum

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
LF = b"\n"
INIT = b"\x1b\x40"  # ESC @
CHINESE_ON = b"\x1c\x26"  # FS &
CHINESE_OFF = b"\x1c\x2e"  # FS .
PAPER_SENSOR = b"\x1d\x72\x01"  # GS r 1: answered in sequence, after everything before it
# DLE DC4 fn=8 "clear buffers" (Epson): real-time, discards what the printer has not printed yet;
# the printer answers 37 25 00.
CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"
CLEAR_REPLY = b"\x37\x25\x00"


class Align(enum.IntEnum):
    LEFT = 0
    CENTER = 1
    RIGHT = 2


class Cut(enum.IntEnum):
    FULL = 0
    PARTIAL = 1


QR_EC = {"L": 0x30, "M": 0x31, "Q": 0x32, "H": 0x33}
QR_MODELS = {1: 0x31, 2: 0x32, 3: 0x33}  # 3: micro QR

# GS k form B symbology numbers (PROTOCOLS.md §2.1)
BARCODES = {
    "UPC-A": 65,
    "UPC-E": 66,
    "EAN13": 67,
    "EAN8": 68,
    "CODE39": 69,
    "ITF": 70,
    "CODABAR": 71,
    "CODE93": 72,
    "CODE128": 73,
}
BARCODE_NAMES = {v: k for k, v in BARCODES.items()}
# form A (NUL-terminated) numbers 0..6 name the same symbologies as 65..71
FORM_A = {0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR"}
_NUMERIC = {"UPC-A", "UPC-E", "EAN13", "EAN8", "ITF"}
HRI = {"none": 0, "above": 1, "below": 2, "both": 3}


def _byte(name: str, value: int, lo: int = 0, hi: int = 255) -> int:
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be {lo}..{hi}, not {value}")
    return value


def init() -> bytes:
    return INIT


def chinese_mode(on: bool) -> bytes:
    return CHINESE_ON if on else CHINESE_OFF


def char_size(width: int = 1, height: int = 1) -> bytes:
    """GS ! n: width and height as multiples 1..8 (bits 4-6 width-1, bits 0-2 height-1)."""
    w, h = _byte("width", width, 1, 8), _byte("height", height, 1, 8)
    return bytes((GS, 0x21, (w - 1) << 4 | (h - 1)))


def bold(on: bool) -> bytes:
    return bytes((ESC, 0x45, 1 if on else 0))


def underline(dots: int) -> bytes:
    """ESC - n for single-byte characters and FS - n for Chinese ones; 0 off, 1 or 2 dots thick."""
    n = _byte("underline", dots, 0, 2)
    return bytes((ESC, 0x2D, n, FS, 0x2D, n))


def align(value: Align | int) -> bytes:
    return bytes((ESC, 0x61, _byte("align", int(value), 0, 2)))


def feed_lines(n: int) -> bytes:
    """ESC d n: prints the line buffer and feeds n lines."""
    return bytes((ESC, 0x64, _byte("lines", n)))


def feed_dots(n: int) -> bytes:
    """ESC J n: prints the line buffer and feeds n dots (vertical motion units)."""
    return bytes((ESC, 0x4A, _byte("dots", n)))


def line_spacing(dots: int | None) -> bytes:
    """ESC 3 n, or ESC 2 (the default spacing) for None."""
    return b"\x1b\x32" if dots is None else bytes((ESC, 0x33, _byte("dots", dots)))


def cut(kind: Cut = Cut.PARTIAL, feed: int | None = None) -> bytes:
    """GS V m, or GS V 65/66 n: feed n units, then cut."""
    if feed is None:
        return bytes((GS, 0x56, int(kind)))
    return bytes((GS, 0x56, 65 + int(kind), _byte("feed", feed)))


def status_request(n: int) -> bytes:
    """DLE EOT n, n = 1 printer, 2 offline cause, 3 error cause, 4 paper sensor."""
    return bytes((DLE, 0x04, _byte("status", n, 1, 4)))


def auto_status_back(drawer: bool = False, online: bool = True, error: bool = True,
                     paper: bool = True) -> bytes:
    """GS a n: which changes the printer reports on its own (4-byte blocks); all False turns it off."""
    n = int(drawer) | int(online) << 1 | int(error) << 2 | int(paper) << 3
    return bytes((GS, 0x61, n))


def _gs_k2(fn: int, payload: bytes) -> bytes:
    """GS ( k with cn = 0x31 (QR): pL pH count cn, fn and the payload."""
    size = len(payload) + 2
    if size > 0xFFFF:
        raise ValueError(f"QR payload too long ({len(payload)} bytes)")
    return bytes((GS, 0x28, 0x6B, size & 0xFF, size >> 8, 0x31, fn)) + payload


def qr(data: bytes, module: int = 6, ec: str = "M", model: int = 2) -> bytes:
    """Model, module size, error correction, store, print (test vector 6 of PROTOCOLS.md)."""
    if not data:
        raise ValueError("empty QR payload")
    if ec not in QR_EC:
        raise ValueError(f"QR error correction must be one of {', '.join(QR_EC)}")
    if model not in QR_MODELS:
        raise ValueError("QR model must be 1, 2 or 3 (micro)")
    return b"".join((
        _gs_k2(0x41, bytes((QR_MODELS[model], 0))),
        _gs_k2(0x43, bytes((_byte("module", module, 1, 16),))),
        _gs_k2(0x45, bytes((QR_EC[ec],))),
        _gs_k2(0x50, b"\x30" + data),
        _gs_k2(0x51, b"\x30"),
    ))


def barcode(kind: str, data: bytes, *, height: int = 64, module: int = 2,
            hri: str = "below") -> bytes:
    """GS h, GS w, GS H, then GS k form B. CODE128 data without a code-set selector gets `{B`."""
    if kind not in BARCODES:
        raise ValueError(f"unknown barcode {kind!r} (known: {', '.join(BARCODES)})")
    if kind == "CODE128" and not data.startswith(b"{"):
        data = b"{B" + data.replace(b"{", b"{{")
    if kind in _NUMERIC and not data.isdigit():
        raise ValueError(f"{kind} takes digits only")
    if not data or len(data) > 255:
        raise ValueError("barcode data must be 1..255 bytes")
    if hri not in HRI:
        raise ValueError(f"HRI position must be one of {', '.join(HRI)}")
    return b"".join((
        bytes((GS, 0x68, _byte("height", height, 1, 255))),
        bytes((GS, 0x77, _byte("module", module, 1, 6))),
        bytes((GS, 0x48, HRI[hri])),
        bytes((GS, 0x6B, BARCODES[kind], len(data))) + data,
    ))


def raster(width_bytes: int, rows: int, data: bytes, mode: int = 0) -> bytes:
    """GS v 0 m xL xH yL yH d...: rows of `width_bytes` bytes, MSB leftmost, 1 = black."""
    _byte("mode", mode, 0, 3)
    if not 0 < width_bytes <= 0xFFFF or not 0 < rows <= 0xFFFF:
        raise ValueError(f"raster size {width_bytes}x{rows} out of range")
    if len(data) != width_bytes * rows:
        raise ValueError(f"raster data is {len(data)} bytes, expected {width_bytes * rows}")
    head = bytes((GS, 0x76, 0x30, mode, width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, rows >> 8))
    return head + data
