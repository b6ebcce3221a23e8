"""The commands and replies of the keypad bus as frozen dataclasses, and their payload bytes.

`to_frame` / `from_frame` are pure and symmetric: `from_frame(to_frame(m, addr, seq)) == m`.
A payload of the wrong size or with an impossible value is a `DeviceProtocolError`. Multi-byte
numbers are little-endian; text is GB18030.
"""
from __future__ import annotations

import datetime as dt
import enum
import struct
from dataclasses import dataclass
from typing import TypeVar

from drivers.errors import DeviceProtocolError
from drivers.keypad.codec import FROM_DEVICE, MAX_PAYLOAD, Frame
from drivers.keypad.model import DeviceType, Key, Led, Level, as_reason

E = TypeVar("E", bound=enum.IntEnum)

MAX_DISPLAY_BYTES = 32
MAX_TICKET_BYTES = 16
DISPLAY_LINES = 4


class Cmd(enum.IntEnum):
    # master -> device; the codes skip 0x02, 0x03 and 0x10 so that they are never stuffed
    POLL = 0x01
    ACK = 0x04
    DISPLAY = 0x05
    SIGNAL = 0x06
    REQUEST = 0x07
    CANCEL = 0x08
    STATUS = 0x09
    TIME = 0x0A
    # device -> master (bit 7 set)
    OK = 0x80
    IDLE = 0x81
    KEY = 0x82
    RESULT = 0x83
    INFO = 0x84
    NAK = 0x8F


class NakError(enum.IntEnum):
    UNKNOWN_COMMAND = 1
    BAD_PAYLOAD = 2
    UNSUPPORTED = 3  # e.g. REQUEST sent to a caller keypad


BLINK = 0x10
ACCEPTED, REFUSED = 0, 1  # ACK verdicts


# -- master -> device


@dataclass(frozen=True)
class Poll:
    pass


@dataclass(frozen=True)
class Ack:
    counter: int
    refused: bool = False  # the master refuses the event's content (the pad re-opens the rating)


@dataclass(frozen=True)
class Display:
    line: int
    text: str


@dataclass(frozen=True)
class Signal:
    beeps: int = 1
    led: Led = Led.OFF
    blink: bool = False


@dataclass(frozen=True)
class Request:
    request_id: int
    window: int
    ticket: str


@dataclass(frozen=True)
class Cancel:
    request_id: int = 0  # 0: whatever is pending


@dataclass(frozen=True)
class StatusQuery:
    pass


@dataclass(frozen=True)
class TimeSync:
    at: dt.datetime  # local wall-clock time, seconds


# -- device -> master


@dataclass(frozen=True)
class Ok:
    command: int


@dataclass(frozen=True)
class Idle:
    type: DeviceType
    evaluating: bool = False


@dataclass(frozen=True)
class KeyEvent:
    counter: int
    key: Key | int  # an unknown key code stays an int: the master refuses it
    value: int = 0


@dataclass(frozen=True)
class ResultEvent:
    counter: int
    request_id: int
    window: int
    level: Level | int  # an impossible level stays an int: the master refuses it
    reasons: tuple[int, ...]
    ticket: str = ""


@dataclass(frozen=True)
class Info:
    type: DeviceType
    version: int
    evaluating: bool
    queued: int
    request_id: int


@dataclass(frozen=True)
class Nak:
    command: int
    error: NakError


Message = (
    Poll | Ack | Display | Signal | Request | Cancel | StatusQuery | TimeSync
    | Ok | Idle | KeyEvent | ResultEvent | Info | Nak
)
Event = KeyEvent | ResultEvent


def encode_text(text: str, limit: int) -> bytes:
    try:
        data = text.encode("gb18030")
    except UnicodeEncodeError as exc:  # only lone surrogates fail in GB18030
        raise ValueError(f"text {text!r} cannot be sent: {exc.reason}") from exc
    if len(data) > limit:
        raise ValueError(f"text {text!r} is {len(data)} bytes in GB18030, over {limit}")
    return data


def _decode_text(data: bytes) -> str:
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DeviceProtocolError(f"text is not GB18030: {data.hex(' ')}") from exc


def payload_of(msg: Message) -> tuple[Cmd, bytes]:
    """The command byte and payload of a message; a value out of range is `ValueError`."""
    try:
        return _payload_of(msg)
    except struct.error as exc:
        raise ValueError(f"{msg!r} does not fit its fields: {exc}") from exc


def _payload_of(msg: Message) -> tuple[Cmd, bytes]:
    match msg:
        case Poll():
            return Cmd.POLL, b""
        case Ack(counter, refused):
            return Cmd.ACK, struct.pack("<HB", counter, REFUSED if refused else ACCEPTED)
        case Display(line, text):
            if not 0 <= line < DISPLAY_LINES:
                raise ValueError(f"display line {line} is not 0-{DISPLAY_LINES - 1}")
            return Cmd.DISPLAY, bytes((line,)) + encode_text(text, MAX_DISPLAY_BYTES)
        case Signal(beeps, led, blink):
            if not 0 <= beeps <= 9:
                raise ValueError(f"{beeps} beeps is not 0-9")
            return Cmd.SIGNAL, bytes((beeps, int(led) | (BLINK if blink else 0)))
        case Request(request_id, window, ticket):
            head = struct.pack("<HH", request_id, window)
            return Cmd.REQUEST, head + encode_text(ticket, MAX_TICKET_BYTES)
        case Cancel(request_id):
            return Cmd.CANCEL, struct.pack("<H", request_id)
        case StatusQuery():
            return Cmd.STATUS, b""
        case TimeSync(at):
            return Cmd.TIME, struct.pack("<HBBBBB", at.year, at.month, at.day, at.hour, at.minute, at.second)
        case Ok(command):
            return Cmd.OK, bytes((command,))
        case Idle(type_, evaluating):
            return Cmd.IDLE, bytes((type_, 1 if evaluating else 0))
        case KeyEvent(counter, key, value):
            return Cmd.KEY, struct.pack("<HBH", counter, key, value)
        case ResultEvent(counter, request_id, window, level, reasons, ticket):
            head = struct.pack("<HHHBB", counter, request_id, window, level, len(reasons))
            return Cmd.RESULT, head + bytes(reasons) + encode_text(ticket, MAX_TICKET_BYTES)
        case Info(type_, version, evaluating, queued, request_id):
            flags = 1 if evaluating else 0
            return Cmd.INFO, struct.pack("<BBBBH", type_, version, flags, queued, request_id)
        case Nak(command, error):
            return Cmd.NAK, bytes((command, error))
    raise TypeError(f"not a keypad bus message: {msg!r}")


