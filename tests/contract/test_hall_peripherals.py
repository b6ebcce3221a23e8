"""Keypads, pads and LED strips on the hall PC, on their simulators, acting on a real queue."""
import contextlib
import time

import pytest

from drivers.keypad import BusSimulator, Key
from drivers.ledstrip import StripSimulator
from drivers.simserve import SimServer
from hall.config import load_config
from hall.peripherals import HallPeripherals, parse_window_map
from hall.service import HallService
from hall.store import HallStore
from tests.support.halls import small_hall_toml


def wait_for(condition, timeout=5.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def with_w1_devices(bus_url: str, strip_url: str) -> str:
    """The small hall with window w1's keypad (1) and pad (11) on a bus, and its LED strip."""
    return small_hall_toml() + f"""
[[peripherals]]
id = "bus-1"
kind = "keypad_bus"
url = "{bus_url}"
settings = {{ keypads = "1", pads = "11", windows = "1:w1, 11:w1" }}

[[peripherals]]
id = "led-w1"
kind = "led_strip"
url = "{strip_url}"
window = "w1"
settings = {{ protocol = "bx5", width = 192, height = 32, status_interval = 1 }}
"""


@contextlib.contextmanager
def w1_simulators(tmp_path):
    """Window w1's bus and strip on their simulators, and tmp_path/hall.toml naming them."""
    bus_sim = BusSimulator.build([1], [11], seed=3)
    bus_server = SimServer(bus_sim.feed, pty=True, link=tmp_path / "rs485").start()
    strip_sim = StripSimulator(protocol="bx5", out_dir=tmp_path / "led")
    strip_server = SimServer(strip_sim.feed, tcp=0).start()
    (tmp_path / "hall.toml").write_text(with_w1_devices(bus_server.url, strip_server.url), encoding="utf-8")
    try:
        yield bus_sim, strip_sim
    finally:
        bus_server.close()
        strip_server.close()


@pytest.fixture
def rig(tmp_path):
    with w1_simulators(tmp_path) as (bus_sim, strip_sim):
        yield from _rig(tmp_path, bus_sim, strip_sim)


def _rig(tmp_path, bus_sim, strip_sim):
    config = load_config(tmp_path / "hall.toml")
    service = HallService(config.setup(), HallStore(tmp_path / "hall.db"))
    peripherals = HallPeripherals(config, service)
    peripherals.start()
    yield service, bus_sim, strip_sim
    peripherals.close()


def test_keypad_calls_the_strip_shows_it_and_the_pad_rates_it(rig):
    service, bus_sim, strip_sim = rig
    service.execute("open_window", {"window": "w1", "staff": "s1"})
    ticket = service.execute("issue", {"queue": "general"})["ticket"]
    service.execute("issue", {"queue": "general"})

    bus_sim.press(1, Key.NEXT)
    wait_for(lambda: service.state.window("w1").ticket == ticket["id"], what="the keypad's call")
    wait_for(lambda: strip_sim.text == "请A001号到1号窗口", what="the LED strip")
    wait_for(lambda: bus_sim.keypad(1).display[0] == "A001", what="the keypad display")

    # 下一位 finishes A001 and calls A002; the window's pad is asked to rate A001
    bus_sim.press(1, Key.NEXT)
    wait_for(lambda: strip_sim.text == "请A002号到1号窗口", what="the next call on the strip")
    wait_for(lambda: bus_sim.pad(11).evaluating, what="the pad's evaluation request")
    assert bus_sim.pad(11).request.ticket == ticket["id"]
    bus_sim.rate(11, 2, [1])  # 不满意, 办理慢
    wait_for(lambda: service.state.tickets[ticket["id"]].rating == 2, what="the rating")
    rated = [e for e in service.store.events_after(0) if e.type == "ticket.rated"]
    assert rated[0].data["reasons"] == ["办理慢、等候久"]
    assert rated[0].data["channel"] == "keypad"


def test_a_refused_key_is_shown_on_the_keypad_and_changes_nothing(rig):
    service, bus_sim, _ = rig
    before = service.last_seq
    bus_sim.press(1, Key.NEXT)  # the window is closed
    wait_for(lambda: "关闭" in bus_sim.keypad(1).display[0], what="the refusal on the display")
    assert service.last_seq == before
    bus_sim.press(1, Key.PAUSE)  # on a closed window: opens it
    wait_for(lambda: service.state.window("w1").state.value == "open", what="the window to open")


def test_window_map_is_checked():
    assert parse_window_map("1:w01, 11:w01") == {1: "w01", 11: "w01"}
    with pytest.raises(ValueError, match="address:window"):
        parse_window_map("1-w01")


def test_a_strip_plugged_in_late_is_given_what_its_window_shows(tmp_path):
    from drivers.status import State

    path = tmp_path / "led-w1"  # nothing there yet: the strip is not plugged in
    (tmp_path / "hall.toml").write_text(small_hall_toml() + f"""
[[peripherals]]
id = "led-w1"
kind = "led"
url = "{path}"
window = "w1"
settings = {{ protocol = "bx5", status_interval = 0.2 }}
""", encoding="utf-8")
    config = load_config(tmp_path / "hall.toml")
    assert config.peripherals[-1].kind == "led_strip"  # the older name, taken as its kind
    service = HallService(config.setup(), HallStore(tmp_path / "hall.db"))
    peripherals = HallPeripherals(config, service)
    peripherals.start()
    strip_server = None
    try:
        service.execute("open_window", {"window": "w1", "staff": "s1"})
        service.execute("issue", {"queue": "general"})
        service.execute("call_next", {"window": "w1"})
        wait_for(lambda: peripherals.statuses.get("led-w1") is not None
                 and peripherals.statuses["led-w1"].state is State.DISCONNECTED, what="the strip's absence")
        strip_sim = StripSimulator(protocol="bx5", out_dir=tmp_path / "led")
        strip_server = SimServer(strip_sim.feed, pty=True, link=path).start()
        wait_for(lambda: strip_sim.text == "请A001号到1号窗口", timeout=15, what="the call on the strip")
        assert peripherals.statuses["led-w1"].state is State.READY
    finally:
        peripherals.close()
        if strip_server is not None:
            strip_server.close()
