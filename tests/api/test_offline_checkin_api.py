"""The hall's side of a kiosk's check-ins while the hall is away: today's appointments as the kiosk
keeps them (no ID number, no holder hash), a lease of numbers for the kiosk, and the check-in handed
in afterwards: checked in at the time it happened, once, with its appointment's priority."""
from __future__ import annotations

import datetime as dt

import pytest

from hall.identity import Identity, load_identity_key
from tests.api.conftest import bearer
from tests.api.test_citizen_api import GUIDE, ZHANG, appointment, events, holder
from tests.support.halls import TOKENS
from tests.support.reference import Platform
from tests.unit.hallfixtures import SHANGHAI, at

A = "/api/v1"
CODE = "QR7K2M9PX4"


@pytest.fixture
def kiosk():
    return bearer(TOKENS["kiosk"])


@pytest.fixture
def platform(tmp_path, client):
    p = Platform(tmp_path, client.app.state.sync.reference, "test-hall")
    p.publish("appointments", [appointment("appt-1", code=CODE, holder=holder(tmp_path, ZHANG)),
                               appointment("appt-2", code="LATE7K2M9P", slot_start="16:00", slot_end="16:30"),
                               appointment("elsewhere", code="ELSE7K2M9P", queue="nowhere", matter=None)])
    yield p
    p.close()


def when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, SHANGHAI).isoformat()


def lease_of(client, kiosk) -> dict:
    r = client.post(f"{A}/leases", json={"queue": "general", "size": 5}, headers=kiosk)
    assert r.status_code == 201, r.text
    return r.json()["lease"]


def test_the_kiosks_copy_holds_codes_slots_and_day_tags_but_no_holder(client, kiosk, dispenser, platform, tmp_path):
    r = client.get(f"{A}/appointments/today", headers=kiosk)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["day"] == "2026-11-27" and body["grace_minutes"] == 15
    by_id = {a["id"]: a for a in body["appointments"]}
    assert set(by_id) == {"appt-1", "appt-2"}  # one not queued in this hall is left to the desk
    one = by_id["appt-1"]
    assert one["code"] == CODE and one["queue"] == "general" and one["matter"] == GUIDE
    assert one["matter_name"] == "个体工商户设立登记" and one["matter_name_en"] is None  # no English here
    assert "holder" not in one and not one["checked_in"]
    identity = Identity(load_identity_key(tmp_path / "data"))
    assert one["holder_tag"] == identity.day_tag(identity.holder(ZHANG), "2026-11-27")
    assert one["holder_tag"] != identity.day_tag(identity.holder(ZHANG), "2026-11-28")
    assert ZHANG not in r.text and holder(tmp_path, ZHANG) not in r.text
    assert client.get(f"{A}/appointments/today", headers=dispenser).status_code == 403


def test_a_check_in_made_while_away_is_checked_in_when_it_happened_once(client, kiosk, platform, clock, tmp_path):
    lease = lease_of(client, kiosk)
    number = f"A{lease['first']:03d}"
    printed_at = at(9, 5)
    clock.now = at(9, 50)  # the hall is back after the slot (09:00–09:30) and its grace: not late
    body = {"number": number, "issued_at": when(printed_at), "appointment": "appt-1"}
    r = client.post(f"{A}/leases/{lease['lease']}/tickets", json=body, headers={**kiosk, "Idempotency-Key": "k1"})
    assert r.status_code == 201, r.text
    answer = r.json()
    t = answer["ticket"]
    assert t["number"] == number and t["priority"] == "appointment" and t["appointment"] == "appt-1"
    assert answer["appointment"]["checked_in"] and answer["appointment"]["ticket"] == t["id"]
    assert answer["already_checked_in"] is False and "holder" not in t
    [issued] = events(client, "ticket.issued")
    assert issued["issued_at"] == printed_at and issued["channel"] == "appointment"
    assert issued["slot_start"] == at(9) and issued["holder"] == holder(tmp_path, ZHANG)

    again = client.post(f"{A}/leases/{lease['lease']}/tickets", json=body, headers={**kiosk, "Idempotency-Key": "k1"})
    assert again.status_code == 201 and again.json()["ticket"]["id"] == t["id"]  # delivered twice: one ticket
    assert len(events(client, "ticket.issued")) == 1

    second = {**body, "number": f"A{lease['first'] + 1:03d}"}  # the same code, checked in again offline
    r = client.post(f"{A}/leases/{lease['lease']}/tickets", json=second, headers={**kiosk, "Idempotency-Key": "k2"})
    assert r.status_code == 409 and r.json()["error"] == "already_checked_in"
    assert number in r.json()["message"]
    r = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers=kiosk)
    assert r.status_code == 200 and r.json()["already_checked_in"] and r.json()["ticket"]["number"] == number
    assert len(events(client, "ticket.issued")) == 1


