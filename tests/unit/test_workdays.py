"""The working-day calendar for years without published data: statutory holidays, provisional."""
from __future__ import annotations

import datetime as dt
import random

import chinese_calendar
import pytest

from sync.workdays import (
    SOURCES,
    CalendarRangeError,
    DueDate,
    WorkCalendar,
    _package_knows,
    statutory_holidays,
)

PACKAGE_NAMES = {
    "元旦": "New Year's Day", "春节": "Spring Festival", "清明": "Tomb-sweeping Day",
    "劳动节": "Labour Day", "端午": "Dragon Boat Festival", "中秋": "Mid-autumn Festival",
    "国庆": "National Day",
}
KNOWN_YEARS = [y for y in range(2000, 2100) if _package_knows(dt.date(y, 6, 1))]
FIRST_UNKNOWN = KNOWN_YEARS[-1] + 1


def test_the_package_knows_enough_years_to_check_the_rule_against():
    assert len(KNOWN_YEARS) >= 20 and KNOWN_YEARS[-1] >= 2026


@pytest.mark.parametrize("year", KNOWN_YEARS)
def test_every_statutory_holiday_matches_chinese_calendars_data(year):
    for day, names in statutory_holidays(year).items():
        closed, name = chinese_calendar.get_holiday_detail(day)
        assert closed, f"{day} ({names}) is a working day in chinese-calendar"
        if name is not None:  # a weekend inside a holiday may carry no name
            assert name in {PACKAGE_NAMES[n] for n in names.split("、")}, (day, names, name)


def test_the_rule_gives_the_lunar_and_solar_term_holidays_of_2027():
    days = statutory_holidays(2027)
    assert [d for d, n in days.items() if n == "春节"] == [dt.date(2027, 2, d) for d in (5, 6, 7, 8)]
    assert days[dt.date(2027, 4, 5)] == "清明"
    assert days[dt.date(2027, 6, 9)] == "端午" and days[dt.date(2027, 9, 15)] == "中秋"
    assert days[dt.date(2027, 5, 2)] == "劳动节" and days[dt.date(2027, 10, 3)] == "国庆"
    assert len(days) == 13


def test_a_december_case_does_not_count_new_years_day_of_an_unknown_year():
    cal = WorkCalendar()
    start = dt.date(FIRST_UNKNOWN - 1, 12, 31)
    first_working = next(d for d, working, _ in cal.days(start + dt.timedelta(days=1), start + dt.timedelta(days=9))
                         if working)
    assert first_working != dt.date(FIRST_UNKNOWN, 1, 1)
    due = cal.due_date(start, 1)
    assert due == DueDate(first_working, True, "statutory")
    assert cal.source(dt.date(FIRST_UNKNOWN, 1, 1)) == "statutory"
    assert not cal.is_workday(dt.date(FIRST_UNKNOWN, 1, 1))


def test_a_due_date_within_known_data_is_final_and_says_where_it_came_from():
    cal = WorkCalendar()
    assert cal.due_date(dt.date(2025, 9, 30), 1) == DueDate(dt.date(2025, 10, 9), False, "chinese-calendar")
    assert cal.due_date(dt.date(2025, 9, 30), 0) == DueDate(dt.date(2025, 9, 30), False, "chinese-calendar")
    platform = WorkCalendar({"2025-10-09": False})
    assert platform.due_date(dt.date(2025, 9, 30), 1) == DueDate(dt.date(2025, 10, 10), False, "chinese-calendar")
    assert platform.source(dt.date(2025, 10, 9)) == "platform"


def test_the_platforms_days_come_first_and_make_the_answer_final():
    # the year's notice as the platform publishes it: holidays and swapped working days only
    cal = WorkCalendar({"2027-01-04": False, "2027-02-20": True, "2027-02-09": False})
    assert cal.due_date(dt.date(2027, 1, 1), 1) == DueDate(dt.date(2027, 1, 5), False, "platform")
    assert not cal.is_workday(dt.date(2027, 2, 8))  # 初三, a statutory holiday it need not list
    assert cal.is_workday(dt.date(2027, 2, 20)) and not cal.is_workday(dt.date(2027, 2, 9))
    assert cal.source(dt.date(2027, 3, 3)) == "platform"  # an ordinary day of a published year
    assert cal.due_date(dt.date(2027, 12, 20), 15) == DueDate(dt.date(2028, 1, 10), True, "statutory")


def test_working_days_between_counts_the_half_open_interval():
    cal = WorkCalendar()
    assert cal.working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 9)) == 1
    assert cal.working_days_between(dt.date(2025, 9, 26), dt.date(2025, 9, 28)) == 1  # 调休 Sunday
    assert cal.working_days_between(dt.date(2025, 10, 9), dt.date(2025, 9, 30)) == 0
    start = dt.date(2027, 1, 4)
    for n in (1, 5, 15, 40):
        assert cal.working_days_between(start, cal.due_date(start, n).day) == n


def test_bad_requests_are_refused_with_the_reason():
    cal = WorkCalendar()
    with pytest.raises(ValueError, match="0 or more"):
        cal.due_date(dt.date(2027, 1, 4), -1)
    with pytest.raises(CalendarRangeError, match="beyond what the working-day calendar can know"):
        cal.due_date(dt.date(2099, 12, 20), 15)
    with pytest.raises(CalendarRangeError, match="2100"):
        statutory_holidays(2100)


def test_due_dates_agree_with_walking_day_by_day():
    # the counts behind due_date and working_days_between, against the plain definition
    rng = random.Random(11)
    cal = WorkCalendar({"2027-01-04": False, "2027-02-20": True})
    for _ in range(400):
        start = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(9000))
        n = rng.randrange(1, 60)
        day, left, sources = start, n, set()
        while left:
            day += dt.timedelta(days=1)
            left -= cal.is_workday(day)
            sources.add(cal.source(day))
        weakest = max(sources, key=SOURCES.index)
        assert cal.due_date(start, n) == DueDate(day, weakest in ("statutory", "weekday"), weakest)
        assert cal.working_days_between(start, day) == n
    assert cal.due_date(dt.date(1999, 12, 30), 2).source == "weekday"  # before the rule's table
