"""Past days folded once into the hall's store: a range built from the stored days and today's
events gives the figures of one full fold over every row (generated services across a week, with
appeals upheld and refused after their days were stored), a fresh store object reads the stored
days without folding again, and a change of the fold's rules or of the wait target folds again."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from hall.config import load_config
from hall.followups import daystore as ds
from hall.followups import figures as fg
from hall.followups.dashboard import Dashboard
from hall.followups.engine import Actor
from hall.followups.service import FollowupService
from hall.service import HallService
from hall.store import HallStore
from sync.workdays import WorkCalendar
from tests.support.halls import write_small_hall
from tests.unit.hallfixtures import FakeClock, at

FIRST, TODAY = dt.date(2026, 11, 23), dt.date(2026, 11, 30)
PAST_DAYS = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]


def a_week(hall: HallService, clock: FakeClock, rng: random.Random) -> list[str]:
    """Services at two windows on Monday to Friday and the next Monday morning; the badly rated tickets."""
    hall.execute("open_window", {"window": "w1", "staff": "s1"})
    hall.execute("open_window", {"window": "w2", "staff": "s2"})
    bad = []
    for day in (23, 24, 25, 26, 27, 30):
        clock.now = at(8, 30, day=day)
        for _ in range(rng.randint(6, 12)):
            clock.advance(rng.randint(30, 400))
            queue = rng.choice(["general", "property"])
            ticket = hall.execute("issue", {"queue": queue})["ticket"]["id"]
            window = "w2" if queue == "property" else rng.choice(["w1", "w2"])  # w1 serves general only
            clock.advance(rng.randint(10, 1500))  # the wait
            hall.execute("call_next", {"window": window})
            clock.advance(rng.randint(20, 90))
            hall.execute("start", {"window": window})
            clock.advance(rng.randint(60, 900))
            hall.execute("finish", {"window": window, "matter": "000131128000"})
            level = rng.choice([5, 5, 5, 4, 3, 2, 1, None])
            if level is not None:
                hall.execute("rate", {"ticket": ticket, "level": level, "channel": "pad",
                                      "reasons": ["等候时间过长"] if level <= 2 else []})
                if level <= 2:
                    bad.append(ticket)
    return bad


def week_hall(tmp_path, seed: int) -> tuple:
    """The small hall with a week of generated services: config, store, ledger, dashboard, bad tickets."""
    config = load_config(write_small_hall(tmp_path))
    clock = FakeClock(at(8, day=23))
    store = HallStore(tmp_path / "hall.db")
    hall = HallService(config.setup(), store, clock=clock)
    ledger = FollowupService(hall, config.followups, WorkCalendar(), config.hall.timezone)
    board = Dashboard(config, store, ledger)
    return config, store, ledger, board, a_week(hall, clock, random.Random(seed))


def reference(board: Dashboard, store: HallStore) -> dict:
    excluded = frozenset(f.ticket for f in board.followups.listing() if not f.counted)
    return fg.fold(fg.read_rows(store, FIRST, TODAY), board.target_s, excluded)


def appeal(ledger: FollowupService, ticket: str, upheld: bool) -> None:
    fu = ledger.get(f"fu-{ticket}")
    ledger.execute("verify", fu.id, Actor.of(fu.staff, "staff"), {"outcome": "appeal", "note": "误评"})
    ledger.execute("decide_appeal", fu.id, Actor.of("boss", "supervisor"), {"upheld": upheld, "note": "核实"})


def folds(store: HallStore) -> list[tuple]:
    return store.conn.execute("SELECT day, version, target_s, events, folded FROM day_folds ORDER BY day").fetchall()


def test_stored_days_and_today_give_the_full_folds_figures_with_appeals_and_a_fresh_store(tmp_path, monkeypatch):
    config, store, ledger, board, bad = week_hall(tmp_path, 13)
    past_bad = [t for t in bad if not t.startswith("20261130")]
    assert len(past_bad) >= 3, bad

    first = board.queue_figures(FIRST, TODAY)
    assert first == reference(board, store) and first["total"]["arrivals"] > 30
    stored = folds(store)
    assert [r[0] for r in stored] == PAST_DAYS and {r[1] for r in stored} == {ds.VERSION}

    appeal(ledger, past_bad[0], upheld=True)  # the ratings of stored days taken out, or kept
    appeal(ledger, past_bad[1], upheld=True)
    appeal(ledger, past_bad[2], upheld=False)
    after = board.queue_figures(FIRST, TODAY)
    assert after == reference(board, store)
    assert after["total"]["ratings"] == first["total"]["ratings"] - 2
    assert after["total"]["bad"] == first["total"]["bad"] - 2
    assert folds(store) == stored  # adjusted when built: the stored days stay as they were

    def no_fold(*args):
        raise AssertionError(f"a stored day folded again: {args[1]}")

    cold_store = HallStore(tmp_path / "hall.db")  # a restarted hall: a new store object and dashboard
    cold = Dashboard(config, cold_store, ledger)
    with monkeypatch.context() as m:
        m.setattr(ds, "fold_day", no_fold)
        assert cold.queue_figures(FIRST, TODAY) == after
        assert cold.queue_figures(FIRST, dt.date(2026, 11, 27)) == fg.fold(
            fg.read_rows(store, FIRST, dt.date(2026, 11, 27)), board.target_s,
            frozenset(f.ticket for f in ledger.listing() if not f.counted))

    monkeypatch.setattr(ds, "VERSION", ds.VERSION + 1)  # the fold's rules changed: every day folded again
    assert cold.queue_figures(FIRST, TODAY) == after
    assert {r[1] for r in folds(cold_store)} == {ds.VERSION} and len(folds(cold_store)) == 5
    cold_store.close()
    store.close()


def test_another_wait_target_folds_the_days_again_and_counts_waits_over_it(tmp_path):
    _, store, _, board, _ = week_hall(tmp_path, 5)
    before = board.queue_figures(FIRST, TODAY)
    board.target_s = 60.0  # a minute: nearly every wait over it
    tight = board.queue_figures(FIRST, TODAY)
    assert tight == reference(board, store)
    assert tight["total"]["service_level"] < before["total"]["service_level"]
    assert {r[2] for r in folds(store)} == {60.0}


def test_a_stored_group_of_an_unknown_kind_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown kind 'queues'"):
        ds.from_rows([("queues", "general", None, None, 3, None, None, None)])


def test_groups_stored_as_rows_read_back_as_the_same_groups():
    g = fg.Groups()
    g.arrivals["general"] += 4
    g.arrivals[None] += 1
    g.waits[("general", "w1", "s1")] = [3, 420.5, 300.0, 1]
    g.served[("general", "w1", '["s1","000131128000"]')] += 3
    g.no_shows[("property", "w2")] += 1
    g.rated[("w1", '["general","s1","000131128000",5]')] += 2
    back = ds.from_rows(ds.to_rows(g))
    assert back == g
    twice = ds.from_rows(ds.to_rows(g) * 2)
    assert twice.waits[("general", "w1", "s1")] == [6, 841.0, 300.0, 2] and twice.arrivals["general"] == 8
