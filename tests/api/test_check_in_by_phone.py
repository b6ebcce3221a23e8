"""Appointment check-in by the mobile number it was booked with (手机号签到): the platform publishes the
number's keyed hash and masked form, the desk sends the number typed, the hall matches today's
appointments of this hall, answers with the number masked and keeps it nowhere. Bad numbers are
told what was wrong; a desk typing many numbers without an appointment is stopped for a while."""
from __future__ import annotations

import json
import logging

import pytest

from tests.api.conftest import bearer
from tests.api.test_citizen_api import (
    A,
    appointment,
    events,
    holder,
    platform,  # noqa: F401 - the fixture
    seq,
)
from tests.support.halls import TOKENS
from tests.support.logscan import find_personal_data

PHONE = "13812345678"
OTHER = "13998765432"
CHECK_IN = f"{A}/appointments/check-in"


def booked(tmp_path, id: str, phone: str = PHONE, **kw) -> dict:
    """An appointment as the platform publishes it: the booker's number hashed with the hall's key."""
    return appointment(id, phone_hash=holder(tmp_path, phone), phone_masked=phone[:3] + "****" + phone[-4:], **kw)


def test_a_phone_number_checks_in_its_appointment_and_only_its_masked_form_comes_back(
        client, dispenser, platform, tmp_path, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    platform.publish("appointments", [booked(tmp_path, "appt-p", code="QR7K2M9PX4"),
                                      booked(tmp_path, "theirs", phone=OTHER)])
    r = client.post(CHECK_IN, json={"phone": "138 1234 5678"}, headers=dispenser)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["phone_masked"] == "138****5678" and body["appointments_today"] == 1
    assert body["appointment"]["id"] == "appt-p" and body["ticket"]["priority"] == "appointment"
    assert body["already_checked_in"] is False and "phone_hash" not in r.text
    again = client.post(CHECK_IN, json={"phone": "+86 138-1234-5678"}, headers=dispenser)
    assert again.status_code == 200 and again.json()["ticket"]["id"] == body["ticket"]["id"]
    by_code = client.post(CHECK_IN, json={"code": "QR7K2M9PX4"}, headers=dispenser).json()
    assert by_code["ticket"]["id"] == body["ticket"]["id"] and "phone_masked" not in by_code
    assert len(events(client, "ticket.issued")) == 1

    # the number is nowhere: not in the database files, the events, the outbox, the logs
    store = client.app.state.service.store
    for path in (tmp_path / "data").iterdir():
        if path.is_file():
            assert PHONE.encode() not in path.read_bytes(), path.name
    replay = json.dumps([e.to_dict() for e in store.events_after(0)], ensure_ascii=False)
    outbox = json.dumps(store.conn.execute("SELECT payload FROM sync_outbox").fetchall())
    for text in (replay, outbox, caplog.text, r.text, again.text):
        assert PHONE not in text and find_personal_data(text) == []


def test_of_several_appointments_today_the_open_one_then_the_next_is_checked_in(
        client, dispenser, platform, tmp_path, clock):  # noqa: F811
    platform.publish("appointments", [
        booked(tmp_path, "early-morning", slot_start="08:00", slot_end="08:30"),
        booked(tmp_path, "nine", slot_start="09:00", slot_end="09:30"),
        booked(tmp_path, "ten", slot_start="10:00", slot_end="10:30", queue="property", matter=None),
        booked(tmp_path, "tomorrow", date="2026-11-28"),
    ])
    first = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser).json()
    assert first["appointment"]["id"] == "nine" and first["appointment"]["slot_start"] == "09:00"
    assert first["appointments_today"] == 3 and first["ticket"]["queue"] == "general"
    same = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser).json()
    assert same["already_checked_in"] is True and same["ticket"]["id"] == first["ticket"]["id"]

    clock.advance(50 * 60)  # 09:50: nine's check-in closed at 09:45, ten's opened then
    r = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser)
    assert r.status_code == 201 and r.json()["appointment"]["id"] == "ten"
    assert r.json()["ticket"]["queue"] == "property" and r.json()["ticket"]["id"] != first["ticket"]["id"]


def test_a_phone_whose_only_appointment_today_is_later_is_told_when(client, dispenser, platform, tmp_path):  # noqa: F811
    platform.publish("appointments", [booked(tmp_path, "ten", slot_start="10:00", slot_end="10:30"),
                                      booked(tmp_path, "eleven", slot_start="11:00", slot_end="11:30")])
    r = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser)
    assert r.status_code == 409 and r.json()["error"] == "too_early"
    assert r.json()["details"]["slot_start"] == "10:00" and "09:45" in r.json()["message"]


