"""HallClient's citizen methods against the real hall server process: guides, a swiped card,
lookup, progress, appointment check-in (by code, ID number and phone), the public follow page and
its rating."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ground.privacy import keyed_hash
from hall.client import HallClient, HallError
from hall.identity import load_identity_key
from sync.reference import ReferenceStore
from tests.e2e.conftest import HallServer
from tests.support.logscan import find_personal_data, scan_tree
from tests.support.reference import Platform

ZHANG = "11010519491231002X"
PHONE = "13812345678"
TOMORROW = "13998765432"  # the phone of an appointment tomorrow


def open_slot() -> tuple[str, str, str]:
    """Today's date and a slot around now, in the hall's time zone."""
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    start = max(now - dt.timedelta(minutes=5), now.replace(hour=0, minute=0))
    end = min(now + dt.timedelta(minutes=25), now.replace(hour=23, minute=59))
    return now.date().isoformat(), start.strftime("%H:%M"), end.strftime("%H:%M")


@pytest.fixture
def kiosk(hall_server: HallServer) -> HallClient:
    with HallClient(hall_server.base_url, hall_server.tokens["dispenser"]) as client:
        yield client


def test_a_citizen_walks_from_guide_to_rating(hall_server: HallServer, kiosk: HallClient, tmp_path) -> None:
    guides = kiosk.guides()
    assert guides["source"] == "hall" and [g["code"] for g in guides["guides"]] == ["000131128000"]
    assert kiosk.guide("000131128000")["queue_name"] == "综合受理"
    assert kiosk.announcements()["announcements"] == []

    answer = kiosk.issue(matter="000131128000", channel="kiosk", id_number=ZHANG)
    ticket = answer.ticket
    assert ticket.id_masked == "110105********002X"
    assert kiosk.follow_url(answer.follow_path).startswith(hall_server.base_url + "/t/")
    found = kiosk.lookup(ZHANG)
    assert [t["id"] for t in found["tickets"]] == [ticket.id] and found["appointments"] == []
    assert kiosk.progress(ticket.id)["may_rate"] is False

    shown = kiosk.public_ticket(answer.follow_path)
    assert shown["number"] == ticket.number and "id_masked" not in shown
    assert kiosk.public_ticket(answer.follow_path + "?lang=en")["number"] == ticket.number  # an English QR's link

    with HallClient(hall_server.base_url, hall_server.tokens["operator"]) as operator:
        operator.open_window("w1")
        operator.call("w1", ticket.id)
        operator.finish("w1")
    assert kiosk.progress(ticket.id)["may_rate"] is True
    with pytest.raises(HallError) as err:
        kiosk.public_rate(answer.follow_path, 1)
    assert (err.value.status, "原因" in err.value.message) == (422, True)
    assert HallClient(hall_server.base_url).public_rate(answer.follow_path, 5)["rated"] is True

    with pytest.raises(HallError) as err:
        kiosk.lookup(ZHANG[:-1] + "1")
    assert err.value.code == "invalid_id_number" and ZHANG[:-1] not in str(err.value)
    log = hall_server.log_text()
    assert ZHANG not in log and find_personal_data(log) == []


def test_an_appointment_is_checked_in_once(hall_server: HallServer, kiosk: HallClient, tmp_path) -> None:
    day, start, end = open_slot()
    copy = ReferenceStore(hall_server.data_dir / "reference.db")
    platform = Platform(tmp_path, copy, "test-hall")
    holder = keyed_hash(ZHANG, load_identity_key(hall_server.data_dir))
    platform.publish("appointments", [
        {"id": "appt-1", "node": "test-hall", "date": day, "slot_start": start, "slot_end": end,
         "matter": "000131128000", "code": "QR7K2M9PX4", "holder": holder}])
    platform.close()
    copy.close()

    assert kiosk.lookup(ZHANG)["appointments"][0]["admission"] == "open"
    first = kiosk.check_in(code="https://zwfw.example.gov.cn/checkin?appt=QR7K2M9PX4")
    assert first.ticket.priority == "appointment" and first.already_checked_in is False
    again = kiosk.check_in(id_number=ZHANG)
    assert again.ticket.id == first.ticket.id and again.already_checked_in is True
    assert again.follow_path == first.follow_path
    with pytest.raises(HallError) as err:
        kiosk.check_in(code="QR7K")
    assert (err.value.status, err.value.code) == (422, "invalid_code")


def test_an_appointment_is_checked_in_by_the_phone_it_was_booked_with(hall_server: HallServer, kiosk: HallClient,
                                                                      tmp_path) -> None:
    day, start, end = open_slot()
    tomorrow = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    key = load_identity_key(hall_server.data_dir)
    copy = ReferenceStore(hall_server.data_dir / "reference.db")
    platform = Platform(tmp_path, copy, "test-hall")
    slot = {"node": "test-hall", "slot_start": start, "slot_end": end, "matter": "000131128000"}
    platform.publish("appointments", [
        {"id": "by-phone", "date": day, **slot, "phone_hash": keyed_hash(PHONE, key), "phone_masked": "138****5678"},
        {"id": "tomorrow", "date": tomorrow, **slot, "phone_hash": keyed_hash(TOMORROW, key),
         "phone_masked": "139****5432"}])
    platform.close()
    copy.close()

    first = kiosk.check_in(phone="138 1234 5678")
    assert first.phone_masked == "138****5678" and first.appointments_today == 1
    assert first.appointment["id"] == "by-phone" and first.already_checked_in is False
    again = kiosk.check_in(phone=PHONE)
    assert again.ticket.id == first.ticket.id and again.already_checked_in is True
    for wrong, code, needle in (("1381234abcd", "invalid_phone", "字母"), ("1381234567", "invalid_phone", "10 位"),
                                (TOMORROW, "not_found", "今天没有这个手机号的预约")):
        with pytest.raises(HallError) as err:
            kiosk.check_in(phone=wrong)
        assert err.value.code == code and needle in err.value.message and wrong not in str(err.value)
    log = hall_server.log_text()
    assert PHONE not in log and TOMORROW not in log and find_personal_data(log) == []
    assert scan_tree(hall_server.data_dir) == {}  # databases, WAL, keys: no number in clear
