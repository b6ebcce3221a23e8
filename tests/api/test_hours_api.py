"""The hall refuses tickets when closed, at lunch, past a queue's cut-off or over its quota, with
a typed reason the screens show; appointments and staff at the counter follow their own rules;
a clock set back across midnight issues nothing twice. A real app on a fake clock."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.api.conftest import login
from tests.support.halls import small_hall_toml
from tests.unit.hallfixtures import FakeClock, at

OPENING = """
[opening]
hours = ["08:30-12:00", "13:30-17:30"]
cutoff_minutes = 30
[[opening.queues]]
queue = "property"
daily_quota = 2
"""


@pytest.fixture
def hall(tmp_path):
    """A hall with opening hours on Friday 2026-11-27 at 9:00."""
    (tmp_path / "hall.toml").write_text(small_hall_toml() + OPENING, encoding="utf-8")
    clock = FakeClock(at(9))
    app = create_app(load_config(tmp_path / "hall.toml"), tmp_path / "data", clock=clock)
    with TestClient(app) as client:
        yield client, clock


def issue(client, who, queue="general", **body):
    return client.post("/api/v1/tickets", json={"queue": queue, **body}, headers=who)


def test_a_quota_used_up_refuses_with_the_reason_and_the_next_opening(hall, dispenser):
    client, _ = hall
    assert [issue(client, dispenser, "property").status_code for _ in range(2)] == [201, 201]
    before = client.get("/api/v1/hall/hours", headers=dispenser).json()
    refused = issue(client, dispenser, "property")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["error"] == "not_issuing"
    assert answer["message"] == "今日号源已满，11月30日（周一）8:30开始取号"
    assert answer["details"]["reason"] == "quota"
    assert answer["details"]["opens_at"] == "2026-11-30T08:30+08:00"
    assert answer["details"]["opens_text"] == "11月30日（周一）8:30"
    assert answer["details"]["text_en"].startswith("Today's tickets are all taken.")
    after = client.get("/api/v1/hall/hours", headers=dispenser).json()
    assert before == after  # nothing issued by the refusal
    assert after["queues"]["property"] == {"issuing": False, "reason": "quota", "left": 0,
                                           "text": answer["message"], "text_en": answer["details"]["text_en"]}
    assert after["queues"]["general"]["issuing"] is True and after["state"] == "open"


def test_staff_at_the_counter_still_issue_and_appointments_are_not_held_to_the_quota(hall, dispenser):
    client, _ = hall
    for _ in range(2):
        issue(client, dispenser, "property")
    wang = login(client, "wang")
    assert issue(client, wang, "property").status_code == 201  # the counter's own call
    slot = {"slot_start": "2026-11-27T09:30:00+08:00", "slot_end": "2026-11-27T10:00:00+08:00"}
    booked = issue(client, dispenser, "property", priority="appointment", channel="appointment", **slot)
    assert booked.status_code == 201
    assert issue(client, dispenser, "property", channel="counter").json()["details"]["reason"] == "quota"


def test_lunch_closing_and_the_cut_off(hall, dispenser):
    client, clock = hall
    clock.now = at(12, 5)
    refused = issue(client, dispenser)
    assert (refused.status_code, refused.json()["message"]) == (409, "午休时间，今天13:30开始取号")
    hours = client.get("/api/v1/hall/hours", headers=dispenser).json()
    assert (hours["state"], hours["opens_text"], hours["opens_text_en"]) == ("lunch", "今天13:30", "13:30 today")
    clock.now = at(13, 30)
    assert issue(client, dispenser).status_code == 201
    clock.now = at(17, 0)
    assert issue(client, dispenser).json()["details"]["reason"] == "cutoff"
    clock.now = at(18, 0)
    closed = issue(client, dispenser).json()
    assert closed["details"]["reason"] == "closed" and closed["message"].startswith("大厅已闭厅，11月30日（周一）")


def test_a_clock_set_back_across_midnight_issues_no_number_twice(hall, operator, caplog):
    client, clock = hall
    clock.now = at(0, 5, day=28)  # Saturday: only the counter issues
    boss = login(client, "boss")
    first = issue(client, boss).json()["ticket"]
    clock.now = at(23, 58, day=27)  # set back into Friday
    second = issue(client, boss).json()["ticket"]
    assert first["id"] == "20261128-A001"
    assert second["id"] == "20261128-A002"  # Saturday's numbering goes on; Friday is not reopened
    assert sum("it was set back" in r.getMessage() for r in caplog.records) == 1
    snapshot = client.get("/api/v1/snapshot", headers=operator)
    assert snapshot.status_code == 200 and snapshot.json()["day"] == "2026-11-28"
