"""The terminal's home: a tile per flow from the registry, the ticket flow embedded, codes routed
from the home screen, the session wiped on the way home, and every sample screen fitting the
small landscape screen in elder mode."""
from __future__ import annotations

import pytest

from kiosk.roles.terminal import view as terminal
from kiosk.roles.terminal.announcements import AnnouncementsPage
from kiosk.roles.terminal.view import FLOWS, Flow, TerminalView
from tests.support.halls import TOKENS

OFFLINE = "http://127.0.0.1:9"  # nothing listens there


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("YICIBAN_DATA_DIR", str(tmp_path / "data"))


def test_a_tile_per_flow_in_the_registrys_order(qtbot, make_shell):
    shell = make_shell("kiosk", OFFLINE, "x", start=False)
    view: TerminalView = shell.view
    assert isinstance(view, TerminalView) and view.at_home()
    assert [f.key for f in FLOWS] == ["ticket", "checkin", "guides", "announcements", "progress", "rate", "copy",
                                      "apply", "supplement"]
    # copying, applying and 补正 need a document camera, and this terminal has none
    assert list(view.tiles) == ["ticket", "checkin", "guides", "announcements", "progress", "rate"]
    titles = [view.tiles[k].title.text() for k in view.tiles]
    assert titles == ["取号", "预约签到", "办事指南", "通知公告", "进度查询", "服务评价"]
    for tile in view.tiles.values():
        assert tile.minimumHeight() >= shell.context.theme.min_target


def test_a_flow_that_needs_a_device_shows_only_where_it_is_configured(qtbot, make_shell, monkeypatch):
    later = Flow("later", "camera", "kiosk.roles.terminal.announcements:AnnouncementsPage", "通知公告",
                 needs=("doc_camera",))
    monkeypatch.setattr(terminal, "FLOWS", (*FLOWS, later))
    without = make_shell("kiosk", OFFLINE, "x", start=False).view
    assert "later" not in without.tiles and "later" not in without.flows
    with_it = make_shell("kiosk", OFFLINE, "x", start=False, devices={"doc_camera": "/dev/null"}).view
    assert "later" in with_it.tiles
    assert isinstance(with_it.open("later"), AnnouncementsPage)


def test_the_home_screen_paints_first_and_the_pages_are_made_behind_it(qtbot, make_shell):
    from PySide6.QtCore import QEvent, QObject

    painted: list[int] = []

    class FirstPaint(QObject):
        def eventFilter(self, _obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(len(view.pages))
            return False

    view = make_shell("kiosk", OFFLINE, "x", start=False).view
    assert view.pages == {}  # built and shown: the tiles, no page yet
    spy = FirstPaint()
    view.installEventFilter(spy)
    qtbot.waitUntil(lambda: set(view.pages) == set(view.flows), timeout=15000)
    assert painted == [0]  # the first paint came before any page was made
    guides = view.page("guides")
    assert guides.heading.text() == view.tiles["guides"].title.text() == "办事指南"
    view.context.languages.switch("en")  # Qt tells every widget on the next turn of the loop
    qtbot.waitUntil(lambda: guides.heading.text() == "Service guides", timeout=5000)
    assert view.tiles["guides"].title.text() == "Service guides"
    assert view.tiles["rate"].title.text() == "Rate our service"
    view.context.languages.switch("zh")


def test_the_ticket_flow_is_the_dispensers_own_and_ends_at_home(qtbot, make_shell, hall_server):
    shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"])
    view = shell.view
    view.tiles["ticket"].click()
    page = view.page("ticket")
    assert view.current_page() is page and page.view is not None and page.view.embedded
    assert not view.at_home()
    page.view.flow_finished.emit()
    assert view.at_home()


def test_codes_scanned_at_home_open_the_flow_they_belong_to(qtbot, make_shell):
    shell = make_shell("kiosk", OFFLINE, "x", start=False)
    view = shell.view
    view.on_code_watched("https://hall.example/t/20261127-A001.ABCDEFGH23")
    assert view.current_page() is view.page("progress")
    view.on_page_finished()
    assert view.at_home() and shell.context.session.empty
    view.on_code_watched("https://zwfw.example.gov.cn/m/checkin?appt=QR7K2M9PX4")
    assert view.current_page() is view.page("checkin")
    assert shell.context.session.scans == ["https://zwfw.example.gov.cn/m/checkin?appt=QR7K2M9PX4"]
    shell.wipe_session()  # the idle timeout
    assert view.at_home() and shell.context.session.empty


def test_a_card_that_names_nobody_is_told_and_not_kept(qtbot, make_shell):
    from kiosk.peripherals.idcard import CardProblem

    shell = make_shell("kiosk", OFFLINE, "x", start=False)
    view = shell.view
    view.tiles["progress"].click()
    page = view.page("progress")
    view.on_card_watched(CardProblem("read_failed"))
    assert page.message.title.text() == "这张卡读不出身份证号码"
    assert shell.context.session.identity is None


@pytest.mark.parametrize(("size", "elder", "language"), [
    ((1280, 800), False, "zh"), ((1280, 800), True, "zh"), ((1080, 1920), False, "en"), ((1920, 1080), True, "zh"),
])
def test_every_sample_screen_shows_and_fits_the_screen(qtbot, make_shell, size, elder, language):
    shell = make_shell("kiosk", OFFLINE, "x", start=False, size=size, elder=elder, language=language)
    screens = shell.view.sample_screens()
    names = [name for name, _show in screens]
    for wanted in ("home", "guides-list", "guides-search", "guides-detail", "guides-printing", "announcements-list",
                   "checkin-scan", "checkin-ticket", "progress-waiting", "progress-corrupted-qr", "rate-levels",
                   "rate-thanks"):
        assert wanted in names
    for name, show in screens:
        show()
        qtbot.wait(1)
        assert (shell.width(), shell.height()) == size, name
