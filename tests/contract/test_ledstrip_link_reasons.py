"""A window LED strip that cannot connect says why and since when, over a real TCP link: nothing
listening where the config points, and a strip that listens but never answers (wrong address,
wrong protocol). Its status is what the hall's health page and log show."""
import random
import socket
import threading

from drivers import registry
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
