"""Onbon BX-5 ("字库卡") framing: pure functions, no I/O (PROTOCOLS.md §4.1, docs/protocols/ledstrip.md).

    A5 x8 | escaped( header[14] payload CRC_LO CRC_HI ) | 5A

Between the markers A5 -> A6 02, A6 -> A6 01, 5A -> 5B 02, 5B -> 5B 01, so A5 only ever starts
a frame and 5A only ever ends one. The CRC is CRC-16/ARC over the unescaped header and payload,
little-endian. Payload = group, command, reply flag, two reserved bytes, then parameters.
Controllers answer with group A0: command 00 is ACK, 01 is NAK with an error code.
"""
from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from drivers.errors import DeviceProtocolError

START, END = 0xA5, 0x5A
ESCAPES = {0xA5: b"\xa6\x02", 0xA6: b"\xa6\x01", 0x5A: b"\x5b\x02", 0x5B: b"\x5b\x01"}
UNESCAPES = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6, (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}
WAKE = 8  # A5 bytes sent before a frame
HEADER = struct.Struct("<HH3sBBBBBH")  # dst, src, reserved, barcode, check, display, device, version, len
MAX_FRAME = 4096  # escaped bytes between the markers; controllers buffer far less

PC_ADDRESS = 0x8000
BROADCAST_ADDRESSES = frozenset({0xFFFE, 0xFFFF})
ANY_DEVICE = 0xFE
VERSION = 0x02


class Check(enum.IntEnum):
    CRC16 = 0
    SUM = 1
    NONE = 2


class Reply(enum.IntEnum):
    WANTED = 0x01
    NOT_WANTED = 0x02


class Error(enum.IntEnum):
    """NAK error codes of BX-5/6 controllers."""

    NONE = 0x00
    OUT_OF_GROUP = 0x01
    NO_COMMAND = 0x02
    BUSY = 0x03
    MEMORY = 0x04
    CHECKSUM = 0x05
    FILE_NOT_EXIST = 0x06
    FLASH = 0x07
    FILE_DOWNLOAD = 0x08
    FILE_NAME = 0x09
    FILE_TYPE = 0x0A
    FILE_CRC16 = 0x0B
    FONT_NOT_EXIST = 0x0C
    FIRMWARE_TYPE = 0x0D
    DATE_TIME_FORMAT = 0x0E
    FILE_EXIST = 0x0F
    FILE_BLOCK_NUM = 0x10
    PARAMETER = 0x12  # parameters out of range (listed for later controllers only)


# (group, command)
PING = (0xA2, 0x00)
STATUS = (0xA1, 0x02)
RESET = (0xA2, 0x01)
DYNAMIC_AREA = (0xA3, 0x06)
CLEAR = (0xA3, 0x10)
BRIGHTNESS = (0xA3, 0x02)
ACK = (0xA0, 0x00)
NAK = (0xA0, 0x01)


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC: reflected poly 0xA001, init 0, no final xor ("123456789" -> 0xBB3D)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def escape(data: bytes) -> bytes:
    out = bytearray()
    for byte in data:
        out += ESCAPES.get(byte, bytes((byte,)))
    return bytes(out)


