"""进度查询 on the terminal, against a real hall server: a ticket's QR code read by the scanner
simulator on a pty, or the holder's ID card on the SAM reader simulator; a damaged code is told
so, calmly; nothing scanned or read is logged or kept once the citizen goes home."""
from __future__ import annotations

import logging
import re

import pytest
from PySide6.QtWidgets import QApplication

from drivers.idcard.simulator import SamSimulator, sample_card
from drivers.scanner.simulator import ScannerSimulator
from kiosk.roles.terminal.progress import MESSAGE, PROMPT, RESULT

CARD = sample_card("resident")


@pytest.fixture
def terminal(make_terminal):
    def make(**devices):
        shell = make_terminal(**devices)
        return shell, shell.view

    return make


def scan(qtbot, page, scanner: ScannerSimulator, text: str, until: int) -> None:
    scanner.scan(text)
    qtbot.waitUntil(lambda: page.views.currentIndex() == until, timeout=8000)


def test_a_tickets_qr_shows_its_number_state_and_people_ahead(qtbot, terminal, scanner, desk, hall_server):
    shell, view = terminal()
    desk.issue(queue="general")
    mine = desk.issue(queue="general", channel="dispenser")
    link = hall_server.base_url + mine.follow_path
    scanner.scan(link)  # at home: a ticket's code opens the progress
    page = view.page("progress")
    qtbot.waitUntil(lambda: view.current_page() is page and page.views.currentIndex() == RESULT, timeout=8000)
    [status] = page.statuses
    assert status.number.text() == mine.ticket.number == "A002"
    assert status.state.text() == "等候中"
    assert "前面还有 1 人" in status.lines.text() and "预计等候约" in status.lines.text()
    assert status.queue.text() == "综合受理"
    steps = page.next_steps  # what to do next, under the ticket
    assert steps.isVisible() and steps.heading.text() == "接下来"
    assert len(steps.steps) == 4 and "叫号屏幕" in steps.steps[0] and "二维码" in steps.steps[3]

    desk.open_window("w1", staff="s1")
    desk.call_next("w1")  # A001
    desk.start("w1")
    desk.finish("w1")
    desk.call_next("w1")  # A002, this citizen's
    page.again_button.click()
    assert page.views.currentIndex() == PROMPT
    scan(qtbot, page, scanner, f"{hall_server.base_url}/ui/#ticket={mine.ticket.id}", RESULT)
    [status] = page.statuses
    assert status.state.text() == "已叫号"
    assert re.sub(r"<[^>]+>", "", status.lines.text()).count("请到 1号窗口 办理") == 1
    assert "font-weight: bold" in status.lines.text()  # the window is the largest line of the card
    assert page.next_steps.steps[0] == "现在请到 1号窗口，带好身份证和材料"
    assert shell.context.session.scans  # held for this visit only
    page.done_button.click()
    assert view.at_home() and shell.context.session.empty


@pytest.mark.parametrize(("payload", "title"), [
    ("{base}/t/{ticket}.AAAAAAAAAA", "没有找到这张排队票"),  # a wrong signature: nobody's ticket
    ("{base}/ui/#ticket=20261127-A999", "没有找到这张排队票"),
    ("QR7K2M9PX4", "这不是排队票的二维码"),
])
def test_a_damaged_or_foreign_code_is_told_calmly(qtbot, terminal, scanner, desk, hall_server, payload, title):
    _shell, view = terminal()
    ticket = desk.issue(queue="general").ticket.id
    view.tiles["progress"].click()
    page = view.page("progress")
    scan(qtbot, page, scanner, payload.format(base=hall_server.base_url, ticket=ticket), MESSAGE)
    assert page.message.title.text() == title
    assert page.again_button.isVisible() and page.done_button.isVisible()


def test_bytes_that_are_no_code_at_all_do_not_crash_the_flow(qtbot, terminal, scanner, desk, hall_server):
    _shell, view = terminal()
    view.tiles["progress"].click()
    page = view.page("progress")
    scanner.send(b"\xff\xfe\xfd\x00\x01garbage\r")
    qtbot.waitUntil(lambda: page.views.currentIndex() == page.typed_view, timeout=8000)
    assert page.typed.notice.text().startswith("二维码无法识别")  # and the number may be typed at once
    page.back_button.click()
    ticket = desk.issue(queue="general")
    scan(qtbot, page, scanner, hall_server.base_url + ticket.follow_path, RESULT)


