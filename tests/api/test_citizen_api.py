"""The endpoints of the citizen screens: guides, announcements, tickets with a swiped ID card,
a citizen's tickets and appointments, a ticket's progress, appointment check-in.

Reference data reaches the hall's copy as sync brings it (tests/support/reference.py)."""
from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from ground.privacy import id_check_digit, keyed_hash
from hall.config import load_config
from hall.identity import load_identity_key
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.support.logscan import find_personal_data
from tests.support.reference import Platform
from tests.unit.hallfixtures import at

A = "/api/v1"
ZHANG = "11010519491231002X"
LI = "44030419900101001" + id_check_digit("44030419900101001")
GUIDE = "000131128000"


@pytest.fixture
def platform(tmp_path, client):
    p = Platform(tmp_path, client.app.state.sync.reference, "test-hall")
    yield p
    p.close()


def holder(tmp_path, number: str) -> str:
    """What the platform publishes: the number hashed with the hall's identity key."""
    return keyed_hash(number, load_identity_key(tmp_path / "data"))


def appointment(id: str, **kw) -> dict:
    return {"id": id, "node": "test-hall", "date": "2026-11-27", "slot_start": "09:00",
            "slot_end": "09:30", "matter": GUIDE, **kw}


def events(client, type_: str) -> list[dict]:
    return [e.data for e in client.app.state.service.store.events_after(0) if e.type == type_]


def seq(client, headers) -> int:
    return client.get(f"{A}/snapshot", headers=headers).json()["seq"]


# -- guides and announcements


def test_guides_are_the_halls_matters(client, dispenser):
    r = client.get(f"{A}/guides", headers=dispenser)
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "hall" and body["age_seconds"] is None
    [guide] = body["guides"]
    assert guide["code"] == GUIDE and guide["queue"] == "general" and guide["queue_name"] == "综合受理"
    assert guide["materials"][0]["name"] == "登记申请书" and guide["fee"] == "不收费"
    assert client.get(f"{A}/guides/{GUIDE}", headers=dispenser).json() == guide
    r = client.get(f"{A}/guides/999999999999", headers=dispenser)
    assert r.status_code == 404 and r.json()["error"] == "not_found" and "999999999999" in r.json()["message"]
    assert client.get(f"{A}/guides").status_code == 401


def test_the_platforms_catalog_overlays_the_halls_guides(client, dispenser, platform, clock):
    platform.publish("catalog", [
        {"code": GUIDE, "name": "个体工商户设立登记（新）", "promised_days": 1},
        {"code": "100000000001", "name": "不动产查询", "queue": "property"},
        {"code": "100000000002", "name": "别处的事项", "queue": "elsewhere"},
        {"code": "100000000003", "name": "无队列的事项"},
    ])
    clock.advance(120)
    body = client.get(f"{A}/guides", headers=dispenser).json()
    assert body["source"] == "platform" and body["age_seconds"] == 120.0
    assert [(g["code"], g["queue"], g["source"]) for g in body["guides"]] == [
        (GUIDE, "general", "platform"), ("100000000001", "property", "platform")]
    assert body["guides"][0]["name"] == "个体工商户设立登记（新）"
    assert client.get(f"{A}/guides/100000000002", headers=dispenser).status_code == 404
    r = client.post(f"{A}/tickets", json={"matter": "100000000001"}, headers=dispenser)
    assert r.status_code == 201 and r.json()["ticket"]["queue"] == "property"


