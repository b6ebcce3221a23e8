"""The `[opening]` section of hall.toml: the sample hall's hours, and every slip `yiciban config
check` must name (inverted or overlapping hours, a quota below zero, an unknown queue)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from hall.config import ConfigError, ConfigIssue, load_config, load_demo_config
from hall.hours import Period
from tests.unit.hallconfig_support import MINIMAL as BASE


def issues(tmp_path: Path, opening: str) -> list[ConfigIssue]:
    path = tmp_path / "hall.toml"
    path.write_text(BASE + opening, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def only(tmp_path: Path, opening: str) -> str:
    found = issues(tmp_path, opening)
    assert len(found) == 1, "\n".join(map(str, found))
    return str(found[0])


def test_the_sample_hall_has_a_working_day_with_lunch_and_a_late_wednesday():
    rules = load_demo_config().opening.rules()
    assert rules.hours == (Period(dt.time(8, 30), dt.time(12)), Period(dt.time(13, 30), dt.time(17, 30)))
    assert rules.extended == {2: dt.time(19)}
    assert rules.limit("property").daily_quota == 80 and rules.limit("property").cutoff_minutes == 60
    assert rules.limit("general").cutoff_minutes == 30 and rules.limit("general").daily_quota is None


def test_a_hall_without_opening_hours_loads_as_before(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(BASE, encoding="utf-8")
    assert load_config(path).opening is None


def test_inverted_hours_are_named(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["12:00-08:30"]\n')
    assert "opening.hours" in text and "end comes after its start" in text and "'12:00-08:30'" in text


def test_overlapping_hours_are_named(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["08:30-12:30", "12:00-17:00"]\n')
    assert "opening.hours" in text and "do not overlap" in text and "'12:00-17:00' starts before" in text


def test_a_period_that_is_not_a_period(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["8.30 to 12"]\n')
    assert "a period 'HH:MM-HH:MM'" in text and "'8.30 to 12'" in text


def test_a_quota_below_zero_is_refused(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["08:30-17:00"]\n[[opening.queues]]\nqueue = "general"\n'
                          'daily_quota = -5\n')
    assert "opening.queues[0].daily_quota" in text and ">= 0" in text and "-5" in text


def test_an_unknown_queue_is_named_with_the_known_ones(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["08:30-17:00"]\n[[opening.queues]]\nqueue = "genral"\n'
                          'daily_quota = 5\n')
    assert "opening.queues[0].queue" in text and "one of: general" in text and "'genral'" in text


def test_a_queue_listed_twice(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["08:30-17:00"]\n[[opening.queues]]\nqueue = "general"\n'
                          '[[opening.queues]]\nqueue = "general"\n')
    assert "opening.queues[1].queue" in text and "each queue once" in text


def test_an_extended_day_that_ends_earlier_and_an_unknown_weekday(tmp_path):
    found = issues(tmp_path, '[opening]\nhours = ["08:30-17:30"]\nextended = { wed = "17:00", wdn = "19:00" }\n')
    text = "\n".join(map(str, found))
    assert "a weekday (one of: mon" in text and "'wdn'" in text
    found = issues(tmp_path, '[opening]\nhours = ["08:30-17:30"]\nextended = { wed = "17:00" }\n')
    assert len(found) == 1 and "opening.extended.wed" in str(found[0]) and "after that day's close (17:30)" in str(found[0])


def test_a_closure_that_ends_before_it_starts(tmp_path):
    text = only(tmp_path, '[opening]\nhours = ["08:30-17:30"]\n[[opening.closures]]\ndate = 2026-12-24\n'
                          'until = 2026-12-20\n')
    assert "opening.closures[0].until" in text and "not before date (2026-12-24)" in text


def test_config_check_says_every_problem_and_fails(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(BASE + '[opening]\nhours = ["13:00-12:00"]\ncutoff_minutes = -1\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "yiciban.cli", "config", "check", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "opening.hours" in run.stderr and "opening.cutoff_minutes" in run.stderr
    assert "2 problems found" in run.stderr
