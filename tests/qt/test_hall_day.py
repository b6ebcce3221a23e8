"""One citizen through the hall, screen by screen, on one real hall server: a tap on the
dispenser prints the ticket, the call lights up the display and is spoken, the finished service
wakes the window's pad, and the rating reaches the hall."""
from __future__ import annotations

from PySide6.QtCore import Qt

from drivers.escpos.simulator import Simulator as PrinterSimulator
from hall.client import HallClient
from kiosk.models.voice import call_clips
from kiosk.voice_player import CallVoice
from tests.support.halls import TOKENS

FAST_PRINTER = {"width": 80, "reply_timeout": 0.5, "job_timeout": 3, "poll_interval": 0.05,
                "status_interval": 0.2}


def test_ticket_call_voice_pad_and_rating(qtbot, make_shell, hall_server, tmp_path):
    printer = PrinterSimulator(80, out_dir=tmp_path / "printed")
    port = printer.start_pty(tmp_path / "printer")
    operator = HallClient(hall_server.base_url, TOKENS["operator"])
    try:
        operator.open_window("w1", staff="s1")
        display = make_shell("display", hall_server.base_url, TOKENS["display"]).view
        display.voice.close()
        display.voice = CallVoice(parent=display, audio=False)  # recorded, not waiting for a sound card
        pad = make_shell("pad", hall_server.base_url, TOKENS["pad"], window="w1",
                         device_settings={"pad": {"data_dir": str(tmp_path / "pad"), "thanks_seconds": 60}}).view
        dispenser = make_shell("dispenser", hall_server.base_url, TOKENS["dispenser"],
                               devices={"receipt_printer": port}, device_settings={"receipt_printer": FAST_PRINTER}).view
        qtbot.waitUntil(lambda: display.board.board.loaded and "general" in dispenser.home.tiles, timeout=8000)
        qtbot.waitUntil(lambda: dispenser.context.devices.usable("receipt_printer"), timeout=5000)

        qtbot.mouseClick(dispenser.home.tiles["general"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: len(printer.tickets) == 1, timeout=10000)
        assert "A001" in printer.tickets[0].text and "综合受理" in printer.tickets[0].text
        ticket = dispenser.answer.ticket.id

        operator.call_next("w1")
        qtbot.waitUntil(lambda: display.voice.history == [call_clips("A001", 1)], timeout=8000)
        assert display.board.board.current.number == "A001"

        operator.start("w1")
        operator.finish("w1", matter="000131128000")
        qtbot.waitUntil(pad.at_rating, timeout=8000)
        assert pad.rating.number.text() == "A001"
        pad.rating.panel.level_buttons[4].click()  # 满意
        qtbot.waitUntil(lambda: operator.progress(ticket)["rated"], timeout=8000)
        rated = [e["data"] for e in operator.events(after=0, limit=5000)["events"]
                 if e["type"] == "ticket.rated"]
        assert [(r["ticket"], r["level"], r["window"], r["staff"]) for r in rated] == [(ticket, 4, "w1", "s1")]
    finally:
        operator.close()
        printer.stop()
