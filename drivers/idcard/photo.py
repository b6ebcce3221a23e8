"""The card photo: 1024 bytes of WLT, which only a licensed vendor library can decode.

WLT decodes to a 102 × 126 24-bit image: 38,556 bytes of BGR, or a 38,862-byte BMP (PROTOCOLS.md
§1.7). `PhotoDecoder` is the seam: `WltLibraryDecoder` calls a vendor library through ctypes
when one is configured; without one, `NoPhotoDecoder` says plainly that the photo is
unavailable. A decoder never raises: a failure is a `Photo` with `available` False and why.

The usual vendor entry point (Linux libwlt.so and its relatives) is
`int unpack(const char *wlt, char *out, int bmp)`, returning 1 on success; the symbol,
the flag, the success value and whether `out` receives a BMP or bare BGR are settings,
because vendors differ.
"""
from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)

WIDTH, HEIGHT = 102, 126
ROW_BYTES = WIDTH * 3
STRIDE = (ROW_BYTES + 3) & ~3  # 308: BMP rows are padded to 4 bytes
BGR_SIZE = ROW_BYTES * HEIGHT  # 38,556
BMP_HEADER_SIZE = 54
BMP_SIZE = BMP_HEADER_SIZE + STRIDE * HEIGHT  # 38,862
WLT_SIZE = 1024


@dataclass(frozen=True)
class Photo:
    available: bool
    bmp: bytes | None = None
    reason: str = ""
    width: int = WIDTH
    height: int = HEIGHT

    def __repr__(self) -> str:
        size = "-" if self.bmp is None else f"{len(self.bmp)}B"
        return f"Photo(available={self.available}, bmp={size}, reason={self.reason!r})"


class PhotoDecoder(Protocol):
    def decode(self, wlt: bytes | None) -> Photo: ...


def unavailable(reason: str) -> Photo:
    return Photo(False, None, f"照片不可用 (photo unavailable): {reason}")


class NoPhotoDecoder:
    """The decoder when no vendor library is configured."""

    def decode(self, wlt: bytes | None) -> Photo:
        if not wlt:
            return unavailable("the card answer carried no photo")
        return unavailable("no WLT decoder library is configured")


def bgr_to_bmp(bgr: bytes, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A bottom-up 24-bit BMP file from top-down BGR rows (the library's bare output)."""
    row = width * 3
    stride = (row + 3) & ~3
    if len(bgr) != row * height:
        raise ValueError(f"{len(bgr)} bytes of BGR, expected {row * height}")
    pixels = b"".join(
        bgr[y * row : (y + 1) * row] + b"\0" * (stride - row) for y in range(height - 1, -1, -1)
    )
    size = BMP_HEADER_SIZE + len(pixels)
    header = (
        b"BM" + size.to_bytes(4, "little") + bytes(4) + BMP_HEADER_SIZE.to_bytes(4, "little")
        + (40).to_bytes(4, "little") + width.to_bytes(4, "little", signed=True)
        + height.to_bytes(4, "little", signed=True) + (1).to_bytes(2, "little")
        + (24).to_bytes(2, "little") + bytes(4) + len(pixels).to_bytes(4, "little")
        + (2835).to_bytes(4, "little") * 2 + bytes(8)
    )
    return header + pixels


def is_bmp(data: bytes, width: int = WIDTH, height: int = HEIGHT) -> bool:
    if len(data) < BMP_HEADER_SIZE or data[:2] != b"BM":
        return False
    w = int.from_bytes(data[18:22], "little", signed=True)
    h = abs(int.from_bytes(data[22:26], "little", signed=True))
    return (w, h) == (width, height) and int.from_bytes(data[28:30], "little") == 24


UnpackFunction = Callable[[bytes, Any, int], int]


class WltLibraryDecoder:
    """A vendor WLT library through ctypes, loaded on first use and called under a lock
    (vendor libraries are rarely thread-safe).

    `function` replaces the library with any callable of the same shape (tests, or a
    wrapper for a library whose calling convention differs).
    """

    def __init__(
        self,
        library: str = "",
        *,
        symbol: str = "unpack",
        flag: int = 1,
        success: int = 1,
        output: str = "bmp",
        function: UnpackFunction | None = None,
    ) -> None:
        if output not in ("bmp", "bgr"):
            raise ValueError("output is 'bmp' or 'bgr'")
        self.library, self.symbol, self.flag, self.success, self.output = (
            library, symbol, flag, success, output
        )
        self._function = function
        self._load_error = ""
        self._lock = threading.Lock()

    def _load(self) -> UnpackFunction | None:
        if self._function is not None or self._load_error:
            return self._function
        try:
            lib = ctypes.CDLL(self.library)
            fn = getattr(lib, self.symbol)
        except (OSError, AttributeError) as exc:
            self._load_error = f"cannot load {self.symbol} from {self.library or '(no path)'}: {exc}"
            log.warning("WLT decoder: %s", self._load_error)
            return None
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        fn.restype = ctypes.c_int
        self._function = fn
        return fn

    def decode(self, wlt: bytes | None) -> Photo:
        if not wlt:
            return unavailable("the card answer carried no photo")
        if len(wlt) != WLT_SIZE:
            return unavailable(f"WLT data of {len(wlt)} bytes, expected {WLT_SIZE}")
        with self._lock:
            fn = self._load()
            if fn is None:
                return unavailable(self._load_error)
            out = ctypes.create_string_buffer(max(BMP_SIZE, BGR_SIZE) + 1024)
            try:
                result = fn(bytes(wlt), out, self.flag)
            except Exception as exc:  # a foreign library: whatever it raises stays here
                log.warning("WLT decoder failed: %s", exc)
                return unavailable(f"the WLT library failed: {exc}")
        if result != self.success:
            return unavailable(f"the WLT library returned {result}")
        raw = out.raw
        if self.output == "bgr":
            return Photo(True, bgr_to_bmp(raw[:BGR_SIZE]))
        bmp = raw[:BMP_SIZE]
        if not is_bmp(bmp):
            return unavailable("the WLT library's output is not a 102 x 126 24-bit BMP")
        return Photo(True, bmp)


def decoder_from_settings(settings: Mapping[str, Any] | None) -> PhotoDecoder:
    """`wlt_library` (path) chooses the vendor library; `wlt_symbol`, `wlt_flag`,
    `wlt_success` and `wlt_output` ("bmp" or "bgr") describe its entry point."""
    settings = settings or {}
    library = str(settings.get("wlt_library") or "")
    if not library:
        return NoPhotoDecoder()
    return WltLibraryDecoder(
        library,
        symbol=str(settings.get("wlt_symbol", "unpack")),
        flag=int(settings.get("wlt_flag", 1)),
        success=int(settings.get("wlt_success", 1)),
        output=str(settings.get("wlt_output", "bmp")),
    )
