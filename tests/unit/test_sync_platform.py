"""The reference platform: idempotent upserts by UUID, versioned reference data, its API.

The store's and the API's tests run on SQLite and on PostgreSQL (`platform_database`)."""
from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sync.platform.app import create_platform_app
from sync.platform.config import PlatformConfigError, load_settings
from sync.platform.datasets import InvalidItem
from sync.platform.db import Database, StorageError
from sync.platform.serve import openapi_text
from sync.platform.store import PlatformStore
from sync.reference import decode_cursor

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi" / "platform.json"
ADMIN, HALL_A, HALL_B = "admin-token-0123456789", "hall-a-token-0123456789", "hall-b-token-0123456789"
ENV = {"YICIBAN_PLATFORM_ADMIN_TOKEN": ADMIN,
       "YICIBAN_PLATFORM_NODES": f"hall-a={HALL_A},hall-b={HALL_B}"}


@pytest.fixture
def store(platform_database):
    s = PlatformStore(Database(platform_database), clock=lambda: 1_800_000_000.0)
    yield s
    s.close()


@pytest.fixture
def api(store):
    with TestClient(create_platform_app(store, load_settings(env=ENV))) as c:
        yield c


def item(seq=1, **kw):
    return {"key": str(uuid.uuid4()), "seq": seq, "type": "rating", "created": 1_700_000_000.0,
            "payload": {"level": 5}, **kw}


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_record_is_stored_once_however_often_it_comes(store):
    a, b = item(1), item(2)
    assert [r["status"] for r in store.push("hall-a", [a, b, a])] == ["accepted", "accepted", "duplicate"]
    assert [r["status"] for r in store.push("hall-a", [b, a])] == ["duplicate", "duplicate"]
    changed = {**a, "payload": {"level": 4}}
    (r,) = store.push("hall-a", [changed])
    assert r["status"] == "rejected" and "another record" in r["reason"]
    assert [x["key"] for x in store.records(node="hall-a")] == [a["key"], b["key"]]
    answers = store.stats()["nodes"]["hall-a"]["answers"]
    assert answers == {"accepted": 2, "duplicate": 3, "rejected": 1}


def test_records_are_ordered_by_the_nodes_sequence_not_by_any_clock(store):
    late, early = item(2, created=1_000.0), item(1, created=9e9)  # clocks a long way off, both ways
    store.push("hall-a", [late, early])
    assert [r["seq"] for r in store.records(node="hall-a")] == [1, 2]


def test_invalid_items_are_refused_one_by_one(store):
    results = store.push("hall-a", [item(1), {"key": "x"}, 42, item(3, type="rating", payload={"level": 1})])
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert "差评" in results[3]["reason"]


def test_an_operators_change_with_its_english_is_kept_whole(store):
    """A hall's notice, ticker and broadcast carry English beside the Chinese; the platform takes
    them as they come, and still takes a change from a hall that sends none."""
    changes = [
        {"at": 1_700_000_000.0, "who": "operator-1", "action": "notice.saved", "target": "parking", "before": None,
         "after": {"id": "parking", "kind": "notice", "title": "停车", "body": "地下车库", "title_en": "Parking",
                   "body_en": "Underground car park", "start": None, "expiry": None}},
        {"at": 1_700_000_001.0, "who": "operator-1", "action": "board.saved", "target": "board", "before": None,
         "after": {"layout": "calls", "tickers": ["欢迎"], "tickers_en": ["Welcome"], "led_idle": {}}},
        {"at": 1_700_000_002.0, "who": "operator-1", "action": "broadcast.sent", "target": "screens", "before": None,
         "after": {"text": "消防演练", "text_en": "Fire drill", "until": 1_700_000_600.0}},
        {"at": 1_700_000_003.0, "who": "operator-1", "action": "board.saved", "target": "board", "before": None,
         "after": {"layout": "calls", "tickers": ["欢迎"], "led_idle": {}}},  # a hall from before English
    ]
    results = store.push("hall-a", [item(i + 1, type="operator.change", payload=p) for i, p in enumerate(changes)])
    assert [r["status"] for r in results] == ["accepted"] * 4, results
    kept = [r["payload"] for r in store.records(node="hall-a", type="operator.change")]
    assert kept == changes