def to_frame(msg: Message, address: int, seq: int) -> Frame:
    cmd, payload = payload_of(msg)
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"{msg!r} needs {len(payload)} payload bytes, over {MAX_PAYLOAD}")
    return Frame(address, cmd, seq, payload)


def _need(p: bytes, size: int, what: str, exact: bool = True) -> None:
    if (len(p) != size) if exact else (len(p) < size):
        raise DeviceProtocolError(f"{what} payload of {len(p)} bytes, expected {'' if exact else 'at least '}{size}")


def _enum(kind: type[E], value: int, what: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        raise DeviceProtocolError(f"unknown {what} {value}") from exc


def _known(kind: type[E], value: int) -> E | int:
    """A known code as its enum member; an unknown one as itself, for the master to judge."""
    try:
        return kind(value)
    except ValueError:
        return value


def from_frame(frame: Frame) -> Message:
    """The message a (CRC-checked) frame carries; a bad payload is `DeviceProtocolError`."""
    p = frame.payload
    cmd = _enum(Cmd, frame.command, "command")
    match cmd:
        case Cmd.POLL | Cmd.STATUS:
            _need(p, 0, cmd.name)
            return Poll() if cmd is Cmd.POLL else StatusQuery()
        case Cmd.ACK:
            _need(p, 3, "ACK")
            counter, verdict = struct.unpack("<HB", p)
            if verdict not in (ACCEPTED, REFUSED):
                raise DeviceProtocolError(f"ACK verdict {verdict}")
            return Ack(counter, verdict == REFUSED)
        case Cmd.DISPLAY:
            _need(p, 1, "DISPLAY", exact=False)
            if p[0] >= DISPLAY_LINES or len(p) - 1 > MAX_DISPLAY_BYTES:
                raise DeviceProtocolError(f"DISPLAY line {p[0]} with {len(p) - 1} bytes")
            return Display(p[0], _decode_text(p[1:]))
        case Cmd.SIGNAL:
            _need(p, 2, "SIGNAL")
            if p[0] > 9 or p[1] & ~BLINK > Led.AMBER:
                raise DeviceProtocolError(f"SIGNAL {p.hex(' ')}")
            return Signal(p[0], Led(p[1] & ~BLINK), bool(p[1] & BLINK))
        case Cmd.REQUEST:
            _need(p, 4, "REQUEST", exact=False)
            if len(p) - 4 > MAX_TICKET_BYTES:
                raise DeviceProtocolError(f"REQUEST ticket of {len(p) - 4} bytes")
            request_id, window = struct.unpack_from("<HH", p)
            return Request(request_id, window, _decode_text(p[4:]))
        case Cmd.CANCEL:
            _need(p, 2, "CANCEL")
            return Cancel(struct.unpack("<H", p)[0])
        case Cmd.TIME:
            _need(p, 7, "TIME")
            try:
                return TimeSync(dt.datetime(*struct.unpack("<HBBBBB", p)))
            except ValueError as exc:
                raise DeviceProtocolError(f"TIME {p.hex(' ')}: {exc}") from exc
        case Cmd.OK:
            _need(p, 1, "OK")
            return Ok(p[0])
        case Cmd.IDLE:
            _need(p, 2, "IDLE")
            return Idle(_enum(DeviceType, p[0], "device type"), bool(p[1] & 1))
        case Cmd.KEY:
            _need(p, 5, "KEY")
            counter, key, value = struct.unpack("<HBH", p)
            return KeyEvent(counter, _known(Key, key), value)
        case Cmd.RESULT:
            return _result(p)
        case Cmd.INFO:
            _need(p, 6, "INFO")
            type_, version, flags, queued, request_id = struct.unpack("<BBBBH", p)
            return Info(_enum(DeviceType, type_, "device type"), version, bool(flags & 1), queued, request_id)
        case Cmd.NAK:
            _need(p, 2, "NAK")
            return Nak(p[0], _enum(NakError, p[1], "NAK error"))
    raise DeviceProtocolError(f"command 0x{frame.command:02X} has no decoder")  # pragma: no cover


def _result(p: bytes) -> ResultEvent:
    _need(p, 8, "RESULT", exact=False)
    counter, request_id, window, level, count = struct.unpack_from("<HHHBB", p)
    if len(p) < 8 + count or len(p) - 8 - count > MAX_TICKET_BYTES:
        raise DeviceProtocolError(f"RESULT with {count} reasons in {len(p)} bytes")
    reasons = tuple(as_reason(r) for r in p[8 : 8 + count])
    return ResultEvent(counter, request_id, window, _known(Level, level), reasons,
                       _decode_text(p[8 + count :]))


def is_reply(frame: Frame) -> bool:
    return bool(frame.command & FROM_DEVICE)
