"""The dashboard folds past days once into the store and reads only today again: its figures stay
those of one plain pass over every row (the reference `fold(read_rows(...))`) while today's
services come in, after an upheld appeal takes a past rating out, and after an event lands on a
past day."""
from __future__ import annotations

import datetime as dt

from hall.config import load_config
from hall.domain.events import Event
from hall.followups import figures as fg
from hall.followups.dashboard import Dashboard
from hall.followups.engine import Actor
from hall.followups.service import FollowupService
from hall.service import HallService
from hall.store import HallStore
from sync.workdays import WorkCalendar
from tests.support.halls import write_small_hall
from tests.unit.hallfixtures import FakeClock, at

FRIDAY, MONDAY = dt.date(2026, 11, 27), dt.date(2026, 11, 30)


def serve(hall: HallService, level: int | None = None) -> str:
    ticket = hall.execute("issue", {"queue": "general"})["ticket"]["id"]
    hall.execute("call_next", {"window": "w1"})
    hall.execute("start", {"window": "w1"})
    hall.execute("finish", {"window": "w1", "matter": "000131128000"})
    if level is not None:
        hall.execute("rate", {"ticket": ticket, "level": level, "reasons": ["等候时间过长"] if level <= 2 else [],
                              "channel": "pad"})
    return ticket


def reference(board: Dashboard, store: HallStore) -> dict:
    excluded = frozenset(f.ticket for f in board.followups.listing() if not f.counted)
    return fg.fold(fg.read_rows(store, FRIDAY, MONDAY), board.target_s, excluded)


def test_past_days_are_counted_once_and_the_figures_stay_those_of_a_plain_pass(tmp_path):
    config = load_config(write_small_hall(tmp_path))
    clock = FakeClock(at(9))
    store = HallStore(tmp_path / "hall.db")
    hall = HallService(config.setup(), store, clock=clock)
    ledger = FollowupService(hall, config.followups, WorkCalendar(), config.hall.timezone)
    board = Dashboard(config, store, ledger)
    hall.execute("open_window", {"window": "w1", "staff": "s1"})
    bad = serve(hall, 1)
    for level in (5, 4, None, 2):
        clock.advance(600)
        serve(hall, level)

    clock.now = at(9, day=30)  # Monday: Friday is a past day now
    serve(hall, 5)
    first = board.queue_figures(FRIDAY, MONDAY)
    assert first == reference(board, store) and first["total"]["ratings"] == 5
    assert store.conn.execute("SELECT day FROM day_folds").fetchall() == [("2026-11-27",)]

    clock.advance(900)
    serve(hall, 3)  # today moves on: read again; the past days come from what was counted
    assert board.queue_figures(FRIDAY, MONDAY) == reference(board, store)

    fu = ledger.get(f"fu-{bad}")  # Friday's 非常不满意, appealed and upheld: out of the figures
    ledger.execute("verify", fu.id, Actor.of("s1", "staff"), {"outcome": "appeal", "note": "误评"})
    ledger.execute("decide_appeal", fu.id, Actor.of("boss", "supervisor"), {"upheld": True, "note": "属实"})
    after = board.queue_figures(FRIDAY, MONDAY)
    assert after == reference(board, store) and after["total"]["ratings"] == first["total"]["ratings"]
    assert after["window"]["w1"]["bad"] == first["window"]["w1"]["bad"] - 1

    late = Event(hall.last_seq + 1, at(17, day=27), "2026-11-27", "ticket.issued",
                 {"ticket": "late-1", "number": "A099", "serial": 99, "queue": "general", "priority": "normal",
                  "channel": "api"})
    store.append([late])  # an event a past day did not have when it was counted
    assert board.queue_figures(FRIDAY, MONDAY) == reference(board, store)
    assert board.queue_figures(FRIDAY, MONDAY)["total"]["arrivals"] == first["total"]["arrivals"] + 2
    store.close()
