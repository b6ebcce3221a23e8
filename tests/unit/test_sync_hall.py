"""The hall's side of sync: its events in the outbox, devices pushing through it, operators
seeing how delivery goes, devices pulling the hall's copy of the reference data."""
from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from sync.protocol import Change
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.unit.hallfixtures import FakeClock, at
from yiciban.cli import main as cli

A = "/api/v1"
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def hall(tmp_path):
    config = load_config(write_small_hall(tmp_path))
    app = create_app(config, tmp_path / "data", clock=FakeClock(at(9)))
    with TestClient(app) as c:
        yield c, app, tmp_path / "data"


def outbox(app):
    return app.state.service.store.conn.execute(
        "SELECT key, type, payload, sealed, state, origin FROM sync_outbox ORDER BY id").fetchall()


def item(**kw):
    return {"key": str(uuid.uuid4()), "seq": 3, "type": "device.health", "created": at(9),
            "payload": {"device": "pad-w1", "status": "ready"}, **kw}


def test_every_queue_event_has_its_outbox_row(hall):
    c, app, _ = hall
    c.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
    c.post(f"{A}/windows/w1/open", headers=bearer(TOKENS["operator"]))
    c.post(f"{A}/windows/w1/call-next", headers=bearer(TOKENS["operator"]))
    rows = outbox(app)
    events = app.state.service.store.events_after(0)
    assert [json.loads(r[2])["seq"] for r in rows] == [e.seq for e in events]
    assert {r[1] for r in rows} == {"queue.event"} and len({r[0] for r in rows}) == len(rows)


def test_devices_push_their_records_through_the_hall(hall):
    c, app, _ = hall
    kiosk = bearer(TOKENS["kiosk"])
    app_item = item(type="application", payload={"matter": "000131128000"},
                    personal={"name": "张三", "id_number": ID_NUMBER})
    health = item(payload={"device": "kiosk-1", "status": "ready"})
    r = c.post(f"{A}/sync/push", json={"node": "kiosk-1", "items": [health, app_item, {"key": "x"}]}, headers=kiosk)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "accepted", "rejected"]
    r = c.post(f"{A}/sync/push", json={"items": [health]}, headers=kiosk)
    assert r.json()["results"][0]["status"] == "duplicate"
    rows = [row for row in outbox(app) if row[5] == "kiosk-1"]
    assert [row[1] for row in rows] == ["device.health", "application"]
    assert rows[1][3] and ID_NUMBER.encode() not in rows[1][3] and ID_NUMBER not in rows[1][2]


@pytest.mark.parametrize("who", ["display", "staff"])
def test_only_devices_that_record_things_may_push(hall, who):
    c, _, _ = hall
    headers = login(c, "wang") if who == "staff" else bearer(TOKENS["display"])
    assert c.post(f"{A}/sync/push", json={"items": [item()]}, headers=headers).status_code == 403


def test_a_push_for_another_device_or_not_a_batch_is_refused(hall):
    c, _, _ = hall
    pad = bearer(TOKENS["pad"])
    assert c.post(f"{A}/sync/push", json={"node": "kiosk-9", "items": []}, headers=pad).status_code == 403
    assert c.post(f"{A}/sync/push", json={"records": []}, headers=pad).status_code == 422
    assert c.post(f"{A}/sync/push", content=b"[", headers={**pad, "Content-Type": "application/json"}).status_code == 422


def test_operators_see_waiting_and_set_aside_records_without_their_content(hall):
    c, app, data = hall
    c.post(f"{A}/sync/push", headers=bearer(TOKENS["kiosk"]),
           json={"items": [item(type="application", payload={"matter": "000131128000"},
                                personal={"id_number": ID_NUMBER})]})
    conn = app.state.service.store.conn
    conn.execute("UPDATE sync_outbox SET state = 'dead', last_error = 'matter unknown to the province'"
                 " WHERE origin IS NOT NULL")
    assert c.get(f"{A}/sync/status", headers=bearer(TOKENS["dispenser"])).status_code == 403
    r = c.get(f"{A}/sync/status", headers=bearer(TOKENS["operator"]))
    body = r.json()
    assert body["dead"] == 1 and body["dead_letters"][0]["reason"] == "matter unknown to the province"
    assert body["upstream"] is None and body["running"] is False
    assert ID_NUMBER not in r.text
    assert set(body["reference"]) == {"catalog", "announcements", "appointments", "calendar", "case_updates"}


def test_devices_pull_the_halls_copy_with_etags(hall):
    c, app, _ = hall
    ref = app.state.sync.reference
    ref.begin("announcements")
    ref.stage("announcements", [Change("n1", 4, False, {"id": "n1", "title": "元旦安排", "body": "…"})])
    ref.apply("announcements", 4, '"announcements.4"')
    kiosk = bearer(TOKENS["dispenser"])
    r = c.get(f"{A}/sync/pull/announcements", headers=kiosk)
    assert r.status_code == 200 and r.headers["ETag"] == '"announcements.4"'
    assert r.json()["changes"][0]["body"]["title"] == "元旦安排"
    r = c.get(f"{A}/sync/pull/announcements", headers={**kiosk, "If-None-Match": '"announcements.4"'})
    assert r.status_code == 304
    assert c.get(f"{A}/sync/pull/secrets", headers=kiosk).status_code == 404
    assert c.get(f"{A}/sync/pull/catalog?cursor=%%%", headers=kiosk).status_code == 422


def test_sync_status_and_retry_from_the_command_line(hall, capsys):
    c, app, data = hall
    c.post(f"{A}/sync/push", headers=bearer(TOKENS["pad"]), json={"items": [item()]})
    app.state.service.store.conn.execute(
        "UPDATE sync_outbox SET state = 'dead', last_error = 'refused' WHERE origin IS NOT NULL")
    assert cli(["--log-level", "ERROR", "sync", "status", "--data-dir", str(data), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["dead"] == 1 and report["dead_letters"][0]["reason"] == "refused"
    assert cli(["--log-level", "ERROR", "sync", "retry", "--data-dir", str(data)]) == 0
    assert "1 records back in line" in capsys.readouterr().out
    assert cli(["--log-level", "ERROR", "sync", "status", "--data-dir", str(data)]) == 0
    assert "outbox: 2 waiting" in capsys.readouterr().out  # day.started and the device's health


def test_a_malformed_push_is_described_without_echoing_its_content(hall):
    c, _, _ = hall
    r = c.post(f"{A}/sync/push", json={"items": [], "identity": {"name": "欧阳测试", "id_number": ID_NUMBER}},
               headers=bearer(TOKENS["pad"]))
    assert r.status_code == 422 and "identity" in r.json()["message"]
    assert ID_NUMBER not in r.text and "欧阳测试" not in r.text
