"""Appointments at the hall: reading the code a citizen shows, which appointment they mean,
and whether it can be checked in now.

Appointments come from the platform (reference data, one hall's own); one may carry its
booker's mobile number as a keyed hash and a masked form, never in clear. Checking one in issues
a ticket with priority "appointment" for its slot. It can be checked in from the slot's start
minus the hall's grace period until the slot's end plus the grace period; the same window in
which the ticket counts as priority (policy.effective_priority).
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from hall.domain.errors import InvalidCommand, QueueError

CODE = re.compile(r"[A-Za-z0-9_-]{8,16}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_CODE_KEYS = ("code", "appt")


class TooEarly(QueueError):
    status = 409
    code = "too_early"


class Expired(QueueError):
    status = 409
    code = "expired"


class InvalidCode(InvalidCommand):
    code = "invalid_code"


class Admission(enum.StrEnum):
    EARLY = "early"  # before its slot start minus the grace period
    OPEN = "open"
    EXPIRED = "expired"  # after its slot end plus the grace period


@dataclass(frozen=True)
class Appointment:
    id: str
    date: str  # ISO date, in the hall's time zone
    slot_start: str  # HH:MM
    slot_end: str
    matter: str | None = None
    queue: str | None = None
    code: str | None = None  # the check-in code of the SMS or mini-program QR
    holder: str | None = None  # keyed hash of the citizen's ID number
    phone_hash: str | None = None  # keyed hash of the booker's mobile number
    phone_masked: str | None = None  # 138****5678

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Appointment | None:
        """The appointment of a reference item; None for one this hall cannot use."""
        try:
            dt.date.fromisoformat(item["date"])
            start, end = item["slot_start"], item["slot_end"]
            if not (_TIME.fullmatch(start) and _TIME.fullmatch(end) and start < end):
                return None
            if not _text(item["id"]):
                return None
            return cls(id=item["id"], date=item["date"], slot_start=start, slot_end=end,
                       matter=_text(item.get("matter")), queue=_text(item.get("queue")),
                       code=_text(item.get("code")), holder=_text(item.get("holder")),
                       phone_hash=_text(item.get("phone_hash")), phone_masked=_text(item.get("phone_masked")))
        except (KeyError, TypeError, ValueError):
            return None

    def slot(self, tz: ZoneInfo) -> tuple[float, float]:
        """The slot as epoch seconds: its date and times read in the hall's time zone."""
        day = dt.date.fromisoformat(self.date)

        def moment(hhmm: str) -> float:
            return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=tz).timestamp()

        return moment(self.slot_start), moment(self.slot_end)

    def admission(self, now: float, tz: ZoneInfo, grace_minutes: float) -> Admission:
        start, end = self.slot(tz)
        grace = grace_minutes * 60
        if now < start - grace:
            return Admission.EARLY
        if now > end + grace:
            return Admission.EXPIRED
        return Admission.OPEN

    def check_admission(self, now: float, tz: ZoneInfo, grace_minutes: float) -> None:
        """Raises TooEarly or Expired, saying from when to when this one can be checked in."""
        state = self.admission(now, tz, grace_minutes)
        if state is Admission.OPEN:
            return
        start, end = self.slot(tz)
        grace = grace_minutes * 60
        opens = _hhmm(start - grace, tz)
        closes = _hhmm(end + grace, tz)
        details = {"appointment": self.id, "date": self.date, "slot_start": self.slot_start,
                   "slot_end": self.slot_end, "check_in_from": opens, "check_in_until": closes}
        slot = f"{self.date} {self.slot_start}–{self.slot_end}"
        if state is Admission.EARLY:
            raise TooEarly(f"预约时段为 {slot}，{opens} 起可以签到，请稍后再来", **details)
        raise Expired(f"预约时段 {slot} 已过（签到截止 {closes}），请重新预约或取普通号", **details)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _hhmm(ts: float, tz: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(ts, tz).strftime("%H:%M")


def choose(candidates: Iterable[Appointment], now: float, tz: ZoneInfo, grace_minutes: float,
           checked_in: Callable[[str], bool]) -> Appointment | None:
    """The appointment a citizen who has several today means: one open for check-in now (one not
    yet checked in first), else the next to open, else the last one (to say it has passed)."""
    ordered = sorted(candidates, key=lambda a: (a.slot_start, a.slot_end, a.id))
    if not ordered:
        return None
    by_state: dict[Admission, list[Appointment]] = {state: [] for state in Admission}
    for a in ordered:
        by_state[a.admission(now, tz, grace_minutes)].append(a)
    now_open = by_state[Admission.OPEN]
    if now_open:
        return next((a for a in now_open if not checked_in(a.id)), now_open[0])
    if by_state[Admission.EARLY]:
        return by_state[Admission.EARLY][0]
    return ordered[-1]


def mask_code(code: str) -> str:
    """A check-in code as a message may show it: AB********89."""
    return code[:2] + "*" * (len(code) - 4) + code[-2:] if len(code) > 4 else "*" * len(code)


def parse_code(payload: str) -> str:
    """The check-in code in what a scanner read: the bare code, or a link carrying it as
    `code=` or `appt=` (in the query, or after a `?` in the fragment of a mini-program link).

    Raises InvalidCode saying what was wrong, without repeating the payload.
    """
    text = payload.strip()
    if not text:
        raise InvalidCode("没有读到核验码（内容为空），请重新扫描", field="code")
    if "\ufffd" in text or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidCode("核验码中有无法识别的字符，二维码可能损坏或未读完整，请重新扫描", field="code")
    if "://" in text or "?" in text or "=" in text:
        text = _code_in_link(text)
    if not text.isascii():
        raise InvalidCode("核验码只能由字母、数字、'-' 或 '_' 组成，读到了其他字符（二维码可能损坏）",
                          field="code")
    if not 8 <= len(text) <= 16:
        raise InvalidCode(f"核验码应为 8–16 位，读到 {len(text)} 位（二维码可能未读完整）",
                          field="code", length=len(text))
    if not CODE.fullmatch(text):
        raise InvalidCode("核验码只能由字母、数字、'-' 或 '_' 组成", field="code")
    return text


def _code_in_link(text: str) -> str:
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidCode("二维码中的链接无法解析（可能损坏），请重新扫描", field="code") from None
    queries = [parts.query]
    if "?" in parts.fragment:
        queries.append(parts.fragment.split("?", 1)[1])
    if not parts.scheme and not parts.netloc and not parts.query:
        queries.append(text.lstrip("?"))  # a bare "code=..." or "?appt=..."
    found = {value.strip() for query in queries
             for key, value in parse_qsl(query, keep_blank_values=True) if key.lower() in _CODE_KEYS}
    if not found:
        raise InvalidCode("二维码中的链接没有预约核验码（应带 code= 或 appt= 参数），请出示预约二维码",
                          field="code")
    if len(found) > 1:
        raise InvalidCode("二维码中的链接带有多个不同的核验码，无法确定是哪一个", field="code")
    code = found.pop()
    if not code:
        raise InvalidCode("二维码中的链接带有空的核验码，请重新扫描", field="code")
    return code
