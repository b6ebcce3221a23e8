"""The operators' urgent broadcast on the kiosk, the dispenser and the evaluation pad, against a
real hall server: each screen shows it across itself as soon as it is sent, hides it when the
operators end it, and a screen started while one is on shows it from the hall's board."""
from __future__ import annotations

import pytest
import requests

from kiosk.models.broadcast import HallTime, from_board
from tests.support.halls import TOKENS

OPERATOR = {"Authorization": f"Bearer {TOKENS['operator']}"}
TEXT = "消防演练，请听从工作人员指引"


def broadcast(hall_server, method: str, body: dict | None = None) -> None:
    r = requests.request(method, f"{hall_server.base_url}/api/v1/operators/broadcast", headers=OPERATOR,
                         json=body, timeout=10)
    assert r.status_code == 200, r.text


def screen(make_shell, hall_server, tmp_path, role: str):
    options = {"window": "w1", "device_settings": {"pad": {"data_dir": str(tmp_path / "pad")}}} if role == "pad" else {}
    return make_shell(role, hall_server.base_url, TOKENS[role], **options)


@pytest.mark.parametrize("role", ["kiosk", "dispenser", "pad"])
def test_each_screen_shows_the_broadcast_until_the_operators_end_it(qtbot, make_shell, hall_server, tmp_path, role):
    shell = screen(make_shell, hall_server, tmp_path, role)
    link = shell.context.link
    qtbot.waitUntil(lambda: link._stream is not None and link._stream.connected, timeout=8000)
    assert not shell.broadcast.isVisible()
    broadcast(hall_server, "POST", {"text": TEXT, "minutes": 5})
    qtbot.waitUntil(lambda: shell.broadcast.isVisible(), timeout=8000)
    assert TEXT in shell.broadcast.text()
    band = shell.broadcast.geometry()
    assert band.width() == shell.width() and band.height() > 0 and band.top() > 0
    shell.grab().save(str(tmp_path / f"{role}-broadcast.png"))

    broadcast(hall_server, "DELETE")
    qtbot.waitUntil(lambda: not shell.broadcast.isVisible(), timeout=8000)


def test_a_screen_started_during_a_broadcast_shows_it_from_the_board(qtbot, make_shell, hall_server, tmp_path):
    broadcast(hall_server, "POST", {"text": TEXT, "minutes": 5})
    shell = screen(make_shell, hall_server, tmp_path, "dispenser")
    qtbot.waitUntil(lambda: shell.broadcast.isVisible(), timeout=8000)
    assert TEXT in shell.broadcast.text()


def test_the_hall_clock_decides_when_a_broadcast_from_the_board_ends():
    now = [1000.0]
    clock = HallTime(lambda: now[0])
    clock.learn(5000.0)  # this machine is 4000 s behind the hall
    b = from_board({"now": 5000.0, "broadcast": {"text": TEXT, "until": 5060.0}})
    assert b is not None and b.shown_at(clock.now())
    now[0] += 61
    assert not b.shown_at(clock.now())
    assert from_board({"now": 1.0, "broadcast": None}) is None
    assert from_board({"broadcast": {"text": TEXT, "until": "soon"}}) is None
