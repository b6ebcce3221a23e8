"""The operators' LED idle text and on/off hours on a window's strip (its simulator over TCP)
through the hall server, and the window's devices as the staff console sees them."""
from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.contract.test_hall_peripherals import w1_simulators, wait_for
from tests.support.halls import TOKENS

A = "/api/v1"


@pytest.fixture
def hall(tmp_path):
    with w1_simulators(tmp_path) as (_, strip_sim):
        app = create_app(load_config(tmp_path / "hall.toml"), tmp_path / "data")
        with TestClient(app) as client:
            yield client, strip_sim


def test_the_idle_text_is_shown_on_an_idle_window_and_the_staff_see_their_devices(hall):
    client, strip = hall
    operator, wang = bearer(TOKENS["operator"]), login(client, "wang")
    assert client.post(f"{A}/windows/w1/open", headers=wang).status_code == 200
    wait_for(lambda: strip.text == "1号窗口 欢迎办理", what="the strip's own open text")

    r = client.put(f"{A}/operators/board", headers=operator, json={"led_idle": {"w1": "请到此窗口办理"}})
    assert r.status_code == 200, r.text
    wait_for(lambda: strip.text == "请到此窗口办理", what="the idle text on the open window's strip")

    client.post(f"{A}/tickets", headers=bearer(TOKENS["dispenser"]), json={"queue": "general"})
    client.post(f"{A}/windows/w1/call-next", headers=wang)
    wait_for(lambda: strip.text == "请A001号到1号窗口", what="the call over the idle text")
    client.post(f"{A}/windows/w1/pause", headers=wang, json={"reason": "休息"})
    client.post(f"{A}/windows/w1/resume", headers=wang)
    wait_for(lambda: strip.text == "请到此窗口办理", what="the idle text again after a pause")

    devices = client.get(f"{A}/counter/windows/w1/devices", headers=wang).json()["devices"]
    assert {(d["device"], d["kind"]) for d in devices} >= {("led-w1", "led_strip")}
    assert len(devices) == 3 and all(d["state"] for d in devices)
    assert all(0 <= time.time() - d["since"] < 3600 for d in devices)  # a time of day, not the link's own clock
    wait_for(lambda: all(d["state"] == "ready" for d in
                         client.get(f"{A}/counter/windows/w1/devices", headers=wang).json()["devices"]),
             what="every device of w1 ready")
    li = login(client, "li")  # w2 and w3 only
    assert client.get(f"{A}/counter/windows/w1/devices", headers=li).status_code == 403


def test_the_strips_go_dark_outside_the_schedule_and_light_again(hall):
    client, strip = hall
    operator, wang = bearer(TOKENS["operator"]), login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    wait_for(lambda: strip.text == "1号窗口 欢迎办理", what="the strip's own open text")
    zone = ZoneInfo(client.get(f"{A}/hall", headers=operator).json()["timezone"])
    hour = dt.datetime.fromtimestamp(client.get(f"{A}/board", headers=operator).json()["now"], zone).hour
    later = f"{(hour + 2) % 24:02d}:00"
    dark = {"led_on": later, "led_off": f"{(hour + 3) % 24:02d}:00"}
    assert client.put(f"{A}/operators/board", headers=operator, json=dark).status_code == 200
    wait_for(lambda: strip.text == "", what="the strip cleared outside its hours")
    lit = {"led_on": f"{(hour + 23) % 24:02d}:00", "led_off": later}
    assert client.put(f"{A}/operators/board", headers=operator, json=lit).status_code == 200
    wait_for(lambda: strip.text == "1号窗口 欢迎办理", what="the strip lit again in its hours")