def test_announcements_valid_today_from_the_platform_and_the_hall(tmp_path, clock):
    toml = write_small_hall(tmp_path)
    toml.write_text(toml.read_text(encoding="utf-8") + """
[[announcements]]
id = "hours"
title = "办事时间"
body = "工作日 9:00—17:00"

[[announcements]]
id = "old"
title = "旧公告"
body = "已过期"
valid_until = 2026-11-26
""", encoding="utf-8")
    app = create_app(load_config(toml), tmp_path / "data", clock=clock)
    with TestClient(app) as c:
        Platform(tmp_path, app.state.sync.reference, "test-hall").publish("announcements", [
            {"id": "n1", "title": "元旦安排", "body": "1月1日休息", "valid_from": "2026-11-20",
             "valid_until": "2026-11-27"},
            {"id": "n2", "title": "明天起", "body": "…", "valid_from": "2026-11-28"},
            {"id": "n3", "title": "长期", "body": "…"},
        ])
        r = c.get(f"{A}/announcements", headers=bearer(TOKENS["display"]))
    assert r.status_code == 200
    body = r.json()
    assert body["day"] == "2026-11-27" and body["source"] == "platform"
    assert [a["id"] for a in body["announcements"]] == ["n1", "n3", "hours"]
    assert body["announcements"][0] == {"id": "n1", "kind": "notice", "title": "元旦安排", "body": "1月1日休息",
                                        "valid_from": "2026-11-20", "valid_until": "2026-11-27",
                                        "published": None, "source": "platform"}


# -- identity on tickets


def test_a_swiped_card_leaves_only_its_keyed_hash_and_masked_form(client, dispenser, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    h = {**dispenser, "Idempotency-Key": "kiosk-1-swipe-1"}
    r = client.post(f"{A}/tickets", json={"queue": "general", "id_number": ZHANG.lower()}, headers=h)
    assert r.status_code == 201, r.text
    t = r.json()["ticket"]
    assert t["id_masked"] == "110105********002X"
    assert client.post(f"{A}/tickets", json={"queue": "general", "id_number": ZHANG.lower()},
                       headers=h).json()["ticket"]["id"] == t["id"]  # a retried swipe: one ticket
    wang = login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    client.post(f"{A}/windows/w1/call-next", headers=wang)
    client.post(f"{A}/windows/w1/finish", headers=wang)
    assert client.post(f"{A}/lookup", json={"id_number": ZHANG}, headers=dispenser).status_code == 200
    [issued] = events(client, "ticket.issued")
    assert issued["holder"] == holder(tmp_path, ZHANG) and issued["id_masked"] == "110105********002X"

    # the number is nowhere: not in the database files, the events, the outbox, the logs
    service = client.app.state.service
    for path in (tmp_path / "data").iterdir():
        if path.is_file():
            data = path.read_bytes()
            assert ZHANG.encode() not in data and ZHANG.lower().encode() not in data, path.name
    replay = json.dumps([e.to_dict() for e in service.store.events_after(0)], ensure_ascii=False)
    outbox = json.dumps(service.store.conn.execute("SELECT payload FROM sync_outbox").fetchall())
    for text in (replay, outbox, caplog.text, r.text):
        assert ZHANG not in text.upper() and find_personal_data(text) == []


def test_an_invalid_id_number_is_refused_without_repeating_it(client, dispenser):
    before = seq(client, dispenser)
    wrong = ZHANG[:-1] + "1"
    for path, body in ((f"{A}/tickets", {"queue": "general", "id_number": wrong}),
                       (f"{A}/lookup", {"id_number": wrong}),
                       (f"{A}/appointments/check-in", {"id_number": wrong})):
        r = client.post(path, json=body, headers=dispenser)
        assert r.status_code == 422, path
        assert r.json()["error"] == "invalid_id_number" and "身份证" in r.json()["message"]
        assert wrong not in r.text
    r = client.post(f"{A}/tickets", json={"queue": "general", "id_number": "1" * 40}, headers=dispenser)
    assert r.status_code == 422 and "1" * 40 not in r.text
    assert seq(client, dispenser) == before


# -- a citizen's tickets and appointments, a ticket's progress


def test_lookup_finds_todays_tickets_and_appointments_of_one_citizen(client, dispenser, operator,
                                                                     platform, tmp_path):
    platform.publish("appointments", [
        appointment("mine", holder=holder(tmp_path, ZHANG), slot_start="10:00", slot_end="10:30"),
        appointment("tomorrow", holder=holder(tmp_path, ZHANG), date="2026-11-28"),
        appointment("theirs", holder=holder(tmp_path, LI)),
    ])
    client.post(f"{A}/tickets", json={"queue": "property", "id_number": LI}, headers=dispenser)
    first = client.post(f"{A}/tickets", json={"queue": "property", "id_number": ZHANG},
                        headers=dispenser).json()
    client.post(f"{A}/tickets", json={"queue": "general", "id_number": ZHANG}, headers=dispenser)
    r = client.post(f"{A}/lookup", json={"id_number": ZHANG}, headers=dispenser)
    assert r.status_code == 200
    body = r.json()
    assert body["day"] == "2026-11-27" and body["id_masked"] == "110105********002X"
    assert [(t["number"], t["people_ahead"]) for t in body["tickets"]] == [("B002", 1), ("A001", 0)]
    assert body["tickets"][0]["estimated_wait_minutes"] > 0
    assert body["tickets"][0]["follow_path"] == first["follow_path"]
    [appt] = body["appointments"]
    assert appt["id"] == "mine" and appt["slot_start"] == "10:00" and appt["checked_in"] is False
    assert appt["admission"] == "early" and appt["queue"] == "general"
    assert appt["matter_name"] == "个体工商户设立登记"

    client.post(f"{A}/windows/w3/open", headers=operator)
    client.post(f"{A}/windows/w3/call-next", headers=operator)  # LI's B001
    client.post(f"{A}/windows/w3/finish", headers=operator)
    client.post(f"{A}/windows/w3/call-next", headers=operator)
    called = client.post(f"{A}/lookup", json={"id_number": ZHANG}, headers=dispenser).json()["tickets"][0]
    assert called["state"] == "called" and called["window_number"] == 3
    assert client.post(f"{A}/lookup", json={"id_number": ZHANG},
                       headers=bearer(TOKENS["display"])).status_code == 403


def test_progress_tells_people_ahead_the_wait_and_whether_it_was_rated(client, dispenser):
    ids = [client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser).json()["ticket"]["id"]
           for _ in range(3)]
    p = client.get(f"{A}/tickets/{ids[2]}/progress", headers=dispenser).json()
    assert p["people_ahead"] == 2 and p["estimated_wait_minutes"] > 0 and p["state"] == "waiting"
    assert p["rated"] is False and p["may_rate"] is False
    wang = login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    client.post(f"{A}/windows/w1/call-next", headers=wang)
    called = client.get(f"{A}/tickets/{ids[0]}/progress", headers=dispenser).json()
    assert called["state"] == "called" and called["window_number"] == 1
    client.post(f"{A}/windows/w1/finish", headers=wang)
    done = client.get(f"{A}/tickets/{ids[0]}/progress", headers=dispenser).json()
    assert done["state"] == "done" and done["rated"] is False and done["may_rate"] is True
    client.post(f"{A}/tickets/{ids[0]}/rating", json={"level": 5}, headers=bearer(TOKENS["pad"]))
    done = client.get(f"{A}/tickets/{ids[0]}/progress", headers=dispenser).json()
    assert done["rated"] is True and done["may_rate"] is False
    assert client.get(f"{A}/tickets/20261127-A999/progress", headers=dispenser).status_code == 404


