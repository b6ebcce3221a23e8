"""The hall's health over its own devices, on their simulators: window w1's LED strip (TCP) and
its RS-485 bus with a keypad and an evaluation pad (pty), each ready with its state; the strip
cut off is said with why; a pad token of a window whose pad is on the bus is not a missing screen."""
from __future__ import annotations

from tests.api.conftest import bearer
from tests.contract.test_hall_peripherals import wait_for
from tests.contract.test_operator_leds import hall  # noqa: F401 - the fixture: w1's strip and bus, a hall app
from tests.support.halls import TOKENS

A = "/api/v1"
OPERATOR = bearer(TOKENS["operator"])


def devices(client) -> dict[str, dict]:
    report = client.get(f"{A}/health", headers=OPERATOR).json()
    return {i["id"]: i for i in report["items"] if i["area"] == "peripheral"}


def test_the_halls_own_devices_with_their_state_and_why(hall):  # noqa: F811
    client, strip = hall
    wait_for(lambda: {i["state"] for i in devices(client).values()} == {"ok"}, timeout=15,
             what="the strip, the bus, its keypad and its pad ready")
    found = devices(client)
    assert set(found) == {"led-w1", "bus-1", "bus-1/1", "bus-1/11"}
    assert found["led-w1"]["details"]["kind"] == "led_strip"
    report = client.get(f"{A}/health", headers=OPERATOR).json()
    screens = {i["id"] for i in report["items"] if i["area"] == "screen"}
    assert "pad-w1" not in screens and {"kiosk-1", "dispenser-1", "display-1"} <= screens

    strip.silent = True  # the strip stops answering (its converter unplugged)
    wait_for(lambda: devices(client)["led-w1"]["details"]["device_state"] != "ready", timeout=60,
             what="the strip's loss noticed")
    item = devices(client)["led-w1"]
    assert item["state"] in ("warning", "error")
    assert "no answer" in item["reason"], item
