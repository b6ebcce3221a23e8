"""What a citizen types when there is no scanner or card reader, or the code will not scan: the
number printed on a queue ticket, an appointment's check-in code or the mobile number it was booked
with, a case number, an ID number.

Every flow that takes a QR code or a card also takes its typed form, so no flow ends at
"对准扫码口" with nothing else to do. `read(kind, text)` checks what was typed and returns what
the hall is asked with (a ticket's id for its printed number, the code as the hall reads it);
`Unreadable` says, by `why`, what was wrong, so the screen says it in the citizen's words.
`KINDS` says which keyboard each kind needs and how long it may be; `shown(kind, text)` is the text
as the field shows it (a mobile number in groups of 3-4-4 as it is typed).

Pure Python: nothing here logs or keeps what was typed.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from drivers.idcard.card import is_valid_id_number

Kind = Literal["ticket", "rating_code", "appointment", "phone", "case", "id_number"]
Keys = Literal["code", "digits", "id"]


@dataclass(frozen=True)
class EntryKind:
    keys: Keys  # the keyboard: letters and digits, digits, or digits and X
    min_length: int
    max_length: int


KINDS: dict[str, EntryKind] = {
    "ticket": EntryKind("code", 2, 9),  # A012, VIP0003
    # the ticket's signature, printed under its QR: a kiosk rates only by the signed reference
    "rating_code": EntryKind("code", 10, 10),
    "appointment": EntryKind("code", 8, 16),  # hall.domain.appointments.parse_code's rule
    "phone": EntryKind("digits", 11, 11),  # a mainland mobile number: 1 and ten digits
    "case": EntryKind("digits", 4, 24),
    "id_number": EntryKind("id", 18, 18),
}

_TICKET = re.compile(r"(?P<prefix>[A-Z]{1,4})(?P<serial>\d{1,5})")
_APPOINTMENT = re.compile(r"[A-Za-z0-9_-]{8,16}")
_CASE = re.compile(r"\d{4,24}")
_PHONE = re.compile(r"1[0-9]{10}")
_PHONE_GROUPS = (3, 4, 4)
_RATING_CODE = re.compile(r"[A-Z2-7]{10}")


class Unreadable(ValueError):
    """`why`: "short" (fewer characters than the kind has), "shape" (not how such a number is
    written) or "checksum" (an ID number whose last character does not match the others)."""

    def __init__(self, kind: str, why: str) -> None:
        super().__init__(f"{kind}: {why}")
        self.kind, self.why = kind, why


def kind_of(kind: str) -> EntryKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"no typed entry of kind {kind!r}; one of {', '.join(KINDS)}") from None


def long_enough(kind: str, text: str) -> bool:
    """Whether the search button may be pressed yet."""
    return len(text.strip()) >= kind_of(kind).min_length


def shown(kind: str, text: str) -> str:
    """`text` as the field shows it: a mobile number in groups of 3-4-4 (138 1234 5678) as it is
    typed, anything else as it is."""
    if kind != "phone":
        return text
    groups, at = [], 0
    for size in _PHONE_GROUPS:
        if text[at:at + size]:
            groups.append(text[at:at + size])
        at += size
    return " ".join(groups + ([text[at:]] if text[at:] else []))


def ticket_number(text: str, digits: int = 3) -> str:
    """A ticket's number as the hall writes it: prefix letters, then the serial with at least
    `digits` digits (A12 → A012), so a citizen need not type the zeros."""
    found = _TICKET.fullmatch(text.strip().upper())
    if found is None:
        raise Unreadable("ticket", "short" if len(text.strip()) < 2 else "shape")
    serial = found["serial"].lstrip("0") or "0"
    return f"{found['prefix']}{serial.zfill(digits)}"


def ticket_id(text: str, day: dt.date, digits: int = 3) -> str:
    """The id of today's ticket numbered `text` (the hall's `YYYYMMDD-A012`)."""
    return f"{day:%Y%m%d}-{ticket_number(text, digits)}"


def rating_code(follow_path: str | None) -> str:
    """The code printed under a ticket's QR (its signature, in two groups of five), from its
    follow path `/t/<ticket>.<sig>`; "" when there is none."""
    if not follow_path or "." not in follow_path:
        return ""
    sig = follow_path.rsplit(".", 1)[1]
    return f"{sig[:5]} {sig[5:]}" if _RATING_CODE.fullmatch(sig) else ""


def signed_path(ticket: str, code: str) -> str:
    """The follow path of `ticket` with the typed rating code as its signature."""
    return f"/t/{ticket}.{code.replace(' ', '').upper()}"


def read(kind: str, text: str, *, day: dt.date | None = None, digits: int = 3) -> str:
    """What the hall is asked with for `text` typed as `kind` (a ticket needs the hall's `day`)."""
    spec, value = kind_of(kind), text.strip()
    if len(value) < spec.min_length:
        raise Unreadable(kind, "short")
    if kind == "ticket":
        if day is None:
            raise ValueError("a typed ticket number needs the hall's day")
        return ticket_id(value, day, digits)
    if kind == "rating_code":
        if not _RATING_CODE.fullmatch(value.upper()):
            raise Unreadable(kind, "shape")
        return value.upper()
    if kind == "appointment":
        if not _APPOINTMENT.fullmatch(value):
            raise Unreadable(kind, "shape")
        return value
    if kind == "phone":
        value = value.replace(" ", "")
        if not _PHONE.fullmatch(value):
            raise Unreadable(kind, "short" if value.isdigit() and len(value) < spec.min_length else "shape")
        return value
    if kind == "case":
        if not _CASE.fullmatch(value):
            raise Unreadable(kind, "shape")
        return value
    value = value.upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise Unreadable(kind, "shape")
    if not is_valid_id_number(value):
        raise Unreadable(kind, "checksum")
    return value