def test_publishing_makes_versions_and_pages_follow_the_cursor(store):
    v1, n = store.publish("catalog", [{"code": f"00013112800{i}", "name": f"事项{i}"} for i in range(5)])
    assert (v1, n) == (1, 5)
    assert store.publish("catalog", [{"code": "000131128000", "name": "事项0"}]) == (1, 0)  # unchanged
    version, changes, cursor = store.changes("catalog", "hall-a", 0, None, 2)
    seen = [c.id for c in changes]
    while cursor:
        decode_cursor(cursor)
        version, changes, cursor = store.changes("catalog", "hall-a", 0, cursor, 2)
        seen += [c.id for c in changes]
    assert version == 1 and len(seen) == 5
    v2, _ = store.publish("catalog", [{"code": "000131128001", "name": "改名"}], delete=["000131128002"])
    _, changes, _ = store.changes("catalog", "hall-a", v1, None, 100)
    assert {(c.id, c.deleted) for c in changes} == {("000131128001", False), ("000131128002", True)}
    v3, n = store.publish("catalog", [{"code": "000131128001", "name": "改名"}], replace=True)
    assert v3 == v2 + 1 and n == 3
    assert [i["code"] for i in store.items("catalog")] == ["000131128001"]


APPT = {"id": "a", "node": "n", "date": "2026-11-28", "slot_start": "09:00", "slot_end": "09:30",
        "matter": "000131128000"}


def test_appointments_may_carry_a_check_in_code_and_the_holders_keyed_hash(store):
    store.publish("appointments", [{**APPT, "code": "QR7K2M9PX4", "holder": "ab" * 32}])
    assert store.items("appointments")[0]["code"] == "QR7K2M9PX4"


def test_appointments_may_carry_the_bookers_phone_as_keyed_hash_and_masked_form(store):
    store.publish("appointments", [{**APPT, "phone_hash": "cd" * 32, "phone_masked": "138****5678"}])
    item = store.items("appointments")[0]
    assert (item["phone_hash"], item["phone_masked"]) == ("cd" * 32, "138****5678")


def test_appointments_go_only_to_their_hall(store):
    appt = {"id": "a1", "node": "hall-b", "date": "2026-11-28", "slot_start": "09:00", "slot_end": "09:30",
            "queue": "general"}
    store.publish("appointments", [appt])
    assert store.changes("appointments", "hall-a", 0, None, 10)[1] == []
    assert [c.id for c in store.changes("appointments", "hall-b", 0, None, 10)[1]] == ["a1"]


@pytest.mark.parametrize(("dataset", "bad", "needle"), [
    ("catalog", {"code": "12", "name": "x"}, "12-digit"),
    ("calendar", {"date": "2027-02-30", "workday": False}, "ISO date"),
    ("calendar", {"date": "2027-02-06", "workday": "yes"}, "workday"),
    ("appointments", {"id": "a", "node": "n", "date": "2026-11-28", "slot_start": "10:00",
                      "slot_end": "09:00", "queue": "q"}, "after slot_start"),
    ("appointments", {**APPT, "code": "QR7"}, "check-in code"),
    ("appointments", {**APPT, "code": "QR7K2M9PX4预约"}, "check-in code"),
    ("appointments", {**APPT, "holder": "11010519491231002X"}, "keyed hash"),
    ("appointments", {**APPT, "holder": "AB" * 32}, "keyed hash"),
    ("appointments", {**APPT, "id_number": "11010519491231002X"}, "must not carry id_number"),
    ("appointments", {**APPT, "phone": "13812345678"}, "must not carry phone"),
    ("appointments", {**APPT, "phone_hash": "cd" * 32, "mobile": "13812345678"}, "must not carry mobile"),
    ("appointments", {**APPT, "phone_hash": "13812345678"}, "keyed hash of the booker"),
    ("appointments", {**APPT, "phone_hash": "cd" * 32, "phone_masked": "13812345678"}, "138\\*\\*\\*\\*5678"),
    ("appointments", {**APPT, "phone_masked": "138****5678"}, "comes with phone_hash"),
    ("announcements", {"id": "n", "title": "t", "body": "b", "valid_from": "2026-13-01"}, "ISO date"),
    ("announcements", {"id": "n", "title": "t", "body": "b", "valid_from": "2026-11-28",
                       "valid_until": "2026-11-27"}, "not be before"),
])
def test_bad_reference_items_are_refused_before_anything_changes(store, dataset, bad, needle):
    with pytest.raises(InvalidItem, match=needle):
        store.publish(dataset, [bad])
    assert store.version(dataset) == 0


