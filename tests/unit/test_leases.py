"""The hall's side of the dispensers' leases: blocks that never overlap, tickets handed in that
keep their number and their place in line, and the bad input that must change nothing."""
import sqlite3

import pytest

from hall.domain.errors import InvalidCommand, NotFound
from hall.leases import CheckedInAlready, LeaseConflict, StaleLease
from hall.service import HallService
from hall.store import HallStore, StoreError
from tests.unit.hallfixtures import FakeClock, at, small_hall


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def svc(tmp_path, clock):
    """A hall at nine in the morning with nothing issued yet."""
    store = HallStore(tmp_path / "hall.db")
    return HallService(small_hall(), store, clock=clock)


def grant(svc, dispenser="d1", queue="general", size=10):
    return svc.execute("grant_lease", {"dispenser": dispenser, "queue": queue, "size": size})["lease"]


def hand_in(svc, lease, nth, issued_at, dispenser="d1", **kw):
    """Hands in the lease's `nth` number (1: its first)."""
    number = f"{lease['prefix']}{lease['first'] + nth - 1:03d}"
    params = {"dispenser": dispenser, "lease": lease["lease"], "number": number, "issued_at": issued_at, **kw}
    return svc.execute("issue_leased", params)["ticket"]


def issue(svc, queue="general"):
    return svc.execute("issue", {"queue": queue})["ticket"]


def test_blocks_come_down_from_the_top_and_the_hall_still_starts_at_one(svc):
    a, b = grant(svc, "d1"), grant(svc, "d2")
    assert (a["first"], a["last"], b["first"], b["last"]) == (990, 999, 980, 989)
    assert issue(svc)["number"] == "A001"
    assert grant(svc, "d1", queue="property")["first"] == 990  # each queue its own numbers


def test_the_hall_steps_over_blocks_and_a_block_never_reaches_down_to_its_numbers(svc):
    for _ in range(97):
        grant(svc, size=10)  # 30 to 999 leased
    assert svc.state.leased("general")[0] == (30, 39)
    numbers = [issue(svc)["number"] for _ in range(30)]
    assert numbers[:3] == ["A001", "A002", "A003"] and numbers[-2:] == ["A029", "A1000"]
    late = grant(svc, size=10)  # below A030 the hall's own numbers are: above everything instead
    assert (late["first"], late["last"]) == (1001, 1010)
    assert issue(svc)["number"] == "A1011"
    issued = {t.number for t in svc.state.tickets.values()}
    leased = {f"A{n:03d}" for first, last in svc.state.leased("general") for n in range(first, last + 1)}
    assert not issued & leased


def test_handed_in_tickets_take_their_place_by_print_time(svc, clock):
    a, b = grant(svc, "d1"), grant(svc, "d2")
    printed = clock.now
    clock.advance(60)
    online = issue(svc)  # A021, issued after the offline ones were printed
    clock.advance(60)
    late = hand_in(svc, b, 1, printed + 20, dispenser="d2")
    early = hand_in(svc, a, 1, printed + 10)
    assert (early["number"], late["number"]) == ("A990", "A980")
    svc.execute("open_window", {"window": "w1"})
    called = []
    for _ in range(3):
        called.append(svc.execute("call_next", {"window": "w1"})["ticket"]["number"])
        svc.execute("finish", {"window": "w1"})
    assert called == ["A990", "A980", online["number"]]
    # its wait counts from when it was printed
    assert svc.stats()["queues"]["general"]["max_wait_seconds"] == 110  # A001: printed +10 s, called +120 s


def test_leases_and_handed_in_tickets_survive_a_restart(tmp_path, clock):
    path = tmp_path / "hall.db"
    svc = HallService(small_hall(), HallStore(path), clock=clock)
    lease = grant(svc)
    hand_in(svc, lease, 1, clock.now)
    svc.store.close()
    again = HallService(small_hall(), HallStore(path), clock=clock)
    assert issue(again)["number"] == "A001"
    assert again.store.leases_of_day("2026-11-27") == [(lease["lease"], "d1", "general", 990, 999)]
    with pytest.raises(LeaseConflict, match="已在今天的队列中"):
        hand_in(again, lease, 1, clock.now)


def test_another_dispensers_lease_or_a_number_outside_it_is_refused(svc, clock):
    a = grant(svc, "d1")
    seq = svc.last_seq
    with pytest.raises(LeaseConflict, match="属于 d1"):
        hand_in(svc, a, 1, clock.now, dispenser="d2")
    with pytest.raises(LeaseConflict, match="不在租约"):
        hand_in(svc, a, 11, clock.now)
    with pytest.raises(LeaseConflict, match="不在租约"):
        hand_in(svc, a, 0, clock.now)
    with pytest.raises(NotFound):
        svc.execute("issue_leased", {"dispenser": "d1", "lease": "nonsense", "number": "A001", "issued_at": clock.now})
    for wrong in ("A990 ", "B990", "A0990", "A"):
        with pytest.raises(InvalidCommand, match="不是 general 的票号"):
            svc.execute("issue_leased", {"dispenser": "d1", "lease": a["lease"], "number": wrong,
                                         "issued_at": clock.now})
    assert svc.last_seq == seq and len(svc.state.tickets) == 0


