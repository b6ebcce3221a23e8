"""The queue service holds issues to the opening hours under its lock: an appointment's check-in
at lunch, staff at the counter after the cut-off, and two dispensers racing for the last ticket of
a quota, on a fake clock with a real store."""
from __future__ import annotations

import threading

import pytest

from hall.hours import NotIssuing
from hall.hours_config import OpeningConfig
from hall.opening import HallHours
from hall.service import HallService
from hall.store import HallStore
from sync.workdays import WorkCalendar
from tests.unit.hallfixtures import FakeClock, at, small_hall

RULES = OpeningConfig.model_validate({
    "hours": ["08:30-12:00", "13:30-17:30"], "cutoff_minutes": 30,
    "queues": [{"queue": "property", "daily_quota": 3}],
}).rules()


@pytest.fixture
def hall(tmp_path):
    clock = FakeClock(at(9))  # Friday 2026-11-27
    hours = HallHours(RULES, "Asia/Shanghai", WorkCalendar().is_workday,
                      {"general": "A", "property": "B", "social": "C"})
    service = HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=clock, hours=hours)
    yield service, clock
    service.store.close()


def test_an_appointment_checks_in_at_lunch_when_walk_ins_wait(hall):
    service, clock = hall
    clock.now = at(12, 10)
    with pytest.raises(NotIssuing) as refused:
        service.execute("issue", {"queue": "general"})
    assert refused.value.details["reason"] == "lunch" and service.last_seq == 1  # only the day's start
    answer, issued = service.check_in("appt-1", {"queue": "general", "priority": "appointment",
                                                 "slot_start": at(13, 30), "slot_end": at(14)})
    assert issued and answer["ticket"]["number"] == "A001"


def test_the_counter_issues_after_the_cut_off_and_counts_in_the_quota(hall):
    service, clock = hall
    for _ in range(2):
        service.execute("issue", {"queue": "property"})
    clock.now = at(17, 10)
    with pytest.raises(NotIssuing):
        service.execute("issue", {"queue": "property"})
    assert service.execute("issue", {"queue": "property", "channel": "counter"},
                           admit="counter")["ticket"]["number"] == "B003"
    clock.now = at(9, day=30)  # Monday: a new day, a new quota
    assert service.execute("issue", {"queue": "property"})["ticket"]["number"] == "B001"


def test_two_dispensers_racing_for_the_last_ticket_get_one(hall):
    service, _ = hall
    service.execute("issue", {"queue": "property"})
    service.execute("issue", {"queue": "property"})
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def dispenser() -> None:
        start.wait()
        try:
            outcomes.append(service.execute("issue", {"queue": "property"})["ticket"]["number"])
        except NotIssuing as exc:
            outcomes.append(str(exc.details["reason"]))

    threads = [threading.Thread(target=dispenser) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["B003", "quota", "quota", "quota"]