def test_the_id_card_finds_the_holders_tickets_and_nothing_personal_is_logged(
        qtbot, terminal, scanner, desk, hall_server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    try:
        shell, view = terminal(idcard=str(tmp_path / "idcard"))
        issued = desk.issue(queue="property", id_number=CARD.id_number)
        view.tiles["progress"].click()
        page = view.page("progress")
        sam.place(CARD)
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
        assert [s.number.text() for s in page.statuses] == [issued.ticket.number]
        assert "440304********0011" in page.result_title.text()
        assert shell.context.session.identity is not None
        page.back_button.click()
        scanner.scan(hall_server.base_url + issued.follow_path)
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
        page.home_button.click()
        assert shell.context.session.empty
    finally:
        sam.close()
    logged = caplog.text + hall_server.log_text()
    assert CARD.id_number not in logged and CARD.name not in logged
    assert issued.follow_path not in caplog.text


def test_a_card_laid_down_first_is_read_when_a_flow_asks_and_a_card_left_behind_is_pointed_out(
        qtbot, terminal, desk, hall_server, tmp_path):
    """Citizens lay the card down first: it is read on the home screen (and not used there), and
    read again when 办件查询 asks for a card, still lying where it was."""
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    try:
        shell, view = terminal(idcard=str(tmp_path / "idcard"))
        issued = desk.issue(queue="property", id_number=CARD.id_number)
        reader = shell.context.devices.get("idcard")
        qtbot.waitUntil(lambda: shell.context.devices.usable("idcard"), timeout=10000)
        with qtbot.waitSignal(reader.watched, timeout=10000):
            sam.place(CARD)
        # the test's wait is called on the reader's thread; the screen's own delivery is queued
        QApplication.processEvents()
        assert view.at_home() and shell.context.session.empty  # read, and nobody's yet
        view.tiles["progress"].click()
        page = view.page("progress")
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
        assert [s.number.text() for s in page.statuses] == [issued.ticket.number]
        page.again_button.click()  # 再查一张: the card still lying there is not taken for the next
        with qtbot.assertNotEmitted(reader.watched, wait=1000):
            pass
        assert page.views.currentIndex() == PROMPT
        reminder = shell.card_reminder
        assert reminder.isHidden()
        page.home_button.click()  # the visit ends with the card on the reader: take it, says the screen
        assert view.at_home() and shell.context.session.empty
        assert reminder.isVisible() and reminder.text() == "请取走您的身份证"
        assert reminder.geometry().bottom() == shell.height() - 1  # across the foot of the screen
        beneath = shell.childAt(reminder.geometry().center())
        assert beneath is not None and beneath is not reminder  # a tap there reaches the screen
        sam.remove()
        qtbot.waitUntil(reminder.isHidden, timeout=5000)
    finally:
        sam.close()


def test_with_the_hall_away_a_ticket_looked_up_before_is_shown_as_last_known(qtbot, terminal, scanner, desk,
                                                                             hall_server):
    _shell, view = terminal()
    mine = desk.issue(queue="general", channel="dispenser")
    other = desk.issue(queue="general", channel="dispenser")
    link = hall_server.base_url + mine.follow_path
    scanner.scan(link)
    page = view.page("progress")
    qtbot.waitUntil(lambda: view.current_page() is page and page.views.currentIndex() == RESULT, timeout=8000)
    assert page.findChild(type(page.result_title), "progressStale") is None
    hall_server.kill()
    page.again_button.click()
    scan(qtbot, page, scanner, link, RESULT)
    [status] = page.statuses
    assert status.number.text() == "A001" and status.state.text() == "等候中"
    stale = page.findChild(type(page.result_title), "progressStale")
    assert stale is not None and "大厅系统暂时连不上" in stale.text() and "可能已有变化" in stale.text()
    # a ticket this kiosk never looked up: nothing to show but the calm message
    page.again_button.click()
    scan(qtbot, page, scanner, hall_server.base_url + other.follow_path, MESSAGE)
    assert page.message.title.text() == "暂时连不上大厅服务器"
