"""Working days: promised completion dates of matters are counted in them (法定/承诺时限).

A day's status comes, in this order, from:

1. the platform's calendar when it has that day (holidays and 调休 make-up workdays are
   announced each November for the next year); once it has any day of a year, that year counts
   as published: a day it does not list is an ordinary one (closed on weekends and the
   statutory holidays), and final;
2. the `chinese-calendar` package for the years it carries;
3. the statutory holidays, computed from the law for a year neither knows yet: the holidays
   themselves are fixed (元旦, 春节 除夕–初三, 清明, 劳动节, 端午, 中秋, 国庆), only the swapped
   days are not, so such an answer is **provisional** ("如遇节假日调整顺延" on a notice);
4. Monday to Friday for a year outside the law's table (before 2000, after 2099).

A case accepted in December with a 15-working-day limit crosses into the next year: with the
statutory rule New Year's Day is closed there, not a working day.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar
from lunardate import LunarDate

log = logging.getLogger(__name__)

MAX_DAYS = 3660  # ten years of searching is a bug, not a time limit

PLATFORM, PACKAGE, STATUTORY, WEEKDAY = "platform", "chinese-calendar", "statutory", "weekday"
SOURCES = (PLATFORM, PACKAGE, STATUTORY, WEEKDAY)  # most to least certain
PROVISIONAL = frozenset({STATUTORY, WEEKDAY})  # answers the year's announcement may still change

FIRST_RULE_YEAR, LAST_RULE_YEAR = 2000, 2099  # the law's table; the lunar table ends with 2099


class CalendarRangeError(ValueError):
    """A date the calendar cannot know (beyond the lunar table's last year)."""


@dataclass(frozen=True)
class DueDate:
    """The n-th working day after a start day, and how certain that answer is.

    `source` is the least certain source among the days counted (see SOURCES); `provisional`
    is true when one of them came from the statutory rule or plain weekdays, so the date may
    move when that year's 调休 are published.
    """

    day: dt.date
    provisional: bool
    source: str


def _lunar(year: int, month: int, day: int) -> dt.date:
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> dt.date:
    start = dt.date(year, 4, 3)
    for day, name in chinese_calendar.get_solar_terms(start, start + dt.timedelta(days=4)):
        if name == "清明":
            return day
    raise CalendarRangeError(f"清明 of {year} is not in chinese-calendar's solar-term table")


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory public holidays of `year` (全国年节及纪念日放假办法) without any 调休.

    The rule as amended: from 2025 春节 is 除夕–初三 and 劳动节 1–2 May; 2008–2024 春节
    初一–初三, 劳动节 1 May, with 清明, 端午, 中秋 added; 2000–2007 春节 初一–初三,
    劳动节 and 国庆 three days each.
    """
    if not FIRST_RULE_YEAR <= year <= LAST_RULE_YEAR:
        raise CalendarRangeError(f"no statutory holiday rule for {year} "
                                 f"(known: {FIRST_RULE_YEAR}–{LAST_RULE_YEAR})")
    new_year = _lunar(year, 1, 1)
    first = -1 if year >= 2025 else 0  # 除夕 (the lunar year's last day) since 2025
    may = 3 if year < 2008 else 1 if year < 2025 else 2
    named: list[tuple[dt.date, str]] = [
        (dt.date(year, 1, 1), "元旦"),
        *((new_year + dt.timedelta(days=offset), "春节") for offset in range(first, 3)),
        *((dt.date(year, 5, d), "劳动节") for d in range(1, may + 1)),
        *((dt.date(year, 10, d), "国庆") for d in range(1, 4)),
    ]
    if year >= 2008:
        named += [(_qingming(year), "清明"), (_lunar(year, 5, 5), "端午"), (_lunar(year, 8, 15), "中秋")]
    days: dict[dt.date, str] = {}
    for day, name in named:  # 中秋 can fall within 国庆: the day carries both names
        days[day] = f"{days[day]}、{name}" if day in days else name
    return dict(sorted(days.items()))


@lru_cache(maxsize=16384)
def _package_answer(day: dt.date) -> bool | None:
    """chinese-calendar's answer for `day`; None for a year beyond the package's data."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def _package_knows(day: dt.date) -> bool:
    return _package_answer(day) is not None


@dataclass(frozen=True)
class _Known:
    """The platform's days at one moment, and the years it has published days for."""

    overrides: Mapping[str, bool]
    years: frozenset[int]


class WorkCalendar:
    """Working days with the platform's overrides first (ISO date → working day or not)."""

    def __init__(self, overrides: Callable[[], Mapping[str, bool]] | Mapping[str, bool] | None = None) -> None:
        self._overrides = overrides

    def overrides(self) -> Mapping[str, bool]:
        if self._overrides is None:
            return {}
        return self._overrides() if callable(self._overrides) else self._overrides

    def _snapshot(self) -> _Known:
        overrides = self.overrides()
        return _Known(overrides, frozenset(int(key[:4]) for key in overrides if key[:4].isdigit()))

    @staticmethod
    def _answer(day: dt.date, known: _Known) -> tuple[bool, str]:
        found = known.overrides.get(day.isoformat())
        if found is not None:
            return found, PLATFORM
        package = _package_answer(day)
        if package is not None:
            return package, PACKAGE
        if FIRST_RULE_YEAR <= day.year <= LAST_RULE_YEAR:
            working = day.weekday() < 5 and day not in statutory_holidays(day.year)
            # a year the platform has published: the days it does not list are ordinary ones
            return working, PLATFORM if day.year in known.years else STATUTORY
        return day.weekday() < 5, WEEKDAY

    def is_workday(self, day: dt.date) -> bool:
        return self._answer(day, self._snapshot())[0]

    def source(self, day: dt.date) -> str:
        """Where the answer for `day` comes from: platform, chinese-calendar, statutory, weekday."""
        return self._answer(day, self._snapshot())[1]

    def days(self, first: dt.date, last: dt.date) -> Iterator[tuple[dt.date, bool, str]]:
        """(day, working?, source) for each day from `first` to `last`, both included."""
        known = self._snapshot()
        day = first
        while day <= last:
            yield (day, *self._answer(day, known))
            day += dt.timedelta(days=1)

    def due_date(self, start: dt.date, n: int) -> DueDate:
        """The `n`-th working day after `start` (`start` itself never counts; `n == 0` is `start`).

        A matter accepted on Friday with a 1-working-day limit is due on the next working day.
        Refuses a negative `n` and a date past the last year the calendar can know.
        """
        if n < 0:
            raise ValueError(f"the number of working days must be 0 or more, not {n}")
        known = self._snapshot()
        if n == 0:  # 即办: the same day, whatever is announced later
            return DueDate(start, False, self._answer(start, known)[1])
        current, left, weakest = start, n, 0
        for _ in range(MAX_DAYS):
            current += dt.timedelta(days=1)
            if current.year > LAST_RULE_YEAR and current.isoformat() not in known.overrides:
                raise CalendarRangeError(
                    f"{n} working days after {start} run past {LAST_RULE_YEAR}, "
                    "beyond what the working-day calendar can know")
            working, source = self._answer(current, known)
            weakest = max(weakest, SOURCES.index(source))
            if working:
                left -= 1
                if left == 0:
                    source = SOURCES[weakest]
                    return DueDate(current, source in PROVISIONAL, source)
        raise ValueError(f"no {n} working days within {MAX_DAYS} days of {start}")

    def working_days_after(self, day: dt.date, n: int) -> dt.date:
        """The date `n` working days after `day` (see `due_date`)."""
        return self.due_date(day, n).day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """The number of working days in (a, b]: 0 when `b` is not after `a`."""
        if b <= a:
            return 0
        return sum(working for _, working, _ in self.days(a + dt.timedelta(days=1), b))


def working_days_after(day: dt.date, n: int, overrides: Mapping[str, bool] | None = None) -> dt.date:
    return WorkCalendar(overrides).working_days_after(day, n)
