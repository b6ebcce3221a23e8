"""Who may do what to which ticket: cancel with the rights of transfer, ratings through one path
(pads for their window, desks by the ticket's signed reference, reasons from the hall's list),
sync pushes limited to the pusher's record types and checked against their schema."""
from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS
from tests.unit.hallfixtures import at

A = "/api/v1"
ID_NUMBER = "11010519491231002X"
PAD = bearer(TOKENS["pad"])
KIOSK = bearer(TOKENS["kiosk"])


def issue(client, queue="general", **body) -> dict:
    r = client.post(f"{A}/tickets", json={"queue": queue, **body}, headers=bearer(TOKENS["dispenser"]))
    assert r.status_code == 201, r.text
    return r.json()


def finish_at(client, window: str, ticket: str) -> None:
    operator = bearer(TOKENS["operator"])
    client.post(f"{A}/windows/{window}/open", headers=operator)
    assert client.post(f"{A}/windows/{window}/call", json={"ticket": ticket}, headers=operator).status_code == 200
    assert client.post(f"{A}/windows/{window}/finish", headers=operator).status_code == 200


def record(type_: str, payload: dict, **kw) -> dict:
    return {"key": str(uuid.uuid4()), "seq": 1, "type": type_, "created": at(9), "payload": payload, **kw}


