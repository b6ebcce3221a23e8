"""A kiosk's check-ins from its own copy of today's appointments while the hall is away: the code
and the card matched against the copy, the appointment's number from the kiosk's lease, the same
ticket for the same appointment, and the bad input that issues nothing (a copy of another day, a
kiosk clock that jumped, a code the copy does not know, no numbers left, a card without the key)."""
import pytest

from ground.privacy import id_check_digit
from hall.client import HallClient, HallError
from hall.identity import Identity
from kiosk.models.terminal import offline_checkin as offline
from kiosk.models.terminal.offline_checkin import OfflineCheckIns
from tests.unit.hallfixtures import FakeClock, at

DAY = "2026-11-27"
KEY = bytes(range(32))
ZHANG = "11010519491231002X"
LI = "44030419900101001" + id_check_digit("44030419900101001")
CODE = "QR7K2M9PX4"


def appointment(id, code=None, holder=None, start="09:00", end="09:30", queue="general", **kw):
    return {"id": id, "date": DAY, "slot_start": start, "slot_end": end, "matter": "000131128000",
            "matter_name": "个体工商户设立登记", "matter_name_en": "Registration of an individual business",
            "queue": queue, "queue_name": "综合受理", "code": code, "checked_in": False, "ticket": None,
            "ticket_number": None, "holder_tag": Identity(KEY).day_tag(Identity(KEY).holder(holder), DAY)
            if holder else None, **kw}


def lease(first, last, queue="general", prefix="A"):
    return {"lease": f"20261127-kiosk-1-{queue}-{first}", "dispenser": "kiosk-1", "queue": queue, "day": DAY,
            "first": first, "last": last, "prefix": prefix, "digits": 3, "granted_at": at(8)}


@pytest.fixture
def clock():
    return FakeClock(at(9, 5))


@pytest.fixture
def kiosk(tmp_path, clock):
    """A kiosk that copied today's appointments and holds A990–A991 while the hall is away (no hall
    answers at its address: nothing here asks it)."""
    client = HallClient("http://127.0.0.1:9", "token", timeout=0.2)
    k = OfflineCheckIns(client, tmp_path, "Asia/Shanghai", key=KEY, clock=clock)
    k.copy.save({"day": DAY, "grace_minutes": 15, "appointments": [
        appointment("appt-1", code=CODE), appointment("appt-2", holder=ZHANG),
        appointment("late", code="LATE7K2M9P", start="16:00", end="16:30"),
        appointment("done", code="DONE7K2M9P", checked_in=True, ticket="20261127-A004", ticket_number="A004")]})
    k.book.add_lease(lease(990, 991))
    yield k
    k.close()
    client.close()


def refused(kiosk, **what) -> HallError:
    with pytest.raises(HallError) as caught:
        kiosk.check_in(**what)
    return caught.value


def test_a_code_and_a_card_check_in_from_the_copy_with_numbers_of_the_lease(kiosk, clock):
    by_code = kiosk.check_in(code=f"https://zwfw.example.gov.cn/m/checkin?appt={CODE}", unanswered="k1")
    t = by_code.issued.offline
    assert (t.number, t.queue, t.priority, t.appointment, t.unanswered) == ("A990", "general", "appointment",
                                                                           "appt-1", "k1")
    assert t.issued_at == clock.now and not by_code.again
    assert by_code.appointment["matter_name_en"] == "Registration of an individual business"
    assert by_code.appointment["checked_in"] and by_code.appointment["ticket_number"] == "A990"
    by_card = kiosk.check_in(id_number=ZHANG)
    assert by_card.issued.offline.number == "A991" and by_card.issued.offline.appointment == "appt-2"
    again = kiosk.check_in(code=CODE)  # the same code again: the same ticket, nothing issued
    assert again.again and again.issued.offline == t
    assert kiosk.pending() == 2


def test_what_the_copy_does_not_know_is_said_and_nothing_is_issued(kiosk, tmp_path, clock):
    assert refused(kiosk, code="ZZ7K2M9PX4").code == offline.UNKNOWN
    assert refused(kiosk, id_number=LI).code == offline.UNKNOWN  # a card of someone with no appointment
    assert refused(kiosk, code="QR7K").code == "invalid_code"
    assert refused(kiosk, id_number="110105194912310021").code == "invalid_id_number"
    done = refused(kiosk, code="DONE7K2M9P")  # checked in at the hall before it went away
    assert done.code == offline.CHECKED_IN and done.details == {"number": "A004"}
    early = refused(kiosk, code="LATE7K2M9P")
    assert early.code == "too_early" and early.details["check_in_from"] == "15:45"
    no_key = OfflineCheckIns(kiosk.client, tmp_path, "Asia/Shanghai", clock=clock)
    try:
        assert refused(no_key, id_number=ZHANG).code == offline.CARD
    finally:
        no_key.close()
    assert kiosk.pending() == 0 and kiosk.book.remaining("general") == 2


def test_a_clock_that_jumped_issues_nothing(kiosk, clock):
    clock.now = at(9, 5, day=28)  # the next day: yesterday's copy says nothing of today
    assert refused(kiosk, code=CODE).code == offline.UNKNOWN
    clock.now = at(23, 30, day=26)  # back across midnight: the copy is not of that day either
    assert refused(kiosk, code=CODE).code == offline.UNKNOWN
    clock.now = at(11)  # later the same day: past the slot and its grace
    assert refused(kiosk, code=CODE).code == "expired"
    assert kiosk.pending() == 0 and kiosk.book.remaining("general") == 2


def test_no_numbers_left_says_so_and_sends_no_ticket(kiosk):
    kiosk.check_in(code=CODE)
    kiosk.check_in(id_number=ZHANG)
    kiosk.copy.save({"day": DAY, "grace_minutes": 15,
                     "appointments": [appointment("appt-3", code="NEXT7K2M9P")]})
    out = refused(kiosk, code="NEXT7K2M9P")
    assert out.code == offline.NO_NUMBER and "general" in out.message
    assert kiosk.pending() == 2
