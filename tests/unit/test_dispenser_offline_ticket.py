"""The ticket printed from a lease: the hall's number format, the quiet mark that its place in
line is estimated, and a QR to the hall's page of the ticket."""
from __future__ import annotations

from drivers.escpos.profiles import profile_for
from drivers.escpos.ticket import encode
from kiosk.models.dispenser import SAMPLE_HALL, follow_url
from kiosk.models.dispenser_lease import (
    OFFLINE_NOTE,
    Issued,
    OfflineTicket,
    offline_answer,
    offline_document,
)
from tests.unit.hallfixtures import at


def test_the_offline_ticket_says_quietly_that_its_place_is_estimated():
    ticket = OfflineTicket("20261127-B017", "B017", "property", "20261127-d1-property-1", at(9, 32))
    issued = Issued(offline=ticket, people_ahead=4, wait_minutes=40)
    answer = offline_answer(SAMPLE_HALL, issued)
    assert (answer.ticket.id, answer.ticket.state, answer.ticket.people_ahead) == ("20261127-B017", "waiting", 4)
    document = offline_document(SAMPLE_HALL, issued, follow_url("http://hall.local:8000/", answer))
    data = encode(document, profile_for({"width": 80}))
    for text in ("B017", "不动产登记", OFFLINE_NOTE, "4 人", "09:32"):
        assert text.encode("gb18030") in data, text
    assert b"http://hall.local:8000/ui/#ticket=20261127-B017" in data