def test_an_appointment_checked_in_at_the_hall_refuses_the_kiosks_offline_ticket(client, kiosk, dispenser, platform):
    lease = lease_of(client, kiosk)
    hall_ticket = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers=dispenser).json()["ticket"]
    body = {"number": f"A{lease['first']:03d}", "issued_at": when(at(9, 1)), "appointment": "appt-1"}
    r = client.post(f"{A}/leases/{lease['lease']}/tickets", json=body, headers=kiosk)
    assert r.status_code == 409 and r.json()["error"] == "already_checked_in"
    assert hall_ticket["number"] in r.json()["message"]
    assert [e["ticket"] for e in events(client, "ticket.issued")] == [hall_ticket["id"]]


@pytest.mark.parametrize(("appt", "printed", "status", "error", "words"), [
    ("appt-2", at(9, 5), 422, "invalid", ["时钟", "16:00"]),  # printed hours before its slot: a clock that jumped
    ("appt-1", at(8, 0), 422, "invalid", ["时钟"]),
    ("nobody", at(9, 5), 404, "not_found", ["nobody"]),
    ("elsewhere", at(9, 5), 422, "invalid", ["elsewhere", "队列"]),
])
def test_a_bad_offline_check_in_is_refused_and_nothing_is_issued(client, kiosk, platform, appt, printed, status,
                                                                 error, words):
    lease = lease_of(client, kiosk)
    body = {"number": f"A{lease['first']:03d}", "issued_at": when(printed), "appointment": appt}
    r = client.post(f"{A}/leases/{lease['lease']}/tickets", json=body, headers=kiosk)
    assert r.status_code == status and r.json()["error"] == error, r.text
    assert all(w in r.json()["message"] for w in words), r.json()["message"]
    assert events(client, "ticket.issued") == []


def test_a_check_in_whose_answer_was_lost_gives_way_to_the_ticket_the_kiosk_printed(client, kiosk, platform):
    lease = lease_of(client, kiosk)
    r = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers={**kiosk, "Idempotency-Key": "lost"})
    ghost = r.json()["ticket"]  # stored by the hall; the answer never reached the kiosk
    body = {"number": f"A{lease['first']:03d}", "issued_at": when(at(9, 2)), "appointment": "appt-1",
            "unanswered_key": "lost"}
    r = client.post(f"{A}/leases/{lease['lease']}/tickets", json=body, headers=kiosk)
    assert r.status_code == 201, r.text
    printed = r.json()["ticket"]
    assert [e["ticket"] for e in events(client, "ticket.cancelled")] == [ghost["id"]]
    again = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers=kiosk).json()
    assert again["already_checked_in"] and again["ticket"]["id"] == printed["id"]
    assert again["appointment"]["ticket_number"] == printed["number"]


def test_a_check_in_key_too_long_is_refused_and_nothing_is_issued(client, kiosk, platform):
    r = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers={**kiosk, "Idempotency-Key": "k" * 129})
    assert r.status_code == 400 and r.json()["error"] == "bad_idempotency_key"
    assert events(client, "ticket.issued") == []


def test_an_english_screen_gets_the_matters_english_name_from_the_hall_config(tmp_path, clock, kiosk):
    from fastapi.testclient import TestClient

    from hall.config import load_config
    from hall.server import create_app
    from tests.support.halls import small_hall_toml

    text = small_hall_toml().replace('name = "个体工商户设立登记"\n',
                                     'name = "个体工商户设立登记"\nname_en = "Registration of an individual business"\n')
    (tmp_path / "hall.toml").write_text(text, encoding="utf-8")
    with TestClient(create_app(load_config(tmp_path / "hall.toml"), tmp_path / "data", clock=clock)) as client:
        p = Platform(tmp_path, client.app.state.sync.reference, "test-hall")
        try:
            p.publish("appointments", [appointment("appt-1", code=CODE)])
        finally:
            p.close()
        [known] = client.get(f"{A}/appointments/today", headers=kiosk).json()["appointments"]
        answer = client.post(f"{A}/appointments/check-in", json={"code": CODE}, headers=kiosk).json()
    assert known["matter_name_en"] == answer["appointment"]["matter_name_en"] == "Registration of an individual business"
    assert answer["appointment"]["matter_name"] == "个体工商户设立登记"
