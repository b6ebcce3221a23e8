"""Splitting an ESC/POS byte stream into commands: pure and incremental.

`Tokenizer.feed(chunk)` returns the complete tokens so far and keeps a partial command for the
next chunk. A token is `(name, raw)`: raw holds the command's bytes, prefix included, or a run of
text bytes for "text". Unknown commands are skipped by their prefix and code; a declared
payload larger than `MAX_PAYLOAD` is taken as noise and only its header is skipped, so random
bytes can neither crash the tokenizer nor make it wait forever for data that will never come.
"""
from __future__ import annotations

Token = tuple[str, bytes]

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
MAX_PAYLOAD = 4 * 1024 * 1024

_FIXED: dict[bytes, tuple[str, int]] = {
    # ESC
    b"\x1b@": ("init", 2), b"\x1b!": ("esc_mode", 3), b"\x1bE": ("bold", 3),
    b"\x1bG": ("double_strike", 3), b"\x1b-": ("underline", 3), b"\x1ba": ("align", 3),
    b"\x1bd": ("feed_lines", 3), b"\x1bJ": ("feed_dots", 3), b"\x1be": ("reverse_feed", 3),
    b"\x1b2": ("line_spacing_default", 2), b"\x1b3": ("line_spacing", 3), b"\x1bM": ("font", 3),
    b"\x1bt": ("code_page", 3), b"\x1bR": ("charset", 3), b"\x1b{": ("upside_down", 3),
    b"\x1bV": ("rotate", 3), b"\x1bp": ("drawer", 5), b"\x1b ": ("char_spacing", 3),
    b"\x1b$": ("abs_position", 4), b"\x1b\\": ("rel_position", 4), b"\x1b=": ("peripheral", 3),
    b"\x1bi": ("cut_legacy", 2), b"\x1bm": ("cut_legacy", 2), b"\x1bB": ("buzzer", 4),
    b"\x1bc": ("panel", 4), b"\x1bL": ("page_mode", 2), b"\x1bS": ("standard_mode", 2),
    b"\x1bT": ("page_direction", 3), b"\x1bU": ("unidirectional", 3), b"\x1b%": ("user_chars", 3),
    b"\x1b?": ("cancel_user_char", 3), b"\x1br": ("color", 3), b"\x1bW": ("page_area", 10),
    # GS
    b"\x1d!": ("size", 3), b"\x1dh": ("barcode_height", 3), b"\x1dw": ("barcode_module", 3),
    b"\x1dH": ("barcode_hri", 3), b"\x1df": ("hri_font", 3), b"\x1da": ("asb", 3),
    b"\x1dr": ("transmit_status", 3), b"\x1dB": ("reverse", 3), b"\x1dL": ("left_margin", 4),
    b"\x1dW": ("print_width", 4), b"\x1db": ("smoothing", 3), b"\x1dI": ("printer_id", 3),
    b"\x1dP": ("motion_units", 4), b"\x1d$": ("abs_v_position", 4), b"\x1d\\": ("rel_v_position", 4),
    b"\x1dT": ("line_start", 3), b"\x1d/": ("print_downloaded", 3), b"\x1d:": ("macro", 2),
    b"\x1d^": ("run_macro", 5),
    # FS
    b"\x1c&": ("chinese_on", 2), b"\x1c.": ("chinese_off", 2), b"\x1c!": ("chinese_mode", 3),
    b"\x1c-": ("chinese_underline", 3), b"\x1cW": ("chinese_quadruple", 3),
    b"\x1cC": ("chinese_code_system", 3), b"\x1cS": ("chinese_spacing", 4),
    b"\x1c?": ("cancel_user_chinese", 3), b"\x1cp": ("nv_image", 4), b"\x1c2": ("user_chinese", 76),
    # DLE (real-time)
    b"\x10\x04": ("dle_eot", 3), b"\x10\x05": ("dle_enq", 3),
}
_SINGLE = {0x0A: "lf", 0x0D: "cr", 0x09: "ht", 0x0C: "ff", 0x18: "can"}
REALTIME = frozenset({"dle_eot", "dle_enq", "dle_dc4"})


def _u16(buf: bytearray, i: int) -> int:
    return buf[i] | buf[i + 1] << 8


def _payload(name: str, head: int, size: int) -> tuple[str, int]:
    return (name, head + size) if size <= MAX_PAYLOAD else ("invalid", head)


