"""`yiciban demo --hall-time`: the hall's hours run from a given hall time; a bad time is said."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hall.config import load_demo_config
from hall.demo import _hours_options
from hall.opening import hall_time_offset

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 21, 40, tzinfo=TZ).timestamp()  # a Monday night at the hall


def test_a_clock_time_is_today_at_the_hall():
    offset = hall_time_offset("12:05", "Asia/Shanghai", NOW)
    assert dt.datetime.fromtimestamp(NOW + offset, TZ) == dt.datetime(2026, 12, 7, 12, 5, tzinfo=TZ)
    assert hall_time_offset("8:30", "Asia/Shanghai", NOW) == hall_time_offset("08:30", "Asia/Shanghai", NOW)


def test_a_date_and_time_may_be_another_day():
    offset = hall_time_offset("2026-10-01 10:00", "Asia/Shanghai", NOW)
    assert dt.datetime.fromtimestamp(NOW + offset, TZ) == dt.datetime(2026, 10, 1, 10, tzinfo=TZ)


@pytest.mark.parametrize("text", ["25:00", "noon", "12:5x", "2026-13-01 10:00"])
def test_a_time_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="a hall time 'HH:MM'"):
        hall_time_offset(text, "Asia/Shanghai", NOW)


def test_the_demo_is_always_open_unless_given_a_hall_time(capsys):
    config = load_demo_config()
    assert _hours_options(config, None) == {"always_open": True}
    chosen = _hours_options(config, "17:05")
    assert chosen is not None and chosen["always_open"] is False
    assert _hours_options(config, "17:65") is None
    assert "--hall-time: expected a hall time" in capsys.readouterr().err
