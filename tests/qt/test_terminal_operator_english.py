"""What the hall's operators type, in the citizen's language, against a real hall server: an
English terminal shows the operators' English notice and urgent broadcast, a Chinese one the
Chinese, and a notice the operators gave no English shows its Chinese on either."""
from __future__ import annotations

import requests

from kiosk.roles.terminal.announcements import LIST
from kiosk.roles.terminal.widgets import ListItem
from tests.support.halls import TOKENS

OPERATOR = {"Authorization": f"Bearer {TOKENS['operator']}"}
PARKING = {"title": "停车须知", "body": "地下车库对办事群众免费开放两小时。",
           "title_en": "Parking", "body_en": "The underground car park is free for two hours."}
CHINESE_ONLY = {"title": "春节安排", "body": "春节期间大厅正常开放。"}
DRILL = {"text": "消防演练，请听从工作人员指引", "text_en": "Fire drill: please follow the staff", "minutes": 5}


def put_notice(hall_server, notice_id: str, body: dict) -> None:
    r = requests.put(f"{hall_server.base_url}/api/v1/operators/notices/{notice_id}", headers=OPERATOR,
                     json=body, timeout=5)
    assert r.status_code == 200, r.text


def titles(page) -> set[str]:
    return {r.title.text() for r in page.list_box.findChildren(ListItem) if r.isVisibleTo(page)}


def reopen(qtbot, page, expected: set[str]) -> None:
    page.leave()
    page.enter()
    qtbot.waitUntil(lambda: page.views.currentIndex() == LIST and expected <= titles(page), timeout=8000)


def test_an_english_terminal_shows_the_operators_english_and_a_chinese_one_the_chinese(
        qtbot, make_terminal, hall_server):
    put_notice(hall_server, "a-parking", PARKING)
    put_notice(hall_server, "b-spring", CHINESE_ONLY)
    shell = make_terminal()
    languages = shell.context.languages
    page = shell.view.open("announcements")
    reopen(qtbot, page, {"停车须知", "春节安排"})
    assert "Parking" not in titles(page)

    languages.switch("en")
    try:
        reopen(qtbot, page, {"Parking", "春节安排"})  # no English given: the Chinese
        assert "停车须知" not in titles(page)
        [parking] = [r for r in page.list_box.findChildren(ListItem)
                     if r.isVisibleTo(page) and r.title.text() == "Parking"]
        assert parking.preview.text().startswith("The underground car park is free")
        page.open_item(next(a for a in page.items if a["id"] == "a-parking"))
        assert page.detail_title.text() == "Parking" and "free for two hours" in page.detail_body.text()

        link = shell.context.link
        qtbot.waitUntil(lambda: link._stream is not None and link._stream.connected, timeout=8000)
        r = requests.post(f"{hall_server.base_url}/api/v1/operators/broadcast", headers=OPERATOR, json=DRILL,
                          timeout=5)
        assert r.status_code == 200, r.text
        qtbot.waitUntil(lambda: shell.broadcast.isVisible(), timeout=8000)
        assert DRILL["text_en"] in shell.broadcast.text() and DRILL["text"] not in shell.broadcast.text()
    finally:
        languages.switch("zh")
    assert DRILL["text"] in shell.broadcast.text() and DRILL["text_en"] not in shell.broadcast.text()
    reopen(qtbot, page, {"停车须知", "春节安排"})
    assert page.detail_title.text() in {"停车须知", "春节安排"}


def test_a_broadcast_without_english_shows_its_chinese_on_an_english_terminal(qtbot, make_terminal, hall_server):
    r = requests.post(f"{hall_server.base_url}/api/v1/operators/broadcast", headers=OPERATOR,
                      json={"text": DRILL["text"], "minutes": 5}, timeout=5)
    assert r.status_code == 200, r.text
    shell = make_terminal()
    shell.context.languages.switch("en")
    try:
        qtbot.waitUntil(lambda: shell.broadcast.isVisible(), timeout=8000)  # read from the hall's board
        assert DRILL["text"] in shell.broadcast.text()
    finally:
        shell.context.languages.switch("zh")
