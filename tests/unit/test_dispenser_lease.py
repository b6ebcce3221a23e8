"""The dispenser's book of leases: numbers taken in order and kept on disk, and the bad input it
refuses with nothing issued (an overlapping block, yesterday's block, a clock gone back)."""
import pytest

from kiosk.models.dispenser_lease import LeaseBook, LeaseError, OfflineTicket
from tests.unit.hallfixtures import FakeClock, at

DAY = "2026-11-27"


def lease(first, last, queue="general", day=DAY, dispenser="d1", prefix="A"):
    return {"lease": f"{day.replace('-', '')}-{dispenser}-{queue}-{first}", "dispenser": dispenser, "queue": queue,
            "day": day, "first": first, "last": last, "prefix": prefix, "digits": 3, "granted_at": at(8)}


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def book(tmp_path, clock):
    b = LeaseBook(tmp_path / "leases.sqlite3", "Asia/Shanghai", clock=clock)
    yield b
    b.close()


def test_numbers_come_in_order_across_blocks_and_survive_a_restart(tmp_path, book, clock):
    book.add_lease(lease(1, 2))
    book.add_lease(lease(21, 30))
    numbers = []
    for _ in range(3):
        numbers.append(book.issue("general").number)
        clock.advance(5)
    assert numbers == ["A001", "A002", "A021"]
    assert book.remaining("general") == 9
    book.close()
    again = LeaseBook(tmp_path / "leases.sqlite3", "Asia/Shanghai", clock=clock)
    assert again.issue("general").number == "A022"
    waiting = [t for t, state, _ in again.tickets("pending")]
    assert [t.number for t in waiting] == ["A001", "A002", "A021", "A022"]
    assert waiting[0] == OfflineTicket("20261127-A001", "A001", "general", lease(1, 2)["lease"], at(9))
    again.close()


def test_an_overlapping_block_is_refused_and_nothing_changes(book):
    book.add_lease(lease(1, 10))
    with pytest.raises(LeaseError, match="overlaps lease 20261127-d1-general-1"):
        book.add_lease(lease(5, 14, dispenser="d1") | {"lease": "20261127-d1-general-5"})
    assert book.remaining("general") == 10
    assert book.add_lease(lease(1, 10)).first == 1  # the same grant again is no overlap
    book.add_lease(lease(1, 10, queue="property", prefix="B"))  # another queue's numbers are its own
    assert book.remaining("property") == 10


def test_a_block_of_another_day_is_not_taken(book):
    with pytest.raises(LeaseError, match="is for 2026-11-26, and today is 2026-11-27"):
        book.add_lease(lease(1, 10, day="2026-11-26"))
    with pytest.raises(LeaseError, match="not readable"):
        book.add_lease({"lease": "x"})


def test_yesterdays_block_issues_nothing_today(book, clock):
    book.add_lease(lease(1, 10))
    book.issue("general")
    clock.now = at(8, day=28)
    with pytest.raises(LeaseError, match="from 2026-11-27, and today is 2026-11-28"):
        book.issue("general")
    with pytest.raises(LeaseError, match="no numbers of social"):
        book.issue("social")
    assert book.pending_count() == 1


def test_a_clock_gone_back_across_midnight_issues_nothing(book, clock):
    clock.now = at(23, 50, day=26)
    book.add_lease(lease(1, 10, day="2026-11-26"))
    clock.now = at(0, 5, day=27)
    book.add_lease(lease(1, 10))
    assert book.issue("general").id == "20261127-A001"
    clock.now = at(23, 58, day=26)
    with pytest.raises(LeaseError, match="went back across midnight"):
        book.issue("general")
    assert [t.id for t, _, _ in book.tickets()] == ["20261127-A001"]


def test_a_clock_gone_back_within_the_day_keeps_the_order_printed(book, clock):
    book.add_lease(lease(1, 10))
    first = book.issue("general")
    clock.advance(-30)
    second = book.issue("general")
    assert second.issued_at == first.issued_at and second.number == "A002"


def test_settling_hand_ins(book, clock):
    book.add_lease(lease(1, 10))
    a, b, c = (book.issue("general") for _ in range(3))
    book.settle(a.id)
    book.settle(b.id, refused="409 stale_lease: yesterday")
    book.settle(c.id, failed="hall away")
    assert book.due() == []  # c waits for its backoff
    assert [t.id for t in book.due(force=True)] == [c.id]
    states = {t.id: (state, why) for t, state, why in book.tickets()}
    assert states[b.id] == ("dead", "409 stale_lease: yesterday")
    assert states[a.id][0] == "acked"
