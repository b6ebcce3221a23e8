"""Opening hours on a fake clock: lunch, closing, the cut-off, quotas, midnight, 延时服务 days,
holidays and 调休 from the working-day calendar, closures, appointments and counter tickets."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hall import hours as h
from hall.hours_config import OpeningConfig
from sync.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar().is_workday
RULES = OpeningConfig.model_validate({
    "hours": ["08:30-12:00", "13:30-17:30"], "extended": {"wed": "19:00"}, "cutoff_minutes": 30,
    "holiday_appointments": ["09:00-12:00"],
    "closures": [{"date": dt.date(2026, 12, 24), "reason": "系统升级", "reason_en": "system upgrade"}],
    "queues": [{"queue": "property", "cutoff_minutes": 60, "daily_quota": 80}],
}).rules()


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)  # 2026-12-07 is a Monday


def walk_in(moment: dt.datetime, queue: str = "general", issued: int = 0) -> h.NotIssuing | None:
    return h.refusal(RULES, moment, CAL, h.WALK_IN, queue, issued)


def test_a_working_morning_is_open_until_lunch():
    now = h.status(RULES, at(7, 10), CAL)
    assert (now.state, now.closes_at) == (h.OPEN, at(7, 12))
    assert walk_in(at(7, 10)) is None


def test_lunch_refuses_walk_ins_and_says_when_the_afternoon_opens():
    refused = walk_in(at(7, 12, 5))
    assert refused is not None and refused.details["reason"] == "lunch"
    assert refused.message == "午休时间，今天13:30开始取号"
    assert refused.details["text_en"] == "Lunch break. Tickets from 13:30 today."
    assert walk_in(at(7, 13, 30)) is None  # the afternoon period starts on the minute


def test_the_cut_off_stops_a_queue_before_closing_until_the_next_morning():
    assert walk_in(at(7, 16, 59)) is None
    refused = walk_in(at(7, 17, 0))
    assert refused is not None and refused.message == "今日取号已截止，明天8:30开始取号"
    assert walk_in(at(7, 16, 29), "property") is None  # its own cut-off: an hour before the close
    assert walk_in(at(7, 16, 30), "property").details["reason"] == "cutoff"


def test_closing_on_friday_opens_on_monday():
    refused = walk_in(at(11, 18))
    assert refused is not None and refused.details["reason"] == "closed"
    assert refused.message == "大厅已闭厅，12月14日（周一）8:30开始取号"
    assert refused.details["opens_at"] == "2026-12-14T08:30+08:00"


def test_a_used_up_quota_refuses_until_the_next_day_even_before_lunch():
    assert walk_in(at(7, 9), "property", issued=79) is None
    refused = walk_in(at(7, 9), "property", issued=80)
    assert refused is not None and refused.details["reason"] == "quota"
    assert refused.message == "今日号源已满，明天8:30开始取号"  # not "今天13:30"
    assert walk_in(at(8, 9), "property", issued=0) is None


def test_a_zero_quota_takes_no_walk_in_at_all():
    rules = OpeningConfig.model_validate({"hours": ["08:30-17:00"],
                                          "queues": [{"queue": "q", "daily_quota": 0}]}).rules()
    assert h.refusal(rules, at(7, 9), CAL, h.WALK_IN, "q", 0).details["reason"] == "quota"
    assert h.refusal(rules, at(7, 9), CAL, h.APPOINTMENT, "q", 0) is None


def test_wednesday_runs_late_and_the_cut_off_follows_its_close():
    now = h.status(RULES, at(9, 18), CAL)
    assert (now.state, now.plan.extended, now.closes_at) == (h.OPEN, True, at(9, 19))
    assert walk_in(at(9, 18, 29)) is None
    assert walk_in(at(9, 18, 30)).details["reason"] == "cutoff"
    assert h.status(RULES, at(8, 18), CAL).state == h.CLOSED  # Tuesday closed at 17:30


def test_around_midnight_the_next_opening_is_tomorrow_then_today():
    before = h.status(RULES, dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=TZ), CAL)
    after = h.status(RULES, dt.datetime(2026, 12, 8, 0, 0, 1, tzinfo=TZ), CAL)
    assert before.opens_at == after.opens_at == at(8, 8, 30)
    assert h.opening_text(before.opens_at, before.at) == "明天8:30"
    assert h.opening_text(after.opens_at, after.at) == "今天8:30"


def test_a_clock_that_jumps_back_reads_the_hours_of_the_time_it_shows():
    assert walk_in(at(7, 12, 5)).details["reason"] == "lunch"
    assert walk_in(at(7, 11, 55)) is None  # set back into the morning: open again, by the clock


def test_national_day_takes_appointments_only_and_walk_ins_wait_for_the_first_working_day():
    day = h.day_plan(RULES, dt.date(2026, 10, 1), CAL)
    assert day.kind == h.APPOINTMENTS
    refused = walk_in(at(1, 10, month=10))
    assert refused is not None and refused.details["reason"] == "appointments"
    assert refused.details["opens_at"] == "2026-10-08T08:30+08:00"  # 国庆 2026: 1–7 October
    assert h.refusal(RULES, at(1, 10, month=10), CAL, h.APPOINTMENT, "general", 0) is None
    assert h.refusal(RULES, at(1, 13, month=10), CAL, h.APPOINTMENT, "general", 0).details["reason"] == "closed"


def test_a_make_up_saturday_opens_with_a_working_days_hours():
    assert dt.date(2026, 10, 10).weekday() == 5 and CAL(dt.date(2026, 10, 10))  # 调休
    assert h.status(RULES, at(10, 9, month=10), CAL).state == h.OPEN
    assert h.status(RULES, at(17, 9, month=10), CAL).plan.kind == h.APPOINTMENTS  # an ordinary Saturday


def test_without_holiday_appointments_a_weekend_is_closed():
    rules = OpeningConfig.model_validate({"hours": ["08:30-17:00"]}).rules()
    plan = h.day_plan(rules, dt.date(2026, 12, 12), CAL)
    assert (plan.kind, plan.reason) == (h.CLOSED, "休息日")
    assert h.refusal(rules, at(12, 10), CAL, h.APPOINTMENT, "q", 0).details["reason"] == "closed"


def test_a_saturday_listed_opens_except_inside_a_holiday_run():
    rules = OpeningConfig.model_validate({"hours": ["08:30-17:00"], "weekdays": {"sat": ["09:00-12:00"]}}).rules()
    assert h.status(rules, at(12, 10), CAL).state == h.OPEN
    assert h.status(rules, at(12, 12, 30), CAL).state == h.CLOSED
    assert h.day_plan(rules, dt.date(2026, 10, 3), CAL).kind == h.CLOSED  # the Saturday of 国庆


def test_a_closure_shuts_the_day_with_its_reason():
    now = h.status(RULES, at(24, 10), CAL)
    assert (now.state, now.plan.reason, now.plan.reason_en) == (h.CLOSED, "系统升级", "system upgrade")
    assert now.opens_at == at(25, 8, 30)
    assert h.refusal(RULES, at(24, 10), CAL, h.APPOINTMENT, "general", 0) is not None


def test_counter_tickets_are_never_refused():
    for moment in (at(7, 3), at(7, 12, 30), at(7, 17, 20), at(24, 10), at(1, 10, month=10)):
        assert h.refusal(RULES, moment, CAL, h.COUNTER, "property", 10_000) is None


def test_the_status_says_itself_for_the_screens():
    view = h.status(RULES, at(7, 12, 5), CAL).as_dict()
    assert view["state"] == "lunch"
    assert view["periods"] == [["08:30", "12:00"], ["13:30", "17:30"]]
    assert (view["opens_text"], view["opens_text_en"]) == ("今天13:30", "13:30 today")


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="zone"):
        h.status(RULES, dt.datetime(2026, 12, 7, 10), CAL)
