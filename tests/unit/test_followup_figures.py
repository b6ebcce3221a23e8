"""The supervisors' figures: the periods, the one-pass fold (waits, service level, satisfaction,
an upheld appeal's rating left out) and the window ranking with the last-twice flag."""
from __future__ import annotations

import datetime as dt

import pytest

from hall.followups.figures import flag_twice_last, fold, period, ranking

D = dt.date


def test_periods():
    assert period("day", D(2026, 11, 27)) == (D(2026, 11, 27), D(2026, 11, 27))
    assert period("week", D(2026, 11, 27)) == (D(2026, 11, 23), D(2026, 11, 29))
    assert period("month", D(2026, 12, 5)) == (D(2026, 12, 1), D(2026, 12, 31))
    assert period("quarter", D(2026, 11, 27)) == (D(2026, 10, 1), D(2026, 12, 31))
    with pytest.raises(ValueError, match="period must be one of"):
        period("year", D(2026, 1, 1))


def test_fold_counts_waits_and_satisfaction_and_leaves_out_an_upheld_appeal():
    rows = [
        (0.0, "ticket.issued", "t1", None, "general"),
        (10.0, "ticket.issued", "t2", None, "general"),
        (600.0, "ticket.called", "t1", "w1", "s1"),
        (1900.0, "ticket.called", "t2", "w1", "s1"),  # waited 1890 s, over a 1200 s target
        (1950.0, "ticket.called", "t2", "w1", "s1"),  # a recall: the wait ended at the first call
        (1000.0, "service.finished", "t1", "w1", '["s1", "m1"]'),
        (2000.0, "ticket.no_show", "t2", "w1", None),
        (1010.0, "ticket.rated", "t1", "w1", '["general", "s1", "m1", 1]'),
    ]
    f = fold(rows, 1200)
    assert (f["total"]["arrivals"], f["total"]["served"], f["total"]["no_shows"]) == (2, 1, 1)
    w1 = f["window"]["w1"]
    assert (w1["avg_wait_s"], w1["max_wait_s"], w1["service_level"]) == (1245.0, 1890.0, 0.5)
    assert (f["staff"]["s1"]["bad"], f["matter"]["m1"]["satisfaction"], f["queue"]["general"]["ratings"]) == (1, 0.0, 1)
    assert fold(rows, 1200, frozenset({"t1"}))["total"]["ratings"] == 0


def test_the_window_last_two_months_running_is_flagged():
    this = ranking({"w1": {"satisfaction": 0.9, "ratings": 10}, "w2": {"satisfaction": 0.7, "ratings": 10}},
                   ["w1", "w2", "w3"])
    assert [r["window"] for r in this] == ["w1", "w2", "w3"]  # w3 was not rated: after the rated ones
    before = ranking({"w1": {"satisfaction": 0.8, "ratings": 5}, "w2": {"satisfaction": 0.6, "ratings": 5}},
                     ["w1", "w2", "w3"])
    flagged = {r["window"]: (r["last"], r["last_twice"]) for r in flag_twice_last(this, before)}
    assert flagged == {"w1": (False, False), "w2": (True, True), "w3": (False, False)}
    better = ranking({"w2": {"satisfaction": 0.95, "ratings": 5}, "w1": {"satisfaction": 0.5, "ratings": 5}},
                     ["w1", "w2"])
    assert not any(r["last_twice"] for r in flag_twice_last(this, better))


def test_the_only_window_rated_is_not_flagged_last():
    alone = ranking({"w1": {"satisfaction": 0.375, "ratings": 8}}, ["w1", "w2", "w3"])
    assert not any(r["last"] or r["last_twice"] for r in flag_twice_last(alone, alone))
