"""The card itself: the 256-byte text block of the four layouts, its checks, and its code tables.

Layouts (PROTOCOLS.md §1.6): the UCS-2 character at byte 248 tells them apart: `J`
港澳台居民居住证, `I` 外国人永久居留身份证 (2017), `Y` the same card from 2023, anything else
(normally a space) the resident ID card. Text is UCS-2 little-endian padded with spaces.

A block that cannot be a card (bad dates, an ID number whose check character is wrong ...)
is a `DeviceProtocolError`: a checksum of XOR lets some damage through, and these checks
catch it. Codes the tables do not know (gender, ethnicity) are shown as 其他(xx), never
rejected. Softer doubts (the birth date in the ID number differs from the birth date
field ...) are kept in `IdCard.warnings`. No message here carries a name or a number.
"""
from __future__ import annotations

import base64
import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from drivers.errors import DeviceProtocolError
from ground.privacy import id_check_digit, mask_id, mask_name

TEXT_BLOCK_SIZE = 256
LONG_TERM = "长期"  # valid-to of a card that does not expire: bytes 7F 95 1F 67

GENDERS = {"0": "未知的性别", "1": "男", "2": "女", "9": "未说明的性别"}

_ETHNIC_NAMES = [
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
]
# GB 3304, as the card face shows it (without 族)
ETHNICITIES = {f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, start=1)}
ETHNICITIES |= {"97": "其他", "98": "外国血统中国籍人士"}

_FOREIGN_2017_NUMBER = re.compile(r"[A-Z]{3}[0-9]{12}")


class CardType(enum.StrEnum):
    RESIDENT = "resident"
    HMT = "hmt"
    FOREIGN_2017 = "foreign2017"
    FOREIGN_2023 = "foreign2023"

    @property
    def marker(self) -> str:
        return {"hmt": "J", "foreign2017": "I", "foreign2023": "Y"}.get(self.value, " ")

    @property
    def label(self) -> str:
        return {
            "resident": "居民身份证",
            "hmt": "港澳台居民居住证",
            "foreign2017": "外国人永久居留身份证(2017版)",
            "foreign2023": "外国人永久居留身份证(2023版)",
        }[self.value]


def code_name(table: dict[str, str], code: str) -> str:
    """The table's name for a code; an unknown code as 其他(xx); no code as ""."""
    if not code:
        return ""
    return table.get(code, f"其他({code})")


def is_valid_id_number(number: str) -> bool:
    """18 characters, 17 digits and a matching check character (a digit or X)."""
    if len(number) != 18 or not (number[:17].isascii() and number[:17].isdigit()):
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def mask_address(address: str, keep: int = 6) -> str:
    return address[:keep] + "*" * max(0, len(address) - keep)


def _fmt_date(value: dt.date | None) -> str:
    return LONG_TERM if value is None else value.isoformat()


