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

import bisect
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar
from lunardate import LunarDate

log = logging.getLogger(__name__)

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


@dataclass
class _Known:
    """The platform's days at one moment, the years it has published days for, and the
    answers worked out from them so far (recomputing 50,000 due dates asks for the same days)."""

    overrides: Mapping[str, bool]
    size: int
    years: frozenset[int]
    answers: dict[dt.date, tuple[bool, str]]
    counts: _Counts | None = None


class _Counts:
    """Running counts over whole years from `base`: working days, and days answered no more
    surely than each source, so a due date is a binary search instead of a walk."""

    def __init__(self, first_year: int) -> None:
        self.base = dt.date(first_year, 1, 1)
        self.last_year = first_year - 1
        self.working = [0]  # working[i + 1]: working days from base to base + i
        self.weaker = {rank: [0] for rank in range(1, len(SOURCES))}  # days of rank ≥ key

    def index(self, day: dt.date) -> int:
        return (day - self.base).days

    def extend(self, known: _Known) -> None:
        """One more year of counts; refuses a year past the rule's table."""
        year = self.last_year + 1
        if year > LAST_RULE_YEAR:
            raise CalendarRangeError(f"the working-day calendar cannot know days after {LAST_RULE_YEAR}")
        day, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        while day < end:
            working, source = WorkCalendar._answer(day, known)
            self.working.append(self.working[-1] + working)
            rank = SOURCES.index(source)
            for least, counts in self.weaker.items():
                counts.append(counts[-1] + (rank >= least))
            day += dt.timedelta(days=1)
        self.last_year = year

    def weakest(self, after: int, upto: int) -> str:
        """The least sure source among the days of index (after, upto]."""
        for rank in range(len(SOURCES) - 1, 0, -1):
            counts = self.weaker[rank]
            if counts[upto + 1] - counts[after + 1]:
                return SOURCES[rank]
        return SOURCES[0]


_NO_OVERRIDES: Mapping[str, bool] = MappingProxyType({})


class WorkCalendar:
    """Working days with the platform's overrides first (ISO date → working day or not).

    `overrides` is a mapping taken as fixed, or a callable returning the current one (as
    `ReferenceStore.calendar_overrides` does: a new mapping when the platform's calendar
    changes); the answers are kept while the mapping is the same object of the same size.
    """

    def __init__(self, overrides: Callable[[], Mapping[str, bool]] | Mapping[str, bool] | None = None) -> None:
        self._overrides = overrides
        self._known: _Known | None = None
        self._lock = threading.Lock()  # the counts grow a year at a time, from any thread

    def overrides(self) -> Mapping[str, bool]:
        if self._overrides is None:
            return _NO_OVERRIDES  # the same object each time, so the answers are kept
        return self._overrides() if callable(self._overrides) else self._overrides

    def _snapshot(self) -> _Known:
        overrides = self.overrides()
        known = self._known
        if known is None or known.overrides is not overrides or known.size != len(overrides):
            years = frozenset(int(key[:4]) for key in overrides if key[:4].isdigit())
            known = self._known = _Known(overrides, len(overrides), years, {})
        return known

    @staticmethod
    def _answer(day: dt.date, known: _Known) -> tuple[bool, str]:
        answer = known.answers.get(day)
        if answer is None:
            answer = known.answers[day] = WorkCalendar._work_out(day, known)
        return answer

    @staticmethod
    def _work_out(day: dt.date, known: _Known) -> tuple[bool, str]:
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
        try:
            with self._lock:
                counts, first, found = self._search(known, start, n)
        except CalendarRangeError:
            raise CalendarRangeError(f"{n} working days after {start} run past {LAST_RULE_YEAR}, "
                                     "beyond what the working-day calendar can know") from None
        source = counts.weakest(first, found - 1)
        return DueDate(counts.base + dt.timedelta(days=found - 1), source in PROVISIONAL, source)

    def _search(self, known: _Known, start: dt.date, n: int) -> tuple[_Counts, int, int]:
        """The counts, the index of `start` and the index in `counts.working` of the due day + 1."""
        counts = self._counts(known, start, start)
        first = counts.index(start)
        target = counts.working[first + 1] + n
        while True:
            found = bisect.bisect_left(counts.working, target, lo=first + 2)
            if found < len(counts.working):
                return counts, first, found
            counts.extend(known)

    def _counts(self, known: _Known, first: dt.date, last: dt.date) -> _Counts:
        """The running counts, covering `first` to `last`."""
        counts = known.counts
        if counts is None or first < counts.base:
            start_year = min(first.year, counts.base.year if counts else first.year)
            old_last = counts.last_year if counts else start_year
            counts = known.counts = _Counts(start_year)
            while counts.last_year < old_last:
                counts.extend(known)
        while counts.last_year < last.year:
            counts.extend(known)
        return counts

    def working_days_after(self, day: dt.date, n: int) -> dt.date:
        """The date `n` working days after `day` (see `due_date`)."""
        return self.due_date(day, n).day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """The number of working days in (a, b]: 0 when `b` is not after `a`."""
        if b <= a:
            return 0
        with self._lock:
            counts = self._counts(self._snapshot(), a, b)
        return counts.working[counts.index(b) + 1] - counts.working[counts.index(a) + 1]


def working_days_after(day: dt.date, n: int, overrides: Mapping[str, bool] | None = None) -> dt.date:
    return WorkCalendar(overrides).working_days_after(day, n)
