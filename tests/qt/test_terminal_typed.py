"""Typed instead of scanned, on the terminal against a real hall server: a ticket's number, an
appointment's check-in code, an ID number and a case number typed on the terminal's own keyboard
reach the same answers as the QR code or the card; a code that will not scan opens the keyboard
at once; a wrong ID number is told so before anything is asked."""
from __future__ import annotations

import pytest

from drivers.idcard.simulator import sample_card
from hall.client import HallClient
from kiosk.models.terminal.typed import rating_code
from tests.qt.test_terminal_cases import open_case
from tests.qt.test_terminal_checkin import CODE, appointment, publish  # noqa: F401 - the fixture

CARD = sample_card("resident")


def type_in(page, text: str) -> None:
    """Types `text` key by key on the page's typed view and presses 查询."""
    assert page.views.currentIndex() == page.typed_view
    page.typed.keyboard.type_text(text)
    assert page.typed.field.text() == text
    page.typed.search_button.click()


def open_flow(view, name: str):
    view.tiles[name].click()
    return view.page(name)


def test_a_typed_ticket_number_shows_todays_ticket_without_its_zeros(qtbot, make_terminal, desk):
    view = make_terminal().view
    desk.issue(queue="general")
    mine = desk.issue(queue="general")
    page = open_flow(view, "progress")
    assert set(page.prompt.typed_buttons) == {"ticket", "case", "id_number"}
    page.prompt.typed_buttons["ticket"].click()
    assert not page.typed.search_button.isEnabled() and page.typed.keyboard.layout_name == "code"
    type_in(page, "A2")
    qtbot.waitUntil(lambda: len(page.statuses) == 1, timeout=8000)
    assert page.statuses[0].number.text() == mine.ticket.number == "A002"
    assert "前面还有 1 人" in page.statuses[0].lines.text()


def test_a_typed_number_of_no_ticket_today_is_told_so(qtbot, make_terminal, desk):
    from kiosk.roles.terminal.progress import MESSAGE

    view = make_terminal().view
    page = open_flow(view, "progress")
    page.ask_typed("ticket")
    type_in(page, "A999")
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "没有找到这个排队号"


def test_a_damaged_ticket_code_opens_the_keyboard_at_once(qtbot, make_terminal, scanner, desk, hall_server):
    view = make_terminal().view
    ticket = desk.issue(queue="general").ticket
    page = open_flow(view, "progress")
    scanner.scan(f"{hall_server.base_url}/t/{ticket.id}")  # cut short: no signature
    qtbot.waitUntil(lambda: page.views.currentIndex() == page.typed_view, timeout=8000)
    assert page.typed.kind == "ticket" and page.typed.notice.text().startswith("二维码无法识别")
    type_in(page, ticket.number)
    qtbot.waitUntil(lambda: len(page.statuses) == 1, timeout=8000)
    assert page.statuses[0].number.text() == ticket.number


def test_a_case_number_typed_without_a_card_asks_for_the_id_number_and_checks_it(qtbot, make_terminal, desk):
    view = make_terminal().view
    case = open_case(desk, {})
    page = open_flow(view, "progress")
    page.prompt.typed_buttons["case"].click()
    assert page.typed.keyboard.layout_name == "digits"
    type_in(page, case["number"])
    assert page.views.currentIndex() == page.typed_view and page.typed.kind == "id_number"
    wrong = CARD.id_number[:17] + ("0" if CARD.id_number[17] != "0" else "1")
    type_in(page, wrong)
    assert page.typed.error.isVisible() and "最后一位对不上" in page.typed.error.text()
    page.typed.clear()
    type_in(page, CARD.id_number)
    qtbot.waitUntil(lambda: len(page.cases) == 1, timeout=8000)
    assert page.cases[0].case["number"] == case["number"]
    page.home_button.click()
    assert page._typed_id is None  # the typed ID number is not kept past the visit


def test_a_typed_check_in_code_checks_in(qtbot, make_terminal, publish):  # noqa: F811
    from kiosk.roles.terminal.checkin import RESULT

    publish(appointment("appt-1", code=CODE))
    view = make_terminal().view
    page = open_flow(view, "checkin")
    assert list(page.prompt.typed_buttons) == ["appointment", "phone", "id_number"]
    page.prompt.typed_buttons["appointment"].click()
    type_in(page, CODE)
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
    assert page.result_title.text() == "签到成功" and page.status.number.text()


def test_a_damaged_check_in_code_opens_the_keyboard(qtbot, make_terminal, scanner, publish):  # noqa: F811
    publish(appointment("appt-1", code=CODE))
    view = make_terminal().view
    page = open_flow(view, "checkin")
    scanner.scan("https://zwfw.example.gov.cn/m/checkin?appt=QR7\x01")  # a control byte: damaged
    qtbot.waitUntil(lambda: page.views.currentIndex() == page.typed_view, timeout=8000)
    assert page.typed.kind == "appointment" and page.typed.notice.isVisible()


@pytest.fixture
def served(desk: HallClient):
    desk.open_window("w1", staff="s1")
    issued = desk.issue(queue="general")
    desk.call_next("w1")
    desk.start("w1")
    desk.finish("w1")
    return issued


def test_a_finished_visit_is_rated_from_its_typed_number(qtbot, make_terminal, desk, served):
    from kiosk.roles.terminal.rate import MESSAGE, RATE

    view = make_terminal().view
    page = open_flow(view, "rate")
    page.prompt.typed_buttons["ticket"].click()
    type_in(page, served.ticket.number)
    assert page.typed.kind == "rating_code"  # the bare number is guessable: the printed code too
    type_in(page, "AAAAAAAAAA")
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "没有找到这张排队票" and not ratings(desk, served)
    page.enter()
    page.prompt.typed_buttons["ticket"].click()
    type_in(page, served.ticket.number)
    code = rating_code(served.follow_path)
    assert code and code.replace(" ", "") == served.follow_path.rsplit(".", 1)[1]
    type_in(page, code.replace(" ", ""))
    qtbot.waitUntil(lambda: page.views.currentIndex() == RATE, timeout=8000)
    page.panel.choose(5)
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "感谢您的评价"
    assert ratings(desk, served) == [5]


def ratings(desk: HallClient, served) -> list[int]:
    events = desk.events(after=0, limit=5000)["events"]
    return [e["data"]["level"] for e in events if e["type"] == "ticket.rated" and e["data"]["ticket"] == served.ticket.id]


def test_the_printed_ticket_carries_its_rating_code(desk):
    from kiosk.models.dispenser import ticket_document

    issued = desk.issue(queue="general")
    document = ticket_document({"name": "测试政务服务中心"}, issued.ticket, "https://hall.example" + issued.follow_path)
    assert f"评价码 {rating_code(issued.follow_path)}" in repr(document)