@pytest.mark.parametrize(("phone", "status", "code", "needles"), [
    ("1381234abcd", 422, "invalid_phone", ["数字", "字母", "11 位"]),
    ("1381234567", 422, "invalid_phone", ["11 位", "10 位"]),
    ("138123456789", 422, "invalid_phone", ["12 位"]),
    ("23812345678", 422, "invalid_phone", ["以 1 开头"]),
    ("   ", 422, "invalid_phone", ["没有收到"]),
    (OTHER, 404, "not_found", ["今天没有这个手机号的预约", "139****5432"]),
    ("13700000000", 404, "not_found", ["今天没有这个手机号的预约"]),  # tomorrow's, and another hall's
])
def test_bad_numbers_say_what_was_wrong_and_change_nothing(client, dispenser, platform, tmp_path,  # noqa: F811
                                                           phone, status, code, needles):
    platform.publish("appointments", [
        booked(tmp_path, "mine"),
        booked(tmp_path, "tomorrow", phone=OTHER, date="2026-11-28"),
        booked(tmp_path, "elsewhere", phone="13700000000", node="other-hall"),
    ])
    before = seq(client, dispenser)
    r = client.post(CHECK_IN, json={"phone": phone}, headers=dispenser)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code
    for needle in needles:
        assert needle in r.json()["message"], r.json()["message"]
    assert phone.strip() not in r.text or not phone.strip()
    assert seq(client, dispenser) == before


def test_exactly_one_way_is_given(client, dispenser, platform, tmp_path):  # noqa: F811
    platform.publish("appointments", [booked(tmp_path, "mine", code="QR7K2M9PX4")])
    for body in ({"phone": PHONE, "code": "QR7K2M9PX4"}, {"phone": PHONE, "id_number": "11010519491231002X"}):
        r = client.post(CHECK_IN, json=body, headers=dispenser)
        assert r.status_code == 422 and r.json()["error"] == "invalid" and "手机号" in r.json()["message"]
    r = client.post(CHECK_IN, json={"phone": PHONE}, headers=bearer(TOKENS["pad"]))
    assert r.status_code == 403 and PHONE not in r.text


def test_a_desk_guessing_numbers_is_stopped_for_a_while_and_others_are_not(
        client, dispenser, platform, tmp_path, clock, caplog):  # noqa: F811
    platform.publish("appointments", [booked(tmp_path, "mine", code="QR7K2M9PX4")])
    guesses = [f"139{n:08d}" for n in range(10)]
    for guess in guesses:
        assert client.post(CHECK_IN, json={"phone": guess}, headers=dispenser).status_code == 404
    r = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser)  # even a right one, from that desk
    assert r.status_code == 429 and r.json()["error"] == "too_many_attempts"
    assert 0 < int(r.headers["Retry-After"]) <= 600 and "分钟后再试" in r.json()["message"]
    assert r.json()["details"]["retry_after"] == int(r.headers["Retry-After"])
    assert client.post(CHECK_IN, json={"phone": "12"}, headers=dispenser).json()["error"] == "invalid_phone"
    before = seq(client, dispenser)
    assert client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser).status_code == 429
    assert seq(client, dispenser) == before

    kiosk = bearer(TOKENS["kiosk"])  # another desk is not held back by this one's guesses
    assert client.post(CHECK_IN, json={"phone": PHONE}, headers=kiosk).status_code == 201
    clock.advance(601)
    again = client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser)
    assert again.status_code == 200 and again.json()["already_checked_in"] is True
    for guess in guesses:
        assert guess not in caplog.text
    assert PHONE not in caplog.text


def test_one_number_tried_over_and_over_is_stopped_there_and_a_booked_one_still_goes_through(
        client, dispenser, platform, tmp_path):  # noqa: F811
    platform.publish("appointments", [booked(tmp_path, "mine", slot_start="10:00", slot_end="10:30")])
    for _ in range(4):
        assert client.post(CHECK_IN, json={"phone": OTHER}, headers=dispenser).status_code == 404
    # a number with an appointment today is no wrong guess (even one not yet open)
    assert client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser).status_code == 409
    assert client.post(CHECK_IN, json={"phone": OTHER}, headers=dispenser).status_code == 404
    assert client.post(CHECK_IN, json={"phone": OTHER}, headers=dispenser).status_code == 429
    assert client.post(CHECK_IN, json={"phone": PHONE}, headers=dispenser).status_code == 409
