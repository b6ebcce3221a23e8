"""A window LED strip that cannot connect says why and since when, over a real TCP link: nothing
listening where the config points, and a strip that listens but never answers (wrong address,
wrong protocol). Its status is what the hall's health page and log show. And the demo's fault:
its simulated strips drew their PNG before answering, so on a busy machine the first strip to
show anything answered later than the driver's timeout and kept being dropped."""
import random
import socket
import threading

import pytest

from drivers import registry
from drivers.errors import DeviceTimeout
from drivers.ledstrip import StripSimulator
from drivers.simserve import SimServer
from drivers.status import State


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nothing_listening_is_said_with_the_address_and_the_attempts():
    url = f"socket://127.0.0.1:{free_port()}"
    link = registry.make_link("led_strip", "led-w01", url, {"protocol": "bx5"}, rng=random.Random(1))
    link.step()
    link.step()
    status = link.status
    assert status.state is State.DISCONNECTED
    assert status.reason.startswith(f"cannot open {url}")
    assert "refused" in status.reason.lower()
    assert status.details["attempts"] == 2 and status.details["where"] == url
    assert link.connecting_reason().startswith(f"connecting to {url}: 2 attempts failed, the last: cannot open")


def test_a_strip_that_never_answers_says_so_then_connects_when_it_does(tmp_path):
    sim = StripSimulator(protocol="bx5", out_dir=tmp_path)
    sim.silent = True
    with SimServer(sim.feed, tcp=0) as server:
        link = registry.make_link("led_strip", "led-w01", server.url,
                                  {"protocol": "bx5", "timeout": 0.2, "retries": 0}, rng=random.Random(1))
        link.step()
        assert link.status.state is State.DISCONNECTED
        assert link.status.reason == "no answer in 0.2 s"
        first_down = link.status.since
        sim.silent = False
        link.step()
        assert link.status.state is State.READY
        assert link.status.since >= first_down
        stop = threading.Event()
        stop.set()
        link.run(stop)  # closes the strip
        assert link.status.reason == "closed"


class HeldDrawing(StripSimulator):
    """A strip simulator whose PNG drawing waits until the test lets it (a machine too busy to draw)."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.may_draw = threading.Event()

    def render(self, path=None):
        self.may_draw.wait(30)
        return super().render(path)


def show_once(url: str, text: str):
    from drivers.ledstrip import open_strip

    strip = open_strip(url, {"protocol": "bx5", "timeout": 0.5, "retries": 0}, name="led-w01")
    try:
        strip.show(text)
    finally:
        strip.close()


def test_the_demo_strip_answers_before_it_draws_so_a_busy_machine_does_not_drop_it(tmp_path):
    sim = HeldDrawing(protocol="bx5", out_dir=tmp_path, png_name="led.png", render_behind=True)
    with SimServer(sim.feed, tcp=0) as server:
        show_once(server.url, "1号窗口 欢迎办理")  # answered while the drawing is held
        assert sim.text == "1号窗口 欢迎办理" and not (tmp_path / "led.png").exists()
        sim.may_draw.set()
        for _ in range(600):
            if (tmp_path / "led.png").exists():
                break
            threading.Event().wait(0.05)
        assert (tmp_path / "led.png").exists()


def test_drawing_before_answering_is_what_dropped_the_strip(tmp_path):
    sim = HeldDrawing(protocol="bx5", out_dir=tmp_path, png_name="led.png")
    with SimServer(sim.feed, tcp=0) as server:
        try:
            with pytest.raises(DeviceTimeout):
                show_once(server.url, "1号窗口 欢迎办理")
        finally:
            sim.may_draw.set()
