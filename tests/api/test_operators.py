"""The operators' console and the staff counter over the API: notices reach the kiosks'
announcements (merged with the hall file's and the platform's), the board reads its settings,
a broadcast is an event on every screen's stream, refusals change nothing, and every change is
in the audit and the outbox."""
from __future__ import annotations

import json

from sync import records
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS

A = "/api/v1"
ID_NUMBER = "11010519491231002X"


def test_a_notice_is_shown_to_the_kiosks_on_its_days_and_audited(client, operator, clock):
    kiosk = bearer(TOKENS["kiosk"])
    r = client.put(f"{A}/operators/notices/parking", headers=operator,
                   json={"kind": "policy", "title": "停车新规", "body": "地下车库免费两小时",
                         "start": "2020-01-01", "expiry": "2099-12-31"})
    assert r.status_code == 200, r.text
    client.put(f"{A}/operators/notices/later", headers=operator,
               json={"title": "春节安排", "body": "放假通知", "start": "2099-01-01"})
    shown = client.get(f"{A}/announcements", headers=kiosk).json()["announcements"]
    ours = [a for a in shown if a["source"] == "operators"]
    assert [(a["id"], a["kind"], a["title"]) for a in ours] == [("parking", "policy", "停车新规")]
    board = client.get(f"{A}/board", headers=bearer(TOKENS["display"])).json()
    assert [n["id"] for n in board["notices"]] == ["parking"]
    audit = client.get(f"{A}/operators/audit", headers=operator).json()["changes"]
    assert [(c["action"], c["target"], c["who"]) for c in audit][:2] == [
        ("notice.saved", "later", "operator-1"), ("notice.saved", "parking", "operator-1")]


def test_a_notice_with_english_round_trips_to_the_kiosks_and_the_board(client, operator):
    r = client.put(f"{A}/operators/notices/parking", headers=operator,
                   json={"title": "停车新规", "body": "地下车库免费两小时", "title_en": "Parking",
                         "body_en": "Two hours free in the underground car park"})
    assert r.status_code == 200, r.text
    assert r.json()["notice"]["title_en"] == "Parking"
    client.put(f"{A}/operators/notices/plain", headers=operator, json={"title": "春节安排", "body": "放假通知"})
    kept = {n["id"]: n for n in client.get(f"{A}/operators/notices", headers=operator).json()["notices"]}
    assert (kept["parking"]["title_en"], kept["parking"]["body_en"]) == (
        "Parking", "Two hours free in the underground car park")
    assert (kept["plain"]["title_en"], kept["plain"]["body_en"]) == ("", "")
    shown = {a["id"]: a for a in client.get(f"{A}/announcements", headers=bearer(TOKENS["kiosk"])).json()[
        "announcements"]}
    assert shown["parking"]["title_en"] == "Parking" and shown["plain"]["title_en"] == ""
    board = client.get(f"{A}/board", headers=bearer(TOKENS["display"])).json()
    assert {n["id"]: n["body_en"] for n in board["notices"]}["parking"].startswith("Two hours")
    audit = client.get(f"{A}/operators/audit", headers=operator).json()["changes"]
    assert audit[-1]["after"]["title_en"] == "Parking"


def test_english_refusals_name_the_field_and_change_nothing(client, operator):
    seq = client.app.state.service.last_seq
    for path, method, body, field in [
            ("/operators/notices/n1", "PUT", {"title": "t", "body": "b", "body_en": f"Bring {ID_NUMBER}"}, "body_en"),
            ("/operators/notices/n1", "PUT", {"title": "t", "body": "b", "title_en": "x" * 181}, "title_en"),
            ("/operators/board", "PUT", {"tickers": ["欢迎"], "tickers_en": ["Welcome", "Bye"]}, "tickers_en"),
            ("/operators/board", "PUT", {"tickers": ["欢迎"], "tickers_en": [f"No. {ID_NUMBER}"]}, "tickers_en.0"),
            ("/operators/broadcast", "POST", {"text": "演练", "text_en": f"Drill {ID_NUMBER}"}, "text_en")]:
        r = client.request(method, f"{A}{path}", headers=operator, json=body)
        assert r.status_code == 422 and r.json()["details"]["field"] == field, r.text
        assert field in r.json()["message"] and ID_NUMBER not in r.text
    assert client.get(f"{A}/operators/notices", headers=operator).json()["notices"] == []
    assert client.get(f"{A}/operators/audit", headers=operator).json()["changes"] == []
    assert client.app.state.service.last_seq == seq


def test_the_english_ticker_and_broadcast_reach_the_screens(client, operator):
    r = client.put(f"{A}/operators/board", headers=operator,
                   json={"tickers": ["欢迎光临", "请保管好随身物品"], "tickers_en": ["Welcome"]})
    assert r.status_code == 200, r.text
    board = client.get(f"{A}/board", headers=bearer(TOKENS["kiosk"])).json()
    assert (board["tickers"], board["tickers_en"]) == (["欢迎光临", "请保管好随身物品"], ["Welcome", ""])
    r = client.post(f"{A}/operators/broadcast", headers=operator,
                    json={"text": "消防演练", "text_en": "Fire drill: follow the staff", "minutes": 5})
    assert r.status_code == 200, r.text
    events = client.get(f"{A}/events", headers=bearer(TOKENS["display"]), params={"after": 0}).json()["events"]
    sent = [e for e in events if e["type"] == "hall.broadcast"][-1]["data"]
    assert (sent["text"], sent["text_en"]) == ("消防演练", "Fire drill: follow the staff")
    on = client.get(f"{A}/board", headers=bearer(TOKENS["kiosk"])).json()["broadcast"]
    assert (on["text"], on["text_en"]) == ("消防演练", "Fire drill: follow the staff")
    client.post(f"{A}/operators/broadcast", headers=operator, json={"text": "再次提醒"})
    assert client.get(f"{A}/board", headers=bearer(TOKENS["kiosk"])).json()["broadcast"]["text_en"] == ""


