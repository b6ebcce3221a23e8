"""LED strip drivers against the simulated controller, over a real pty and over TCP."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from drivers.errors import DeviceProtocolError, DeviceTimeout, DeviceUnavailable
from drivers.ledstrip import Colour, Effect, StripSimulator, bx5, doctor, open_strip
from drivers.simserve import SimServer
from drivers.status import State
from drivers.transport import open_url

CALL = "请A017号到3号窗口"
PAUSED = "3号窗口 暂停服务"


@pytest.fixture(params=["pty", "tcp"])
def bench(request, tmp_path) -> Iterator[tuple[StripSimulator, SimServer]]:
    sim = StripSimulator(width=192, height=32, out_dir=tmp_path, png_name="strip.png")
    where = {"pty": True} if request.param == "pty" else {"tcp": 0}
    with SimServer(sim.feed, **where) as server:
        yield sim, server


def strip_for(server: SimServer, **settings):
    return open_strip(server.url, {"protocol": "bx5", "timeout": 1.0, **settings})


def test_text_is_shown_and_drawn(bench, tmp_path):
    sim, server = bench
    strip = strip_for(server)
    strip.show(CALL)
    assert sim.text == CALL
    assert sim.styled(0).runs == ((Colour.RED, CALL),)
    assert sim.png == tmp_path / "strip.png"
    with Image.open(sim.png) as png:
        assert png.size == (192 * 6 + 24, 32 * 6 + 24)
        assert png.getpixel((png.width // 2, png.height // 2)) != (18, 18, 18)  # dots drawn
    strip.show(PAUSED, colour=Colour.AMBER, effect=Effect.SCROLL_LEFT)
    assert sim.text == PAUSED and sim.styled(0).runs[0][0] is Colour.AMBER
    assert sim.areas[0][0].effect is Effect.SCROLL_LEFT
    assert strip.status().state is State.READY
    strip.clear()
    assert sim.text == ""
    strip.close()


def test_a_corrupted_frame_is_nakked_and_sent_again(bench):
    sim, server = bench
    strip = strip_for(server)
    sim.corrupt_incoming = 1
    strip.show(CALL)
    assert (sim.naks, sim.text) == (1, CALL)
    assert strip.status().state is State.READY
    strip.close()


def test_a_line_that_keeps_corrupting_frames_is_reported(bench):
    sim, server = bench
    strip = strip_for(server, retries=2)
    sim.corrupt_incoming = 10
    with pytest.raises(DeviceProtocolError, match="checksum"):
        strip.show(CALL)
    assert sim.naks == 3 and sim.text == ""
    assert strip.status().state is State.ERROR  # the ping is corrupted too
    sim.corrupt_incoming = 0
    assert strip.status().state is State.READY
    strip.close()


def test_noise_before_the_answer_is_skipped(bench):
    sim, server = bench
    strip = strip_for(server)
    sim.garbage(50)
    strip.show(CALL)
    assert sim.text == CALL
    strip.close()


def test_a_strip_that_does_not_answer_times_out(bench):
    sim, server = bench
    strip = strip_for(server, timeout=0.1, retries=1)
    sim.silent = True
    with pytest.raises(DeviceTimeout):
        strip.show(CALL)
    assert strip.status().state is State.DISCONNECTED
    sim.silent = False
    strip.timeout = 1.0
    strip.show(CALL)  # the port is opened anew and the strip answers again
    assert sim.text == CALL
    strip.close()


def test_a_raw_frame_with_a_bad_crc_gets_a_nak(bench):
    sim, server = bench
    frame = bytearray(bx5.request(bx5.PING))
    frame[-2] ^= 0x40
    port = open_url(server.url, timeout=0.5)
    try:
        port.write(bytes(frame))
        answer = b""
        while not answer.endswith(b"\x5a"):
            chunk = port.read(1)
            assert chunk, "no NAK"
            answer += chunk
    finally:
        port.close()
    nak = bx5.parse_answer(bx5.decode(answer))
    assert not nak.ok and nak.error == bx5.Error.CHECKSUM


def test_another_screen_on_the_line_is_not_us(bench):
    sim, server = bench
    strip = strip_for(server, screen=2, timeout=0.1, retries=0)
    with pytest.raises(DeviceTimeout):
        strip.show(CALL)  # screen 1 ignores frames for screen 2
    assert sim.text == ""
    strip.close()


def test_an_unreachable_controller_is_unavailable():
    strip = open_strip("socket://127.0.0.1:9", {"protocol": "bx5"})
    with pytest.raises(DeviceUnavailable):
        strip.show(CALL)
    assert strip.status().state is State.DISCONNECTED
    assert doctor("socket://127.0.0.1:9", {})["state"] == "disconnected"


def test_doctor_pings_the_strip(bench):
    sim, server = bench
    result = doctor(server.url, {"protocol": "bx5"}, timeout=2)
    assert result["state"] == "ready" and result["details"]["screen"] == 1
    sim.silent = True
    assert doctor(server.url, {"protocol": "bx5"}, timeout=0.6)["state"] == "disconnected"


def test_a_dropped_tcp_connection_is_opened_again():
    sim = StripSimulator()
    with SimServer(sim.feed, tcp=0) as server:
        strip = strip_for(server)
        strip.show("A001")
        server.hang_up()  # the controller drops the connection
        deadline = time.monotonic() + 5
        while server.client is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            strip.show("A002")
        except DeviceUnavailable:
            strip.show("A002")  # the next call connects anew
        assert sim.text == "A002"
        strip.close()


@pytest.fixture
def line_bench(tmp_path) -> Iterator[tuple[StripSimulator, SimServer]]:
    sim = StripSimulator(protocol="line", width=128, height=32, out_dir=tmp_path)
    with SimServer(sim.feed, pty=True) as server:
        yield sim, server


def test_the_line_protocol(line_bench):
    sim, server = line_bench
    strip = open_strip(server.url, {"protocol": "line", "timeout": 1.0})
    strip.show(PAUSED)
    assert sim.text == PAUSED and sim.png is not None and sim.png.exists()
    status = strip.status()
    assert (status.state, status.details["size"], status.details["showing"]) == (State.READY, "128x32", PAUSED)
    strip.clear()
    assert sim.text == ""
    sim.silent = True
    strip.timeout = 0.1
    with pytest.raises(DeviceTimeout):
        strip.show(CALL)
    strip.close()


def test_the_line_protocol_answers_err_to_nonsense(line_bench):
    sim, server = line_bench
    port = open_url(server.url, timeout=0.5)
    try:
        port.write(b"BLINK twice\r\n")
        assert port.read_until(b"\r\n").startswith(b"ERR")
        port.write(b"SHOW A017\r\n")
        assert port.read_until(b"\r\n") == b"OK\r\n"
    finally:
        port.close()
    assert sim.text == "A017" and sim.bad == 1


def test_a_line_strip_that_never_answers(line_bench):
    sim, server = line_bench
    sim.silent = True
    strip = open_strip(server.url, {"protocol": "line", "acks": False})
    strip.show(CALL)  # written, not waited for
    assert strip.status().state is State.READY
    strip.close()


def test_the_simulator_command_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from drivers.ledstrip import sim_main; sys.exit(sim_main())",
         "--tcp", "0", "--out", str(tmp_path), "--name", "window3", "--size", "128x32"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline().strip()
        assert first.startswith("listening socket://127.0.0.1:")
        url = first.split(" ", 1)[1]
        assert proc.stdout.readline().startswith("rendering to")
        strip = open_strip(url, {"protocol": "bx5", "width": 128})
        strip.show(PAUSED, colour=Colour.AMBER)
        assert proc.stdout.readline().strip() == f"shown {PAUSED!r} -> {tmp_path / 'window3.png'}"
        assert Path(tmp_path / "window3.png").stat().st_size > 0
        strip.close()
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_a_narrow_strip_never_splits_a_window_from_its_number(tmp_path):
    from drivers.ledstrip.render import wrap
    from ground.linebreak import line_problems

    assert wrap(CALL, 96, 16, multi_line=True, auto_wrap=True) == ["请A017号到3", "号窗口"]  # the controller alone
    sim = StripSimulator(width=96, height=32, out_dir=tmp_path)
    with SimServer(sim.feed, tcp=0) as server:
        strip = strip_for(server, width=96)
        strip.show(CALL)
        shown = wrap(sim.text, 96, 16, multi_line=True, auto_wrap=True)
        strip.close()
    assert shown == ["请A017号到", "3号窗口"]
    assert line_problems(shown) == []
