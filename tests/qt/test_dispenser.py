"""The dispenser against a real hall server, a simulated ticket printer and ID card reader on ptys."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from drivers.idcard.card import IdCard, id_check_digit, mask_id
from drivers.idcard.simulator import sample_card
from drivers.status import State
from kiosk.roles.dispenser.view import DispenserView
from tests.support.halls import TOKENS

FAST_PRINTER = {"width": 80, "reply_timeout": 0.5, "job_timeout": 3, "poll_interval": 0.05,
                "status_interval": 0.2}


def dispenser(qtbot, make_shell, hall_server, *, view=None, **devices: str):
    settings = {name: FAST_PRINTER for name in devices if name == "receipt_printer"}
    settings.update({name: {"watch_interval": 0.05} for name in devices if name == "idcard"})
    shell = make_shell("dispenser", hall_server.base_url, TOKENS["dispenser"], view=view,
                       devices=dict(devices), device_settings=settings)
    qtbot.waitUntil(lambda: "general" in shell.view.home.tiles, timeout=8000)
    for name in devices:
        qtbot.waitUntil(lambda n=name: shell.context.devices.states.get(n) is not None
                        and shell.context.devices.states[n].state is not State.CONNECTING, timeout=5000)
    return shell


def born_in_1950() -> IdCard:
    first17 = "37082919500315001"
    return dataclasses.replace(sample_card("resident"), birth_date=dt.date(1950, 3, 15),
                               id_number=first17 + id_check_digit(first17))


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def on_ticket_screen(view: DispenserView) -> bool:
    return view.stack.currentWidget() is view.ticket


def gray(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width()].copy()


def test_a_tapped_queue_prints_its_ticket_and_the_hall_has_it(qtbot, make_shell, hall_server, printer_sim,
                                                             desk):
    sim, path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=path)
    view = shell.view
    assert shell.context.devices.usable("receipt_printer")
    assert view.home.tiles["general"].name.text() == "综合受理"
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert view.ticket.printed
    assert view.ticket.number.text() == "A001"
    assert "取走" in view.ticket.notice.text()
    [printed] = sim.tickets
    assert "A001" in printed.text and "综合受理" in printed.text
    assert "综合受理".encode("gb18030") in printed.raw and b"A001" in printed.raw
    follow = hall_server.base_url + view.answer.follow_path
    assert printed.qr == [follow]
    ticket = desk.ticket(view.answer.ticket.id)
    assert (ticket["number"], ticket["queue"], ticket["state"]) == ("A001", "general", "waiting")
    with qtbot.waitSignal(view.flow_finished, timeout=2000):
        tap(qtbot, view.ticket.done)
    assert view.at_home() and shell.context.session.empty
    qtbot.waitUntil(lambda: "等候 1 人" in view.home.tiles["general"].load.text(), timeout=5000)

    shell.context.languages.switch("en")  # a citizen reading English: the same ticket, its page in English
    try:
        tap(qtbot, view.home.tiles["general"])
        qtbot.waitUntil(lambda: on_ticket_screen(view) and len(sim.tickets) == 2, timeout=10000)
        english = sim.tickets[1]
        assert "综合受理" in english.text and english.qr == [hall_server.base_url + view.answer.follow_path + "?lang=en"]
    finally:
        shell.context.languages.switch("zh")


def test_the_ticket_screen_goes_home_by_itself(qtbot, make_shell, hall_server, printer_sim):
    _sim, path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=path)
    view = shell.view
    tap(qtbot, view.home.tiles["property"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert "秒后自动返回首页" in view.ticket.countdown.text()
    with qtbot.waitSignal(view.flow_finished, timeout=2000):
        view._seconds = 1  # the last second of the countdown
        view.on_countdown_timeout()
    assert view.at_home()


def test_searching_by_pinyin_initials_routes_to_the_matters_queue(qtbot, make_shell, hall_server, desk):
    shell = dispenser(qtbot, make_shell, hall_server)
    view = shell.view
    tap(qtbot, view.home.search)
    assert view.stack.currentWidget() is view.search
    qtbot.waitUntil(lambda: bool(view.catalog.guides) and view.catalog.index is not None
                    and len(view.catalog.index) == 3,
                    timeout=8000)
    view.search.keyboard.type_text("gtgsh")
    assert view.search.field.text() == "GTGSH"
    first = view.search.results[0]
    assert first.entry["name"] == "个体工商户设立登记"
    assert "综合受理" in first.detail.text()
    assert not view.search.keyboard.keys["Q"].isEnabled()  # no matter continues with Q
    tap(qtbot, first)
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    ticket = desk.ticket(view.answer.ticket.id)
    assert (ticket["queue"], ticket["number"]) == ("general", "A001")


def test_bdc_finds_the_property_queue_and_back_keeps_nothing(qtbot, make_shell, hall_server):
    shell = dispenser(qtbot, make_shell, hall_server)
    view = shell.view
    tap(qtbot, view.home.search)
    qtbot.waitUntil(lambda: view.search.index is not None, timeout=8000)
    view.search.keyboard.type_text("bdc")
    assert [r.entry["queue"] for r in view.search.results] == ["property"]
    view.search.keyboard.clear()
    view.search.keyboard.type_text("budongchan")  # full pinyin finds it too, and offers its Hanzi
    assert [r.entry["queue"] for r in view.search.results] == ["property"]
    assert [b.text() for b in view.search.candidates.buttons][0] == "不动产"
    view.search.keyboard.clear()
    view.search.keyboard.type_text("bu")
    [picked] = [b for b in view.search.candidates.buttons if b.text() == "不"]
    tap(qtbot, picked)
    assert view.search.field.text() == "不"
    assert [r.entry["queue"] for r in view.search.results] == ["property"]
    tap(qtbot, view.search.back)
    assert view.at_home() and view.search.field.text() == ""


def test_an_older_citizens_card_gives_elderly_priority_and_is_forgotten(qtbot, make_shell, hall_server,
                                                                       printer_sim, reader_sim, desk):
    printer, printer_path = printer_sim
    reader, reader_path = reader_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=printer_path, idcard=reader_path)
    view = shell.view
    strip = view.home.strip
    assert strip.state == "prompt" and "老年人优先" in strip.title.text()
    card = born_in_1950()
    reader.place(card)
    qtbot.waitUntil(lambda: strip.state == "read", timeout=5000)
    assert shell.context.session.identity.id_number == card.id_number
    assert "张*" in strip.title.text() and "优先" in strip.detail.text()
    assert card.name not in strip.title.text()
    assert not view.at_home()  # a read card is something to lose: the idle timeout wipes it
    tap(qtbot, view.home.tiles["property"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert shell.context.session.identity is None  # needed for the issue only
    ticket = desk.ticket(view.answer.ticket.id)
    assert ticket["priority"] == "elderly"
    assert ticket["id_masked"] == mask_id(card.id_number)
    assert "老年人优先叫号" in printer.tickets[0].text
    assert view.ticket.priority.isVisible()
    with qtbot.waitSignal(view.flow_finished, timeout=2000):
        tap(qtbot, view.ticket.done)
    assert shell.context.session.empty and shell.context.session.identity is None
    assert strip.state == "prompt"
    assert card.id_number not in repr(shell.context.session)
    assert shell.card_reminder.isVisible() and shell.card_reminder.text() == "请取走您的身份证"
    tap(qtbot, strip.action)  # a second ticket: the card still lying there is read, not waited for
    qtbot.waitUntil(lambda: strip.state == "read", timeout=5000)
    assert view.stack.currentWidget() is view.home
    qtbot.waitUntil(shell.card_reminder.isHidden, timeout=5000)  # the card is in use again


def test_a_citizen_asks_for_disabled_priority_and_the_ticket_is_marked_for_the_window(
        qtbot, make_shell, hall_server, printer_sim, desk):
    printer, printer_path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=printer_path)
    view = shell.view
    qtbot.waitUntil(lambda: shell.context.devices.usable("receipt_printer"), timeout=5000)
    assert view.home.disabled.isVisible() and not view.home.disabled.isChecked()
    tap(qtbot, view.home.disabled)
    assert view.home.disabled.isChecked() and "残疾人证" in view.home.disabled.text()
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    ticket = desk.ticket(view.answer.ticket.id)
    assert ticket["priority"] == "disabled"
    qtbot.waitUntil(lambda: len(printer.tickets) == 1, timeout=10000)
    assert "残疾人优先：请在窗口出示残疾人证核验" in printer.tickets[0].text
    assert view.ticket.priority.isVisible() and "残疾人证" in view.ticket.priority.text()
    with qtbot.waitSignal(view.flow_finished, timeout=2000):
        tap(qtbot, view.ticket.done)
    assert not view.home.disabled.isChecked()  # the next citizen asks for themselves


def test_a_younger_citizens_card_keeps_normal_order(qtbot, make_shell, hall_server, reader_sim, desk):
    reader, reader_path = reader_sim
    shell = dispenser(qtbot, make_shell, hall_server, idcard=reader_path)
    view = shell.view
    reader.place(sample_card("resident"))  # born 1990
    qtbot.waitUntil(lambda: view.home.strip.state == "read", timeout=5000)
    assert "正常顺序" in view.home.strip.detail.text()
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert desk.ticket(view.answer.ticket.id)["priority"] == "normal"


@pytest.mark.parametrize("printer_state", ["absent", "paper_out"])
def test_without_a_printer_the_ticket_and_its_qr_are_shown(qtbot, make_shell, hall_server, printer_sim,
                                                           printer_state, desk):
    from drivers.camera.codes import decode

    sim, path = printer_sim
    devices = {}
    if printer_state == "paper_out":
        sim.paper_out()
        devices["receipt_printer"] = path
    shell = dispenser(qtbot, make_shell, hall_server, **devices)
    view = shell.view
    if printer_state == "paper_out":
        qtbot.waitUntil(lambda: shell.context.devices.states["receipt_printer"].state is State.ERROR, timeout=5000)
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert not view.ticket.printed and view.ticket.qr.isVisible()
    assert "打印机暂时无法出票" in view.ticket.notice.text()
    if printer_state == "paper_out":
        assert "缺纸" in view.ticket.notice.text()
    assert view.ticket.number.text() == "A001"
    follow = hall_server.base_url + view.answer.follow_path
    codes = decode(gray(view.ticket.grab().toImage()))
    assert [c.text for c in codes] == [follow]
    assert sim.tickets == []
    assert desk.ticket(view.answer.ticket.id)["number"] == "A001"


def test_a_printer_failing_mid_ticket_falls_back_to_the_screen(qtbot, make_shell, hall_server, printer_sim):
    sim, path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=path)
    view = shell.view
    sim.run_out_after(4)
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=10000)
    assert not view.ticket.printed and "缺纸" in view.ticket.notice.text()
    assert sim.tickets == []


def test_the_hall_away_the_ticket_comes_from_the_lease_and_reaches_the_hall_when_back(
        qtbot, make_shell, hall_server, printer_sim, desk):
    sim, path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=path)
    view = shell.view
    assert view.leases is not None
    qtbot.waitUntil(lambda: view.leases._issuer is not None
                    and view.leases._issuer.book.remaining("general") > 0, timeout=15000)
    hall_server.kill()
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: on_ticket_screen(view), timeout=15000)
    # the first number of the dispenser's block, cut from the top of the day's numbers
    assert view.ticket.printed and view.ticket.number.text() == "A970"
    [printed] = sim.tickets
    assert "A970" in printed.text and "离线取号" in printed.text  # the quiet mark: its place is estimated
    assert view.leases.pending == 1
    ticket_id = view.answer.ticket.id
    hall_server.start()
    qtbot.waitUntil(lambda: view.leases.pending == 0, timeout=30000)  # handed in once the hall is back
    ticket = desk.ticket(ticket_id)
    assert (ticket["number"], ticket["queue"], ticket["state"]) == ("A970", "general", "waiting")
    general = next(q for q in desk.snapshot()["queues"] if q["id"] == "general")
    assert general["waiting"] == 1


def test_the_hall_away_and_the_lease_used_up_says_to_ask_at_the_desk(qtbot, make_shell, hall_server,
                                                                     printer_sim):
    sim, path = printer_sim
    shell = dispenser(qtbot, make_shell, hall_server, receipt_printer=path)
    view = shell.view
    qtbot.waitUntil(lambda: view.leases._issuer is not None
                    and view.leases._issuer.book.remaining("general") > 0, timeout=15000)
    book = view.leases._issuer.book
    with book._lock:  # every number of the block already printed
        book._conn.execute("UPDATE leases SET next = last + 1")
    hall_server.kill()
    tap(qtbot, view.home.tiles["general"])
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.message, timeout=15000)
    assert view.message.title.text() == "暂时无法取号，请到咨询台"
    assert sim.tickets == [] and book.pending_count() == 0


class EmbeddedDispenser(DispenserView):
    def __init__(self, context, parent=None) -> None:
        super().__init__(context, parent, embedded=True)


def test_embedded_in_the_terminal_back_on_the_first_screen_finishes_the_flow(qtbot, make_shell, hall_server):
    shell = dispenser(qtbot, make_shell, hall_server, view=EmbeddedDispenser)
    view = shell.view
    assert view.home.back.isVisible()
    shell.context.session.entries["kiosk"] = "something"
    with qtbot.waitSignal(view.flow_finished, timeout=2000):
        tap(qtbot, view.home.back)
    assert shell.context.session.empty


def test_every_sample_screen_renders_in_both_languages_and_elder_mode(qtbot, make_shell):
    shell = make_shell("dispenser", "http://127.0.0.1:9", "x", start=False)
    view = shell.view
    for language_click, elder_click in ((False, False), (True, False), (True, True)):
        if language_click:
            shell.language_button.click()
        if elder_click:
            shell.elder_button.click()
        for name, show in view.sample_screens():
            show()
            assert not view.stack.currentWidget().grab().isNull(), name
            if name == "ticket":  # the time the text promises is the time the screen waits
                seconds = 16 if elder_click else 8
                assert str(seconds) in view.ticket.countdown.text(), view.ticket.countdown.text()
    assert [name for name, _ in view.sample_screens()] == [
        "home", "search", "idcard", "printing", "ticket", "ticket_on_screen", "hall_offline",
        "off_hours_lunch", "off_hours_night", "quota_full", "disabled_asked"]
    view.sample_screens()[1][1]()
    assert [r.entry["queue"] for r in view.search.results][:1] == ["property"]


def test_a_hall_away_from_the_start_says_to_ask_at_the_desk(qtbot, make_shell):
    shell = make_shell("dispenser", "http://127.0.0.1:9", TOKENS["dispenser"])
    view = shell.view
    assert view.home.tiles == {} and not view.home.search.isVisible()
    qtbot.waitUntil(lambda: shell.context.link.online is False, timeout=8000)
    assert view.home.empty.isVisible() and view.home.empty.text() == "暂时无法取号，请到咨询台"



def test_an_english_search_names_the_halls_matters_in_english_and_offers_no_hanzi(qtbot, tmp_path):
    """The sample hall's own matters, found by their English name or pinyin, each with its
    department and queue in English; Hanzi candidates are for Chinese typing only."""
    from kiosk.i18n import Languages

    languages = Languages()
    languages.switch("en")
    try:
        english_search(qtbot, tmp_path)
    finally:
        languages.switch("zh")


def english_search(qtbot, tmp_path) -> None:
    from hall.config import load_demo_config
    from hall.guides import Guides
    from kiosk.models import dispenser as model
    from kiosk.models.search import GuideIndex
    from kiosk.roles.dispenser.search import SearchPage
    from kiosk.roles.dispenser.ticket import queue_label
    from kiosk.screenshots import sample_hall
    from kiosk.theme import make_theme
    from sync.reference import ReferenceStore

    hall = sample_hall()
    guides = Guides(load_demo_config(), ReferenceStore(tmp_path / "reference.db")).listing()["guides"]
    page = SearchPage(make_theme(1080, 1920))
    qtbot.addWidget(page)
    page.resize(1080, 1920)
    page.show()
    names = {q["id"]: queue_label(hall, q["id"], "en") for q in hall["queues"]}
    page.set_index(GuideIndex(model.search_entries(guides, hall)), names, "en")
    for query in ("PASSPORT", "BDC"):
        page.keyboard.clear()
        page.keyboard.type_text(query)
        assert page.results, query
        shown = [f"{r.title.text()} {r.detail.text()}" for r in page.results]
        assert not [s for s in shown if re.search(r"[\u3400-\u9fff]", s)], shown
        assert not page.candidates.isVisible()
    assert any("Real Estate Registration Center" in s for s in shown)
    page.set_index(page.index, {q["id"]: q["name"] for q in hall["queues"]}, "zh")
    assert page.candidates.isVisible()
    assert any(r.detail.text().startswith("县自然资源局（不动产登记中心） · ") for r in page.results)
