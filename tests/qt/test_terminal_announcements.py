"""通知公告 on the terminal, from a real hall server: the operators' notices as a list whose rows
give the start of each text; on a landscape screen the list and the one being read side by
side (the first open, the open one framed), on a portrait screen one at a time with 返回 back to
the list."""
from __future__ import annotations

import requests
from PySide6.QtCore import Qt

from kiosk.roles.terminal.announcements import LIST, PREVIEW_CHARS
from kiosk.roles.terminal.widgets import ListItem
from tests.support.halls import TOKENS

LONG = "自2027年1月1日起，不动产登记业务实行全程预约，请通过网上办事大厅或自助终端预约后，凭短信到大厅签到取号办理。"


def publish(hall_server, notice_id: str, title: str, body: str) -> None:
    r = requests.put(f"{hall_server.base_url}/api/v1/operators/notices/{notice_id}", timeout=5,
                     headers={"Authorization": f"Bearer {TOKENS['operator']}"}, json={"title": title, "body": body})
    assert r.status_code == 200, r.text


def rows(page) -> list[ListItem]:
    return [r for r in page.list_box.findChildren(ListItem) if r.isVisibleTo(page)]


def test_the_notices_read_beside_the_list_on_a_wide_screen_and_one_at_a_time_on_a_tall_one(
        qtbot, make_terminal, hall_server):
    publish(hall_server, "a-parking", "停车须知", "地下车库对办事群众免费开放。")
    publish(hall_server, "b-booking", "不动产登记全程预约", LONG)
    shell = make_terminal()
    view = shell.view
    page = view.open("announcements")
    qtbot.waitUntil(lambda: page.views.currentIndex() == LIST and len(rows(page)) >= 2, timeout=8000)
    found = {r.title.text(): r for r in rows(page)}
    assert {"停车须知", "不动产登记全程预约"} <= set(found)
    short, long = found["停车须知"], found["不动产登记全程预约"]
    assert short.preview.text() == "地下车库对办事群众免费开放。"  # a short text whole
    assert long.preview.text().endswith("…") and len(long.preview.text()) == PREVIEW_CHARS + 1
    assert LONG.startswith(long.preview.text()[:-1])

    assert page.wide()  # 1280 × 800: the list and the first notice side by side
    first = rows(page)[0]
    assert page.list_area.isVisible() and page.detail_area.isVisible()
    assert page.detail_title.text() == first.title.text() and first.marked
    qtbot.mouseClick(long, Qt.MouseButton.LeftButton)
    assert page.detail_title.text() == "不动产登记全程预约" and LONG in page.detail_body.text()
    assert long.marked and not short.marked and page.list_area.isVisible()
    assert not page.back()  # nothing to go back to inside the page: 返回 leaves it

    shell.resize(800, 1280)  # a portrait terminal: one thing at a time
    qtbot.waitUntil(lambda: not page.wide(), timeout=3000)
    page.leave()
    page.enter()
    qtbot.waitUntil(lambda: page.list_area.isVisible() and not page.detail_area.isVisible()
                    and len(rows(page)) >= 2, timeout=8000)  # new rows show on the next turn of the loop
    qtbot.mouseClick(found_row(page, "停车须知"), Qt.MouseButton.LeftButton)
    assert page.detail_area.isVisible() and not page.list_area.isVisible()
    assert page.detail_title.text() == "停车须知"
    assert page.back()  # back to the list, still inside the page
    assert page.list_area.isVisible() and not page.detail_area.isVisible()


def found_row(page, title: str) -> ListItem:
    [row] = [r for r in rows(page) if r.title.text() == title]
    return row
