"""Appointments in the domain: reading what a scanner read, which appointment a citizen means,
when it can be checked in; and what a ticket keeps of its holder."""
from __future__ import annotations

import pytest

from hall.domain import events as ev
from hall.domain.appointments import (
    Admission,
    Appointment,
    Expired,
    InvalidCode,
    TooEarly,
    choose,
    mask_code,
    parse_code,
)
from hall.domain.errors import IllegalTransition, InvalidCommand
from hall.domain.state import HallState
from hall.service import HallService
from hall.store import HallStore
from tests.unit.hallfixtures import SHANGHAI, FakeClock, at, small_hall

HOLDER = "ab" * 32


def appt(id="a1", start="09:00", end="09:30", **kw) -> Appointment:
    return Appointment(id=id, date="2026-11-27", slot_start=start, slot_end=end, queue="general", **kw)


# -- the code a scanner read


@pytest.mark.parametrize(("payload", "code"), [
    ("QR7K2M9PX4", "QR7K2M9PX4"),
    ("  QR7K2M9PX4\r\n", "QR7K2M9PX4"),
    ("https://zwfw.example.gov.cn/checkin?code=QR7K2M9PX4", "QR7K2M9PX4"),
    ("https://zwfw.example.gov.cn/checkin?from=sms&appt=QR7K2M9PX4", "QR7K2M9PX4"),
    ("https://zwfw.example.gov.cn/checkin?CODE=QR7K2M9PX4&appt=QR7K2M9PX4", "QR7K2M9PX4"),
    ("https://zwfw.example.gov.cn/mp/#/pages/checkin?appt=QR7K2M9PX4", "QR7K2M9PX4"),
    ("code=QR7K2M9PX4", "QR7K2M9PX4"),
    ("https://x.example/c?code=QR7K-2M_9%20", "QR7K-2M_9"),
])
def test_codes_are_read_bare_or_from_a_link(payload, code):
    assert parse_code(payload) == code


@pytest.mark.parametrize(("payload", "needle"), [
    ("", "为空"),
    ("   ", "为空"),
    ("QR7K\x002M9PX4", "无法识别"),
    ("QR7K\ufffd2M9PX4", "无法识别"),
    ("https://zwfw.example.gov.cn/checkin?from=sms", "code="),
    ("https://zwfw.example.gov.cn/checkin?code=QR7K2M9PX4&appt=QR7K2M9PX5", "多个"),
    ("https://zwfw.example.gov.cn/checkin?code=", "空的"),
    ("QR7K2M9", "读到 7 位"),
    ("QR7K2M9PX4QR7K2M9PX4", "读到 20 位"),
    ("QR7K2M9PX4。", "其他字符"),
    ("QR7K 2M9PX4", "只能由"),
])
def test_a_malformed_code_says_what_was_wrong_without_repeating_it(payload, needle):
    with pytest.raises(InvalidCode) as exc:
        parse_code(payload)
    assert needle in exc.value.message and exc.value.status == 422
    assert "QR7K2M9PX4" not in exc.value.message


def test_codes_are_masked_in_messages():
    assert mask_code("QR7K2M9PX4") == "QR******X4"
    assert mask_code("ABC") == "***"


# -- reading an item, the slot, the check-in window


def test_an_item_is_read_or_left_out():
    item = {"id": "a1", "node": "h", "date": "2026-11-27", "slot_start": "09:00", "slot_end": "09:30",
            "matter": "000131128000", "code": "QR7K2M9PX4", "holder": HOLDER}
    a = Appointment.from_item(item)
    assert a is not None and a.code == "QR7K2M9PX4" and a.holder == HOLDER and a.queue is None
    for broken in ({"slot_end": "08:00"}, {"date": "27.11.2026"}, {"slot_start": "9:00"}, {"id": None},
                   {"slot_start": 900}):
        assert Appointment.from_item({**item, **broken}) is None, broken
    assert Appointment.from_item({k: v for k, v in item.items() if k != "date"}) is None
    assert (a.phone_hash, a.phone_masked) == (None, None)
    booked = Appointment.from_item({**item, "phone_hash": "cd" * 32, "phone_masked": "138****5678"})
    assert booked is not None and (booked.phone_hash, booked.phone_masked) == ("cd" * 32, "138****5678")