# -- appointment check-in


def test_check_in_by_code_issues_one_ticket_in_the_appointments_slot(client, dispenser, platform):
    platform.publish("appointments", [appointment("appt-1", code="QR7K2M9PX4")])
    r = client.post(f"{A}/appointments/check-in", json={"code": "QR7K2M9PX4\r\n"}, headers=dispenser)
    assert r.status_code == 201, r.text
    body = r.json()
    t = body["ticket"]
    assert t["priority"] == "appointment" and t["queue"] == "general" and t["appointment"] == "appt-1"
    assert body["follow_path"].startswith(f"/t/{t['id']}.") and body["hall"]["id"] == "test-hall"
    assert body["appointment"]["checked_in"] is True and body["appointment"]["ticket"] == t["id"]
    assert body["already_checked_in"] is False
    [issued] = events(client, "ticket.issued")
    assert issued["channel"] == "appointment" and issued["appointment"] == "appt-1"
    assert (issued["slot_start"], issued["slot_end"]) == (at(9), at(9, 30))

    for again in ("https://zwfw.example.gov.cn/m/checkin?appt=QR7K2M9PX4&from=sms",
                  "https://zwfw.example.gov.cn/mp/#/pages/checkin?code=QR7K2M9PX4"):
        r = client.post(f"{A}/appointments/check-in", json={"code": again}, headers=dispenser)
        assert r.status_code == 200 and r.json()["ticket"]["id"] == t["id"]
        assert r.json()["already_checked_in"] is True
    assert len(events(client, "ticket.issued")) == 1


