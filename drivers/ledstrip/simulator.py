"""An LED strip controller, simulated from the device's side: BX-5 frames or the line protocol.

`feed(bytes)` takes what the driver wrote and returns the answer. A BX-5 frame is unescaped and
its CRC checked: a bad one earns a NAK (CRC error) when its header still says it is for us.
The strip keeps what each area shows and, given an output directory, renders the screen as a PNG
after every change. Faults: `silent`, `corrupt_incoming` (the next frames arrive with a bit
flipped, as line noise would), `garbage(n)` (noise before the next answer).

`render_behind=True` answers first and draws the PNG afterwards on a thread of its own (the
newest picture only), as a real controller acknowledges a frame before its LEDs change: drawn
before the answer, a busy machine (the demo starting its screens) makes the answer later than
the driver's timeout, and every retry and reconnect queues another drawing behind it.
"""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path

from drivers.errors import DeviceProtocolError
from drivers.ledstrip import bx5, line
from drivers.ledstrip.area import Colour, DynamicArea, Styled, decode_params, parse_text
from drivers.ledstrip.render import DEFAULT_FONT_SIZE, FONT, rasterize, to_png

log = logging.getLogger(__name__)

Notify = Callable[[str], None]
SUPPORTED_GROUPS = (0xA1, 0xA2, 0xA3, 0xA4)
ACKED = {bx5.PING, bx5.STATUS, bx5.RESET}


