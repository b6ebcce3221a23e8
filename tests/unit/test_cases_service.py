"""The case service over the hall's store: one sequence with tickets, durable numbers, lights on a new day."""
import pytest

from hall.case_service import CaseService
from hall.cases.errors import CaseTransition
from hall.cases.model import Applicant, CasePolicy
from hall.service import HallService, IdempotencyConflict
from hall.store import HallStore, StoreError
from tests.unit.casefixtures import ALL_GIVEN, MATTERS, calendar, person
from tests.unit.hallfixtures import FakeClock, at, small_hall

CREATE = {"matter": "000131128000", "channel": "window", "window": "w1", "staff": "s1", "materials": ALL_GIVEN}


def open_service(path, clock, outbox=None):
    hall = HallService(small_hall(), HallStore(path), clock=clock, outbox=outbox)
    return CaseService(hall, MATTERS, CasePolicy(area="370829"), calendar())


def test_case_events_share_the_hall_sequence_and_survive_a_restart(tmp_path):
    clock = FakeClock(at(9))  # Friday 2026-11-27
    cases = open_service(tmp_path / "hall.db", clock)
    cases.hall.execute("issue", {"queue": "general"})
    created = cases.execute("create", {**CREATE, "applicant": person()})
    number = created["case"]["number"]
    accepted = cases.execute("accept", {"case": number})
    assert accepted["events"] == ["case.accepted", "case.light"]
    assert accepted["case"]["due"] == "2026-12-04" and accepted["case"]["light"] == "green"
    ticket = cases.hall.execute("issue", {"queue": "general"})
    assert ticket["seq"] == accepted["seq"] + 1  # one sequence, no gaps
    cases.store.close()

    again = open_service(tmp_path / "hall.db", clock)
    assert again.case(number).state.value == "accepted"
    assert again.execute("create", {**CREATE, "applicant": person(2)})["case"]["serial"] == 2
    rows = again.store._query("SELECT number, state, light, due FROM cases ORDER BY serial")
    assert rows[0] == (number, "accepted", "green", "2026-12-04")
    again.store.close()


def test_a_new_day_recomputes_the_lights(tmp_path):
    clock = FakeClock(at(9, day=23))  # Monday
    cases = open_service(tmp_path / "hall.db", clock)
    number = cases.execute("create", {**CREATE, "applicant": person()})["case"]["number"]
    cases.execute("accept", {"case": number})
    clock.now = at(8, day=26)
    cases.hall.tick()  # the hall's day ticker
    c = cases.case(number)
    assert (c.light, c.due) == ("yellow", "2026-11-30")
    clock.now = at(8) + 5 * 86400  # Wednesday 2 December
    cases.hall.tick()
    assert cases.case(number).light == "red"
    assert cases.stats()["open_by_light"] == {"green": 0, "yellow": 0, "red": 1}
    cases.store.close()


def test_a_refused_command_stores_nothing(tmp_path):
    cases = open_service(tmp_path / "hall.db", FakeClock(at(9)))
    number = cases.execute("create", {**CREATE, "applicant": person()})["case"]["number"]
    seq = cases.store.last_seq()
    with pytest.raises(CaseTransition):
        cases.execute("conclude", {"case": number, "approved": True})
    assert cases.store.last_seq() == seq == cases.hall.last_seq
    cases.store.close()


def test_a_failed_write_leaves_memory_as_stored(tmp_path):
    cases = open_service(tmp_path / "hall.db", FakeClock(at(9)))
    number = cases.execute("create", {**CREATE, "applicant": person()})["case"]["number"]
    with cases.store._transaction():  # a row in the way of the next number: its insert fails
        cases.store.conn.execute("INSERT INTO cases VALUES ('3708292026000002', 2026, 99, 'x', NULL, 'closed',"
                                 " NULL, NULL, 0)")
    with pytest.raises(StoreError):
        cases.execute("create", {**CREATE, "applicant": person(2)})
    assert list(cases.book.cases) == [number]
    assert cases.hall.last_seq == cases.store.last_seq()
    cases.store.close()


