"""No device or network call runs on the GUI thread: while a device or the hall takes 2 s to
answer, the event loop keeps serving a 10 ms timer all along. A call made on the GUI thread would
leave a gap as long as the device's answer; the bound is a quarter of that, so a busy machine's
scheduling (tens of milliseconds) never decides the result."""
from __future__ import annotations

import socket
import threading
import time

from PySide6.QtCore import QTimer

from drivers.idcard.reader import make_link
from drivers.idcard.simulator import SamSimulator, SimFaults, sample_card
from drivers.status import State
from kiosk.devices import DeviceHub, DeviceWorker
from kiosk.hall_link import HallLink
from kiosk.workers import Jobs

SLOW = 2.0
MAX_GAP = SLOW / 4


class GapMeter:
    """A 10 ms timer on the GUI thread, noting the longest wait between two of its ticks."""

    def __init__(self) -> None:
        self.longest = 0.0
        self.ticks = 0
        self._last = time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last)
        self._last = now
        self.ticks += 1

    def start(self) -> None:
        self._last = time.monotonic()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def test_a_card_reader_answering_after_two_seconds_never_stalls_the_screen(qtbot, tmp_path):
    sim = SamSimulator(sample_card("resident"), faults=SimFaults())
    sim.serve_pty(tmp_path / "idcard")
    hub = DeviceHub()
    link = make_link("idcard", str(tmp_path / "idcard"), {"command_timeout": 5, "read_timeout": 5})
    worker = hub.add(DeviceWorker(link))
    try:
        qtbot.waitUntil(lambda: hub.states["idcard"].state is State.READY, timeout=5000)
        sim.faults.delay = SLOW
        meter = GapMeter()
        meter.start()
        started = time.monotonic()
        with qtbot.waitSignal(worker.action_finished, timeout=15000) as finished:
            worker.act("read", lambda reader: reader.read_card())
        meter.stop()
        assert finished.args[0] == "read"
        assert finished.args[1].id_number == sample_card("resident").id_number
        assert time.monotonic() - started >= SLOW  # the device really was slow
        assert meter.ticks > 50
        assert meter.longest < MAX_GAP, f"the GUI thread stalled for {meter.longest * 1000:.0f} ms"
    finally:
        hub.stop_all()
        qtbot.wait(50)  # what the worker already queued reaches the hub while it still exists
        sim.close()


class SlowHall:
    """A real socket that answers any HTTP request after `delay` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.stop.wait(self.delay)
            body = b'{"status": "ok"}'
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_a_hall_answering_after_two_seconds_never_stalls_the_screen(qtbot):
    hall = SlowHall(SLOW)
    jobs = Jobs()
    link = HallLink(hall.url, "token", jobs, timeout=10)
    answers: list[dict] = []
    try:
        meter = GapMeter()
        meter.start()
        started = time.monotonic()
        link.call("health", done=answers.append)
        qtbot.waitUntil(lambda: bool(answers), timeout=15000)
        meter.stop()
        assert answers == [{"status": "ok"}]
        assert time.monotonic() - started >= SLOW
        assert meter.ticks > 50
        assert meter.longest < MAX_GAP, f"the GUI thread stalled for {meter.longest * 1000:.0f} ms"
    finally:
        link.stop()
        qtbot.wait(50)  # answers already queued reach the link while it and its jobs still exist
        hall.close()