def test_an_overlapping_block_is_refused_by_the_store_itself(svc, clock):
    lease = grant(svc)
    with pytest.raises(sqlite3.IntegrityError, match="overlaps"), svc.store._transaction():
        svc.store.conn.execute("INSERT INTO leases VALUES ('x', 'd2', '2026-11-27', 'general', 985, 992, 99)")
    # a state that lost a block (a bug, an edited store) still cannot grant its numbers again
    svc.engine.state.leases.clear()
    with pytest.raises(StoreError, match="overlaps"):
        grant(svc, "d2")
    assert [x[0] for x in svc.store.leases_of_day("2026-11-27")] == [lease["lease"]]
    assert svc.state.leased("general") == [(990, 999)]  # the state went back to what was stored


def test_yesterdays_lease_and_a_print_time_across_midnight_are_refused(svc, clock):
    lease = grant(svc)
    with pytest.raises(StaleLease, match="不在租约的日期"):
        hand_in(svc, lease, 1, at(23, 59, day=26))
    clock.now = at(8, day=28)
    with pytest.raises(StaleLease, match="属于 2026-11-27"):
        hand_in(svc, lease, 2, at(17, day=27))
    assert svc.state.tickets == {}


def test_a_clock_ahead_of_the_hall_is_refused(svc, clock):
    lease = grant(svc)
    with pytest.raises(Exception, match="走快了"):
        hand_in(svc, lease, 1, clock.now + 3600)


def test_the_hall_clock_going_back_across_midnight_issues_nothing_twice(svc, clock):
    issue(svc)
    clock.now = at(0, 5, day=28)
    assert issue(svc)["number"] == "A001"
    clock.now = at(23, 58, day=27)  # set back across midnight: the hall stays in its day
    assert issue(svc)["number"] == "A002"
    lease = grant(svc)
    assert lease["day"] == "2026-11-28"
    svc.tick()  # the day ticker does not reopen yesterday
    clock.now = at(0, 6, day=28)
    assert issue(svc)["number"] == "A003"
    numbers = [e.data["number"] for e in svc.store.events_after(0) if e.type == "ticket.issued"
               and e.data["ticket"].startswith("20261128")]
    assert len(numbers) == len(set(numbers)) == 3


def test_a_ticket_whose_answer_was_lost_gives_way_to_the_one_printed_for_the_same_tap(svc, clock):
    lease = grant(svc)
    ghost = issue(svc)  # stored, then the hall went down before the dispenser heard
    printed = hand_in(svc, lease, 1, clock.now, replaces=ghost["id"])
    assert svc.ticket(ghost["id"])["state"] == "cancelled"
    assert printed["state"] == "waiting"
    assert [e.type for e in svc.store.events_after(0)][-2:] == ["ticket.cancelled", "ticket.issued"]
    # a replaced ticket already called is left alone
    svc.execute("open_window", {"window": "w1"})
    called = svc.execute("call_next", {"window": "w1"})["ticket"]
    hand_in(svc, lease, 2, clock.now, replaces=called["id"])
    assert svc.ticket(called["id"])["state"] == "called"


def test_a_kiosks_check_in_made_away_is_the_appointments_once_in_its_slot_from_its_print_time(svc, clock):
    kiosk = grant(svc, "kiosk-1")
    slot = {"slot_start": at(9), "slot_end": at(9, 30)}
    walk_in = issue(svc)
    t = hand_in(svc, kiosk, 1, at(9, 1), dispenser="kiosk-1", appointment="appt-1", **slot)
    assert t["priority"] == "appointment" and t["appointment"] == "appt-1"
    assert svc.state.ticket_of_appointment("appt-1").id == t["id"]
    seq = svc.last_seq
    with pytest.raises(CheckedInAlready, match=f"票号 {t['number']}"):
        hand_in(svc, kiosk, 2, at(9, 2), dispenser="kiosk-1", appointment="appt-1", **slot)
    with pytest.raises(InvalidCommand, match="预约时段"):
        hand_in(svc, kiosk, 2, at(9, 2), dispenser="kiosk-1", appointment="appt-2")
    assert svc.last_seq == seq
    rec = svc.state.tickets[t["id"]]
    assert (rec.slot_start, rec.slot_end, rec.order_at, rec.channel) == (at(9), at(9, 30), at(9, 1), "appointment")
    assert walk_in["number"] == "A001" and rec.number == "A990"  # the kiosk's block, not the hall's numbers


def test_a_check_in_stored_for_a_lost_answer_gives_way_only_while_it_waits(svc, clock):
    kiosk = grant(svc, "kiosk-1")
    slot = {"slot_start": at(9), "slot_end": at(9, 30)}
    ghost = svc.execute("issue", {"queue": "general", "priority": "appointment", "appointment": "appt-1",
                                  **slot})["ticket"]
    t = hand_in(svc, kiosk, 1, at(9, 1), dispenser="kiosk-1", appointment="appt-1", replaces=ghost["id"], **slot)
    assert svc.state.tickets[ghost["id"]].state.value == "cancelled"
    assert svc.state.ticket_of_appointment("appt-1").id == t["id"]
    called = svc.execute("issue", {"queue": "general", "priority": "appointment", "appointment": "appt-2",
                                   **slot})["ticket"]
    svc.execute("open_window", {"window": "w1"})
    svc.execute("call", {"window": "w1", "ticket": called["id"]})  # its holder is at the window already
    with pytest.raises(CheckedInAlready):
        hand_in(svc, kiosk, 2, at(9, 2), dispenser="kiosk-1", appointment="appt-2", replaces=called["id"], **slot)