@dataclass(frozen=True, repr=False)
class IdCard:
    """One card as read. `id_number` is the card number on a 2017 foreign card (15 characters).

    `valid_to` None means 长期. `photo` is the raw 1024-byte WLT (see photo.py to decode it).
    repr and str mask the name, the numbers, the birth date and the address.
    """

    card_type: CardType
    name: str
    gender_code: str
    birth_date: dt.date
    id_number: str
    valid_from: dt.date
    valid_to: dt.date | None
    ethnicity_code: str = ""
    address: str = ""
    issuer: str = ""
    english_name: str = ""
    nationality: str = ""
    permit_number: str = ""  # J: 通行证号码
    issue_count: str = ""  # J: 签发次数
    renewal_count: str = ""  # Y: 换证次数
    card_version: str = ""  # I
    authority_code: str = ""  # I: 受理机关代码
    previous_card: str = ""  # Y: link to the earlier card's number
    photo: bytes | None = None
    fingerprint: bytes | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def gender(self) -> str:
        return code_name(GENDERS, self.gender_code)

    @property
    def ethnicity(self) -> str:
        return code_name(ETHNICITIES, self.ethnicity_code)

    @property
    def long_term(self) -> bool:
        return self.valid_to is None

    def expired(self, today: dt.date) -> bool:
        return self.valid_to is not None and today > self.valid_to

    def __repr__(self) -> str:
        photo = "-" if self.photo is None else f"{len(self.photo)}B"
        fp = "-" if self.fingerprint is None else f"{len(self.fingerprint)}B"
        name = mask_name(self.name or self.english_name)
        return (
            f"IdCard({self.card_type.value}, name={name}, id={mask_id(self.id_number)}, "
            f"gender={self.gender}, valid_to={_fmt_date(self.valid_to)}, photo={photo}, "
            f"fingerprint={fp}, warnings={len(self.warnings)})"
        )

    __str__ = __repr__

    def to_dict(self, *, reveal: bool = False) -> dict[str, Any]:
        """JSON-ready fields; masked unless `reveal` (the birth date is masked too: with it the
        masked ID number could be completed)."""
        show = (lambda v, _m: v) if reveal else (lambda v, m: m(v) if v else v)
        out: dict[str, Any] = {
            "card_type": self.card_type.value,
            "card_type_name": self.card_type.label,
            "masked": not reveal,
            "name": show(self.name, mask_name),
            "gender": self.gender,
            "gender_code": self.gender_code,
            "birth_date": self.birth_date.isoformat() if reveal else "****-**-**",
            "id_number": show(self.id_number, mask_id),
            "valid_from": self.valid_from.isoformat(),
            "valid_to": _fmt_date(self.valid_to),
        }
        if self.card_type is CardType.RESIDENT:
            out |= {"ethnicity": self.ethnicity, "ethnicity_code": self.ethnicity_code}
        if self.card_type in (CardType.RESIDENT, CardType.HMT):
            out |= {"address": show(self.address, mask_address), "issuer": self.issuer}
        if self.card_type is CardType.HMT:
            out |= {"permit_number": show(self.permit_number, mask_id), "issue_count": self.issue_count}
        if self.card_type in (CardType.FOREIGN_2017, CardType.FOREIGN_2023):
            out |= {"english_name": show(self.english_name, mask_name), "nationality": self.nationality}
        if self.card_type is CardType.FOREIGN_2017:
            out |= {"card_version": self.card_version, "authority_code": self.authority_code}
        if self.card_type is CardType.FOREIGN_2023:
            out |= {"renewal_count": self.renewal_count, "previous_card": show(self.previous_card, mask_id)}
        for key, blob in (("photo", self.photo), ("fingerprint", self.fingerprint)):
            if blob is None:
                out[key] = None
            else:
                out[key] = {"bytes": len(blob)} | (
                    {"base64": base64.b64encode(blob).decode("ascii")} if reveal else {}
                )
        out["warnings"] = list(self.warnings)
        return out


# (field, byte offset, byte size) per layout; english_name2 continues english_name (2023)
_COMMON = [("name", 0, 30), ("gender_code", 30, 2), ("birth_date", 36, 16), ("address", 52, 70),
           ("id_number", 122, 36), ("issuer", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16)]
LAYOUTS: dict[CardType, list[tuple[str, int, int]]] = {
    CardType.RESIDENT: [*_COMMON, ("ethnicity_code", 32, 4)],
    CardType.HMT: [*_COMMON, ("permit_number", 220, 18), ("issue_count", 238, 4)],
    CardType.FOREIGN_2017: [
        ("english_name", 0, 120), ("gender_code", 120, 2), ("id_number", 122, 30),
        ("nationality", 152, 6), ("name", 158, 30), ("valid_from", 188, 16),
        ("valid_to", 204, 16), ("birth_date", 220, 16), ("card_version", 236, 4),
        ("authority_code", 240, 8),
    ],
    CardType.FOREIGN_2023: [
        ("name", 0, 30), ("gender_code", 30, 2), ("renewal_count", 32, 4), ("birth_date", 36, 16),
        ("english_name", 52, 70), ("id_number", 122, 36), ("valid_from", 188, 16),
        ("valid_to", 204, 16), ("english_name2", 220, 22), ("nationality", 242, 6),
        ("previous_card", 250, 6),
    ],
}
_MARKER_OFFSET = 248
_TYPES_BY_MARKER = {t.marker: t for t in CardType if t is not CardType.RESIDENT}


def card_type_of(block: bytes) -> CardType:
    marker = block[_MARKER_OFFSET : _MARKER_OFFSET + 2].decode("utf-16-le", "replace")
    return _TYPES_BY_MARKER.get(marker, CardType.RESIDENT)


def _date(text: str, what: str, problems: list[str]) -> dt.date | None:
    if len(text) == 8 and text.isascii() and text.isdigit():
        try:
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    problems.append(f"{what} is not a date YYYYMMDD")
    return None


