"""The operators' LED brightness on the wire: the BX-5 strip gets A3 02 with the level for its
percent when the operators save the board and again when the strip comes back; the simulated
controller refuses malformed parameters (NAK 12); a line-protocol strip, which has no
brightness command, is sent none and goes on showing the calls."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceFault
from drivers.ledstrip import StripSimulator, bx5, open_strip
from drivers.simserve import SimServer
from hall.config import load_config
from hall.peripherals import HallPeripherals
from hall.service import HallService
from hall.store import HallStore
from tests.contract.test_hall_peripherals import wait_for
from tests.support.halls import small_hall_toml


@pytest.mark.parametrize(("percent", "level"), [(0, 1), (1, 1), (50, 8), (60, 10), (100, 16)])
def test_the_operators_percent_becomes_one_of_the_controllers_16_levels(percent, level):
    assert bx5.level_for_percent(percent) == level
    params = bx5.brightness_params(level)
    assert params[0] == bx5.BRIGHTNESS_MANUAL and bx5.read_brightness(params) == (level,) * 48


def test_the_driver_sets_the_level_and_the_controller_refuses_bad_parameters():
    sim = StripSimulator(protocol="bx5")
    server = SimServer(sim.feed, tcp=0).start()
    strip = open_strip(server.url, {"protocol": "bx5"})
    try:
        strip.set_brightness(60)
        assert sim.brightness == (10,) * 48 and strip.brightness == 60
        with pytest.raises(ValueError, match="not 0 to 100"):
            strip.set_brightness(120)
        frame = bx5.request(bx5.BRIGHTNESS, b"\x00\x11" + b"\x05" * 47)  # level 17, one byte short
        assert bx5.parse_answer(bx5.decode(sim.feed(frame))).error == bx5.Error.PARAMETER
        assert sim.brightness == (10,) * 48  # nothing changed
    finally:
        strip.close()
        server.close()
    with pytest.raises(DeviceFault, match="refused brightness"):
        refusing = StripSimulator(protocol="bx5")
        refusing._execute = lambda packet: bx5.Error.PARAMETER
        server = SimServer(refusing.feed, tcp=0).start()
        strip = open_strip(server.url, {"protocol": "bx5", "retries": 0})
        try:
            strip.set_brightness(60)
        finally:
            strip.close()
            server.close()


def hall_with_strip(tmp_path, url: str, protocol: str):
    """The small hall with window w1's strip at `url`, its brightness set to 40 % (then changed)."""
    strip = ["[[peripherals]]", 'id = "led-w1"', 'kind = "led_strip"', f'url = "{url}"', 'window = "w1"',
             f'settings = {{ protocol = "{protocol}", status_interval = 0.2 }}']
    (tmp_path / "hall.toml").write_text(small_hall_toml() + "\n" + "\n".join(strip) + "\n", encoding="utf-8")
    config = load_config(tmp_path / "hall.toml")
    peripherals = HallPeripherals(config, HallService(config.setup(), HallStore(tmp_path / "hall.db")))
    percent = [40]
    peripherals.brightness = lambda: percent[0]
    peripherals.start()
    return peripherals.service, peripherals, percent


def test_the_hall_sends_the_brightness_on_save_and_again_when_the_strip_comes_back(tmp_path):
    sim = StripSimulator(protocol="bx5")
    server = SimServer(sim.feed, tcp=0).start()
    service, peripherals, percent = hall_with_strip(tmp_path, server.url, "bx5")
    try:
        wait_for(lambda: sim.brightness == (7,) * 48, what="the brightness once the strip answers")
        percent[0] = 90
        service.execute("board_changed", {"what": "board", "by": "op1"})
        wait_for(lambda: sim.brightness == (15,) * 48, what="the brightness the operators saved")

        port = server.url.rsplit(":", 1)[1]
        server.close()  # the strip is switched off: it forgets its setting
        wait_for(lambda: peripherals.statuses["led-w1"].state.value != "ready", timeout=10, what="the strip away")
        sim = StripSimulator(protocol="bx5")
        server = SimServer(sim.feed, tcp=int(port)).start()
        wait_for(lambda: sim.brightness == (15,) * 48, timeout=15, what="the brightness set again")
    finally:
        peripherals.close()
        server.close()
        service.store.close()


def test_a_line_strip_is_sent_no_brightness_and_goes_on_showing_calls(tmp_path):
    sim = StripSimulator(protocol="line")
    server = SimServer(sim.feed, tcp=0).start()
    service, peripherals, _ = hall_with_strip(tmp_path, server.url, "line")
    try:
        service.execute("open_window", {"window": "w1", "staff": "s1"})
        service.execute("issue", {"queue": "general"})
        service.execute("board_changed", {"what": "board", "by": "op1"})
        service.execute("call_next", {"window": "w1"})
        wait_for(lambda: sim.text == "请A001号到1号窗口", what="the call on the line strip")
        assert sim.bad == 0 and sim.brightness is None  # no command it does not know was sent
    finally:
        peripherals.close()
        server.close()
        service.store.close()
