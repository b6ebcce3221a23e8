"""手机号签到 on the terminal, against a real hall server whose reference copy holds appointments booked
with a mobile number (its keyed hash and masked form, as the platform publishes them): typed on the
digit keyboard, shown in groups of 3-4-4 as it is typed, checked before the hall is asked; the result
says which of the day's appointments was checked in, with the number masked; a number without an
appointment today is told so."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from ground.privacy import keyed_hash
from hall.identity import load_identity_key
from kiosk.roles.terminal.checkin import MESSAGE, RESULT
from tests.qt.test_terminal_checkin import appointment, publish, today  # noqa: F401 - the fixture
from tests.support.logscan import find_personal_data

PHONE = "13812345678"
TOMORROW = "13998765432"  # booked for tomorrow only


@pytest.fixture
def booked(hall_server, publish):  # noqa: F811
    """Two appointments today of PHONE (one open all day, one at 23:58) and one tomorrow of TOMORROW."""
    key = load_identity_key(hall_server.data_dir)

    def by(phone: str) -> dict:
        return {"phone_hash": keyed_hash(phone, key), "phone_masked": phone[:3] + "****" + phone[-4:]}

    tomorrow = (today().date() + dt.timedelta(days=1)).isoformat()
    publish(appointment("all-day", **by(PHONE)),
            appointment("late", slot_start="23:58", slot_end="23:59", queue="property", matter=None, **by(PHONE)),
            appointment("tomorrow", date=tomorrow, **by(TOMORROW)))


def open_phone_entry(make_terminal):
    shell = make_terminal()
    shell.view.tiles["checkin"].click()
    page = shell.view.page("checkin")
    assert list(page.prompt.typed_buttons) == ["appointment", "phone", "id_number"]
    page.prompt.typed_buttons["phone"].click()
    assert page.views.currentIndex() == page.typed_view and page.typed.kind == "phone"
    return shell, page


def test_a_typed_phone_number_checks_in_the_open_appointment_and_says_which(qtbot, make_terminal, booked,
                                                                           hall_server, caplog):
    caplog.set_level(logging.DEBUG)
    shell, page = open_phone_entry(make_terminal)
    keyboard = page.typed.keyboard
    assert keyboard.layout_name == "digits" and not keyboard.keys["X"].isEnabled()
    keyboard.type_text(PHONE[:4])
    assert page.typed.field.text() == "138 1"
    keyboard.type_text(PHONE[4:10])
    assert page.typed.field.text() == "138 1234 567" and not page.typed.search_button.isEnabled()
    keyboard.type_text(PHONE[10] + "9")  # a twelfth digit is not taken
    assert page.typed.field.text() == "138 1234 5678" and page.typed.search_button.isEnabled()
    page.typed.search_button.click()
    assert page.typed.keyboard.text == page.typed.field.text() == ""  # asked: kept nowhere on screen
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
    assert page.result_title.text() == "签到成功" and page.status.number.text() == "A001"
    detail = page.result_detail.text()
    assert "手机号 138****5678\n今天有 2 个预约，这次签到的是 00:00–23:59 的预约。" in detail
    assert PHONE not in detail
    page.finish_button.click()
    assert shell.view.at_home() and shell.context.session.empty
    for log in (hall_server.log_text(), caplog.text):  # the hall's and the terminal's
        assert PHONE not in log and find_personal_data(log) == []


def test_a_wrong_number_is_told_on_the_terminal_and_one_of_tomorrow_has_no_appointment_today(
        qtbot, make_terminal, booked, hall_server):
    _shell, page = open_phone_entry(make_terminal)
    keyboard = page.typed.keyboard
    with pytest.raises(ValueError, match="no live key"):
        keyboard.type_text("138A")  # no letters on the digit keyboard
    keyboard.set_text("")
    keyboard.type_text("2381234567")  # ten digits: 查询 stays off
    assert not page.typed.search_button.isEnabled()
    page.typed.search_button.click()
    assert page.views.currentIndex() == page.typed_view
    keyboard.type_text("8")  # eleven, but not starting with 1: told before the hall is asked
    page.typed.search_button.click()
    assert page.views.currentIndex() == page.typed_view and page.typed.error.isVisible()
    assert page.typed.error.text() == "手机号是 1 开头的 11 位数字，请核对。"

    keyboard.set_text("")
    keyboard.type_text(TOMORROW)
    assert not page.typed.error.isVisible()
    page.typed.search_button.click()
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "今天没有这个手机号的预约"
    assert "预约核验码" in page.message.text.text() and not page.retry_button.isVisible()
    assert TOMORROW not in hall_server.log_text()
    assert page.rescan_button.text() == "重新输入"  # typed, so typed again: back to the phone's own panel
    page.rescan_button.click()
    assert page.views.currentIndex() == page.typed_view and page.typed.kind == "phone"
    assert page.typed.keyboard.text == ""  # the number that found nothing is not kept on screen
    page.enter()
    assert page.rescan_button.text() == "重新扫描"