def test_check_in_by_id_card(client, dispenser, platform, tmp_path):
    platform.publish("appointments", [appointment("appt-2", holder=holder(tmp_path, ZHANG), queue="property",
                                                  matter=None)])
    r = client.post(f"{A}/appointments/check-in", json={"id_number": ZHANG}, headers=dispenser)
    assert r.status_code == 201, r.text
    t = r.json()["ticket"]
    assert t["queue"] == "property" and t["id_masked"] == "110105********002X"
    looked_up = client.post(f"{A}/lookup", json={"id_number": ZHANG}, headers=dispenser).json()
    assert [x["id"] for x in looked_up["tickets"]] == [t["id"]]
    assert looked_up["appointments"][0]["checked_in"] is True
    assert ZHANG not in r.text


@pytest.mark.parametrize(("item", "body", "status", "code", "needles"), [
    (appointment("a", code="QR7K2M9PX4"), {"code": "ZZ7K2M9PX4"}, 404, "not_found",
     ["2026-11-27", "ZZ******X4"]),
    (appointment("a", holder="0" * 64), {"id_number": ZHANG}, 404, "not_found", ["110105********002X"]),
    (appointment("a", code="QR7K2M9PX4", node="other-hall"), {"code": "QR7K2M9PX4"}, 404, "not_found", []),
    (appointment("a", code="QR7K2M9PX4", date="2026-11-28"), {"code": "QR7K2M9PX4"}, 404, "not_found", []),
    (appointment("a", code="QR7K2M9PX4", slot_start="10:00", slot_end="10:30"), {"code": "QR7K2M9PX4"},
     409, "too_early", ["10:00", "09:45"]),
    (appointment("a", code="QR7K2M9PX4", slot_start="08:00", slot_end="08:30"), {"code": "QR7K2M9PX4"},
     409, "expired", ["08:00", "08:45"]),
    (appointment("a", code="QR7K2M9PX4", queue="elsewhere", matter=None), {"code": "QR7K2M9PX4"},
     409, "unroutable", []),
    (appointment("a"), {"code": "https://zwfw.example.gov.cn/checkin?from=sms"}, 422, "invalid_code",
     ["code=", "appt="]),
    (appointment("a"), {"code": "QR7K\ufffd2M9PX4"}, 422, "invalid_code", ["损坏"]),
    (appointment("a"), {"code": "QR7K"}, 422, "invalid_code", ["8–16", "4 位"]),
    (appointment("a"), {"code": "预约码一二三四五六七八"}, 422, "invalid_code", ["字母"]),
    (appointment("a"), {"code": "QR7K2M9PX4", "id_number": ZHANG}, 422, "invalid", ["一个"]),
    (appointment("a"), {}, 422, "invalid", ["一个"]),
])
def test_check_in_refusals_say_what_was_wrong_and_change_nothing(client, dispenser, platform, item, body,
                                                                 status, code, needles):
    platform.publish("appointments", [item])
    before = seq(client, dispenser)
    r = client.post(f"{A}/appointments/check-in", json=body, headers=dispenser)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code
    for needle in needles:
        assert needle in r.json()["message"]
    assert ZHANG not in r.text and "QR7K2M9PX4" not in r.json()["message"]
    assert seq(client, dispenser) == before
    if code == "too_early":
        assert r.json()["details"]["slot_start"] == "10:00"


def test_only_ticket_desks_check_in(client, platform):
    platform.publish("appointments", [appointment("a", code="QR7K2M9PX4")])
    r = client.post(f"{A}/appointments/check-in", json={"code": "QR7K2M9PX4"}, headers=bearer(TOKENS["pad"]))
    assert r.status_code == 403
    assert client.post(f"{A}/appointments/check-in", json={"code": "QR7K2M9PX4"}).status_code == 401
