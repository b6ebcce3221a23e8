"""The 24-hour self-service mode against a real hall server that is closed today (a closure in
its [opening] hours): the dispenser shows when tickets are issued again instead of its queue
tiles, a tap that reaches the hall anyway is refused with the hall's words, and the terminal's
home says the hall is closed above the flows that stay open."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hall.client import HallClient, HallError
from tests.support.halls import TOKENS, small_hall_toml
from tests.support.hallserver import HallServer, free_port


@pytest.fixture
def closed_hall(tmp_path: Path) -> Iterator[HallServer]:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    opening = (f'\n[opening]\nhours = ["08:30-12:00", "13:30-17:30"]\n[[opening.closures]]\n'
               f'date = {today - dt.timedelta(days=1)}\nuntil = {today + dt.timedelta(days=1)}\n'
               f'reason = "系统升级"\nreason_en = "system upgrade"\n')
    path = tmp_path / "hall.toml"
    path.write_text(small_hall_toml() + opening, encoding="utf-8")
    server = HallServer(path, tmp_path / "data", tmp_path / "hall-server.log", free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("YICIBAN_DATA_DIR", str(tmp_path / "screens"))


def test_the_dispenser_shows_when_tickets_are_issued_again(qtbot, make_shell, closed_hall):
    shell = make_shell("dispenser", closed_hall.base_url, TOKENS["dispenser"])
    view = shell.view
    qtbot.waitUntil(lambda: view.stack.currentWidget() is view.offhours, timeout=10000)
    assert view.offhours.title.text() == "大厅已闭厅，暂停取号"
    assert view.offhours.when.text().endswith("8:30开始取号")
    assert view.offhours.reason.text() == "系统升级"
    assert "自助复印" in view.offhours.still.text()
    assert not view.offhours.home.isVisible()  # nothing else to do at a dispenser on its own
    view.start_issue("general")  # a tap that reaches the hall anyway: refused in the hall's words
    qtbot.waitUntil(lambda: view.key is None and view.stack.currentWidget() is view.offhours, timeout=10000)
    assert view.offhours.when.text().endswith("8:30开始取号") and view.answer is None
    with HallClient(closed_hall.base_url, TOKENS["operator"]) as desk:
        assert all(q["waiting"] == 0 for q in desk.snapshot()["queues"])  # nothing issued
        with pytest.raises(HallError) as refused:
            desk.issue("general")
        assert refused.value.code == "not_issuing" and refused.value.details["reason"] == "closed"


def test_the_terminal_says_the_hall_is_closed_above_the_flows_that_stay_open(qtbot, make_shell, closed_hall):
    shell = make_shell("kiosk", closed_hall.base_url, TOKENS["kiosk"])
    banner = shell.view.hours_banner
    qtbot.waitUntil(lambda: banner.isVisible(), timeout=10000)
    assert banner.text().startswith("大厅已闭厅，暂停取号（系统升级），") and "24 小时开放" in banner.text()
    shell.context.languages.switch("en")
    qtbot.waitUntil(lambda: banner.text().startswith("The hall is closed"), timeout=5000)
    assert "(system upgrade)" in banner.text()


def test_the_display_shows_when_tickets_are_issued_again_over_the_board(qtbot, make_shell, closed_hall):
    shell = make_shell("display", closed_hall.base_url, TOKENS["display"])
    band = shell.view.offhours
    qtbot.waitUntil(lambda: band.isVisible(), timeout=10000)
    lines = band.text().splitlines()
    assert lines[0] == "大厅已闭厅，暂停取号 · 系统升级" and lines[1].endswith("8:30开始取号")
    assert band.geometry().bottom() < shell.view.board.ticker.geometry().top()  # the notices run beneath


def test_the_terminals_ticket_flow_says_when_and_leads_back_to_what_stays_open(qtbot, make_shell, closed_hall):
    from PySide6.QtCore import Qt

    shell = make_shell("kiosk", closed_hall.base_url, TOKENS["kiosk"])
    terminal = shell.view
    page = terminal.open("ticket")
    qtbot.waitUntil(lambda: page.view is not None and page.view.stack.currentWidget() is page.view.offhours,
                    timeout=10000)
    offhours = page.view.offhours
    assert offhours.title.text() == "大厅已闭厅，暂停取号" and offhours.home.isVisible()
    qtbot.mouseClick(offhours.home, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(terminal.at_home, timeout=5000)
