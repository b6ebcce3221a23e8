"""yiciban keypad bus framing: pure functions, no I/O (docs/protocols/keypad-bus.md).

    STX | stuffed( ADDR CMD SEQ LEN PAYLOAD[LEN] CRC_LO CRC_HI ) | ETX

STX (0x02) only ever starts a frame and ETX (0x03) only ever ends one: inside, STX, ETX and DLE
(0x10) are sent as DLE followed by the byte XOR 0x20. A receiver that sees STX starts over, so it
is back in step at the next frame whatever the line did to the last one. The CRC is
CRC-16/MODBUS over ADDR..PAYLOAD (unstuffed), low byte first; LEN must match as well.
"""
from __future__ import annotations

from dataclasses import dataclass

from drivers.errors import DeviceProtocolError

STX, ETX, DLE = 0x02, 0x03, 0x10
FLIP = 0x20
SPECIAL = frozenset({STX, ETX, DLE})
BROADCAST = 0x00
MAX_PAYLOAD = 64
FROM_DEVICE = 0x80  # command bit 7: a reply from a device, never a request
# the longest frame on the wire: every byte of the body stuffed
MAX_WIRE = 2 + 2 * (4 + MAX_PAYLOAD + 2)


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS: reflected poly 0xA001, init 0xFFFF, no final xor ("123456789" -> 0x4B37)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True)
class Frame:
    address: int  # 0 broadcast, 1-247 devices
    command: int  # bit 7 set: sent by a device
    seq: int  # the master's sequence number; a reply echoes it
    payload: bytes = b""

    def __post_init__(self) -> None:
        for name, value in (("address", self.address), ("command", self.command), ("seq", self.seq)):
            if not 0 <= value <= 255:
                raise ValueError(f"{name} {value} does not fit in a byte")
        if len(self.payload) > MAX_PAYLOAD:
            raise ValueError(f"payload of {len(self.payload)} bytes is over {MAX_PAYLOAD}")

    @property
    def from_device(self) -> bool:
        return bool(self.command & FROM_DEVICE)


def stuff(body: bytes) -> bytes:
    out = bytearray()
    for byte in body:
        if byte in SPECIAL:
            out += bytes((DLE, byte ^ FLIP))
        else:
            out.append(byte)
    return bytes(out)


def unstuff(data: bytes) -> bytes:
    """Undoes `stuff`; a DLE not followed by a stuffed special byte is a protocol error."""
    out = bytearray()
    it = iter(data)
    for byte in it:
        if byte in (STX, ETX):
            raise DeviceProtocolError(f"unstuffed 0x{byte:02X} inside a frame")
        if byte == DLE:
            nxt = next(it, None)
            if nxt is None or nxt ^ FLIP not in SPECIAL:
                raise DeviceProtocolError("DLE not followed by a stuffed STX, ETX or DLE")
            out.append(nxt ^ FLIP)
        else:
            out.append(byte)
    return bytes(out)


def encode_frame(frame: Frame) -> bytes:
    body = bytes((frame.address, frame.command, frame.seq, len(frame.payload))) + frame.payload
    crc = crc16_modbus(body)
    return bytes((STX,)) + stuff(body + bytes((crc & 0xFF, crc >> 8))) + bytes((ETX,))


def decode_frame(raw: bytes) -> Frame:
    """One frame from STX to ETX inclusive; anything wrong is `DeviceProtocolError`."""
    if len(raw) < 2 or raw[0] != STX or raw[-1] != ETX:
        raise DeviceProtocolError("a frame runs from STX to ETX")
    body = unstuff(raw[1:-1])
    if len(body) < 6:
        raise DeviceProtocolError(f"frame of {len(body)} bytes is too short")
    length = body[3]
    if length != len(body) - 6:
        raise DeviceProtocolError(f"LEN says {length} payload bytes, the frame has {len(body) - 6}")
    if length > MAX_PAYLOAD:
        raise DeviceProtocolError(f"payload of {length} bytes is over {MAX_PAYLOAD}")
    got = body[-2] | body[-1] << 8
    want = crc16_modbus(body[:-2])
    if got != want:
        raise DeviceProtocolError(f"CRC 0x{got:04X}, expected 0x{want:04X}")
    return Frame(body[0], body[1], body[2], bytes(body[4:-2]))


class Deframer:
    """Cuts a byte stream into candidate frames (STX..ETX), dropping what lies between.

    `feed` never raises: bytes outside a frame, a frame cut short by a new STX and a frame longer
    than any valid one are counted in `dropped` and forgotten. Decode each candidate with
    `decode_frame`.
    """

    def __init__(self) -> None:
        self._buf: bytearray | None = None  # None: hunting for STX
        self.dropped = 0  # bytes thrown away while resynchronising

    def feed(self, data: bytes) -> list[bytes]:
        frames: list[bytes] = []
        for byte in data:
            if byte == STX:
                if self._buf is not None:
                    self.dropped += len(self._buf)
                self._buf = bytearray((STX,))
            elif self._buf is None:
                self.dropped += 1
            else:
                self._buf.append(byte)
                if byte == ETX:
                    frames.append(bytes(self._buf))
                    self._buf = None
                elif len(self._buf) >= MAX_WIRE:
                    self.dropped += len(self._buf)
                    self._buf = None
        return frames

    def reset(self) -> None:
        if self._buf is not None:
            self.dropped += len(self._buf)
        self._buf = None


def hexdump(data: bytes) -> str:
    return data.hex(" ").upper()