def test_the_slot_is_read_in_the_halls_time_zone():
    assert appt().slot(SHANGHAI) == (at(9), at(9, 30))


@pytest.mark.parametrize(("now", "state"), [
    (at(8, 44, 59), Admission.EARLY),
    (at(8, 45), Admission.OPEN),
    (at(9, 10), Admission.OPEN),
    (at(9, 45), Admission.OPEN),
    (at(9, 45, 1), Admission.EXPIRED),
])
def test_check_in_is_open_from_the_slot_minus_grace_to_its_end_plus_grace(now, state):
    assert appt().admission(now, SHANGHAI, 15) is state


def test_too_early_and_expired_say_when_check_in_is_open():
    with pytest.raises(TooEarly) as early:
        appt(start="10:00", end="10:30").check_admission(at(9), SHANGHAI, 15)
    assert early.value.status == 409 and early.value.code == "too_early"
    assert "09:45" in early.value.message and early.value.details["slot_start"] == "10:00"
    with pytest.raises(Expired) as late:
        appt(start="08:00", end="08:30").check_admission(at(9), SHANGHAI, 15)
    assert late.value.code == "expired" and "08:45" in late.value.message
    appt().check_admission(at(9), SHANGHAI, 15)


def test_the_appointment_a_citizen_means():
    morning, noon, later = appt("m", "08:00", "08:30"), appt("n", "09:00", "09:30"), appt("l", "11:00", "11:30")
    none_in = lambda id: False  # noqa: E731
    assert choose([later, noon, morning], at(9), SHANGHAI, 15, none_in) is noon
    assert choose([later, morning], at(9), SHANGHAI, 15, none_in) is later  # the next to open
    assert choose([morning], at(10), SHANGHAI, 15, none_in) is morning  # to say it has passed
    twin = appt("t", "09:00", "09:30")
    assert choose([noon, twin], at(9), SHANGHAI, 15, lambda id: id == "n") is twin
    assert choose([], at(9), SHANGHAI, 15, none_in) is None


# -- what a ticket keeps of its holder


@pytest.fixture
def svc(tmp_path):
    return HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=FakeClock(at(9)))


def test_a_ticket_keeps_the_holders_hash_and_masked_number_through_replay(svc, tmp_path):
    t = svc.execute("issue", {"queue": "general", "holder": HOLDER, "id_masked": "110105********002X"})["ticket"]
    svc.execute("issue", {"queue": "general"})
    assert t["id_masked"] == "110105********002X"
    assert [x["id"] for x in svc.tickets_of(HOLDER)] == [t["id"]]
    replayed = HallState()
    for e in svc.store.events_after(0):
        replayed.apply(e)
    assert replayed.tickets[t["id"]].holder == HOLDER
    restored = HallState.from_dict(replayed.to_dict())
    assert [x.id for x in restored.tickets_of_holder(HOLDER)] == [t["id"]]
    again = HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=FakeClock(at(9, 5)))
    assert again.state.tickets[t["id"]].id_masked == "110105********002X"


@pytest.mark.parametrize(("params", "field"), [
    ({"holder": "11010519491231002X"}, "holder"),
    ({"holder": HOLDER.upper()}, "holder"),
    ({"id_masked": "11010519491231002X"}, "id_masked"),
    ({"id_masked": "110105****1231002X"}, "id_masked"),
])
def test_a_raw_number_is_never_taken_for_its_hash_or_mask(svc, params, field):
    with pytest.raises(InvalidCommand) as exc:
        svc.execute("issue", {"queue": "general", **params})
    assert exc.value.details["field"] == field
    assert svc.store.events_after(0)[-1].type == ev.DAY_STARTED


def test_an_appointment_gets_one_ticket(svc):
    params = {"queue": "general", "priority": "appointment", "channel": "appointment",
              "slot_start": at(9), "slot_end": at(9, 30)}
    first, issued = svc.check_in("a1", params)
    again, issued_again = svc.check_in("a1", params)
    assert issued and not issued_again
    assert again["ticket"]["id"] == first["ticket"]["id"] and again["events"] == []
    assert svc.state.ticket_of_appointment("a1").id == first["ticket"]["id"]
    with pytest.raises(IllegalTransition, match="已签到"):
        svc.execute("issue", {**params, "appointment": "a1"})
