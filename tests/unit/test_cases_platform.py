"""The reference platform's side of cases: case records stored and listed, back-office updates
checked before they are published, and the records' checks on every hop."""
from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from sync import records
from sync.platform.app import create_platform_app
from sync.platform.config import load_settings
from sync.platform.datasets import InvalidItem, check
from sync.platform.db import Database
from sync.platform.store import PlatformStore

ADMIN, HALL = "admin-token-0123456789", "hall-a-token-0123456789"
ENV = {"YICIBAN_PLATFORM_ADMIN_TOKEN": ADMIN, "YICIBAN_PLATFORM_NODES": f"hall-a={HALL}"}
NUMBER = "3708292026000001"


def record(seq, type, payload):
    return {"key": str(uuid.uuid4()), "seq": seq, "type": type, "created": 1_700_000_000.0, "payload": payload}


def event(seq, kind, state, light=None):
    return record(seq, records.CASE_EVENT, {"seq": seq * 10, "type": kind, "data": {"case": NUMBER},
                                            "case": {"number": NUMBER, "state": state, "light": light,
                                                     "due": "2026-11-30"}})


@pytest.fixture
def api(platform_database):  # SQLite and PostgreSQL
    store = PlatformStore(Database(platform_database), clock=lambda: 1_800_000_000.0)
    with TestClient(create_platform_app(store, load_settings(env=ENV))) as c:
        yield c
    store.close()


def test_cases_are_listed_as_their_latest_records_left_them(api):
    batch = [event(1, "case.created", "presubmitted"), event(2, "case.accepted", "accepted"),
             event(3, "case.light", "accepted", "green"),
             record(4, records.CASE_LIGHTS, {"day": "2026-11-26", "changes": [
                 {"seq": 41, "case": NUMBER, "light": "yellow", "due": "2026-11-30", "provisional": False},
                 {"seq": 42, "case": "3708292026000999", "light": "red"}]})]
    r = api.post("/api/v1/sync/push", json={"items": batch}, headers={"Authorization": f"Bearer {HALL}"})
    assert [x["status"] for x in r.json()["results"]] == ["accepted"] * 4
    cases = api.get("/api/v1/admin/cases", headers={"Authorization": f"Bearer {ADMIN}"}).json()["cases"]
    assert [(c["number"], c["state"], c["light"], c["last_event"]) for c in cases] == [
        (NUMBER, "accepted", "yellow", "case.light")]
    assert api.get("/api/v1/admin/cases", params={"state": "closed"},
                   headers={"Authorization": f"Bearer {ADMIN}"}).json()["cases"] == []


@pytest.mark.parametrize("payload,reason", [
    ({"seq": 1, "type": "ticket.issued", "data": {}, "case": {"number": "1", "state": "x"}}, "case.*"),
    ({"seq": 1, "type": "case.created", "data": {}}, "with its number"),
    ({"seq": "1", "type": "case.created", "data": {}}, "integer seq"),
])
def test_a_bad_case_record_is_refused_with_its_reason(payload, reason):
    assert reason in records.check_item(record(1, records.CASE_EVENT, payload))


def test_a_bad_lights_record_is_refused():
    bad = record(1, records.CASE_LIGHTS, {"changes": [{"case": NUMBER, "light": "blue", "seq": 1}]})
    assert "green/yellow/red" in records.check_item(bad)


@pytest.mark.parametrize("item,needle", [
    ({"id": "u1", "node": "hall-a", "case": NUMBER, "action": "deleted"}, "action must be one of"),
    ({"id": "u1", "node": "hall-a", "case": NUMBER, "action": "step_started"}, "step must be"),
    ({"id": "u1", "node": "hall-a", "case": NUMBER, "action": "concluded"}, "approved"),
    ({"id": "u1", "case": NUMBER, "action": "step_finished"}, "node must be"),
])
def test_case_updates_are_checked_before_publishing(item, needle):
    with pytest.raises(InvalidItem, match=needle):
        check("case_updates", item)
    good = {"id": "u1", "node": "hall-a", "case": NUMBER, "action": "concluded", "approved": False}
    assert check("case_updates", good) == ("hall-a", "u1")