def _gs(buf: bytearray, i: int, n: int) -> tuple[str, int] | None:
    b1 = buf[i + 1]
    if b1 == 0x56:  # GS V m [n]
        if n < 3:
            return None
        return ("cut", 4 if buf[i + 2] in (65, 66, 97, 98, 103, 104) else 3)
    if b1 == 0x76:  # GS v 0 m xL xH yL yH
        if n < 3:
            return None
        if buf[i + 2] != 0x30:
            return ("unknown", 2)
        if n < 8:
            return None
        return _payload("raster", 8, _u16(buf, i + 4) * _u16(buf, i + 6))
    if b1 == 0x28:  # GS ( X pL pH ...
        if n < 5:
            return None
        return ("gs_paren", 5 + _u16(buf, i + 3))
    if b1 == 0x6B:  # GS k m ...
        if n < 3:
            return None
        if buf[i + 2] <= 6:  # form A: NUL-terminated
            end = buf.find(b"\x00", i + 3, i + 3 + 256)
            if end >= 0:
                return ("barcode", end + 1 - i)
            return None if n < 3 + 256 else ("invalid", 3)
        if n < 4:
            return None
        return ("barcode", 4 + buf[i + 3])
    if b1 == 0x38 and n >= 3 and buf[i + 2] == 0x4C:  # GS 8 L p1..p4
        if n < 7:
            return None
        size = int.from_bytes(buf[i + 3:i + 7], "little")
        return _payload("graphics", 7, size)
    if b1 == 0x2A:  # GS * x y d...(x*y*8)
        if n < 4:
            return None
        return _payload("define_image", 4, buf[i + 2] * buf[i + 3] * 8)
    return _fixed(buf, i, n, "unknown")


def _esc(buf: bytearray, i: int, n: int) -> tuple[str, int] | None:
    b1 = buf[i + 1]
    if b1 == 0x2A:  # ESC * m nL nH d...
        if n < 5:
            return None
        per_column = 1 if buf[i + 2] in (0, 1) else 3
        return _payload("bit_image", 5, _u16(buf, i + 3) * per_column)
    if b1 == 0x44:  # ESC D n1..nk NUL: tab stops
        end = buf.find(b"\x00", i + 2, i + 2 + 33)
        if end >= 0:
            return ("tabs", end + 1 - i)
        return None if n < 2 + 33 else ("invalid", 2)
    if b1 == 0x26:  # ESC & y c1 c2 [x d1..d(y*x)]...
        if n < 5:
            return None
        y, c1, c2 = buf[i + 2], buf[i + 3], buf[i + 4]
        pos = i + 5
        for _ in range(max(0, c2 - c1 + 1)):
            if pos >= len(buf):
                return None
            pos += 1 + y * buf[pos]
        return None if pos > len(buf) else ("define_chars", pos - i)
    return _fixed(buf, i, n, "unknown")


def _dle(buf: bytearray, i: int, n: int) -> tuple[str, int] | None:
    if buf[i + 1] == 0x14:  # DLE DC4 fn ...
        if n < 3:
            return None
        fn = buf[i + 2]
        length = 10 if fn == 8 else 5 if fn in (1, 2) else 3
        return None if n < length else ("dle_dc4", length)
    entry = _FIXED.get(bytes(buf[i:i + 2]))
    if entry is None:
        return ("ctl", 1)  # a lone DLE is no command
    return None if n < entry[1] else entry


def _fixed(buf: bytearray, i: int, n: int, default: str) -> tuple[str, int] | None:
    entry = _FIXED.get(bytes(buf[i:i + 2]))
    if entry is None:
        return (default, 2)
    return None if n < entry[1] else entry


_PREFIX = {ESC: _esc, GS: _gs, FS: lambda buf, i, n: _fixed(buf, i, n, "unknown"), DLE: _dle}


class Tokenizer:
    def __init__(self) -> None:
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes held back as the start of an incomplete command."""
        return len(self._buf)

    def reset(self) -> None:
        self._buf.clear()

    def feed(self, data: bytes) -> list[Token]:
        buf = self._buf
        buf += data
        out: list[Token] = []
        i, size = 0, len(buf)
        while i < size:
            b = buf[i]
            if b >= 0x20:
                j = i + 1
                while j < size and buf[j] >= 0x20:
                    j += 1
                out.append(("text", bytes(buf[i:j])))
                i = j
                continue
            handler = _PREFIX.get(b)
            if handler is None:
                out.append((_SINGLE.get(b, "ctl"), bytes((b,))))
                i += 1
                continue
            found = handler(buf, i, size - i) if size - i >= 2 else None
            if found is None or i + found[1] > size:
                break  # incomplete: wait for more bytes
            name, length = found
            out.append((name, bytes(buf[i:i + length])))
            i += length
        del buf[:i]
        return out
