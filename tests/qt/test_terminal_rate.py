"""服务评价 on the terminal, against a real hall server: a finished visit rated from its ticket's
QR code (channel "kiosk", once); a visit not finished or already rated is told so."""
from __future__ import annotations

import pytest

from hall.client import HallClient
from hall.config import DEFAULT_BAD_REASONS
from hall.wire import IssueAnswer
from kiosk.roles.terminal.rate import MESSAGE, RATE


@pytest.fixture
def desk(desk: HallClient) -> HallClient:
    """The conftest's desk, with window w1 open."""
    desk.open_window("w1", staff="s1")
    return desk


def served(desk: HallClient) -> IssueAnswer:
    """A citizen's visit through window w1, finished; the answer of its issue."""
    issued = desk.issue(queue="general")
    desk.call_next("w1")
    desk.start("w1")
    desk.finish("w1")
    return issued


@pytest.fixture
def rate_page(make_terminal):
    shell = make_terminal()
    shell.view.tiles["rate"].click()
    return shell, shell.view.page("rate")


def ratings(desk: HallClient, ticket: str) -> list[dict]:
    events = desk.events(after=0, limit=5000)["events"]
    return [e["data"] for e in events if e["type"] == "ticket.rated" and e["data"]["ticket"] == ticket]


def test_a_finished_visit_is_rated_once_from_its_qr(qtbot, rate_page, scanner, desk, hall_server):
    shell, page = rate_page
    visit = served(desk)
    scanner.scan(hall_server.base_url + visit.follow_path)
    qtbot.waitUntil(lambda: page.views.currentIndex() == RATE, timeout=8000)
    assert "A001" in page.rate_detail.text() and "1号窗口" in page.rate_detail.text()
    assert page.panel.reasons == DEFAULT_BAD_REASONS  # all the hall's seven, in its order, as on the pad
    page.panel.choose(2)  # 不满意: a reason first
    assert page.views.currentIndex() == RATE
    page.panel.toggle_reason(page.panel.reasons[0])
    page.panel.submit()
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "感谢您的评价"
    [rated] = ratings(desk, visit.ticket.id)
    assert rated["level"] == 2 and rated["channel"] == "kiosk" and rated["reasons"] == [page.panel.reasons[0]]

    page.done_button.click()
    assert shell.view.at_home() and shell.context.session.empty
    shell.view.tiles["rate"].click()
    scanner.scan(f"{hall_server.base_url}/ui/#ticket={visit.ticket.id}")
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "这次服务已经评价过了"
    assert len(ratings(desk, visit.ticket.id)) == 1


def test_a_visit_not_finished_cannot_be_rated_yet(qtbot, rate_page, scanner, desk, hall_server):
    _shell, page = rate_page
    waiting = desk.issue(queue="general")
    scanner.scan(hall_server.base_url + waiting.follow_path)
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "暂时不能评价"
    assert "还没有办结" in page.message.text.text()


def test_a_good_rating_is_one_tap_and_a_damaged_code_is_told(qtbot, rate_page, scanner, desk, hall_server):
    _shell, page = rate_page
    scanner.scan(f"{hall_server.base_url}/t/20261127-A0")
    qtbot.waitUntil(lambda: page.views.currentIndex() == page.typed_view, timeout=8000)
    assert page.typed.kind == "ticket" and page.typed.notice.text().startswith("二维码无法识别")
    page.back_button.click()  # back to the prompt
    visit = served(desk)
    scanner.scan(hall_server.base_url + visit.follow_path)
    qtbot.waitUntil(lambda: page.views.currentIndex() == RATE, timeout=8000)
    page.panel.choose(5)
    qtbot.waitUntil(lambda: page.message.title.text() == "感谢您的评价", timeout=8000)
    assert [r["level"] for r in ratings(desk, visit.ticket.id)] == [5]


def test_a_rating_made_while_the_hall_is_away_is_kept_and_delivered_once(qtbot, rate_page, scanner, desk,
                                                                          hall_server):
    _shell, page = rate_page
    visit = served(desk)
    hall_server.kill()
    scanner.scan(hall_server.base_url + visit.follow_path)
    # the hall cannot be asked whether the visit is finished: the QR's ticket is rated, checked later
    qtbot.waitUntil(lambda: page.views.currentIndex() == RATE, timeout=15000)
    assert "A001" in page.rate_detail.text()
    page.panel.choose(5)
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=15000)
    assert page.message.title.text() == "感谢您的评价"
    assert "保存在本机" in page.message.text.text() and not page.retry_button.isVisible()
    qtbot.waitUntil(lambda: page.outbox.pending == 1, timeout=8000)
    hall_server.start()
    qtbot.waitUntil(lambda: page.outbox.pending == 0, timeout=30000)
    [rated] = ratings(desk, visit.ticket.id)
    assert rated["level"] == 5 and rated["channel"] == "kiosk"
    page.outbox.flush(force=True)  # sent again: nothing more
    qtbot.waitUntil(lambda: not page.outbox._flushing, timeout=8000)
    assert len(ratings(desk, visit.ticket.id)) == 1
