"""The vpcd socket protocol (vsmartcard's virtual reader driver), as pure functions.

Every message, both ways, is a 2-byte big-endian length and that many bytes of payload.
From the reader (vpcd) to the card, a 1-byte payload is a control: 00 power off, 01 power
on, 02 reset, 04 "send your ATR"; any longer payload is a command APDU. From the card to the
reader, a payload is the ATR (after control 04) or the response APDU (data + SW1 SW2).
The other controls (power, reset) get no answer.
"""
from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from drivers.errors import DeviceProtocolError

MAX_PAYLOAD = 0xFFFF
DEFAULT_PORT = 35963  # vpcd's default in /etc/reader.conf.d/vpcd (0x8C7B)


class Control(enum.IntEnum):
    POWER_OFF = 0x00
    POWER_ON = 0x01
    RESET = 0x02
    GET_ATR = 0x04


@dataclass(frozen=True)
class Apdu:
    data: bytes


Message = Control | Apdu


def frame(payload: bytes) -> bytes:
    """One message on the wire."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"vpcd payload of {len(payload)} bytes (at most {MAX_PAYLOAD})")
    return struct.pack(">H", len(payload)) + payload


def encode(message: Message) -> bytes:
    """What the reader side sends (used by tests and by anyone writing a fake vpcd)."""
    if isinstance(message, Control):
        return frame(bytes([message]))
    if len(message.data) < 2:  # 1 byte would read as a control, 0 as nothing
        raise ValueError(f"an APDU of {len(message.data)} bytes cannot be sent over vpcd")
    return frame(message.data)


def parse_payload(payload: bytes) -> Message:
    if len(payload) == 1:
        try:
            return Control(payload[0])
        except ValueError:
            raise DeviceProtocolError(f"unknown vpcd control 0x{payload[0]:02x}") from None
    if not payload:
        raise DeviceProtocolError("empty vpcd message")
    return Apdu(payload)


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete payloads at the start of `buffer`, and the incomplete rest."""
    payloads: list[bytes] = []
    pos = 0
    while len(buffer) - pos >= 2:
        (length,) = struct.unpack_from(">H", buffer, pos)
        if len(buffer) - pos - 2 < length:
            break
        payloads.append(buffer[pos + 2:pos + 2 + length])
        pos += 2 + length
    return payloads, buffer[pos:]


class Decoder:
    """Incremental: feed bytes as they arrive, get whole messages out.

    A malformed message (empty, or an unknown 1-byte control) raises `DeviceProtocolError`
    after the good messages before it are returned by the next `feed(b"")`; the framing
    itself cannot go wrong, so the stream stays in step.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._ready: list[bytes] = []

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a message."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Message]:
        payloads, self._buffer = split_frames(self._buffer + data)
        self._ready.extend(payloads)
        out: list[Message] = []
        while self._ready:
            payload = self._ready.pop(0)
            try:
                out.append(parse_payload(payload))
            except DeviceProtocolError:
                if not out:
                    raise
                self._ready.insert(0, payload)  # report it on the next call
                break
        return out
