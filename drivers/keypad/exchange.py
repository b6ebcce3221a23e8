"""One exchange on the keypad bus: a command out, the matching answer back.

Used by the bus master and by `doctor` (which must not poll: polling takes events).
"""
from __future__ import annotations

import logging
import termios
import time
from collections.abc import Callable

import serial

from drivers.errors import DeviceProtocolError, DeviceTimeout, DeviceUnavailable
from drivers.keypad.codec import Deframer, decode_frame, encode_frame, hexdump
from drivers.keypad.messages import Message, from_frame, to_frame
from drivers.transport import Transport

log = logging.getLogger(__name__)

READ_SLICE = 0.01  # how long one read may block while waiting for an answer
# what a port raises when its device goes away: pyserial's own error, the OS's, and termios's
# (pyserial lets termios.error out of reset_input_buffer on a pty whose other end is gone)
PORT_ERRORS: tuple[type[Exception], ...] = (serial.SerialException, OSError, termios.error)


def write(port: Transport, data: bytes, device: str = "") -> None:
    try:
        port.write(data)
    except PORT_ERRORS as exc:
        raise DeviceUnavailable(f"bus port failed: {exc}", device=device) from exc


def exchange(port: Transport, msg: Message, address: int, seq: int, timeout: float, *,
             clock: Callable[[], float] = time.monotonic, device: str = "") -> Message:
    """Sends one command and waits for the answer with the same address and sequence number.

    Line noise, frames that fail their CRC, echoes of our own request and late answers to
    earlier exchanges are skipped. Nothing valid in time: `DeviceProtocolError` if something
    garbled arrived, else `DeviceTimeout`. A failing port is `DeviceUnavailable`.
    """
    try:
        port.reset_input_buffer()  # a late answer to an earlier exchange is of no use now
    except PORT_ERRORS as exc:
        raise DeviceUnavailable(f"bus port failed: {exc}", device=device) from exc
    write(port, encode_frame(to_frame(msg, address, seq)), device)
    deadline = clock() + timeout
    deframer = Deframer()
    bad = ""
    while clock() < deadline:
        try:
            data = port.read(max(1, port.in_waiting))
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"bus port failed: {exc}", device=device) from exc
        for raw in deframer.feed(data):
            try:
                frame = decode_frame(raw)
            except DeviceProtocolError as exc:
                bad = f"{exc.message} in {hexdump(raw)}"
                continue
            if not frame.from_device:
                continue  # our own request, echoed by a two-wire adapter
            if frame.address != address or frame.seq != seq:
                log.debug("ignored a late or stray answer %r", frame)
                continue
            return from_frame(frame)
    if bad:
        raise DeviceProtocolError(f"no valid answer: {bad}", device=device)
    raise DeviceTimeout(f"no answer in {timeout:.2f} s", device=device)