def _fields(block: bytes, layout: Iterable[tuple[str, int, int]], problems: list[str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name, offset, size in layout:
        try:
            text = block[offset : offset + size].decode("utf-16-le")
        except UnicodeDecodeError:
            problems.append(f"{name} is not UCS-2 text")
            text = ""
        raw[name] = text
    if "english_name2" in raw:  # the name runs on across the two fields; a space may sit at the join
        raw["english_name"] += raw.pop("english_name2")
    out = {}
    for name, text in raw.items():
        text = text.rstrip(" \x00")
        if any(ord(c) < 0x20 for c in text):
            problems.append(f"{name} holds control characters")
        out[name] = text.strip()
    return out


def parse_text_block(block: bytes, *, photo: bytes | None = None,
                     fingerprint: bytes | None = None) -> IdCard:
    """An `IdCard` from the 256-byte text block; `DeviceProtocolError` listing what is wrong."""
    if len(block) != TEXT_BLOCK_SIZE:
        raise DeviceProtocolError(f"text block of {len(block)} bytes, expected {TEXT_BLOCK_SIZE}")
    kind = card_type_of(block)
    problems: list[str] = []
    warnings: list[str] = []
    f = _fields(block, LAYOUTS[kind], problems)
    birth = _date(f["birth_date"], "birth date", problems)
    valid_from = _date(f["valid_from"], "valid-from date", problems)
    valid_to = None if f["valid_to"] == LONG_TERM else _date(f["valid_to"], "valid-to date (or 长期)", problems)
    number = f["id_number"]

    if kind is CardType.FOREIGN_2017:
        if not f["english_name"]:
            problems.append("English name is empty")
        if not _FOREIGN_2017_NUMBER.fullmatch(number):
            problems.append("card number is not 3 letters and 12 digits")
    else:
        if not f["name"]:
            problems.append("name is empty")
        if not is_valid_id_number(number):
            problems.append("ID number is not 17 digits and a matching check character (GB 11643)")
        else:
            _consistency(kind, f, number, birth, warnings)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append("valid-to date is before the valid-from date")
    if birth and valid_from and valid_from < birth:
        warnings.append("the card was issued before the birth date")
    if problems:
        raise DeviceProtocolError(f"{kind.label} text block: " + "; ".join(problems))
    assert birth is not None and valid_from is not None
    values = {k: v for k, v in f.items() if k not in ("birth_date", "valid_from", "valid_to")}
    if number[17:] == "x":
        values["id_number"] = number.upper()
    return IdCard(card_type=kind, birth_date=birth, valid_from=valid_from, valid_to=valid_to,
                  photo=photo, fingerprint=fingerprint, warnings=tuple(warnings), **values)


def _consistency(kind: CardType, f: dict[str, str], number: str, birth: dt.date | None,
                 warnings: list[str]) -> None:
    if kind in (CardType.RESIDENT, CardType.HMT):
        if birth and number[6:14] != birth.strftime("%Y%m%d"):
            warnings.append("the birth date in the ID number differs from the birth date field")
        if f["gender_code"] in ("1", "2") and int(number[16]) % 2 != int(f["gender_code"]) % 2:
            warnings.append("the ID number's 17th digit does not match the gender")
    if kind is CardType.HMT and number[:6] not in ("810000", "820000", "830000"):
        warnings.append("the ID number does not start with 810000, 820000 or 830000")
    if kind is CardType.FOREIGN_2023 and not number.startswith("9"):
        warnings.append("the ID number does not start with 9")


def encode_text_block(card: IdCard) -> bytes:
    """The text block of a card (the reader's side: simulator and tests). `ValueError` when a
    field does not fit its place."""
    values = {
        "name": card.name, "gender_code": card.gender_code, "ethnicity_code": card.ethnicity_code,
        "birth_date": card.birth_date.strftime("%Y%m%d"), "address": card.address,
        "id_number": card.id_number, "issuer": card.issuer,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
        "english_name": card.english_name, "nationality": card.nationality,
        "permit_number": card.permit_number, "issue_count": card.issue_count,
        "renewal_count": card.renewal_count, "card_version": card.card_version,
        "authority_code": card.authority_code, "previous_card": card.previous_card,
    }
    chars = [" "] * (TEXT_BLOCK_SIZE // 2)
    layout = LAYOUTS[card.card_type]
    if card.card_type is CardType.FOREIGN_2023:
        values["english_name2"] = values["english_name"][35:]
        values["english_name"] = values["english_name"][:35]
    for name, offset, size in layout:
        text = values[name]
        if len(text) > size // 2 or any(ord(c) > 0xFFFF for c in text):
            raise ValueError(f"{name} does not fit in {size // 2} UCS-2 characters")
        chars[offset // 2 : offset // 2 + len(text)] = text
    chars[_MARKER_OFFSET // 2] = card.card_type.marker
    return "".join(chars).encode("utf-16-le")
