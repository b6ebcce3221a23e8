"""What an operator may set, checked before anything is stored: a refusal names the field and
what was wrong, and nothing is changed. Pure: no I/O, no clock."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

KINDS = {"notice": "通知公告", "policy": "政策解读"}
LAYOUTS = ("calls", "calls_and_notices", "notices")
MAX_TITLE = 60
MAX_BODY = 2000
MAX_TICKER = 120
MAX_TICKERS = 10
MAX_LED = 24  # an LED strip shows few characters
MAX_BROADCAST = 200
MAX_BROADCAST_MINUTES = 24 * 60
EN = 3  # an English text may run this many times the Chinese one's length: its words are longer

_DIGIT = "[0-9０-９]"
_ID_LIKE = re.compile(rf"(?<!{_DIGIT})(?:{_DIGIT}{{17}}[0-9０-９XxＸｘ]|{_DIGIT}{{15}})(?!{_DIGIT})")
_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class Refused(ValueError):
    """An operator's change that cannot be stored: `field` says where, the message what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def text(field: str, value: Any, limit: int, *, empty: bool = False) -> str:
    """A text of at most `limit` characters, not blank (unless `empty`), holding no ID number."""
    if not isinstance(value, str):
        raise Refused(field, "必须是文字（must be a text）")
    value = value.strip()
    if not value and not empty:
        raise Refused(field, "不能为空（must not be empty）")
    if len(value) > limit:
        raise Refused(field, f"最多 {limit} 个字，现有 {len(value)} 个（at most {limit} characters）")
    if _ID_LIKE.search(value):
        raise Refused(field, "不能包含身份证号（must not hold an ID number）")
    return value


@dataclass(frozen=True)
class Notice:
    """An announcement (通知公告) or a policy explanation (政策解读) of the hall's own, shown
    from `start` to `expiry` (inclusive hall days; None: no limit on that side)."""

    id: str
    kind: str
    title: str
    body: str
    start: str | None
    expiry: str | None
    title_en: str = ""  # empty: English screens show the Chinese
    body_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "body": self.body,
                "title_en": self.title_en, "body_en": self.body_en, "start": self.start, "expiry": self.expiry}

    def shown_on(self, day: str) -> bool:
        return (self.start or day) <= day <= (self.expiry or day)


def _day(field: str, value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise Refused(field, f"不是日期 {str(value)[:20]!r}（an ISO date, YYYY-MM-DD）") from None


def notice(notice_id: str, fields: dict[str, Any]) -> Notice:
    kind = fields.get("kind", "notice")
    if kind not in KINDS:
        raise Refused("kind", f"只能是 {', '.join(KINDS)}（notice 通知公告, policy 政策解读）")
    start, expiry = _day("start", fields.get("start")), _day("expiry", fields.get("expiry"))
    if start and expiry and expiry < start:
        raise Refused("expiry", f"截止日 {expiry} 早于开始日 {start}（expiry before start）")
    return Notice(notice_id, kind, text("title", fields.get("title"), MAX_TITLE),
                  text("body", fields.get("body"), MAX_BODY), start, expiry,
                  english("title_en", fields.get("title_en"), MAX_TITLE),
                  english("body_en", fields.get("body_en"), MAX_BODY))


def english(field: str, value: Any, limit: int) -> str:
    """The optional English beside a Chinese text of at most `limit` characters: absent or blank
    is "" (English screens show the Chinese), otherwise checked as the Chinese is."""
    return "" if value is None else text(field, value, EN * limit, empty=True)


@dataclass(frozen=True)
class Board:
    """The board's layout, its ticker texts, each window's LED idle text and the LEDs' settings."""

    layout: str = "calls_and_notices"
    tickers: tuple[str, ...] = ()
    tickers_en: tuple[str, ...] = ()  # the English of each ticker text, by position ("": none)
    led_idle: tuple[tuple[str, str], ...] = ()  # (window, text)
    led_brightness: int = 80  # percent
    led_on: str | None = None  # HH:MM the strips light; None with led_off: always on
    led_off: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"layout": self.layout, "tickers": list(self.tickers), "tickers_en": list(self.tickers_en),
                "led_idle": dict(self.led_idle),
                "led_brightness": self.led_brightness, "led_on": self.led_on, "led_off": self.led_off}

    def led_lit(self, clock: str) -> bool:
        """Whether the strips are lit at `clock` (HH:MM, hall time); a schedule may cross midnight."""
        if self.led_on is None or self.led_off is None:
            return True
        if self.led_on <= self.led_off:
            return self.led_on <= clock < self.led_off
        return clock >= self.led_on or clock < self.led_off


def board(fields: dict[str, Any], windows: frozenset[str]) -> Board:
    layout = fields.get("layout", Board.layout)
    if layout not in LAYOUTS:
        raise Refused("layout", f"只能是 {', '.join(LAYOUTS)}")
    tickers = fields.get("tickers", [])
    if not isinstance(tickers, list) or len(tickers) > MAX_TICKERS:
        raise Refused("tickers", f"最多 {MAX_TICKERS} 条滚动文字（a list of at most {MAX_TICKERS} texts）")
    tickers_en = fields.get("tickers_en") or []
    if not isinstance(tickers_en, list) or len(tickers_en) > len(tickers):
        raise Refused("tickers_en", f"每条英文对应一条中文滚动文字，最多 {len(tickers)} 条"
                                    f"（one English text per ticker text, at most {len(tickers)}）")
    idle = fields.get("led_idle", {})
    if not isinstance(idle, dict):
        raise Refused("led_idle", "必须是 窗口 → 文字（an object of window → text）")
    for window in idle:
        if window not in windows:
            raise Refused(f"led_idle.{window}"[:40], "没有这个窗口（no such window）")
    brightness = fields.get("led_brightness", Board.led_brightness)
    if not isinstance(brightness, int) or isinstance(brightness, bool) or not 0 <= brightness <= 100:
        raise Refused("led_brightness", "亮度是 0 到 100 的整数（a whole percent, 0 to 100）")
    on, off = fields.get("led_on"), fields.get("led_off")
    for name, value in (("led_on", on), ("led_off", off)):
        if value is not None and not (isinstance(value, str) and _CLOCK.fullmatch(value)):
            raise Refused(name, "时间写作 HH:MM（a clock time, 00:00 to 23:59）")
    if (on is None) != (off is None) or (on is not None and on == off):
        raise Refused("led_off", "开灯和关灯时间要一起给出，且不相同（both times, and different）")
    english_lines = [english(f"tickers_en.{i}", t, MAX_TICKER) for i, t in enumerate(tickers_en)]
    return Board(layout, tuple(text(f"tickers.{i}", t, MAX_TICKER) for i, t in enumerate(tickers)),
                 tuple(english_lines + [""] * (len(tickers) - len(english_lines))),
                 tuple(sorted((w, text(f"led_idle.{w}", t, MAX_LED)) for w, t in idle.items())),
                 brightness, on, off)


@dataclass(frozen=True)
class Broadcast:
    text: str
    minutes: int
    text_en: str = ""  # empty: English screens show the Chinese


def broadcast(fields: dict[str, Any]) -> Broadcast:
    minutes = fields.get("minutes", 10)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_BROADCAST_MINUTES:
        raise Refused("minutes", f"显示 1 到 {MAX_BROADCAST_MINUTES} 分钟（minutes, 1 to {MAX_BROADCAST_MINUTES}）")
    return Broadcast(text("text", fields.get("text"), MAX_BROADCAST), minutes,
                     english("text_en", fields.get("text_en"), MAX_BROADCAST))
