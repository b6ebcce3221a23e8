"""SAM serial frames of the resident ID card reader (PROTOCOLS.md §1.2–1.5): pure functions.

    request : AA AA AA 96 69 | LEN_H LEN_L | CMD PARA DATA... | CHK
    response: AA AA AA 96 69 | LEN_H LEN_L | SW1 SW2 SW3 DATA... | CHK

LEN (big-endian) counts every byte after itself, CHK included; CHK is the XOR of LEN_H up to
the last DATA byte. `FrameDecoder` finds frames in a byte stream: it skips noise up to the
next preamble, and after a frame that is too long, too short or fails its checksum it
resynchronises on the preamble after the bad frame's own one.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce
from operator import xor

from drivers.errors import DeviceError, DeviceFault, DeviceProtocolError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_SIZE = len(PREAMBLE) + 2
MIN_LEN = 3  # CMD PARA CHK (a response needs 4: SW1 SW2 SW3 CHK)
# The largest answer is text + photo + two fingerprints: LEN 0x090A (2321-byte frame).
MAX_LEN = 0x0A00


class Command(enum.Enum):
    RESET = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)
    FIND = (0x20, 0x01)
    SELECT = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)
    READ_ADDRESS = (0x30, 0x03)
    READ_WITH_FINGERPRINT = (0x30, 0x10)


SW3_OK = 0x90
SW3_NO_CONTENT = 0x91
SW3_CARD_FOUND = 0x9F
SW3_NO_CARD = 0x80


@dataclass(frozen=True)
class Sw3Info:
    key: str
    zh: str
    en: str
    kind: type[DeviceError]


# PROTOCOLS.md §1.4. Codes saying our frame was damaged are protocol errors (line trouble);
# everything else is the reader answering that it cannot, a fault with a stable key.
SW3_CODES: dict[int, Sw3Info] = {
    0x90: Sw3Info("ok", "操作成功", "operation succeeded", DeviceFault),
    0x91: Sw3Info("no_content", "证/卡中此项无内容", "this item has no content on the card", DeviceFault),
    0x9F: Sw3Info("card_found", "寻找证/卡成功", "card found", DeviceFault),
    0x10: Sw3Info("frame_checksum", "接收业务终端数据的校验和错", "the reader got a frame with a bad checksum", DeviceProtocolError),
    0x11: Sw3Info("frame_length", "接收业务终端数据的长度错", "the reader got a frame with a bad length", DeviceProtocolError),
    0x21: Sw3Info("command_error", "接收业务终端的命令错误，包括命令中的各种数值或逻辑搭配错误", "command error: bad values or an illegal command combination", DeviceProtocolError),
    0x23: Sw3Info("unauthorised", "越权操作", "unauthorised operation", DeviceFault),
    0x24: Sw3Info("unrecognised_error", "无法识别的错误", "unrecognised error", DeviceFault),
    0x31: Sw3Info("card_auth_sam_failed", "证/卡认证SAM失败", "the card failed to authenticate the SAM", DeviceFault),
    0x32: Sw3Info("sam_auth_card_failed", "SAM认证证/卡失败", "the SAM failed to authenticate the card", DeviceFault),
    0x33: Sw3Info("verification_error", "信息验证错误", "information verification error", DeviceFault),
    0x40: Sw3Info("unknown_card_type", "无法识别的证/卡类型", "unrecognised card type", DeviceFault),
    0x41: Sw3Info("read_failed", "读证/卡操作失败", "card read operation failed", DeviceFault),
    0x47: Sw3Info("random_failed", "取随机数失败", "failed to get a random number", DeviceFault),
    0x60: Sw3Info("sam_self_test_failed", "SAM自检失败，不能接收命令", "SAM self-test failed; it accepts no commands", DeviceFault),
    0x66: Sw3Info("sam_unauthorised", "SAM没经过授权，无法使用", "SAM not authorised; unusable", DeviceFault),
    0x80: Sw3Info("no_card", "寻找证/卡失败", "find card failed: no card on the reader", DeviceFault),
    0x81: Sw3Info("select_failed", "选取证/卡失败", "select card failed", DeviceFault),
}


def describe_sw3(sw3: int) -> str:
    """`SAM 0x80: 寻找证/卡失败 (find card failed: ...)`, also for codes not in the table."""
    info = SW3_CODES.get(sw3)
    if info is None:
        return f"SAM 0x{sw3:02X}: 未知的返回码 (unknown SAM result code)"
    return f"SAM 0x{sw3:02X}: {info.zh} ({info.en})"


def sw3_error(sw3: int, *, device: str = "", doing: str = "") -> DeviceError:
    """The error for a SAM result code; faults carry the code's key (`no_card`, `read_failed` ...)."""
    info = SW3_CODES.get(sw3)
    message = describe_sw3(sw3) + (f" while {doing}" if doing else "")
    if info is None:
        return DeviceFault(message, device=device, code=f"sw3_{sw3:02x}")
    if info.kind is DeviceFault:
        return DeviceFault(message, device=device, code=info.key)
    return info.kind(message, device=device)