def test_refusals_name_the_field_and_change_nothing(client, operator):
    seq = client.app.state.service.last_seq
    for body, field in [({"title": "", "body": "x"}, "title"),
                        ({"title": "t", "body": f"持证 {ID_NUMBER}"}, "body"),
                        ({"title": "t", "body": "b", "start": "2026-12-10", "expiry": "2026-12-01"}, "expiry")]:
        r = client.put(f"{A}/operators/notices/n1", headers=operator, json=body)
        assert r.status_code == 422 and r.json()["details"]["field"] == field, r.text
        assert ID_NUMBER not in r.text
    r = client.put(f"{A}/operators/board", headers=operator, json={"led_idle": {"w9": "暂停"}})
    assert r.status_code == 422 and "led_idle.w9" in r.json()["message"]
    assert client.get(f"{A}/operators/notices", headers=operator).json()["notices"] == []
    assert client.get(f"{A}/operators/audit", headers=operator).json()["changes"] == []
    assert client.app.state.service.last_seq == seq


def test_a_broadcast_reaches_every_screen_until_it_ends(client, operator, clock):
    r = client.post(f"{A}/operators/broadcast", headers=operator, json={"text": "请带好随身物品", "minutes": 5})
    assert r.status_code == 200, r.text
    display = bearer(TOKENS["display"])
    events = client.get(f"{A}/events", headers=display, params={"after": 0}).json()
    sent = [e for e in events["events"] if e["type"] == "hall.broadcast"]
    assert sent[-1]["data"]["text"] == "请带好随身物品" and sent[-1]["data"]["by"] == "operator-1"
    assert client.get(f"{A}/board", headers=display).json()["broadcast"]["text"] == "请带好随身物品"
    clock.advance(6 * 60)
    assert client.get(f"{A}/board", headers=display).json()["broadcast"] is None
    client.post(f"{A}/operators/broadcast", headers=operator, json={"text": "再次提醒", "minutes": 5})
    assert client.delete(f"{A}/operators/broadcast", headers=operator).status_code == 200
    assert client.get(f"{A}/board", headers=display).json()["broadcast"] is None


def test_the_board_settings_are_synced_and_told_to_the_screens(client, operator):
    r = client.put(f"{A}/operators/board", headers=operator,
                   json={"layout": "notices", "tickers": ["欢迎光临"], "led_idle": {"w1": "欢迎"},
                         "led_brightness": 60, "led_on": "08:00", "led_off": "18:00"})
    assert r.status_code == 200, r.text
    board = client.get(f"{A}/board", headers=bearer(TOKENS["kiosk"])).json()
    assert (board["layout"], board["tickers"], board["led_idle"]) == ("notices", ["欢迎光临"], {"w1": "欢迎"})
    rows = client.app.state.service.store.conn.execute(
        "SELECT payload FROM sync_outbox WHERE type = ?", [records.OPERATOR_CHANGE]).fetchall()
    assert json.loads(rows[-1][0])["after"]["led_brightness"] == 60
    types = [e["type"] for e in client.get(f"{A}/events", headers=operator, params={"after": 0}).json()["events"]]
    assert "board.changed" in types


def test_staff_issue_a_counter_ticket_with_a_priority_and_its_reason(client, operator):
    wang = login(client, "wang")
    r = client.post(f"{A}/counter/tickets", headers=wang,
                    json={"queue": "general", "priority": "agent", "reason": "为行动不便的老人代办"})
    assert r.status_code == 201, r.text
    ticket = r.json()["ticket"]
    assert ticket["priority"] == "agent" and r.json()["priority_label"] == "代办"
    audit = client.get(f"{A}/operators/audit", headers=operator).json()["changes"]
    assert audit[0]["action"] == "counter.ticket" and audit[0]["who"] == "s1"
    assert audit[0]["after"]["reason"] == "为行动不便的老人代办" and audit[0]["target"] == ticket["id"]
    again = client.post(f"{A}/counter/tickets", headers={**wang, "Idempotency-Key": "k1"},
                        json={"queue": "general", "priority": "green", "reason": "绿色通道"})
    retried = client.post(f"{A}/counter/tickets", headers={**wang, "Idempotency-Key": "k1"},
                          json={"queue": "general", "priority": "green", "reason": "绿色通道"})
    assert again.json()["ticket"]["id"] == retried.json()["ticket"]["id"]
    audit = client.get(f"{A}/operators/audit", headers=operator).json()["changes"]
    assert [c["action"] for c in audit] == ["counter.ticket", "counter.ticket"]  # the retry: once
    seq = client.app.state.service.last_seq
    for body in ({"queue": "general", "priority": "green", "reason": ""},
                 {"queue": "general", "priority": "green", "reason": f"证件 {ID_NUMBER}"},
                 {"queue": "general", "priority": "vip", "reason": "x"}):
        assert client.post(f"{A}/counter/tickets", headers=wang, json=body).status_code == 422
    assert client.app.state.service.last_seq == seq
    seen = client.post(f"{A}/counter/tickets", headers=wang,
                       json={"queue": "general", "priority": "disabled", "reason": "已核验残疾人证"})
    assert seen.status_code == 201 and seen.json()["ticket"]["priority"] == "disabled"
    assert seen.json()["priority_label"] == "残疾人（核验残疾人证）"
    devices = client.get(f"{A}/counter/windows/w1/devices", headers=wang).json()
    assert devices == {"window": "w1", "devices": []}  # the small hall has no devices on the hall PC
