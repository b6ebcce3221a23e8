"""Window LED strips: Onbon BX-5 dynamic-area text, or the plain line protocol.

Both receive a transport factory (a serial port or `socket://host:5005` from a URL) and open it
on first use; a port that fails is dropped and opened anew on the next call. Every command waits
for the strip's answer: an answer lost or garbled, or a NAK for a CRC error or a busy controller,
is retried; other NAKs are `DeviceFault`; no answer at all is `DeviceTimeout`; a port that cannot
be opened is `DeviceUnavailable`. `status()` asks the strip and never raises.
"""
from __future__ import annotations

import logging
import termios
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import serial

from drivers.errors import (
    DeviceError,
    DeviceFault,
    DeviceProtocolError,
    DeviceTimeout,
    DeviceUnavailable,
)
from drivers.ledstrip import bx5, line
from drivers.ledstrip.area import Colour, DynamicArea, Effect, encode_params, encode_text
from drivers.ledstrip.texts import laid_out
from drivers.status import DeviceStatus, State
from drivers.transport import Transport

log = logging.getLogger(__name__)

READ_SLICE = 0.01
# what a port raises when its device goes away (pyserial lets termios.error out of reset_input_buffer)
PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, termios.error)
StatusCallback = Callable[[DeviceStatus], None]


class _Strip:
    """The port, the lock, retries and the status both protocols share."""

    kind = "led_strip"

    def __init__(self, connect: Callable[[], Transport], *, name: str, timeout: float, retries: int,
                 clock: Callable[[], float], on_status: StatusCallback | None) -> None:
        self._connect, self.name = connect, name
        self.timeout, self.retries, self.clock = timeout, retries, clock
        self.on_status = on_status
        self._lock = threading.RLock()
        self._port: Transport | None = None
        self._status = DeviceStatus(name, self.kind, State.CONNECTING, "not used yet", clock())

    def close(self) -> None:
        with self._lock:
            self._drop()
            self._set(State.DISCONNECTED, "closed")

    def _open(self) -> Transport:
        if self._port is None:
            self._port = self._connect()
            self._port.timeout = READ_SLICE  # may fail on a port gone again: dropped by the caller
        return self._port

    def _drop(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception:
                log.debug("closing %s failed", self.name, exc_info=True)

    def _set(self, state: State, reason: str, details: Mapping[str, Any] | None = None) -> None:
        old = self._status
        self._status = DeviceStatus(self.name, self.kind, state, reason, self.clock(), dict(details or {}))
        if old.state is not state:
            log.info("led strip %s: %s -> %s %s", self.name, old.state, state, reason)
        if self.on_status is not None and (old.state, old.reason) != (state, reason):
            try:
                self.on_status(self._status)
            except Exception:
                log.exception("status callback of %s failed", self.name)

    def _transact(self, data: bytes, what: str, read: Callable[[Transport, float], Any]) -> Any:
        """Writes a request and reads its answer with `read`, retrying what is worth retrying."""
        with self._lock:
            error: DeviceError = DeviceTimeout("no attempt")
            for attempt in range(1 + self.retries):
                try:
                    port = self._open()
                    port.reset_input_buffer()
                    port.write(data)
                    return read(port, self.clock() + self.timeout)
                except DeviceUnavailable as exc:
                    self._fail(State.DISCONNECTED, exc)
                    raise
                except PORT_ERRORS as exc:
                    unavailable = DeviceUnavailable(f"port failed: {exc}", device=self.name)
                    self._fail(State.DISCONNECTED, unavailable)
                    raise unavailable from exc
                except (DeviceTimeout, DeviceProtocolError) as exc:
                    error = exc
                    log.info("%s: %s, attempt %d: %s", self.name, what, attempt + 1, exc.message)
            if isinstance(error, DeviceTimeout):
                self._fail(State.DISCONNECTED, error)  # a half-open link is reopened next time
            else:
                self._set(State.ERROR, error.message)
            raise error

    def _fail(self, state: State, exc: DeviceError) -> None:
        self._drop()
        self._set(state, exc.message)

    def _read(self, port: Transport) -> bytes:
        try:
            return port.read(max(1, port.in_waiting))
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"port failed: {exc}", device=self.name) from exc


