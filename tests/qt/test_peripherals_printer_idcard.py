"""The screens' ticket printer and ID card reader workers, on their simulators over real ptys."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from drivers.escpos.ticket import expected_text, queue_ticket
from drivers.idcard.card import IdCard, id_check_digit
from drivers.idcard.simulator import SamSimulator, sample_card
from kiosk.devices import DeviceHub
from kiosk.peripherals import idcard, printer

FAST_PRINTER = {"width": 80, "reply_timeout": 0.5, "job_timeout": 3, "poll_interval": 0.05,
                "status_interval": 0.2}


@pytest.fixture
def hub(qtbot) -> Iterator[DeviceHub]:
    devices = DeviceHub()
    yield devices
    devices.stop_all()


def ticket(number: str = "A017"):
    return queue_ticket("测试政务服务中心", number, "综合受理", 3, 12, dt.datetime(2025, 6, 18, 9, 32),
                        "http://127.0.0.1/t/20250618-A017.X", "请留意叫号。")


def test_a_ticket_retried_with_its_key_prints_once(qtbot, hub, printer_sim):
    sim, path = printer_sim
    worker = hub.add(printer.worker("printer", path, FAST_PRINTER))
    qtbot.waitUntil(lambda: hub.usable("printer"), timeout=5000)
    with qtbot.waitSignal(worker.action_finished, timeout=8000) as first:
        name = printer.print_document(worker, "20250618-A017", ticket())
    assert first.args[0] == name == "print:20250618-A017"
    assert first.args[1].printed and not first.args[1].duplicate
    with qtbot.waitSignal(worker.action_finished, timeout=8000) as again:
        printer.print_document(worker, "20250618-A017", ticket())
    assert again.args[1].duplicate and not again.args[1].printed
    [printed] = sim.tickets
    assert "A017" in printed.text and "综合受理" in printed.text
    assert "综合受理".encode("gb18030") in printed.raw


def test_paper_running_out_fails_the_job_and_the_retry_prints_it_once(qtbot, hub, printer_sim):
    sim, path = printer_sim
    worker = hub.add(printer.worker("printer", path, FAST_PRINTER))
    qtbot.waitUntil(lambda: hub.usable("printer"), timeout=5000)
    sim.run_out_after(4)
    with qtbot.waitSignal(worker.action_failed, timeout=8000) as failed:
        printer.print_document(worker, "20250618-B002", ticket("B002"))
    assert failed.args[0] == "print:20250618-B002" and failed.args[1].code == "paper_out"
    assert sim.tickets == []
    sim.load_paper()
    qtbot.waitUntil(lambda: hub.usable("printer"), timeout=5000)
    with qtbot.waitSignal(worker.action_finished, timeout=8000) as done:
        printer.print_document(worker, "20250618-B002", ticket("B002"))
    assert done.args[1].printed
    with qtbot.waitSignal(worker.action_finished, timeout=8000) as again:
        printer.print_document(worker, "20250618-B002", ticket("B002"))
    assert again.args[1].duplicate
    [printed] = sim.tickets
    assert printed.text == expected_text(ticket("B002"), printed.profile)


def test_a_printer_that_is_not_there_fails_the_action_without_hanging(qtbot, hub, tmp_path):
    worker = hub.add(printer.worker("printer", str(tmp_path / "no-printer"), FAST_PRINTER))
    with qtbot.waitSignal(worker.action_failed, timeout=5000) as failed:
        printer.print_document(worker, "20250618-A001", ticket("A001"))
    assert failed.args[0] == "print:20250618-A001"
    assert not hub.usable("printer")


def _reads(sim: SamSimulator) -> int:
    return sum(1 for e in list(sim.history) if e.command.startswith("READ"))


def _finds(sim: SamSimulator) -> int:
    return sum(1 for e in list(sim.history) if e.command == "FIND")


@pytest.mark.parametrize("lift_to_reread", [False, True], ids=["rereading-reader", "lift-to-reread-reader"])
def test_a_placed_card_is_read_once_until_it_is_lifted(qtbot, hub, reader_sim, lift_to_reread):
    sim, path = reader_sim
    sim.faults.lift_to_reread = lift_to_reread
    worker = hub.add(idcard.worker("idcard", path, {"watch_interval": 0.05}))
    seen: list[object] = []
    worker.watched.connect(seen.append)
    qtbot.waitUntil(lambda: hub.usable("idcard"), timeout=5000)
    card = sample_card("resident")
    with qtbot.waitSignal(worker.watched, timeout=5000) as first:
        sim.place(card)
    assert isinstance(first.args[0], IdCard)
    assert first.args[0].id_number == card.id_number
    finds = _finds(sim)
    qtbot.waitUntil(lambda: _finds(sim) >= finds + 5, timeout=5000)  # the reader keeps being asked
    assert _reads(sim) == 1
    assert len(seen) == 1
    if not lift_to_reread:
        sim.remove()
        qtbot.waitUntil(lambda: not worker.watch.present, timeout=5000)
    with qtbot.waitSignal(worker.watched, timeout=5000) as second:
        if lift_to_reread:
            sim.lift_and_place()  # the same card, put down again
        else:
            sim.place(card)
    assert second.args[0].id_number == card.id_number
    # the simulator writes its history after the answer's last byte, which the reader may have
    # acted on already: count the reads once the reader has been asked again a few times
    finds = _finds(sim)
    qtbot.waitUntil(lambda: _finds(sim) >= finds + 3, timeout=5000)
    assert _reads(sim) == 2
    assert len(seen) == 2


def test_a_card_that_cannot_be_read_is_reported_once(qtbot, hub, reader_sim):
    sim, path = reader_sim
    worker = hub.add(idcard.worker("idcard", path, {"watch_interval": 0.05}))
    seen: list[object] = []
    worker.watched.connect(seen.append)
    qtbot.waitUntil(lambda: hub.usable("idcard"), timeout=5000)
    sim.faults.read_error = 0x41
    with qtbot.waitSignal(worker.watched, timeout=5000) as problem:
        sim.place(sample_card("resident"))
    assert problem.args[0] == idcard.CardProblem("read_failed")
    finds = _finds(sim)
    qtbot.waitUntil(lambda: _finds(sim) >= finds + 5, timeout=5000)
    assert len(seen) == 1
    sim.faults.read_error = None
    sim.remove()
    qtbot.waitUntil(lambda: not worker.watch.present, timeout=5000)
    first17 = "44030419500101001"
    older = dataclasses.replace(sample_card("resident"), birth_date=dt.date(1950, 1, 1),
                                id_number=first17 + id_check_digit(first17))
    with qtbot.waitSignal(worker.watched, timeout=5000) as read:
        sim.place(older)
    assert read.args[0].birth_date == dt.date(1950, 1, 1)
