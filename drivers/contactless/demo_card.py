"""A demo card shaped like a Chinese social-security card (社会保障卡): its file system and its
answers to APDUs, as pure code. The socket side is in `virtual_card.py`.

All data is demo data: the holder is "测试样卡", and the social-security number has a wrong
check digit on purpose, so it is nobody's. Layout (see docs/protocols/contactless.md):

    MF 3F00
    ├── EF 0001 (SFI 1)   card directory: the application's AID, ASCII "YICIBAN DEMO"
    └── DF DF01  AID "sx1.sh.社会保障" (73 78 31 2E 73 68 2E + GBK C9E7 BBE1 B1A3 D5CF)
        ├── EF 0005 (SFI 5)   card basics, TLV
        └── EF 0006 (SFI 6)   holder basics, TLV (text in GBK, dates in BCD)
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from drivers.contactless.model import simple_tlv
from drivers.contactless.vpcd import Apdu, Control, Message

OK = b"\x90\x00"
WRONG_LENGTH = b"\x67\x00"
NO_CURRENT_EF = b"\x69\x86"
NOT_SUPPORTED = b"\x6a\x81"
NOT_FOUND = b"\x6a\x82"
WRONG_P1P2 = b"\x6a\x86"
WRONG_OFFSET = b"\x6b\x00"
UNKNOWN_INS = b"\x6d\x00"
END_OF_FILE = b"\x62\x82"

SSC_AID = b"sx1.sh." + "社会保障".encode("gbk")
DEFAULT_UID = bytes.fromhex("1A2B3C4D")


def contactless_atr(historical: bytes) -> bytes:
    """The ATR a PC/SC reader makes up for an ISO 14443-4 card (PC/SC part 3, 3.1.3.2.3)."""
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3b" + body + bytes([tck])


DEFAULT_ATR = contactless_atr(b"YCB-SSC1")


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def bcd(digits: str) -> bytes:
    return bytes.fromhex(digits)


def demo_files() -> dict[str, bytes]:
    """File path -> contents; the paths are FIDs in hex, e.g. "3F00/DF01/0005"."""
    card = b"".join([
        tlv(0x01, b"370829D156000005"),  # 卡识别码 card identifier
        tlv(0x02, b"1"),  # 卡类别 card type
        tlv(0x03, b"3.00"),  # 规范版本 specification version
        tlv(0x04, b"370829000000"),  # 初始化机构编号 issuing body
        tlv(0x05, bcd("20240101")),  # 发卡日期 issue date
        tlv(0x06, bcd("20340101")),  # 卡有效期 valid until
        tlv(0x07, b"DEMO00001"),  # 卡号 card number
    ])
    holder = b"".join([
        tlv(0x08, b"370829199001010020"),  # 社会保障号码 (wrong check digit: demo)
        tlv(0x09, "测试样卡".encode("gbk")),  # 姓名 name
        tlv(0x0A, b"1"),  # 性别 sex
        tlv(0x0B, b"01"),  # 民族 nation
        tlv(0x0C, b"370829"),  # 出生地 birthplace
        tlv(0x0D, bcd("19900101")),  # 出生日期 date of birth
    ])
    return {
        "3F00/0001": tlv(0x4F, SSC_AID) + tlv(0x50, b"YICIBAN DEMO"),
        "3F00/DF01/0005": card,
        "3F00/DF01/0006": holder,
    }


DF_NAMES = {"3F00/DF01": SSC_AID}


parse_tlv = simple_tlv  # the demo files are read as a reader reads a real card


def split_apdu(apdu: bytes) -> tuple[bytes, bytes, int | None] | None:
    """(header, data, Le) of a short APDU (ISO 7816-4 cases 1-4), None if malformed.
    Le is None when absent; 0 stands for "as much as there is" (up to 256)."""
    if len(apdu) < 4:
        return None
    header, body = apdu[:4], apdu[4:]
    if not body:
        return header, b"", None
    if len(body) == 1:
        return header, b"", body[0]
    lc = body[0]
    if lc and len(body) == 1 + lc:
        return header, body[1:], None
    if lc and len(body) == 2 + lc:
        return header, body[1:1 + lc], body[-1]
    return None


@dataclass
class DemoCard:
    uid: bytes = DEFAULT_UID
    atr: bytes = DEFAULT_ATR
    files: dict[str, bytes] = field(default_factory=demo_files)
    df_names: dict[str, bytes] = field(default_factory=lambda: dict(DF_NAMES))
    powered: bool = False
    current_df: str = "3F00"
    current_ef: str | None = None

    def handle(self, message: Message) -> bytes | None:
        """The answer to one vpcd message, or None when vpcd expects none."""
        if isinstance(message, Apdu):
            return self.apdu(message.data)
        if message is Control.GET_ATR:
            return self.atr
        self.powered = message is not Control.POWER_OFF
        self.current_df, self.current_ef = "3F00", None
        return None

    def apdu(self, command: bytes) -> bytes:
        parts = split_apdu(command)
        if parts is None:
            return WRONG_LENGTH
        (cla, ins, p1, p2), data, le = parts[0], parts[1], parts[2]
        if (cla, ins) == (0xFF, 0xCA):
            return self._get_data(p1, p2, le)
        if (cla, ins) == (0x00, 0xA4):
            return self._select(p1, data)
        if (cla, ins) == (0x00, 0xB0):
            return self._read_binary(p1, p2, le)
        return UNKNOWN_INS

    def _get_data(self, p1: int, p2: int, le: int | None) -> bytes:
        if (p1, p2) != (0x00, 0x00):
            return NOT_SUPPORTED
        if le and le < len(self.uid):  # a short Le: say how many there are (ISO 7816-4)
            return bytes([0x6C, len(self.uid)])
        return self.uid + OK

    def _dirs(self) -> set[str]:
        return {"3F00"} | {p.rsplit("/", 1)[0] for p in self.files} | set(self.df_names)

    def _select(self, p1: int, data: bytes) -> bytes:
        if p1 == 0x04:  # by DF name (AID)
            for path, name in self.df_names.items():
                if name == data:
                    self.current_df, self.current_ef = path, None
                    return OK
            return NOT_FOUND
        if p1 not in (0x00, 0x02) or len(data) != 2:
            return WRONG_P1P2
        fid = data.hex().upper()
        if fid == "3F00" and p1 == 0x00:
            self.current_df, self.current_ef = "3F00", None
            return OK
        for base in (self.current_df, "3F00"):
            path = f"{base}/{fid}"
            if path in self.files:
                self.current_ef = path
                return OK
            if p1 == 0x00 and path in self._dirs():
                self.current_df, self.current_ef = path, None
                return OK
        return NOT_FOUND

    def _read_binary(self, p1: int, p2: int, le: int | None) -> bytes:
        if p1 & 0x80:  # short EF identifier in P1, offset in P2
            sfi, offset = p1 & 0x1F, p2
            path = next((p for p in self.files if p.rsplit("/", 1)[0] == self.current_df
                         and int(p[-4:], 16) & 0x1F == sfi), None)
            if path is None:
                return NOT_FOUND
            self.current_ef = path
        else:
            if self.current_ef is None:
                return NO_CURRENT_EF
            (offset,) = struct.unpack(">H", bytes([p1, p2]))
        content = self.files[self.current_ef]
        if offset > len(content):
            return WRONG_OFFSET
        chunk = content[offset:offset + (le or 256)]
        return chunk + (END_OF_FILE if le and len(chunk) < le else OK)
