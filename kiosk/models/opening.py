"""What the screens say when the hall is not issuing tickets (the 24-hour self-service mode).

The hall answers `GET /api/v1/hall/hours` (hall.opening) and refuses an issue with the code
`not_issuing`, a Chinese message and `details` (`reason`, `text_en`, `opens_at`). This module
turns either into the words of an off-hours page in the screen's language: a headline, when
tickets are issued again, and what can still be done now. Qt-free.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def pick(text_zh: str, text_en: str, language: str) -> str:
    """The text of the screen's language (as kiosk.i18n.pick, which is Qt's side)."""
    return text_en if language == "en" and text_en else text_zh

HEADLINES = {  # hall state or refusal reason -> (Chinese, English)
    "lunch": ("午休时间，暂停取号", "Lunch break: no tickets now"),
    "closed": ("大厅已闭厅，暂停取号", "The hall is closed: no tickets now"),
    "appointments": ("今日仅办理预约业务", "Appointments only today"),
    "cutoff": ("今日取号已截止", "No more tickets today"),
    "quota": ("今日号源已满", "Today's tickets are all taken"),
}
STILL_OPEN = (  # the self-service area never closes (24 小时不打烊)
    ("办事指南查询", "Service guides"),
    ("办件进度查询", "Case progress"),
    ("自助复印", "Copying"),
    ("服务评价", "Ratings"),
    ("通知公告", "Announcements"),
)


@dataclass(frozen=True)
class OffHours:
    """An off-hours page's words: `headline`, `when` (tickets again from ...), `still` (what the
    self-service area does now) and the hall's `reason` for a closed day (a holiday, a closure)."""

    headline: str
    when: str
    still: tuple[str, ...]
    reason: str = ""


def issuing(hours: Mapping[str, Any] | None) -> bool:
    """Whether the hall issues walk-in tickets now (unknown: yes, the hall decides on issue)."""
    return not hours or hours.get("state", "open") == "open"


def from_hours(hours: Mapping[str, Any], language: str) -> OffHours:
    """The page for the hall's state (`GET /hall/hours`) when it is not open."""
    state = str(hours.get("state") or "closed")
    zh, en = HEADLINES.get(state, HEADLINES["closed"])
    when = _when(hours, language)
    reason = pick(str(hours.get("reason") or ""), str(hours.get("reason_en") or ""), language)
    return OffHours(pick(zh, en, language), when, _still(language), reason if state == "closed" else "")


def from_refusal(message: str, details: Mapping[str, Any], language: str) -> OffHours:
    """The page for an issue the hall refused (`not_issuing`): its reason and its own words."""
    zh, en = HEADLINES.get(str(details.get("reason") or ""), HEADLINES["closed"])
    if "opens_text" in details:  # the headline says the reason; the page adds when
        return OffHours(pick(zh, en, language), _when(details, language), _still(language))
    text = pick(message, str(details.get("text_en") or ""), language)
    return OffHours(pick(zh, en, language), text, _still(language))


def _when(found: Mapping[str, Any], language: str) -> str:
    opens_zh, opens_en = str(found.get("opens_text") or ""), str(found.get("opens_text_en") or "")
    return pick(f"{opens_zh}开始取号" if opens_zh else "开放时间另行通知",
                f"Tickets from {opens_en}." if opens_en else "Opening time to be announced.", language)


def _still(language: str) -> tuple[str, ...]:
    return tuple(pick(zh, en, language) for zh, en in STILL_OPEN)


SAMPLE_HOURS = {  # the sample hall at 12:05 on a Monday, for the sample screens
    "state": "lunch", "opens_text": "今天13:30", "opens_text_en": "13:30 today", "reason": "", "reason_en": "",
    "periods": [["08:30", "12:00"], ["13:30", "17:30"]],
}
SAMPLE_NIGHT = {
    "state": "closed", "opens_text": "明天8:30", "opens_text_en": "8:30 tomorrow", "reason": "", "reason_en": "",
    "periods": [["08:30", "12:00"], ["13:30", "17:30"]],
}


def banner(hours: Mapping[str, Any] | None, language: str) -> str:
    """One line for a screen's home while the hall issues no tickets ('' while it does): the
    headline, when tickets are issued again, and that the self-service area stays open."""
    if issuing(hours):
        return ""
    assert hours is not None
    words = from_hours(hours, language)
    reason = f"（{words.reason}）" if words.reason and language != "en" else (
        f" ({words.reason})" if words.reason else "")
    if language == "en":
        return f"{words.headline}{reason}. {words.when} The self-service area stays open 24 hours."
    return f"{words.headline}{reason}，{words.when}。自助服务区 24 小时开放。"