def push(client, headers, *items) -> list[dict]:
    r = client.post(f"{A}/sync/push", json={"items": list(items)}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def ratings_of(client, ticket: str) -> list[dict]:
    return [e.data for e in client.app.state.service.store.events_of_ticket(ticket) if e.type == "ticket.rated"]


# -- issue 10.3: cancel as transfer


def test_staff_cancel_only_tickets_their_window_may_touch(client):
    operator = bearer(TOKENS["operator"])
    at_w2 = issue(client)["ticket"]["id"]
    client.post(f"{A}/windows/w2/open", headers=operator)
    assert client.post(f"{A}/windows/w2/call", json={"ticket": at_w2}, headers=operator).status_code == 200
    property_ticket = issue(client, "property")["ticket"]["id"]
    general = issue(client)["ticket"]["id"]
    wang = login(client, "wang")  # w1: serves general only
    for ticket in (at_w2, property_ticket):
        r = client.post(f"{A}/tickets/{ticket}/cancel", headers=wang)
        assert r.status_code == 403 and "本窗口" in r.json()["message"], ticket
        assert client.app.state.service.state.tickets[ticket].state.value != "cancelled"
    assert client.post(f"{A}/tickets/{general}/cancel", headers=wang).status_code == 200
    li = login(client, "li")  # w2 and w3
    assert client.post(f"{A}/tickets/{at_w2}/cancel", headers=li).status_code == 200
    assert client.post(f"{A}/tickets/{property_ticket}/cancel", headers=li).status_code == 200


# -- issue 10.1 and 10.4: sync push


def test_a_device_pushes_only_its_roles_record_types(client):
    queue_event = record("queue.event", {"seq": 1, "type": "ticket.issued", "data": {}})
    application = record("application", {"matter": "000131128000"}, personal={"id_number": ID_NUMBER})
    results = push(client, PAD, queue_event, application)
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert "may push only" in results[0]["reason"] and "queue.event" in results[0]["reason"]
    other = record("device.health", {"device": "kiosk-1", "status": "ready"})
    [r] = push(client, PAD, other)
    assert r["status"] == "rejected" and "only on itself" in r["reason"]
    rows = client.app.state.service.store.conn.execute("SELECT count(*) FROM sync_outbox WHERE origin IS NOT NULL")
    assert rows.fetchone()[0] == 0


def test_a_pushed_rating_passes_the_rating_apis_rules(client):
    mine, theirs = issue(client)["ticket"]["id"], issue(client)["ticket"]["id"]
    finish_at(client, "w1", mine)
    finish_at(client, "w2", theirs)
    [r] = push(client, PAD, record("rating", {"ticket": theirs, "level": 1, "reasons": ["办事效率低"]}))
    assert r["status"] == "rejected" and "本窗口" in r["reason"]
    assert ratings_of(client, theirs) == []
    bad = record("rating", {"ticket": mine, "level": 1, "reasons": ["不在清单里的原因"]})
    [r] = push(client, PAD, bad)
    assert r["status"] == "rejected" and "差评原因" in r["reason"]
    good = record("rating", {"ticket": mine, "level": 2, "reasons": ["办事效率低"]})
    assert [r["status"] for r in push(client, PAD, good)] == ["accepted"]
    assert [r["status"] for r in push(client, PAD, good)] == ["duplicate"]  # the device retried
    [again] = push(client, PAD, record("rating", {"ticket": mine, "level": 5}))
    assert again["status"] == "rejected" and "一次一评" in again["reason"]
    assert client.post(f"{A}/tickets/{mine}/rating", json={"level": 5}, headers=PAD).status_code == 409
    [rated] = ratings_of(client, mine)
    assert rated["level"] == 2 and rated["window"] == "w1" and rated["channel"] == "pad"
    # once, as the hall's event: the pushed record itself is not kept beside it
    types = [t for (t,) in client.app.state.service.store.conn.execute("SELECT type FROM sync_outbox")]
    assert "rating" not in types


@pytest.mark.parametrize(("payload", "personal", "needle"), [
    ({"matter": "000131128000", "id_number": ID_NUMBER}, {"id_number": ID_NUMBER}, "id_number"),
    ({"matter": "000131128000", "note": f"申请人 {ID_NUMBER}"}, {"id_number": ID_NUMBER}, "身份证号"),
    ({"matter": "000131128000", "note": "身份证 110105194912310021"}, {"id_number": ID_NUMBER}, "身份证号"),
    ({"matter": "000131128000", "name": "欧阳测试"}, {"id_number": ID_NUMBER}, "name"),
    ({"matter": "000131128000"}, {"id_number": ID_NUMBER, "address": "北京"}, "address"),
])
def test_pushed_records_match_their_schema_and_hold_no_id_number_in_the_clear(client, payload, personal, needle):
    [r] = push(client, KIOSK, record("application", payload, personal=personal))
    assert r["status"] == "rejected" and needle in r["reason"], r
    assert ID_NUMBER not in r["reason"] and "欧阳测试" not in r["reason"]
    conn = client.app.state.service.store.conn
    assert conn.execute("SELECT count(*) FROM sync_outbox WHERE origin IS NOT NULL").fetchone()[0] == 0
    [r] = push(client, KIOSK, record("application", {"matter": "000131128000"}, personal={"id_number": ID_NUMBER}))
    assert r["status"] == "accepted"  # the same record, personal data sealed, is taken


def test_a_health_record_with_an_id_number_in_its_text_is_refused(client):
    [r] = push(client, PAD, record("device.health", {"device": "pad-w1", "status": "error",
                                                     "detail": f"card {ID_NUMBER} unreadable"}))
    assert r["status"] == "rejected" and "payload.detail" in r["reason"]


# -- issue 10.7 and 10.8: ratings


def test_desks_rate_only_by_the_tickets_signed_reference(client):
    answer = issue(client)
    ticket = answer["ticket"]["id"]
    finish_at(client, "w1", ticket)
    signed = answer["follow_path"].removeprefix("/t/")
    r = client.post(f"{A}/tickets/{ticket}/rating", json={"level": 5, "channel": "kiosk"}, headers=KIOSK)
    assert r.status_code == 404 and "签名" in r.json()["message"]
    forged = signed[:-1] + ("A" if signed[-1] != "A" else "B")
    assert client.post(f"{A}/tickets/{forged}/rating", json={"level": 5}, headers=KIOSK).status_code == 404
    assert ratings_of(client, ticket) == []
    r = client.post(f"{A}/tickets/{signed}/rating", json={"level": 5, "channel": "kiosk"}, headers=KIOSK)
    assert r.status_code == 200, r.text
    assert [x["channel"] for x in ratings_of(client, ticket)] == ["kiosk"]


@pytest.mark.parametrize(("body", "status", "needle"), [
    ({"level": 1, "reasons": ["随便写的原因"]}, 422, "差评原因"),
    ({"level": 1, "reasons": ["x" * 41]}, 422, "reasons.0"),
    ({"level": 1, "reasons": ["其他"] * 11}, 422, "reasons"),
    ({"level": 1, "reasons": ["其他"], "text": f"我的身份证 {ID_NUMBER}"}, 422, "身份证号"),
    ({"level": "5"}, 422, "level"),
    ({"level": 5.0}, 422, "level"),
    ({"level": True}, 422, "level"),
])
def test_rating_reasons_come_from_the_configured_list(client, body, status, needle):
    ticket = issue(client)["ticket"]["id"]
    finish_at(client, "w1", ticket)
    r = client.post(f"{A}/tickets/{ticket}/rating", json=body, headers=PAD)
    assert r.status_code == status and needle in r.json()["message"], r.text
    assert ID_NUMBER not in r.text
    assert ratings_of(client, ticket) == []


def test_reasons_kept_in_the_halls_events_hold_no_id_number(client):
    operator = bearer(TOKENS["operator"])
    ticket = issue(client)["ticket"]["id"]
    client.post(f"{A}/windows/w1/open", headers=operator)
    before = client.app.state.service.last_seq
    for url, body in ((f"{A}/tickets/{ticket}/cancel", {"reason": f"重复取号 {ID_NUMBER}"}),
                      (f"{A}/windows/w1/pause", {"reason": f"为 {ID_NUMBER} 复印"})):
        r = client.post(url, json=body, headers=operator)
        assert r.status_code == 422 and r.json()["error"] == "personal_data" and ID_NUMBER not in r.text, url
    assert client.app.state.service.last_seq == before
    assert client.post(f"{A}/windows/w1/pause", json={"reason": "午休"}, headers=operator).status_code == 200