def unescape(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte in (START, END):
            raise DeviceProtocolError(f"unescaped 0x{byte:02X} inside a frame")
        if byte in (0xA6, 0x5B):
            pair = (byte, data[i + 1]) if i + 1 < len(data) else (byte, -1)
            if pair not in UNESCAPES:
                raise DeviceProtocolError(f"0x{byte:02X} not followed by 01 or 02")
            out.append(UNESCAPES[pair])
            i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


@dataclass(frozen=True)
class Packet:
    """An unescaped BX-5 packet: header fields and the payload."""

    dst: int
    src: int
    payload: bytes
    check: Check = Check.CRC16
    display_mode: int = 0  # 0 normal, 1 dynamic areas on top of the program
    device_type: int = ANY_DEVICE
    version: int = VERSION

    @property
    def group(self) -> int:
        return self.payload[0] if self.payload else -1

    @property
    def command(self) -> tuple[int, int]:
        return (self.payload[0], self.payload[1]) if len(self.payload) >= 2 else (-1, -1)

    @property
    def wants_reply(self) -> bool:
        return len(self.payload) >= 3 and self.payload[2] == Reply.WANTED

    @property
    def params(self) -> bytes:
        return self.payload[5:]


def checksum(body: bytes, check: Check) -> int:
    if check is Check.SUM:
        return sum(body) & 0xFFFF
    return crc16_arc(body)


def encode(packet: Packet) -> bytes:
    if len(packet.payload) > 0xFFFF:
        raise ValueError(f"payload of {len(packet.payload)} bytes does not fit")
    header = HEADER.pack(packet.dst, packet.src, b"\0\0\0", 0, packet.check, packet.display_mode,
                         packet.device_type, packet.version, len(packet.payload))
    body = header + packet.payload
    check = checksum(body, packet.check) if packet.check is not Check.NONE else 0
    return bytes((START,)) * WAKE + escape(body + struct.pack("<H", check)) + bytes((END,))


def decode(raw: bytes, *, lenient: bool = False) -> Packet:
    """One frame (A5 ... 5A, any number of A5) as a packet; anything wrong: `DeviceProtocolError`.

    `lenient` accepts what a controller accepts besides a good CRC: a CRC of FFFF, or check
    mode 2 (none).
    """
    start = 0
    while start < len(raw) and raw[start] == START:
        start += 1
    if start == 0 or len(raw) < start + 1 or raw[-1] != END:
        raise DeviceProtocolError("a frame runs from A5 to 5A")
    body = unescape(raw[start:-1])
    if len(body) < HEADER.size + 2:
        raise DeviceProtocolError(f"frame of {len(body)} bytes is shorter than header and CRC")
    dst, src, _reserved, barcode, check, display, device, version, length = HEADER.unpack_from(body)
    if barcode:
        raise DeviceProtocolError("frames with a barcode block are not supported")
    if check not in (Check.CRC16, Check.SUM, Check.NONE):
        raise DeviceProtocolError(f"check mode {check}")
    if length != len(body) - HEADER.size - 2:
        raise DeviceProtocolError(f"length field {length}, the frame carries {len(body) - HEADER.size - 2}")
    got = body[-2] | body[-1] << 8
    unchecked = Check(check) is Check.NONE or (lenient and got == 0xFFFF)
    if not unchecked:
        want = checksum(body[:-2], Check(check))
        if got != want:
            raise DeviceProtocolError(f"CRC 0x{got:04X}, expected 0x{want:04X}")
    if Check(check) is Check.NONE and not lenient:
        raise DeviceProtocolError("a frame without a check")
    payload = bytes(body[HEADER.size : -2])
    if len(payload) < 5:
        raise DeviceProtocolError(f"payload of {len(payload)} bytes has no command")
    return Packet(dst, src, payload, Check(check), display, device, version)


def command_payload(command: tuple[int, int], params: bytes = b"", *,
                    reply: Reply = Reply.WANTED, reserved: bytes = b"\0\0") -> bytes:
    return bytes((command[0], command[1], reply)) + reserved + params


def request(command: tuple[int, int], params: bytes = b"", *, screen: int = 1, src: int = PC_ADDRESS,
            device_type: int = ANY_DEVICE, reply: Reply = Reply.WANTED, reserved: bytes = b"\0\0") -> bytes:
    """A complete frame from the PC to screen `screen`."""
    payload = command_payload(command, params, reply=reply, reserved=reserved)
    return encode(Packet(screen, src, payload, device_type=device_type))


def answer(to: Packet, error: Error = Error.NONE, data: bytes = b"", *, device_type: int = 0x51) -> bytes:
    """The controller's ACK (error NONE) or NAK to a request, addressed back to its sender."""
    cmd = ACK if error is Error.NONE else NAK
    payload = bytes((cmd[0], cmd[1], error, 0, 0)) + data
    return encode(Packet(to.src, to.dst, payload, device_type=device_type))


# A3 02 brightness: a mode byte (0 manual: one level all day; 1 by the light sensor), then the
# level for each of the day's 48 half hours, 1 (dimmest) to 16 (brightest)
BRIGHTNESS_MANUAL, BRIGHTNESS_SENSOR = 0x00, 0x01
HALF_HOURS = 48
LEVELS = 16


def level_for_percent(percent: int) -> int:
    """The controller's level (1-16) for the operators' percent (0-100): 0 % is the dimmest
    level, not dark (dark is the on/off schedule's job)."""
    if not 0 <= percent <= 100:
        raise ValueError(f"brightness {percent} % is not 0 to 100")
    return max(1, -(-percent * LEVELS // 100))


def brightness_params(level: int) -> bytes:
    """A3 02's parameters for one manual level, the whole day."""
    if not 1 <= level <= LEVELS:
        raise ValueError(f"brightness level {level} is not 1 to {LEVELS}")
    return bytes((BRIGHTNESS_MANUAL,)) + bytes((level,)) * HALF_HOURS


def read_brightness(params: bytes) -> tuple[int, ...]:
    """The 48 half-hour levels an A3 02 sets; DeviceProtocolError naming what is wrong."""
    if len(params) != 1 + HALF_HOURS:
        raise DeviceProtocolError(f"A3 02 needs {1 + HALF_HOURS} parameter bytes, got {len(params)}")
    if params[0] not in (BRIGHTNESS_MANUAL, BRIGHTNESS_SENSOR):
        raise DeviceProtocolError(f"A3 02 mode 0x{params[0]:02X} is neither manual (00) nor sensor (01)")
    levels = tuple(params[1:])
    if params[0] == BRIGHTNESS_MANUAL and not all(1 <= v <= LEVELS for v in levels):
        raise DeviceProtocolError(f"A3 02 levels must be 1 to {LEVELS}")
    return levels


@dataclass(frozen=True)
class Answer:
    ok: bool
    error: int  # an `Error` value when known
    data: bytes = b""

    @property
    def error_name(self) -> str:
        try:
            return Error(self.error).name.lower()
        except ValueError:
            return f"error 0x{self.error:02X}"


def parse_answer(packet: Packet) -> Answer:
    if packet.command == ACK:
        return Answer(True, packet.payload[2], packet.params)
    if packet.command == NAK:
        return Answer(False, packet.payload[2], packet.params)
    raise DeviceProtocolError(f"not an answer: command {packet.payload[:2].hex(' ')}")


class Deframer:
    """Cuts a byte stream into candidate frames (A5.. 5A); never raises.

    Repeated A5 bytes are the wake-up preamble; an A5 after frame bytes starts over. Bytes
    between frames and over-long frames are counted in `dropped`.
    """

    def __init__(self) -> None:
        self._buf: bytearray | None = None
        self._body = False  # past the preamble
        self.dropped = 0

    def feed(self, data: bytes) -> list[bytes]:
        frames: list[bytes] = []
        for byte in data:
            if byte == START:
                if self._buf is None or self._body:
                    self.dropped += len(self._buf or b"")
                    self._buf, self._body = bytearray(), False
                self._buf.append(byte)
            elif self._buf is None:
                self.dropped += 1
            else:
                self._buf.append(byte)
                self._body = True
                if byte == END:
                    frames.append(bytes(self._buf))
                    self._buf = None
                elif len(self._buf) > MAX_FRAME:
                    self.dropped += len(self._buf)
                    self._buf = None
        return frames
