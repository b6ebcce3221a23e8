"""预约签到 on the terminal, against a real hall server whose reference copy holds today's
appointments (published the way sync brings them): by the SMS code through the scanner simulator,
by the ID card on the SAM simulator; the ticket printed once on the ESC/POS simulator, or shown
with its QR code; each refusal in its own words."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.escpos.simulator import Simulator
from drivers.idcard.simulator import SamSimulator, sample_card
from ground.privacy import keyed_hash
from hall.identity import load_identity_key
from kiosk.roles.terminal.checkin import MESSAGE, PROMPT, RESULT
from sync.reference import ReferenceStore
from tests.support.reference import Platform

CODE = "QR7K2M9PX4"
CARD = sample_card("resident")


def today() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai"))  # the test hall's time zone


def appointment(id: str, **kw) -> dict:
    return {"id": id, "node": "test-hall", "date": today().date().isoformat(), "slot_start": "00:00",
            "slot_end": "23:59", "matter": "000131128000", **kw}


@pytest.fixture
def publish(hall_server, tmp_path: Path):
    """Appointments into the running hall's reference copy, as the platform's sync puts them."""
    def publish_(*items: dict) -> None:
        copy = ReferenceStore(hall_server.data_dir / "reference.db")
        (tmp_path / "platform").mkdir(exist_ok=True)
        platform = Platform(tmp_path / "platform", copy, "test-hall")
        try:
            platform.publish("appointments", list(items))
        finally:
            platform.close()
            copy.close()

    return publish_


@pytest.fixture
def terminal(make_terminal):
    def make(**devices):
        shell = make_terminal(**devices)
        view = shell.view
        view.tiles["checkin"].click()
        return shell, view, view.page("checkin")

    return make


def test_the_sms_code_checks_in_and_the_ticket_is_shown_with_its_qr(qtbot, terminal, scanner, publish):
    publish(appointment("appt-1", code=CODE))
    shell, _view, page = terminal()
    assert page.views.currentIndex() == PROMPT
    scanner.scan(f"https://zwfw.example.gov.cn/m/checkin?appt={CODE}&from=sms")
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
    assert page.result_title.text() == "签到成功"
    assert page.status.number.text() == "A001" and page.status.state.text() == "等候中"
    assert page.next_steps.isVisible() and page.next_steps.steps[1] == "叫到您的号后，请带好身份证和材料到窗口办理"
    assert "个体工商户设立登记" in page.result_detail.text() and "00:00–23:59" in page.result_detail.text()
    assert page.status.qr.isVisible() and "/t/" in page.status.qr_url  # no receipt printer here
    page.finish_button.click()
    assert shell.view.at_home() and shell.context.session.empty

    shell.view.tiles["checkin"].click()
    scanner.scan(CODE)  # again: the same ticket, said so
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
    assert page.result_title.text() == "您已签到过，这是您的排队号" and page.status.number.text() == "A001"


def test_the_ticket_of_a_check_in_prints_once_on_the_receipt_printer(qtbot, terminal, scanner, publish, tmp_path):
    publish(appointment("appt-1", code=CODE))
    printer = Simulator(80)
    path = printer.start_pty(tmp_path / "printer")
    try:
        _shell, _view, page = terminal(receipt_printer=path)
        scanner.scan(CODE)
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=15000)
        assert not page.status.qr.isVisible()
        assert "取走" in page.notice.text()
        [printed] = printer.tickets
        assert "A001" in printed.text
        page.finish_button.click()
        _view.tiles["checkin"].click()
        scanner.scan(CODE)  # checked in before: its ticket is not printed twice, it is shown
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT and page.status.qr.isVisible(), timeout=15000)
        assert len(printer.tickets) == 1
    finally:
        printer.stop()


def test_the_id_card_checks_in(qtbot, terminal, publish, hall_server, tmp_path):
    holder = keyed_hash(CARD.id_number, load_identity_key(hall_server.data_dir))
    publish(appointment("appt-2", holder=holder, queue="property", matter=None))
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    try:
        shell, _view, page = terminal(idcard=str(tmp_path / "idcard"))
        sam.place(CARD)
        qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
        assert page.status.number.text() == "B001" and page.result_title.text() == "签到成功"
        assert shell.context.session.identity is not None
        page.home_button.click()
        assert shell.context.session.identity is None
    finally:
        sam.close()


def refusals() -> list[tuple[dict, str, str]]:
    now = today()
    cases = [(appointment("a", code="ZZ7K2M9PX4"), CODE, "今天没有找到您的预约"),
             (appointment("a", code=CODE, queue="elsewhere", matter=None), CODE, "该预约的事项不在本厅排队办理"),
             (appointment("a"), "https://zwfw.example.gov.cn/checkin?from=sms", "typed"),
             (appointment("a"), "QR7K", "typed")]  # a damaged code: the keyboard for it, at once
    if now.hour >= 1:  # a slot that ended before 00:45 has expired
        cases.append((appointment("a", code=CODE, slot_start="00:00", slot_end="00:30"), CODE, "预约时段已过"))
    if now.hour <= 21:  # a slot after 23:00 opens for check-in at 22:45
        cases.append((appointment("a", code=CODE, slot_start="23:00", slot_end="23:30"), CODE, "还没到签到时间"))
    return cases


@pytest.mark.parametrize(("item", "scanned", "title"), refusals())
def test_each_refusal_is_told_in_its_own_words(qtbot, terminal, scanner, publish, item, scanned, title):
    publish(item)
    _shell, _view, page = terminal()
    scanner.scan(scanned)
    if title == "typed":
        qtbot.waitUntil(lambda: page.views.currentIndex() == page.typed_view, timeout=8000)
        assert page.typed.kind == "appointment" and page.typed.notice.text().startswith("二维码无法识别")
        page.back_button.click()
        assert page.views.currentIndex() == PROMPT
        return
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == title
    assert CODE not in page.message.text.text()
    page.rescan_button.click()
    assert page.views.currentIndex() == PROMPT


def test_a_tickets_code_at_the_check_in_points_to_the_progress(qtbot, terminal, scanner, hall_server):
    _shell, _view, page = terminal()
    scanner.scan(f"{hall_server.base_url}/t/20261127-A001.ABCDEFGH23")
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "这是排队票的二维码"


def learned(qtbot, page) -> None:
    """Waits for the kiosk's round: today's appointments copied and a lease of each of their queues."""
    desk = page.offline.issuer()
    page.offline.sync()
    qtbot.waitUntil(lambda: desk.copy.path.exists() and all(desk.book.remaining(q) > 0 for q in desk.issuer.queues),
                    timeout=15000)


def test_the_hall_away_and_a_code_the_kiosk_does_not_know_offer_a_retry_that_checks_in_once(
        qtbot, terminal, scanner, publish, hall_server):
    _shell, _view, page = terminal()
    learned(qtbot, page)  # the kiosk copied today's appointments before this one was published
    publish(appointment("appt-1", code=CODE))
    hall_server.kill()
    scanner.scan(CODE)
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=15000)
    assert page.message.title.text() == "本机暂时无法确认您的预约" and page.retry_button.isVisible()
    assert "取号机" in page.message.text.text()
    hall_server.start()
    _shell.context.link.on_health_timeout()  # the next health check, now rather than in its 10 s
    qtbot.waitUntil(lambda: _shell.context.link.online is True, timeout=20000)  # the kiosk sees it back
    page.retry_button.click()
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=15000)
    assert page.status.number.text() == "A001"