def test_idempotency_keys(tmp_path):
    cases = open_service(tmp_path / "hall.db", FakeClock(at(9)))
    first = cases.execute("create", {**CREATE, "applicant": person()}, idempotency_key="k1")
    again = cases.execute("create", {**CREATE, "applicant": person()}, idempotency_key="k1")
    assert again == first and len(cases.book.cases) == 1
    with pytest.raises(IdempotencyConflict):
        cases.execute("create", {**CREATE, "applicant": person(2)}, idempotency_key="k1")
    cases.store.close()



def test_case_records_for_the_platform(tmp_path):
    """Each case event is a case.event record (identity in `personal`, sealed); a day change's
    lights go as case.lights records, many cases to one."""
    import json
    import os
    from types import SimpleNamespace

    from sync.crypto import Sealer
    from sync.outbox import Outbox, migrate

    clock = FakeClock(at(9, day=23))
    store = HallStore(tmp_path / "hall.db")
    migrate(store.conn, store.lock)
    sync = SimpleNamespace(outbox=Outbox(Sealer(os.urandom(32)), clock), reference=None)
    cases = CaseService(HallService(small_hall(), store, clock=clock), MATTERS, CasePolicy(area="370829"),
                        calendar(), sync)
    numbers = [cases.execute("create", {**CREATE, "applicant": person(i)})["case"]["number"] for i in range(3)]
    for n in numbers:
        cases.execute("accept", {"case": n})
    rows = store.conn.execute("SELECT type, payload, sealed FROM sync_outbox ORDER BY id").fetchall()
    assert [json.loads(p)["type"] for _, p, _ in rows] == ["case.created"] * 3 + ["case.accepted", "case.light"] * 3
    created = json.loads(rows[0][1])
    assert "applicant" not in created["data"] and rows[0][2] is not None  # sealed apart
    assert json.loads(rows[-1][1])["case"] == {**json.loads(rows[-1][1])["case"], "state": "accepted",
                                                "light": "green"}
    clock.now = at(8, day=26)
    cases.hall.tick()
    batch = store.conn.execute("SELECT type, payload FROM sync_outbox WHERE type = 'case.lights'").fetchall()
    assert len(batch) == 1
    assert sorted(c["case"] for c in json.loads(batch[0][1])["changes"]) == numbers
    assert {c["light"] for c in json.loads(batch[0][1])["changes"]} == {"yellow"}
    store.close()


def test_a_new_day_snapshots_the_cases_and_a_restart_starts_from_it(tmp_path):
    from hall.cases.state import CaseBook

    clock = FakeClock(at(9, day=23))
    cases = open_service(tmp_path / "hall.db", clock)
    org = {"credit_code": "91350100M000100Y43", "org_name": "某某商贸有限公司"}
    numbers = [cases.execute("create", {**CREATE, "applicant": a})["case"]["number"]
               for a in (person(), Applicant(**org))]
    cases.execute("accept", {"case": numbers[0]})
    cases.execute("start_step", {"case": numbers[0], "step": "鉴定"})
    cases.execute("request_correction", {"case": numbers[1], "items": [{"material": "委托书", "reason": "缺"}]})
    assert CaseBook.from_dict(cases.book.to_dict()) == cases.book
    clock.now = at(8, day=24)
    cases.hall.tick()
    seq, _ = cases.store.last_case_snapshot()
    assert seq == cases.book.last_seq
    views = {n: cases.view(cases.case(n)) for n in numbers}
    cases.execute("finish_step", {"case": numbers[0]})
    cases.store.close()

    again = open_service(tmp_path / "hall.db", clock)
    assert [e.seq for e in again.store.events_of_cases(seq)] == [again.book.last_seq]  # one event replayed
    assert again.view(again.case(numbers[1])) == views[numbers[1]]
    assert again.case(numbers[0]).steps[0].finished == "2026-11-24"
    again.store.close()