class StripSimulator:
    def __init__(self, *, protocol: str = "bx5", width: int = 192, height: int = 32, screen: int = 1,
                 out_dir: str | Path | None = None, png_name: str = "ledstrip.png",
                 encoding: str = "utf-8", colour: Colour = Colour.RED, font_size: int = DEFAULT_FONT_SIZE,
                 font_path: str = FONT, device_type: int = 0x51, notify: Notify | None = None,
                 rng: random.Random | None = None, render_behind: bool = False) -> None:
        if protocol not in ("bx5", "line"):
            raise ValueError(f"protocol {protocol!r} is not bx5 or line")
        self.protocol, self.width, self.height, self.screen = protocol, width, height, screen
        self.out_dir = Path(out_dir) if out_dir else None
        self.png_name, self.encoding, self.colour = png_name, encoding, colour
        self.font_size, self.font_path, self.device_type = font_size, font_path, device_type
        self.notify = notify or (lambda _line: None)
        self.rng = rng or random.Random()
        self.render_behind = render_behind
        self._dirty = threading.Event()
        self._renderer: threading.Thread | None = None
        self.lock = threading.RLock()
        self.areas: dict[int, tuple[DynamicArea, Styled]] = {}
        self.brightness: tuple[int, ...] | None = None  # the 48 half-hour levels of the last A3 02
        self.frames = 0  # well-formed requests handled
        self.naks = 0
        self.bad = 0  # frames or lines that made no sense
        self.silent = False
        self.corrupt_incoming = 0
        self.png: Path | None = None
        self._garbage = 0
        self._bx5 = bx5.Deframer()
        self._lines = line.LineSplitter()

    # -- what it shows

    @property
    def text(self) -> str:
        """The text of every area, in area order (one area: just its text)."""
        with self.lock:
            return " ".join(styled.text for _, (_, styled) in sorted(self.areas.items()))

    def styled(self, area_id: int = 0) -> Styled | None:
        with self.lock:
            entry = self.areas.get(area_id)
            return entry[1] if entry else None

    def render(self, path: str | Path | None = None) -> Path | None:
        """Draws the screen now (to `path`, or to the output directory); the PNG's path."""
        with self.lock:  # what it shows now; drawn without holding up the answers
            target = Path(path) if path else (self.out_dir / self.png_name if self.out_dir else None)
            if target is None:
                return None
            areas = list(self.areas.values())
        grid = rasterize(self.width, self.height, areas, default_font=self.font_size, font_path=self.font_path)
        self.png = to_png(grid, target)
        return self.png

    # -- the line

    def garbage(self, count: int = 16) -> None:
        with self.lock:
            self._garbage += count

    def feed(self, data: bytes) -> bytes:
        with self.lock:
            if self.silent:
                return b""  # wrong address, wrong baud rate, switched off: nothing understood
            out = bytearray()
            if self.protocol == "bx5":
                for raw in self._bx5.feed(data):
                    out += self._bx5_frame(raw)
            else:
                for raw in self._lines.feed(data):
                    out += self._line(raw)
            if out and self._garbage:
                noise = bytes(self.rng.randrange(256) for _ in range(self._garbage))
                self._garbage = 0
                out[:0] = noise
            return bytes(out)

    # -- BX-5

    def _bx5_frame(self, raw: bytes) -> bytes:
        if self.corrupt_incoming > 0:
            self.corrupt_incoming -= 1
            raw = _flip_a_bit(raw)
        try:
            packet = bx5.decode(raw, lenient=True)
        except DeviceProtocolError as exc:
            self.bad += 1
            header = _header(raw)
            log.info("simulated strip: bad frame (%s)", exc.message)
            if header is None or not self._for_me(header.dst):
                return b""
            self.naks += 1
            return bx5.answer(header, bx5.Error.CHECKSUM, device_type=self.device_type)
        if not self._for_me(packet.dst) or packet.device_type not in (bx5.ANY_DEVICE, self.device_type):
            return b""
        self.frames += 1
        error = self._execute(packet)
        if error is not bx5.Error.NONE:
            self.naks += 1
        if packet.dst in bx5.BROADCAST_ADDRESSES or not packet.wants_reply:
            return b""
        return bx5.answer(packet, error, device_type=self.device_type)

    def _for_me(self, dst: int) -> bool:
        return dst == self.screen or dst in bx5.BROADCAST_ADDRESSES

    def _execute(self, packet: bx5.Packet) -> bx5.Error:
        command = packet.command
        if command == bx5.DYNAMIC_AREA:
            try:
                update = decode_params(packet.params)
            except DeviceProtocolError as exc:
                log.info("simulated strip: bad A3 06 (%s)", exc.message)
                return bx5.Error.PARAMETER
            if update.delete is None:
                self.areas.clear()
            for area_id in update.delete or ():
                self.areas.pop(area_id, None)
            for area, text in update.areas:
                self.areas[area.area_id] = (area, parse_text(text))
            self._changed()
            return bx5.Error.NONE
        if command == bx5.BRIGHTNESS:
            try:
                self.brightness = bx5.read_brightness(packet.params)
            except DeviceProtocolError as exc:
                log.info("simulated strip: bad A3 02 (%s)", exc.message)
                return bx5.Error.PARAMETER
            self.notify(f"brightness level {self.brightness[0]} of {bx5.LEVELS}")
            return bx5.Error.NONE
        if command == bx5.CLEAR:
            self.areas.clear()
            self._changed()
            return bx5.Error.NONE
        if command in ACKED:
            return bx5.Error.NONE
        return bx5.Error.NO_COMMAND if command[0] in SUPPORTED_GROUPS else bx5.Error.OUT_OF_GROUP

    # -- line protocol

    def _line(self, raw: bytes | None) -> bytes:
        if raw is None:
            self.bad += 1
            return line.reply(False, "line too long", self.encoding)
        if not raw:
            return b""  # a blank line (e.g. a bare CR LF) is ignored
        try:
            cmd = line.parse_command(raw, self.encoding)
        except DeviceProtocolError as exc:
            self.bad += 1
            return line.reply(False, exc.message, self.encoding)
        self.frames += 1
        if cmd.verb == "STATUS":
            return line.reply(True, f"{self.width}x{self.height} {self.text}".rstrip(), self.encoding)
        self.areas.clear()
        if cmd.verb == "SHOW":
            area = DynamicArea(width=self.width, height=self.height)
            self.areas[0] = (area, Styled(((self.colour, cmd.text),)))
        self._changed()
        return line.reply(True, "", self.encoding)

    def _changed(self) -> None:
        if self.out_dir and self.render_behind:
            self._dirty.set()
            if self._renderer is None:
                self._renderer = threading.Thread(target=self._render_behind, name="strip-render", daemon=True)
                self._renderer.start()
            return
        path = self.render() if self.out_dir else None
        self.notify(f"shown {self.text!r}" + (f" -> {path}" if path else ""))

    def _render_behind(self) -> None:
        """Draws the newest picture whenever the strip changed (changes while drawing: once more)."""
        while True:
            self._dirty.wait()
            self._dirty.clear()
            try:
                path = self.render()
            except Exception:  # a picture not drawn is said; the strip goes on answering
                log.exception("simulated strip: drawing the PNG failed")
                continue
            self.notify(f"shown {self.text!r} -> {path}")


def _header(raw: bytes) -> bx5.Packet | None:
    """The addresses of a frame that failed its check, if its header can still be read."""
    body = raw.lstrip(bytes((bx5.START,)))[:-1]
    try:
        head = bx5.unescape(body)[: bx5.HEADER.size]
    except DeviceProtocolError:
        return None
    if len(head) < bx5.HEADER.size:
        return None
    dst, src = head[0] | head[1] << 8, head[2] | head[3] << 8
    return bx5.Packet(dst, src, b"")


def _flip_a_bit(raw: bytes) -> bytes:
    """Line noise: one bit of the header's reserved bytes flipped, so only the CRC can tell."""
    start = len(raw) - len(raw.lstrip(bytes((bx5.START,))))
    try:
        body = bytearray(bx5.unescape(raw[start:-1]))
    except DeviceProtocolError:
        return raw
    if len(body) <= 4:
        return raw
    body[4] ^= 0x01
    return raw[:start] + bx5.escape(bytes(body)) + raw[-1:]
