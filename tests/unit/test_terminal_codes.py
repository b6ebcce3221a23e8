"""What a code held to the terminal's scanner says: which ticket, or why none."""
from __future__ import annotations

import pytest

from kiosk.models.terminal.codes import (
    NotATicket,
    TicketRef,
    case_ref,
    is_case_code,
    is_ticket_code,
    ticket_ref,
)


@pytest.mark.parametrize(("payload", "expected"), [
    ("https://hall.example/t/20261127-A001.ABCDEFGH23", TicketRef("20261127-A001", "/t/20261127-A001.ABCDEFGH23")),
    ("http://127.0.0.1:8470/t/20261127-b012.abcdefgh23/", TicketRef("20261127-B012", "/t/20261127-B012.ABCDEFGH23")),
    ("/t/20261127-A001.ABCDEFGH23", TicketRef("20261127-A001", "/t/20261127-A001.ABCDEFGH23")),
    # a ticket taken on an English screen: its page in English, the same ticket
    ("https://hall.example/t/20261127-A001.ABCDEFGH23?lang=en", TicketRef("20261127-A001", "/t/20261127-A001.ABCDEFGH23")),
    ("https://hall.example/ui/#ticket=20261127-A017", TicketRef("20261127-A017")),
    ("https://hall.example/ui/?x=1#ticket=20261127-A017&lang=zh", TicketRef("20261127-A017")),
    (" 20261127-A017\r\n", TicketRef("20261127-A017")),
])
def test_a_tickets_code_names_the_ticket(payload, expected):
    assert ticket_ref(payload) == expected
    assert is_ticket_code(payload)


@pytest.mark.parametrize(("payload", "why"), [
    ("", "empty"),
    ("   ", "empty"),
    ("https://hall.example/t/20261127-A0", "garbled"),  # cut short
    ("https://hall.example/t/20261127-A001.ABC", "garbled"),  # signature cut short
    ("https://hall.example/t/20261127-A001.ABCDEFGH2\ufffd", "garbled"),
    ("https://hall.example/ui/#ticket=", "garbled"),
    ("https://hall.example/ui/#ticket=A001&ticket=A002", "garbled"),
    ("20261127-A001\x00", "garbled"),
    ("QR7K2M9PX4", "not_ticket"),  # an appointment's code
    ("https://zwfw.example.gov.cn/m/checkin?appt=QR7K2M9PX4", "not_ticket"),
    ("440304199001010011", "not_ticket"),
])
def test_anything_else_says_why_it_is_not_a_ticket(payload, why):
    with pytest.raises(NotATicket) as caught:
        ticket_ref(payload)
    assert caught.value.why == why
    assert payload.strip() not in str(caught.value) or not payload.strip()  # the reason never repeats it


def test_a_damaged_ticket_link_is_still_meant_as_a_ticket_but_an_appointment_code_is_not():
    assert is_ticket_code("https://hall.example/t/20261127-A0")
    assert not is_ticket_code("QR7K2M9PX4")
    assert not is_ticket_code("https://zwfw.example.gov.cn/m/checkin?appt=QR7K2M9PX4")


@pytest.mark.parametrize(("payload", "expected"), [
    ("https://hall.example/c/3708292026000001.ABCDEFGH23", "/c/3708292026000001.ABCDEFGH23"),
    ("/c/3708292026000001.abcdefgh23", "/c/3708292026000001.ABCDEFGH23"),
    ("https://hall.example/c/3708292026000001.ABCDEFGH23?lang=en", "/c/3708292026000001.ABCDEFGH23"),
    ("https://hall.example/t/20261127-A001.ABCDEFGH23", None),  # a ticket's, not a case's
    ("QR7K2M9PX4", None),
])
def test_a_case_notices_code_names_its_signed_path(payload, expected):
    assert case_ref(payload) == expected


@pytest.mark.parametrize("payload", ["https://hall.example/c/3708292026000001", "/c/3708292026000001.AB"])
def test_a_damaged_case_link_is_garbled_and_still_opens_the_progress_page(payload):
    with pytest.raises(NotATicket) as caught:
        case_ref(payload)
    assert caught.value.why == "garbled"
    assert is_ticket_code(payload) and is_case_code(payload)


def test_only_a_case_link_is_a_case_code():
    assert is_case_code("https://hall.example/c/3708292026000001.ABCDEFGH23")
    assert not is_case_code("https://hall.example/t/20261127-A001.ABCDEFGH23")
    assert not is_case_code("QR7K2M9PX4")