def test_a_full_disk_is_a_storage_error_and_the_database_stays_whole(tmp_path):
    path = tmp_path / "full.db"
    store = PlatformStore(Database(path))
    store.push("hall-a", [item(1)])
    store.db._conn().execute(f"PRAGMA max_page_count={store.db._conn().execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(StorageError) as exc:
        store.push("hall-a", [item(i, payload={"level": 5, "reasons": ["x" * 3000]}) for i in range(2, 60)])
    assert exc.value.full and "full" in str(exc.value)
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM records").fetchone()[0] == 1


def test_api_push_needs_the_nodes_token_and_answers_per_item(api):
    assert api.post("/api/v1/sync/push", json={"items": []}).status_code == 401
    assert api.post("/api/v1/sync/push", json={"items": []}, headers=auth("wrong-token-0123456789")).status_code == 401
    r = api.post("/api/v1/sync/push", json={"node": "hall-b", "items": []}, headers=auth(HALL_A))
    assert r.status_code == 403
    a = item(1)
    r = api.post("/api/v1/sync/push", json={"node": "hall-a", "items": [a, {"key": "bad"}]}, headers=auth(HALL_A))
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "rejected"]
    r = api.post("/api/v1/sync/push", content=b'{"items": [', headers={**auth(HALL_A), "Content-Type": "application/json"})
    assert r.status_code == 400


def test_api_pull_uses_etags(api):
    r = api.post("/api/v1/admin/datasets/calendar", headers=auth(ADMIN),
                 json={"upsert": [{"date": "2027-02-06", "workday": True, "name": "春节调休"}]})
    assert r.json() == {"dataset": "calendar", "version": 1, "changed": 1}
    r = api.get("/api/v1/sync/pull/calendar", headers=auth(HALL_A))
    assert r.status_code == 200 and r.headers["ETag"] == '"calendar.1"'
    assert r.json()["changes"][0]["body"]["name"] == "春节调休"
    r = api.get("/api/v1/sync/pull/calendar", headers={**auth(HALL_A), "If-None-Match": '"calendar.1"'})
    assert r.status_code == 304
    assert api.get("/api/v1/sync/pull/nonsense", headers=auth(HALL_A)).status_code == 422
    assert api.get("/api/v1/sync/pull/catalog?cursor=zzz", headers=auth(HALL_A)).status_code == 422


def test_admin_api_needs_the_admin_token_and_shows_ratings(api):
    assert api.get("/api/v1/admin/stats", headers=auth(HALL_A)).status_code == 401
    api.post("/api/v1/sync/push", json={"items": [item(1, payload={"level": 2, "reasons": ["等候时间过长"],
                                                                     "window": "w1"})]}, headers=auth(HALL_A))
    rated = {"seq": 9, "type": "ticket.rated", "data": {"ticket": "20261127-A001", "level": 1, "reasons": [],
                                                        "text": "说话不耐烦", "window": "w2", "staff": "s2"}}
    api.post("/api/v1/sync/push", json={"items": [item(2, type="queue.event", payload=rated),
                                                  item(3, type="queue.event", payload={**rated, "type": "ticket.called"})]},
             headers=auth(HALL_A))
    ratings = api.get("/api/v1/admin/ratings", headers=auth(ADMIN)).json()["ratings"]
    assert [(r["source"], r["level"], r["window"]) for r in ratings] == [("rating", 2, "w1"), ("queue.event", 1, "w2")]
    assert ratings[1]["text"] == "说话不耐烦" and ratings[0]["node"] == "hall-a"
    r = api.post("/api/v1/admin/datasets/catalog", headers=auth(ADMIN), json={"upsert": [{"code": "1"}]})
    assert r.status_code == 422 and "upsert[0]" in r.json()["message"]


def test_storage_failures_ask_the_node_to_come_back_later(api, store, monkeypatch):
    def full(*a, **k):
        raise StorageError("the platform's storage is full (database or disk is full)", full=True)

    monkeypatch.setattr(store, "push", full)
    r = api.post("/api/v1/sync/push", json={"items": [item()]}, headers=auth(HALL_A))
    assert r.status_code == 503 and r.headers["Retry-After"] == "30" and r.json()["error"] == "storage_full"


def test_configuration_errors_name_the_place(tmp_path):
    path = tmp_path / "platform.toml"
    path.write_text('admin_token = "short"\n')
    with pytest.raises(PlatformConfigError, match="admin_token"):
        load_settings(path, env={})
    path.write_text('[[nodes]]\nid = "a"\ntoken = "same-token-0123456789"\n[[nodes]]\nid = "b"\ntoken = "same-token-0123456789"\n')
    with pytest.raises(PlatformConfigError, match="share a token"):
        load_settings(path, env={})


def test_committed_openapi_is_current():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi/platform.json is out of date: run `yiciban platform --openapi > docs/openapi/platform.json`")