def checksum(data: bytes) -> int:
    return reduce(xor, data, 0)


def _frame(body: bytes) -> bytes:
    if len(body) + 1 > 0xFFFF:
        raise ValueError("frame body too long")
    head = (len(body) + 1).to_bytes(2, "big") + body
    return PREAMBLE + head + bytes([checksum(head)])


def encode_request(cmd: int | Command, para: int | None = None, data: bytes = b"") -> bytes:
    """A terminal → reader frame; `encode_request(Command.FIND)` or `encode_request(0x20, 0x01)`."""
    if isinstance(cmd, Command):
        cmd, para = cmd.value
    if para is None:
        raise ValueError("a request needs CMD and PARA")
    return _frame(bytes([cmd, para]) + bytes(data))


def encode_response(sw3: int, data: bytes = b"", *, sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader → terminal frame."""
    return _frame(bytes([sw1, sw2, sw3]) + bytes(data))


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes = b""

    @property
    def command(self) -> Command | None:
        try:
            return Command((self.cmd, self.para))
        except ValueError:
            return None

    @classmethod
    def from_body(cls, body: bytes) -> Request:
        if len(body) < 2:
            raise DeviceProtocolError(f"request body of {len(body)} bytes has no CMD and PARA")
        return cls(body[0], body[1], bytes(body[2:]))


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @classmethod
    def from_body(cls, body: bytes) -> Response:
        if len(body) < 3:
            raise DeviceProtocolError(f"response body of {len(body)} bytes has no SW1 SW2 SW3")
        return cls(body[0], body[1], body[2], bytes(body[3:]))

    def __repr__(self) -> str:  # never the data: it may be a card's text block
        return f"Response(sw3=0x{self.sw3:02X}, data={len(self.data)} bytes)"


def _check_frame(frame: bytes) -> bytes:
    """The body (between LEN and CHK) of exactly one complete frame."""
    if len(frame) < HEADER_SIZE + MIN_LEN:
        raise DeviceProtocolError(f"frame of {len(frame)} bytes is too short")
    if not frame.startswith(PREAMBLE):
        raise DeviceProtocolError(f"frame does not start with the preamble AA AA AA 96 69: {frame[:5].hex(' ')}")
    length = int.from_bytes(frame[5:7], "big")
    if length + HEADER_SIZE != len(frame):
        raise DeviceProtocolError(f"LEN says {length + HEADER_SIZE} bytes, the frame has {len(frame)}")
    expected = checksum(frame[5:-1])
    if expected != frame[-1]:
        raise DeviceProtocolError(f"checksum 0x{frame[-1]:02X}, expected 0x{expected:02X}")
    return bytes(frame[HEADER_SIZE:-1])


def decode_request(frame: bytes) -> Request:
    return Request.from_body(_check_frame(frame))


def decode_response(frame: bytes) -> Response:
    return Response.from_body(_check_frame(frame))


class FrameDecoder:
    """Finds frames in a byte stream, whatever the chunking.

    `feed()` adds bytes; `next_body()` returns the body of the next good frame, None while
    more bytes are needed, or raises `DeviceProtocolError` for a bad frame (after dropping
    it, so the next call goes on with the bytes behind it). The buffer never holds more
    than one frame's worth of bytes plus what was fed since.
    """

    def __init__(self, *, min_len: int = MIN_LEN, max_len: int = MAX_LEN) -> None:
        self.min_len, self.max_len = min_len, max_len
        self._buf = bytearray()
        self.skipped = 0  # noise bytes dropped before a preamble

    def feed(self, data: bytes) -> None:
        self._buf += data

    def reset(self) -> None:
        self._buf.clear()
        self.skipped = 0

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def in_frame(self) -> bool:
        """True when the buffer starts with a preamble: a frame has begun but not ended."""
        return self._buf.startswith(PREAMBLE)

    def wanted(self) -> int:
        """How many more bytes would complete the frame being received (at least 1)."""
        if not self.in_frame() or len(self._buf) < HEADER_SIZE:
            return max(1, HEADER_SIZE - len(self._buf))
        length = int.from_bytes(self._buf[5:7], "big")
        return max(1, HEADER_SIZE + length - len(self._buf))

    def _sync(self) -> None:
        index = self._buf.find(PREAMBLE)
        if index < 0:
            # keep a tail that may be the start of a preamble split across reads
            keep = next(
                (n for n in range(len(PREAMBLE) - 1, 0, -1) if self._buf.endswith(PREAMBLE[:n])), 0
            )
            index = len(self._buf) - keep
        if index:
            self.skipped += index
            del self._buf[:index]

    def _drop_preamble(self) -> None:
        del self._buf[: len(PREAMBLE)]
        self.skipped += len(PREAMBLE)

    def next_body(self) -> bytes | None:
        self._sync()
        if len(self._buf) < HEADER_SIZE:
            return None
        length = int.from_bytes(self._buf[5:7], "big")
        if not self.min_len <= length <= self.max_len:
            self._drop_preamble()
            raise DeviceProtocolError(
                f"frame LEN {length} is outside {self.min_len}..{self.max_len}"
            )
        end = HEADER_SIZE + length
        if len(self._buf) < end:
            return None
        got, expected = self._buf[end - 1], checksum(self._buf[5 : end - 1])
        if got != expected:
            self._drop_preamble()
            raise DeviceProtocolError(
                f"checksum 0x{got:02X}, expected 0x{expected:02X} (frame of {end} bytes)"
            )
        body = bytes(self._buf[HEADER_SIZE : end - 1])
        del self._buf[:end]
        return body


TEXT_SIZE = 256
PHOTO_SIZE = 1024


@dataclass(frozen=True)
class ReadData:
    """The answer to 30 01 or 30 10, split: text block, WLT photo, fingerprint (None when absent)."""

    text: bytes
    photo: bytes | None
    fingerprint: bytes | None
    with_fingerprint: bool

    def __repr__(self) -> str:
        fp = "-" if self.fingerprint is None else len(self.fingerprint)
        photo = "-" if self.photo is None else len(self.photo)
        return f"ReadData(text={len(self.text)}, photo={photo}, fingerprint={fp})"


def split_read_data(data: bytes) -> ReadData:
    """Splits `textLen photoLen [fpLen] text photo [fp]` (lengths 2 bytes big-endian each).

    The two layouts cannot be confused: with the fingerprint length the data is 2 bytes
    longer than the lengths would explain without it.
    """
    if len(data) < 4:
        raise DeviceProtocolError(f"read answer of {len(data)} bytes has no length fields")
    text_len, photo_len = int.from_bytes(data[0:2], "big"), int.from_bytes(data[2:4], "big")
    if len(data) == 4 + text_len + photo_len:
        head, fp_len, with_fp = 4, 0, False
    elif len(data) >= 6 and len(data) == 6 + text_len + photo_len + int.from_bytes(data[4:6], "big"):
        head, fp_len, with_fp = 6, int.from_bytes(data[4:6], "big"), True
    else:
        raise DeviceProtocolError(
            f"read answer of {len(data)} bytes does not match its lengths "
            f"(text {text_len}, photo {photo_len})"
        )
    if text_len != TEXT_SIZE:
        raise DeviceProtocolError(f"text block of {text_len} bytes, expected {TEXT_SIZE}")
    text = bytes(data[head : head + text_len])
    photo = bytes(data[head + text_len : head + text_len + photo_len]) or None
    fp = bytes(data[head + text_len + photo_len :]) if fp_len else None
    return ReadData(text, photo, fp, with_fp)


def join_read_data(text: bytes, photo: bytes | None, fingerprint: bytes | None = None, *,
                   with_fingerprint: bool = False) -> bytes:
    """The reader's side of `split_read_data` (for the simulator and tests)."""
    photo = photo or b""
    head = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if with_fingerprint:
        head += len(fingerprint or b"").to_bytes(2, "big")
        return head + text + photo + (fingerprint or b"")
    return head + text + photo
