"""The simulated printer's mind: it interprets ESC/POS commands as a Chinese thermal printer does.

`receive(bytes)` returns the bytes the printer sends back. Real-time commands (DLE EOT, DLE ENQ,
DLE DC4) are answered on arrival, whatever the state; the rest waits in a queue that is worked
off only while the printer can print, so a fault (paper out, cover open, offline, cutter error)
stops printing mid-ticket as a real one does. Each cut gives a `SimTicket`: its text, what was
drawn (rendered to an image only when asked), and the raw bytes that made it.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drivers.escpos import commands as cmd
from drivers.escpos.parser import REALTIME, Token, Tokenizer
from drivers.escpos.profiles import Profile

log = logging.getLogger(__name__)

PAPER_OUT, COVER_OPEN, OFFLINE, CUTTER_ERROR = "paper_out", "cover_open", "offline", "cutter_error"
NEAR_END, SILENT = "near_end", "silent"
FAULTS = (PAPER_OUT, COVER_OPEN, OFFLINE, CUTTER_ERROR, NEAR_END, SILENT)
STOPPING = frozenset({PAPER_OUT, COVER_OPEN, OFFLINE, CUTTER_ERROR})
Item = tuple[Any, ...]
KEEP_TICKETS = 256  # cut tickets kept in memory: a printer simulated for days must not fill it


@dataclass
class SimTicket:
    index: int
    text: str
    items: list[Item]
    profile: Profile
    raw: bytes = b""
    qr: list[str] = field(default_factory=list)
    barcodes: list[str] = field(default_factory=list)
    images: list[tuple[int, int]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # characters the printer's font lacks

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else []

    def render(self) -> Any:
        """The ticket as it came out of the printer: a Pillow image, black on white paper."""
        from drivers.escpos.draw import draw_ticket

        return draw_ticket(self.items, self.profile)


def _code128_text(data: bytes) -> str:
    out, code_c, i = [], False, 0
    while i < len(data):
        b = data[i]
        if b == 0x7B and i + 1 < len(data):  # "{": code set, shift, FNC or a literal "{"
            sel = data[i + 1]
            if sel == 0x7B:
                out.append("{")
            else:
                code_c = sel == 0x43 if sel in b"ABC" else code_c
            i += 2
            continue
        out.append(f"{b:02d}" if code_c else chr(b) if 0x20 <= b < 0x7F else "?")
        i += 1
    return "".join(out)


class Engine:
    def __init__(self, profile: Profile, *, chinese_default: bool = False, keep: int = KEEP_TICKETS) -> None:
        self.profile = profile
        self.chinese_default = chinese_default
        self.tokenizer = Tokenizer()
        self.pending: deque[Token] = deque()
        self.faults: set[str] = set()
        self.paper_left: int | None = None  # rows until the roll runs out; None: endless
        self.asb = 0
        self.tickets: deque[SimTicket] = deque(maxlen=keep)  # the last `keep` cut, oldest first
        self.printed = 0  # tickets cut since the start
        self.cleared = 0  # unprinted jobs dropped by "clear buffers"
        self.unknown = 0
        self.errors = 0  # commands that raised inside the simulator (a bug in it, never the host's)
        self.on_ticket: Callable[[SimTicket], None] | None = None
        self._cells: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # bounded by the font's characters × styles
        self._reset_modes()
        self._new_ticket()

    # -- state

    def _reset_modes(self) -> None:
        self.chinese = self.chinese_default
        self.size = (1, 1)
        self.esc_mode = 0
        self.fs_mode = 0
        self.bold = False
        self.underline = 0
        self.align = 0
        self.spacing = self.profile.line_spacing
        self.qr_data = b""
        self.qr_module, self.qr_ec = 3, "L"
        self.bc_height, self.bc_module, self.bc_hri = 162, 3, 0
        self.lead: int | None = None
        self.row: list[tuple[Any, ...]] = []
        self.row_align = 0
        self.row_width = 0
        self.text: list[str] = []

    def _new_ticket(self) -> None:
        self.items: list[Item] = []
        self.lines: list[str] = []
        self.raw = bytearray()
        self.qr: list[str] = []
        self.barcodes: list[str] = []
        self.images: list[tuple[int, int]] = []
        self.missing: list[str] = []

    @property
    def can_print(self) -> bool:
        return not self.faults & STOPPING

    # -- status

    def eot(self, n: int) -> int:
        f = self.faults
        stopped = bool(f & STOPPING)
        bits = {
            1: 0x08 * stopped,
            2: 0x04 * (COVER_OPEN in f) | 0x20 * (PAPER_OUT in f) | 0x40 * (CUTTER_ERROR in f),
            3: 0x08 * (CUTTER_ERROR in f),
            4: 0x0C * (NEAR_END in f) | 0x60 * (PAPER_OUT in f),
        }.get(n, 0)
        return 0x12 | bits

    def asb_block(self) -> bytes:
        f = self.faults
        b1 = 0x10 | 0x08 * bool(f & STOPPING) | 0x20 * (COVER_OPEN in f)
        b2 = 0x08 * (CUTTER_ERROR in f)
        b3 = 0x03 * (NEAR_END in f) | 0x0C * (PAPER_OUT in f)
        return bytes((b1, b2, b3, 0x00))

    def set_fault(self, name: str, on: bool = True) -> bytes:
        """Sets or clears a fault; returns what the printer sends (ASB, answers, when resuming)."""
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
        before = self.asb_block()
        if on:
            self.faults.add(name)
        else:
            self.faults.discard(name)
            if name == PAPER_OUT:
                self.paper_left = None
        out = self.asb_block() if self.asb and self.asb_block() != before else b""
        return self._quiet(out + self._drain())

    def run_out_after(self, rows: int) -> None:
        """The roll ends after `rows` more printed rows (mid-ticket if the ticket is longer)."""
        self.paper_left = rows

    def _quiet(self, reply: bytes) -> bytes:
        return b"" if SILENT in self.faults else reply

    # -- input

    def receive(self, data: bytes) -> bytes:
        reply = bytearray()
        for tok in self.tokenizer.feed(data):
            if tok[0] in REALTIME:
                reply += self._realtime(tok)
            else:
                self.pending.append(tok)
        reply += self._drain()
        return self._quiet(bytes(reply))

    def _realtime(self, tok: Token) -> bytes:
        name, raw = tok
        if name == "dle_eot":
            return bytes((self.eot(raw[2]),))
        if name == "dle_enq" and raw[2] in (1, 2):  # recover from a recoverable error
            if raw[2] == 2:
                self._clear()
            self.faults.discard(CUTTER_ERROR)
            return self._drain()
        if name == "dle_dc4" and raw == cmd.CLEAR_BUFFERS:
            self._clear()
            return cmd.CLEAR_REPLY
        return b""

    def _clear(self) -> None:
        if self.pending or self.items or self.lines or self.row:
            self.cleared += 1
        self.pending.clear()
        self.tokenizer.reset()
        self.row, self.row_width, self.text, self.lead = [], 0, [], None
        self._new_ticket()

    def _drain(self) -> bytes:
        reply = bytearray()
        while self.pending and self.can_print:
            tok = self.pending.popleft()
            self.raw += tok[1]
            try:
                reply += self._exec(tok)
            except Exception:  # a printer never stops over one bad command
                self.errors += 1
                log.exception("simulated printer could not run %s %s", tok[0], tok[1][:16].hex())
        return bytes(reply)

    # -- printing

    def _printed_row(self) -> None:
        if self.paper_left is not None:
            self.paper_left -= 1
            if self.paper_left <= 0:
                self.faults.add(PAPER_OUT)
                self.paper_left = None

    def _flush_row(self) -> None:
        cells, self.row, self.row_width = self.row, [], 0
        tallest = max((self.profile.char_height * c[2] for c in cells), default=0)
        self.items.append(("row", self.row_align, tuple(cells), max(self.spacing, tallest)))
        self._printed_row()

    def _end_line(self) -> None:
        self._flush_row()
        self.lines.append("".join(self.text))
        self.text = []

    def _end_pending_line(self) -> None:
        if self.row or self.text:
            self._end_line()

    def _char(self, ch: str, wide: bool, missing: bool = False) -> None:
        gw, gh = self.size
        if wide:
            w = max(gw, 2 if self.fs_mode & 0x04 else 1)
            h = max(gh, 2 if self.fs_mode & 0x08 else 1)
        else:
            w = max(gw, 2 if self.esc_mode & 0x20 else 1)
            h = max(gh, 2 if self.esc_mode & 0x10 else 1)
        bold = self.bold or bool(self.esc_mode & 0x08)
        cw = (self.profile.cjk_cell if wide else self.profile.ascii_cell) * w
        if self.row and self.row_width + cw > self.profile.dots:
            self._flush_row()  # the printer wraps; the text line goes on
        if not self.row:
            self.row_align = self.align
        cell = (ch, w, h, bold, self.underline, wide, missing)
        # one tuple per distinct character and style, shared by every ticket kept: the same few
        # hundred characters fill every ticket, and a copy per printed character made the last
        # KEEP_TICKETS tickets a running demo's largest growing memory
        self.row.append(self._cells.setdefault(cell, cell))
        self.row_width += cw
        self.text.append(ch)
        if missing:
            self.missing.append(ch)

    def _text(self, data: bytes) -> None:
        font = self.profile.font
        for b in data:
            if self.lead is not None:
                lead, self.lead = self.lead, None
                if 0x40 <= b <= 0xFE and b != 0x7F:
                    pair = bytes((lead, b))
                    ch = pair.decode("gb18030", errors="replace")
                    try:
                        pair.decode(font)
                        known = True
                    except UnicodeDecodeError:
                        known = False
                    self._char(ch, True, not known)
                    continue
                self._char("\ufffd", True, True)  # a lead byte without its second byte
            if self.chinese and 0x81 <= b <= 0xFE:
                self.lead = b
            elif b < 0x7F:
                self._char(chr(b), False)
            elif b >= 0x80:
                self._char(bytes((b,)).decode("cp437"), False)

    def _feed(self, dots: int) -> None:
        self._end_pending_line()
        self.items.append(("feed", dots))

    def _cut(self, raw: bytes) -> None:
        self._end_pending_line()
        if len(raw) == 4:
            self.items.append(("feed", raw[3]))
        self.printed += 1
        ticket = SimTicket(self.printed, "\n".join(self.lines), self.items, self.profile,
                           bytes(self.raw), self.qr, self.barcodes, self.images, self.missing)
        self.tickets.append(ticket)
        self._new_ticket()
        if self.on_ticket is not None:
            self.on_ticket(ticket)

    def _graphic(self, item: Item, text: str) -> None:
        self._end_pending_line()
        self.items.append(item)
        self.lines.append(text)
        self._printed_row()

    def _exec(self, tok: Token) -> bytes:
        name, raw = tok
        arg = raw[2] if len(raw) > 2 else 0
        if name == "text":
            self._text(raw)
        elif name == "lf":
            self._end_line()
        elif name == "init":
            self._reset_modes()
        elif name == "chinese_on":
            self.chinese = True
        elif name == "chinese_off":
            self.chinese, self.lead = False, None
        elif name == "size":
            self.size = ((arg >> 4 & 7) + 1, (arg & 7) + 1)
        elif name == "esc_mode":
            self.esc_mode = arg
        elif name == "chinese_mode":
            self.fs_mode = arg
        elif name == "chinese_quadruple":
            self.fs_mode = 0x0C if arg & 1 else 0
        elif name == "bold":
            self.bold = bool(arg & 1)
        elif name in ("underline", "chinese_underline"):
            self.underline = arg % 48 if arg % 48 <= 2 else 0
        elif name == "align":
            if not self.row:  # takes effect only at the start of a line
                self.align = arg % 48 if arg % 48 <= 2 else 0
        elif name == "line_spacing":
            self.spacing = arg
        elif name == "line_spacing_default":
            self.spacing = self.profile.line_spacing
        elif name == "feed_lines":
            self._feed(arg * self.spacing)
        elif name == "feed_dots":
            self._feed(arg)
        elif name == "cut":
            self._cut(raw)
        elif name == "raster":
            self._raster(raw)
        elif name == "gs_paren":
            self._gs_paren(raw)
        elif name == "barcode":
            self._barcode(raw)
        elif name in ("barcode_height", "barcode_module", "barcode_hri"):
            if name == "barcode_height":
                self.bc_height = arg or 1
            elif name == "barcode_module":
                self.bc_module = min(max(arg, 1), 6)
            else:
                self.bc_hri = arg % 48 if arg % 48 <= 3 else 0
        elif name == "transmit_status":  # GS r: answered in sequence
            near = NEAR_END in self.faults
            return bytes((0x03 * near,)) if arg in (1, 49) else b"\x00"
        elif name == "asb":
            self.asb = arg
            return self.asb_block() if arg else b""
        elif name in ("unknown", "invalid"):
            self.unknown += 1
            log.debug("simulated printer skips %s %s", name, raw.hex(" "))
        return b""

    def _raster(self, raw: bytes) -> None:
        mode = raw[3] & 3
        wb, rows = raw[4] | raw[5] << 8, raw[6] | raw[7] << 8
        if not wb or not rows:
            return
        self.images.append((wb * 8, rows))
        self._graphic(("raster", wb, rows, raw[8:], mode, self.align), f"[IMAGE {wb * 8}x{rows}]")

    def _gs_paren(self, raw: bytes) -> None:
        if raw[2] != 0x6B or len(raw) < 7 or raw[5] != 0x31:  # only GS ( k, QR
            return
        fn, rest = raw[6], raw[7:]
        if fn == 0x43 and rest:
            self.qr_module = min(max(rest[0], 1), 16)
        elif fn == 0x45 and rest:
            self.qr_ec = {0x30: "L", 0x31: "M", 0x32: "Q", 0x33: "H"}.get(rest[0], "M")
        elif fn == 0x50 and rest:
            self.qr_data = rest[1:]
        elif fn == 0x51 and self.qr_data:
            text = self.qr_data.decode("utf-8", errors="replace")
            self.qr.append(text)
            self._graphic(("qr", self.qr_data, self.qr_module, self.qr_ec, self.align), f"[QR] {text}")

    def _barcode(self, raw: bytes) -> None:
        m = raw[2]
        if m <= 6:
            kind, data = cmd.FORM_A[m], raw[3:-1]
        else:
            kind, data = cmd.BARCODE_NAMES.get(m, f"type {m}"), raw[4:]
        text = _code128_text(data) if kind == "CODE128" else data.decode("ascii", errors="replace")
        self.barcodes.append(text)
        self._graphic(("barcode", kind, text, self.bc_height, self.bc_module, self.bc_hri, self.align),
                      f"[BARCODE {kind}] {text}")

    def pending_text(self) -> str:
        """Text printed since the last cut (a ticket not yet cut)."""
        return "\n".join([*self.lines, *(["".join(self.text)] if self.text else [])])
