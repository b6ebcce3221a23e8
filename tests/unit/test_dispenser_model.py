"""Where a ticket's QR leads: the signed follow page, at the address phones can reach."""
from __future__ import annotations

from hall.wire import IssueAnswer
from kiosk.models.dispenser import follow_url, sample_answer

ANSWER = IssueAnswer.read({**sample_answer().to_json(), "follow_path": "/t/20261128-A001.W3NRAWN5ST"})


def test_the_follow_page_is_at_the_halls_public_address_when_it_has_one():
    assert follow_url("http://192.168.1.10:8470", ANSWER, "https://zwfw.example.cn/jx/") == \
        "https://zwfw.example.cn/jx/t/20261128-A001.W3NRAWN5ST"


def test_without_a_public_address_the_devices_own_is_used():
    assert follow_url("http://192.168.1.10:8470/", ANSWER) == "http://192.168.1.10:8470/t/20261128-A001.W3NRAWN5ST"


def test_a_ticket_taken_on_an_english_screen_opens_its_page_in_english():
    from drivers.escpos.ticket import QR
    from kiosk.models.dispenser import phone_link, ticket_document
    from kiosk.models.terminal.codes import ticket_ref

    chinese = follow_url("http://hall:8470", ANSWER, language="zh")
    english = follow_url("http://hall:8470", ANSWER, "https://zwfw.example.cn/jx/", language="en")
    assert chinese == "http://hall:8470/t/20261128-A001.W3NRAWN5ST"
    assert english == "https://zwfw.example.cn/jx/t/20261128-A001.W3NRAWN5ST?lang=en"
    # the signed path is untouched: the kiosk's scanner reads the same ticket and rating code from it
    assert ticket_ref(english) == ticket_ref(chinese)
    # the printed ticket is the same but for its QR: the same Chinese, the same rating code
    zh_doc, en_doc = (ticket_document({"name": "测试中心"}, ANSWER.ticket, url) for url in (chinese, english))
    assert [b for b in zh_doc.blocks if not isinstance(b, QR)] == [b for b in en_doc.blocks if not isinstance(b, QR)]
    assert [b.data for b in en_doc.blocks if isinstance(b, QR)] == [english]
    assert "评价码" in repr(en_doc)
    assert phone_link("http://hall/c/3708292026000123.ABCDEFGH23", "en") == \
        "http://hall/c/3708292026000123.ABCDEFGH23?lang=en"
    assert phone_link("http://hall/c/1.A?x=1", "en") == "http://hall/c/1.A?x=1&lang=en"
    assert phone_link("http://hall/c/1.A", "zh") == "http://hall/c/1.A" and phone_link("", "en") == ""


def test_a_hall_without_follow_pages_gets_its_board_link():
    answer = ANSWER.model_copy(update={"follow_path": ""})
    assert follow_url("http://hall:8470", answer) == "http://hall:8470/ui/#ticket=20250618-B017"
    assert follow_url("http://hall:8470", answer, language="en") == "http://hall:8470/ui/#ticket=20250618-B017"


def test_disabled_priority_is_asked_for_and_a_card_showing_age_keeps_elderly():
    import datetime as dt

    from kiosk.models.dispenser import DISABLED_NOTE, priority_for, ticket_document

    hall, today = {"policy": {"elderly_age": 65}}, dt.date(2026, 12, 7)
    assert priority_for(None, hall, today) == "normal"
    assert priority_for(None, hall, today, disabled_asked=True) == "disabled"
    assert priority_for(dt.date(1990, 1, 1), hall, today, disabled_asked=True) == "disabled"
    assert priority_for(dt.date(1950, 1, 1), hall, today, disabled_asked=True) == "elderly"
    answer = sample_answer()
    marked = answer.ticket.model_copy(update={"priority": "disabled"})
    assert DISABLED_NOTE in repr(ticket_document({"name": "大厅"}, marked, ""))
    assert DISABLED_NOTE not in repr(ticket_document({"name": "大厅"}, answer.ticket, ""))
