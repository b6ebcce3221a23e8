"""The follow-up service over the hall's store: a 差评 opens its follow-up in the hall's one
sequence, the ledger survives a restart, a 差评 whose follow-up was never written is found at
start, and a new day recomputes the lights."""
from __future__ import annotations

from hall.followups.config import FollowupConfig, WindowOwnerConfig
from hall.followups.engine import Actor
from hall.followups.service import FollowupService
from hall.followups.store import followup_events
from hall.service import HallService
from hall.store import HallStore
from sync.workdays import WorkCalendar
from tests.unit.hallfixtures import FakeClock, at, small_hall

CONFIG = FollowupConfig(windows=[WindowOwnerConfig(window="w1", department="县市场监管局", lead="lead1")],
                        fix_working_days=2)


def served(hall: HallService) -> str:
    """A ticket served at w1 by s1, ready to be rated."""
    ticket = hall.execute("issue", {"queue": "general"})["ticket"]["id"]
    hall.execute("call_next", {"window": "w1"})
    hall.execute("start", {"window": "w1"})
    hall.execute("finish", {"window": "w1"})
    return ticket


def open_ledger(path, clock, followups: bool = True):
    hall = HallService(small_hall(), HallStore(path), clock=clock)
    return hall, FollowupService(hall, CONFIG, WorkCalendar(), "Asia/Shanghai") if followups else None


def test_a_bad_rating_opens_a_follow_up_in_the_hall_sequence_and_it_survives_a_restart(tmp_path):
    clock = FakeClock(at(9))  # Friday 2026-11-27
    hall, fus = open_ledger(tmp_path / "hall.db", clock)
    hall.execute("open_window", {"window": "w1", "staff": "s1"})
    good, bad = served(hall), served(hall)
    hall.execute("rate", {"ticket": good, "level": 5})
    rated = hall.execute("rate", {"ticket": bad, "level": 2, "reasons": ["等候时间过长"]})
    items = fus.listing()
    assert [f.ticket for f in items] == [bad]
    f = items[0]
    assert (f.department, f.lead, f.staff, f.level, f.light) == ("县市场监管局", "lead1", "s1", 2, "green")
    assert [seq for seq, _ in f.history] == [rated["seq"] + 1, rated["seq"] + 2]  # opened, light
    fus.execute("verify", f.id, Actor.of("s1", "staff"), {"outcome": "rectify", "note": "调整叫号"})
    hall.store.close()

    clock.advance(4 * 86400)  # Tuesday 12-01: the fix was due Tuesday; a new day recomputes
    hall2, fus2 = open_ledger(tmp_path / "hall.db", clock)
    again = fus2.get(f.id)
    assert again.state.value == "rectifying" and again.fix_due.isoformat() == "2026-12-01"
    assert again.light == "yellow"
    clock.advance(86400)
    hall2.tick()
    assert fus2.get(f.id).light == "red"
    assert hall2.execute("issue", {"queue": "general"})["seq"] == fus2.ledger.last_seq + 1
    hall2.store.close()


def test_a_bad_rating_stored_without_its_follow_up_gets_one_at_start(tmp_path):
    clock = FakeClock(at(10))
    hall, _ = open_ledger(tmp_path / "hall.db", clock, followups=False)  # the ledger is not running
    hall.execute("open_window", {"window": "w1", "staff": "s1"})
    ticket = served(hall)
    hall.execute("rate", {"ticket": ticket, "level": 1, "text": "态度差"})
    assert followup_events(hall.store) == []
    hall.store.close()

    clock.advance(86400)  # found the next day: its clocks still run from the rating
    hall2, fus = open_ledger(tmp_path / "hall.db", clock)
    assert [(f.ticket, f.opened_ts, f.opened_day.isoformat()) for f in fus.listing()] == [(ticket, at(10), "2026-11-27")]
    hall2.store.close()
    hall3, fus3 = open_ledger(tmp_path / "hall.db", clock)
    assert len(fus3.listing()) == 1  # found once, not again on the next start
    hall3.store.close()
