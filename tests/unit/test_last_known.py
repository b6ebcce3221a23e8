"""What the kiosk last heard about a ticket or a case: kept by its key, newest wins, bounded, and
nothing older than a day."""
from kiosk.models.terminal.last_known import MAX_AGE, LastKnown
from tests.unit.hallfixtures import FakeClock, at


def test_the_newest_answer_is_recalled_with_when_it_was_heard():
    clock = FakeClock(at(9))
    known = LastKnown(clock)
    known.remember("ticket", "20261127-A001", {"state": "waiting"})
    clock.advance(60)
    known.remember("ticket", "20261127-A001", {"state": "called"})
    got = known.recall("ticket", "20261127-A001")
    assert got is not None and got.answer == {"state": "called"} and got.at == at(9) + 60
    assert known.recall("case", "20261127-A001") is None  # a case is not a ticket
    known.remember("ticket", "", {"state": "waiting"})
    assert known.recall("ticket", "") is None


def test_old_and_overflowing_answers_are_forgotten():
    clock = FakeClock(at(9))
    known = LastKnown(clock, limit=2)
    for n in range(3):
        known.remember("ticket", f"t{n}", {"n": n})
    assert known.recall("ticket", "t0") is None and known.recall("ticket", "t2") is not None
    clock.advance(MAX_AGE + 1)
    assert known.recall("ticket", "t2") is None
