"""预约签到 while the hall PC is down: the terminal against a real hall process that is killed and
started again on the same data. The kiosk learns today's appointments while the hall answers,
checks in by the SMS code (scanner simulator) and by the ID card (SAM simulator) from its own
copy with numbers of its own lease, prints the ticket with the quiet mark that its place is
estimated (ESC/POS simulator), and hands the check-ins in when the hall is back: each appointment
checked in once, at the time it happened, its ticket in the queue and called first."""
from __future__ import annotations

import time

from drivers.escpos.simulator import Simulator
from drivers.idcard.simulator import SamSimulator, sample_card
from ground.privacy import keyed_hash
from hall.client import HallClient
from hall.identity import KEY_FILE, KEY_FILE_ENV, load_identity_key
from kiosk.models.dispenser_lease import OFFLINE_NOTE
from kiosk.roles.terminal.checkin import MESSAGE, RESULT
from tests.qt import test_terminal_checkin as online
from tests.qt.test_terminal_checkin import CODE, appointment, learned
from tests.support.halls import TOKENS

CARD = sample_card("resident")
published = online.publish  # the appointments into the running hall's copy, as sync brings them


def check_in(qtbot, page, scan) -> None:
    scan()
    qtbot.waitUntil(lambda: page.views.currentIndex() in (RESULT, MESSAGE), timeout=20000)


def test_check_ins_while_the_hall_is_down_are_checked_in_once_when_it_is_back(
        qtbot, make_terminal, scanner, published, hall_server, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_FILE_ENV, str(hall_server.data_dir / KEY_FILE))  # this kiosk may read ID cards offline
    holder = keyed_hash(CARD.id_number, load_identity_key(hall_server.data_dir))
    published(appointment("appt-1", code=CODE),
            appointment("appt-2", holder=holder, queue="property", matter=None))
    printer = Simulator(80)
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    try:
        shell = make_terminal(receipt_printer=printer.start_pty(tmp_path / "printer"), idcard=str(tmp_path / "idcard"))
        shell.view.tiles["checkin"].click()
        page = shell.view.page("checkin")
        learned(qtbot, page)
        issuer = page.offline.issuer().issuer
        assert issuer.waiting == {"general": 0, "property": 0} and issuer.minutes_per_ticket["general"] > 0
        hall_server.kill()

        before = time.time()
        check_in(qtbot, page, lambda: scanner.scan(CODE))
        assert page.result_title.text() == "签到成功", page.message.text.text()
        by_code = page.status.number.text()
        assert by_code.startswith("A") and by_code != "A001"  # a number of the kiosk's lease
        assert "个体工商户设立登记" in page.result_detail.text() and "离线签到" in page.notice.text()
        assert "前面无人等候" in page.status.lines.text()  # the estimate from the last snapshot: nobody waiting
        qtbot.waitUntil(lambda: len(printer.tickets) == 1, timeout=10000)
        assert by_code in printer.tickets[0].text and OFFLINE_NOTE in printer.tickets[0].text
        page.finish_button.click()

        shell.view.tiles["checkin"].click()
        check_in(qtbot, page, lambda: scanner.scan(CODE))  # the same code again: the same ticket, said so
        assert page.result_title.text() == "您已签到过，这是您的排队号" and page.status.number.text() == by_code
        page.finish_button.click()

        shell.view.tiles["checkin"].click()
        check_in(qtbot, page, lambda: scanner.scan("ZZ7K2M9PX4"))  # nothing the kiosk knows: said plainly
        assert page.message.title.text() == "本机暂时无法确认您的预约" and "取号机" in page.message.text.text()
        page.done_button.click()

        shell.view.tiles["checkin"].click()
        check_in(qtbot, page, lambda: sam.place(CARD))
        assert page.result_title.text() == "签到成功", page.message.text.text()
        by_card = page.status.number.text()
        assert by_card.startswith("B")
        after = time.time()
        page.finish_button.click()
        assert page.offline.issuer().pending() == 2

        hall_server.start()
        page.offline.sync()
        qtbot.waitUntil(lambda: page.offline.pending == 0 and page.offline.issuer().pending() == 0, timeout=20000)
        page.offline.sync()  # delivered twice: the hall keeps one of each
        qtbot.waitUntil(lambda: not page.offline._syncing, timeout=20000)

        with HallClient(hall_server.base_url, TOKENS["operator"]) as desk:
            events = desk.events(0, 5000)["events"]
            issued = [e["data"] for e in events if e["type"] == "ticket.issued"]
            assert sorted(d["number"] for d in issued) == sorted([by_code, by_card])
            for d in issued:
                assert d["channel"] == "appointment" and d["priority"] == "appointment"
                assert before - 1 <= d["issued_at"] <= after + 1  # when it happened, not when handed in
            assert {d["appointment"] for d in issued} == {"appt-1", "appt-2"}
            appointments = desk.lookup(CARD.id_number)["appointments"]
            assert [(a["id"], a["checked_in"], a["ticket_number"]) for a in appointments] == [("appt-2", True, by_card)]
            desk.open_window("w1")
            assert desk.call_next("w1")["ticket"]["number"] == by_code  # calls resume, the appointment first

        qtbot.waitUntil(lambda: shell.context.link.online is True, timeout=20000)
        shell.view.tiles["checkin"].click()
        check_in(qtbot, page, lambda: scanner.scan(CODE))  # online again: the hall has it, once
        assert page.result_title.text() == "您已签到过，这是您的排队号" and page.status.number.text() == by_code
        assert page.offline_issued is None and page.answer.follow_path  # the hall's answer, with its signed link
    finally:
        printer.stop()
        sam.close()


def test_a_kiosk_without_the_identity_key_sends_a_card_to_the_code_or_the_dispenser(
        qtbot, make_terminal, published, hall_server, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_FILE_ENV, raising=False)
    monkeypatch.delenv("YICIBAN_IDENTITY_KEY", raising=False)
    holder = keyed_hash(CARD.id_number, load_identity_key(hall_server.data_dir))
    published(appointment("appt-2", holder=holder, queue="property", matter=None))
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    try:
        shell = make_terminal(idcard=str(tmp_path / "idcard"))
        shell.view.tiles["checkin"].click()
        page = shell.view.page("checkin")
        learned(qtbot, page)
        hall_server.kill()
        check_in(qtbot, page, lambda: sam.place(CARD))
        assert page.message.title.text() == "暂时无法用身份证签到"
        assert "核验码" in page.message.text.text() and page.retry_button.isVisible()
        assert page.offline.issuer().pending() == 0  # nothing issued
    finally:
        sam.close()