class Bx5Strip(_Strip):
    """An Onbon BX-5/6 font-card controller driven through one dynamic area."""

    def __init__(self, connect: Callable[[], Transport], *, name: str = "led-strip", screen: int = 1,
                 area: DynamicArea | None = None, colour: Colour = Colour.RED, encoding: str = "gb2312",
                 device_type: int = bx5.ANY_DEVICE, timeout: float = 1.0, retries: int = 2,
                 clock: Callable[[], float] = time.monotonic, on_status: StatusCallback | None = None) -> None:
        super().__init__(connect, name=name, timeout=timeout, retries=retries, clock=clock, on_status=on_status)
        self.screen, self.device_type, self.encoding = screen, device_type, encoding
        self.area, self.colour = area or DynamicArea(), colour
        self.text = ""
        self.brightness: int | None = None  # percent last set, None before

    def show(self, text: str, *, colour: Colour | None = None, effect: Effect | None = None,
             area: DynamicArea | None = None) -> None:
        """Shows text in the configured area (or `area`), in `colour` with `effect`."""
        target = area or self.area
        if effect is not None:
            target = replace(target, effect=effect)
        shown = laid_out(text, target.width, target.font_size) if target.multi_line and target.auto_wrap else text
        data = encode_text(shown, colour or self.colour, font_size=target.font_size, encoding=self.encoding)
        self._command(bx5.DYNAMIC_AREA, encode_params(target, data), f"show {text!r}")
        self.text = text

    def clear(self) -> None:
        self._command(bx5.CLEAR, b"", "clear")
        self.text = ""

    def set_brightness(self, percent: int) -> None:
        """The operators' brightness (0-100 %) as the controller's level, all day (A3 02)."""
        level = bx5.level_for_percent(percent)
        self._command(bx5.BRIGHTNESS, bx5.brightness_params(level), f"brightness {percent} % (level {level})")
        self.brightness = percent

    def ping(self) -> None:
        self._command(bx5.PING, b"", "ping")

    def status(self) -> DeviceStatus:
        try:
            self.ping()
        except DeviceError:
            pass
        return self._status

    def _command(self, command: tuple[int, int], params: bytes, what: str) -> None:
        frame = bx5.request(command, params, screen=self.screen, device_type=self.device_type)
        answer = self._transact(frame, what, self._answer)
        if answer.ok:
            self._set(State.READY, "ok", {"screen": self.screen, "protocol": "bx5"})
            return
        fault = DeviceFault(f"controller refused {what}: {answer.error_name}", device=self.name,
                            code=f"bx5:{answer.error}")
        self._set(State.ERROR, fault.message, {"code": fault.code})
        raise fault

    def _answer(self, port: Transport, deadline: float) -> bx5.Answer:
        deframer = bx5.Deframer()
        bad = ""
        while self.clock() < deadline:
            for raw in deframer.feed(self._read(port)):
                try:
                    packet = bx5.decode(raw)
                    answer = bx5.parse_answer(packet)
                except DeviceProtocolError as exc:
                    bad = exc.message  # garbled, or our own frame echoed
                    continue
                if packet.src != self.screen and self.screen not in bx5.BROADCAST_ADDRESSES:
                    continue  # another screen on the same RS-485 line
                if not answer.ok and answer.error in (bx5.Error.CHECKSUM, bx5.Error.BUSY):
                    raise DeviceProtocolError(f"controller answered NAK: {answer.error_name}", device=self.name)
                return answer
        if bad:
            raise DeviceProtocolError(f"no valid answer: {bad}", device=self.name)
        raise DeviceTimeout(f"no answer in {self.timeout:.1f} s", device=self.name)


class LineStrip(_Strip):
    """A strip speaking the plain line protocol (`acks=False` for strips that never answer).
    The protocol has no brightness command: such a strip keeps the brightness set on it."""

    set_brightness = None  # no such command (docs/protocols/ledstrip.md)

    def __init__(self, connect: Callable[[], Transport], *, name: str = "led-strip", encoding: str = "utf-8",
                 acks: bool = True, timeout: float = 1.0, retries: int = 2,
                 clock: Callable[[], float] = time.monotonic, on_status: StatusCallback | None = None) -> None:
        super().__init__(connect, name=name, timeout=timeout, retries=retries, clock=clock, on_status=on_status)
        self.encoding, self.acks = encoding, acks
        self.text = ""

    def show(self, text: str, *, colour: Colour | None = None, effect: Effect | None = None) -> None:
        self._command("SHOW", text)  # one colour, no effects: a plain strip has neither
        self.text = text

    def clear(self) -> None:
        self._command("CLEAR")
        self.text = ""

    def status(self) -> DeviceStatus:
        try:
            answer = self._command("STATUS")
        except DeviceError:
            return self._status
        size, _, showing = answer.text.partition(" ")
        self._set(State.READY, "ok", {"protocol": "line", "size": size, "showing": showing})
        return self._status

    def _command(self, verb: str, text: str = "") -> line.LineReply:
        data = line.command(verb, text, self.encoding)
        if not self.acks:
            self._transact(data, verb, lambda _port, _deadline: None)
            self._set(State.READY, "sent (this strip does not answer)", {"protocol": "line"})
            return line.LineReply(True)
        answer: line.LineReply = self._transact(data, verb, self._reply)
        if not answer.ok:
            fault = DeviceFault(f"strip refused {verb}: {answer.text}", device=self.name, code="line:err")
            self._set(State.ERROR, fault.message)
            raise fault
        self._set(State.READY, "ok", {"protocol": "line"})
        return answer

    def _reply(self, port: Transport, deadline: float) -> line.LineReply:
        splitter = line.LineSplitter()
        bad = ""
        while self.clock() < deadline:
            for raw in splitter.feed(self._read(port)):
                try:
                    if raw is None:
                        raise DeviceProtocolError("answer line too long")
                    return line.parse_reply(raw, self.encoding)
                except DeviceProtocolError as exc:
                    bad = exc.message
        if bad:
            raise DeviceProtocolError(f"no valid answer: {bad}", device=self.name)
        raise DeviceTimeout(f"no answer in {self.timeout:.1f} s", device=self.name)
