"""What a citizen types instead of scanning: a ticket's number without its zeros, an appointment's
check-in code or mobile number, a case number, an ID number with its check character; each wrong
entry says why."""
from __future__ import annotations

import datetime as dt

import pytest

from drivers.idcard.simulator import sample_card
from kiosk.models.terminal import typed

DAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(("text", "digits", "expected"), [
    ("A12", 3, "20261207-A012"), ("a012", 3, "20261207-A012"), ("A0012", 3, "20261207-A012"),
    ("B7", 4, "20261207-B0007"), ("VIP3", 3, "20261207-VIP003"), ("A1234", 3, "20261207-A1234"),
])
def test_a_ticket_number_is_todays_ticket_id(text, digits, expected):
    assert typed.read("ticket", text, day=DAY, digits=digits) == expected


@pytest.mark.parametrize(("kind", "text", "why"), [
    ("ticket", "12", "shape"), ("ticket", "A", "short"), ("ticket", "AB12C", "shape"),
    ("appointment", "QR7K", "short"), ("appointment", "QR7K2M9P!X", "shape"),
    ("case", "12A4", "shape"), ("id_number", "44030419900101001", "short"),
    ("id_number", "44030419900101001Y", "shape"), ("rating_code", "ABCDEFGH18", "shape"),
    ("phone", "1381234567", "short"), ("phone", "23812345678", "shape"), ("phone", "1381234567X", "shape"),
    ("phone", "138123456789", "shape"),
])
def test_what_does_not_read_as_its_kind_says_why(kind, text, why):
    with pytest.raises(typed.Unreadable) as caught:
        typed.read(kind, text, day=DAY)
    assert (caught.value.kind, caught.value.why) == (kind, why)


def test_an_id_number_must_match_its_check_character():
    number = sample_card("resident").id_number
    assert typed.read("id_number", number.lower()) == number.upper()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(typed.Unreadable) as caught:
        typed.read("id_number", wrong)
    assert caught.value.why == "checksum"


def test_codes_and_case_numbers_pass_as_typed():
    assert typed.read("appointment", "QR7K2M9PX4") == "QR7K2M9PX4"
    assert typed.read("case", "370829202600") == "370829202600"
    assert typed.read("rating_code", "njohnz5q7p") == "NJOHNZ5Q7P"


def test_the_rating_code_is_the_signature_of_the_follow_path_in_two_groups():
    assert typed.rating_code("/t/20261207-A001.NJOHNZ5Q7P") == "NJOHN Z5Q7P"
    assert typed.rating_code(None) == typed.rating_code("/t/20261207-A001") == ""
    assert typed.signed_path("20261207-A001", "NJOHN Z5Q7P") == "/t/20261207-A001.NJOHNZ5Q7P"


def test_a_ticket_needs_the_halls_day_and_an_unknown_kind_is_named():
    with pytest.raises(ValueError, match="hall's day"):
        typed.read("ticket", "A12")
    with pytest.raises(ValueError, match="'email'"):
        typed.read("email", "someone@example.cn")
    assert typed.long_enough("ticket", "A1") and not typed.long_enough("case", "123")


def test_a_mobile_number_is_eleven_digits_shown_in_groups_as_it_is_typed():
    assert typed.read("phone", "13812345678") == typed.read("phone", "138 1234 5678") == "13812345678"
    assert typed.kind_of("phone").keys == "digits" and not typed.long_enough("phone", "1381234567")
    assert [typed.shown("phone", "13812345678"[:n]) for n in (0, 1, 3, 4, 7, 8, 11)] == [
        "", "1", "138", "138 1", "138 1234", "138 1234 5", "138 1234 5678"]
    assert typed.shown("phone", "1381234567890") == "138 1234 5678 90"  # never cut what was typed
    assert typed.shown("appointment", "QR7K2M9PX4") == "QR7K2M9PX4"
