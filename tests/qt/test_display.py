"""The hall display against a real hall server: calls shown, spoken and put on the window strips
once each, across a hall restart; the board's layouts, samples and monitor placement."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from drivers.ledstrip import StripSimulator
from drivers.simserve import SimServer
from hall.client import HallClient
from kiosk.models.display.layout import ScreenInfo
from kiosk.models.display.samples import sample_call, sample_snapshot
from kiosk.models.voice import call_clips
from kiosk.peripherals.led import strip_settings
from kiosk.roles.display.screens import ScreenFollower
from kiosk.voice_player import CallVoice
from tests.support.halls import TOKENS

UNREACHABLE = "http://127.0.0.1:9"


def numbers_on_the_board(view) -> list[str]:
    """The board's calls, oldest first."""
    return [c.number for c in reversed(view.board.board.calls)]


@pytest.fixture
def operator(hall_server):
    with HallClient(hall_server.base_url, TOKENS["operator"]) as client:
        yield client


def display(qtbot, make_shell, hall_server, **options):
    shell = make_shell("display", hall_server.base_url, TOKENS["display"], **options)
    shell.view.voice.close()  # the calls are queued and recorded without waiting for a sound card
    shell.view.voice = CallVoice(parent=shell.view, audio=False, history_size=100)
    qtbot.waitUntil(lambda: shell.view.board.board.loaded, timeout=8000)
    return shell.view


def test_a_call_lights_up_is_spoken_and_goes_to_the_window_strip(qtbot, make_shell, hall_server, operator,
                                                                   tmp_path):
    strip = StripSimulator(protocol="bx5", out_dir=tmp_path / "led")
    server = SimServer(strip.feed, tcp=0).start()
    try:
        operator.open_window("w1")
        view = display(qtbot, make_shell, hall_server, devices={"led:w1": server.url},
                       device_settings={"led:w1": {"protocol": "bx5", "width": "192"}})
        view.board.highlight_ms = 300
        qtbot.waitUntil(lambda: strip.text == "1号窗口 欢迎办理", timeout=8000)
        ticket = operator.issue(queue="general").ticket
        operator.call_next("w1")
        qtbot.waitUntil(lambda: view.voice.history == [call_clips("A001", 1)], timeout=8000)
        assert view.voice.history == [["chime", "qing", "A", "d0", "d0", "d1", "hao", "dao", "n1", "hao",
                                       "chuangkou", "banli", "pause", "qing", "A", "d0", "d0", "d1", "hao",
                                       "dao", "n1", "hao", "chuangkou", "banli"]]
        assert view.board.board.current.number == ticket.number
        assert view.board.highlight > 0
        qtbot.waitUntil(lambda: strip.text == "请A001号到1号窗口", timeout=8000)
        qtbot.waitUntil(lambda: view.board.highlight == 0, timeout=5000)  # the light fades
        assert view.board.board.queues["general"].waiting == 0

        operator.recall("w1")
        qtbot.waitUntil(lambda: len(view.voice.history) == 2, timeout=8000)
        assert view.voice.history[1] == call_clips("A001", 1)
        assert view.board.board.current.recall and numbers_on_the_board(view) == ["A001"]

        operator.finish("w1")
        qtbot.waitUntil(lambda: strip.text == "1号窗口 欢迎办理", timeout=8000)
        assert len(view.voice.history) == 2  # finishing is not a call
    finally:
        server.close()


def test_no_call_is_missed_or_repeated_across_a_hall_restart(qtbot, make_shell, hall_server, operator):
    for window in ("w1", "w2", "w3"):
        operator.open_window(window)
    for _ in range(6):
        operator.issue(queue="general")
    for _ in range(4):
        operator.issue(queue="property")
    operator.call_next("w1")  # before the display starts: in its snapshot, shown but not spoken
    view = display(qtbot, make_shell, hall_server)
    assert numbers_on_the_board(view) == ["A001"] and view.voice.history == []

    expected: list[tuple[str, int]] = []

    def call(window: str, number: int, finish_first: bool = False) -> None:
        if finish_first:
            operator.finish(window)
        expected.append((operator.call_next(window)["ticket"]["number"], number))

    call("w3", 3)
    call("w2", 2)
    call("w1", 1, finish_first=True)
    qtbot.waitUntil(lambda: len(view.voice.history) == len(expected), timeout=8000)

    hall_server.kill()
    qtbot.waitUntil(lambda: view.board.offline_since is not None, timeout=8000)
    assert numbers_on_the_board(view) == ["A001"] + [n for n, _ in expected]  # the last state stays
    hall_server.start()

    call("w3", 3, finish_first=True)
    call("w2", 2, finish_first=True)
    call("w1", 1, finish_first=True)
    operator.issue(queue="general")
    call("w2", 2, finish_first=True)
    qtbot.waitUntil(lambda: len(view.voice.history) >= len(expected), timeout=15000)
    qtbot.waitUntil(lambda: view.board.offline_since is None, timeout=8000)
    assert numbers_on_the_board(view) == ["A001"] + [n for n, _ in expected]
    assert view.voice.history == [call_clips(n, w) for n, w in expected]
    assert len({n for n, _ in expected}) == len(expected)
    assert view.board.board.seq == operator.snapshot()["seq"]


def test_a_snapshot_answered_late_never_replaces_the_board_that_follows_the_events(qtbot, make_shell):
    shell = make_shell("display", UNREACHABLE, "x", start=False)
    view = shell.view
    first = sample_snapshot(None, calls=2)
    view.on_snapshot_loaded(first)
    view.on_link_event_received(sample_call(first))
    assert len(view.board.board.calls) == 3
    view.on_snapshot_loaded(sample_snapshot(None, calls=5))  # a request sent before the first answer
    assert len(view.board.board.calls) == 3 and view.board.board.seq == first["seq"] + 1
    qtbot.waitUntil(lambda: len(view.voice.history) == 1)


def test_while_the_hall_is_away_the_board_says_so_in_one_calm_line(qtbot, make_shell):
    shell = make_shell("display", UNREACHABLE, "x")
    view = shell.view
    qtbot.waitUntil(lambda: view.board.offline_since is not None, timeout=8000)
    assert not view.board.board.loaded and view.voice.history == []
    view.retranslate_ui()
    assert not shell.grab().isNull()


@pytest.mark.parametrize(("size", "setting", "layout"), [
    ((1920, 1080), None, "landscape"),
    ((1080, 1920), None, "portrait"),
    ((1280, 800), None, "compact"),
    ((1920, 1080), "compact", "compact"),
])
def test_the_board_lays_itself_out_by_its_own_shape(qtbot, make_shell, size, setting, layout):
    options = {"device_settings": {"display": {"layout": setting}}} if setting else {}
    shell = make_shell("display", UNREACHABLE, "x", start=False, size=size, **options)
    shell.resize(*size)
    qtbot.waitUntil(lambda: shell.view.board.width() > size[0] // 2)
    assert shell.view.board.current_plan()[1].layout == layout


def test_every_sample_screen_shows_without_a_hall_and_says_nothing(qtbot, make_shell):
    shell = make_shell("display", UNREACHABLE, "x", start=False, size=(1920, 1080))
    view = shell.view
    names = []
    for name, show in view.sample_screens():
        show()
        names.append(name)
        assert not shell.grab().isNull()
        if name in ("calling", "portrait", "compact"):
            assert view.board.highlight == 1.0 and view.board.board.current is not None
        if name in ("portrait", "compact"):
            assert view.board.current_plan()[1].layout == name
        assert view.offhours.isVisible() == (name == "off_hours")
    assert names == ["idle", "calling", "portrait", "compact", "off_hours", "offline"]
    assert view.board.offline_since is not None
    shell.elder_button.click()
    assert view.board.theme.elder
    assert view.voice.history == [] and view.strips == {}


def test_monitor_changes_in_a_burst_place_the_display_once(qtbot):
    screens = [ScreenInfo("HDMI-1", (0, 0, 1920, 1080)), ScreenInfo("HDMI-2", (1920, 0, 1920, 1080))]
    placed: list[int] = []
    follower = ScreenFollower(1, placed.append, screens=lambda: (list(screens), 0), debounce_ms=50)
    app = QGuiApplication.instance()
    try:
        with qtbot.waitSignal(follower.placed, timeout=3000) as first:
            for _ in range(3):
                app.screenAdded.emit(app.primaryScreen())
            app.primaryScreenChanged.emit(app.primaryScreen())
            assert follower.pending and placed == []
        assert first.args == [1] and placed == [1]

        screens.pop()  # the display's monitor unplugged: the primary one holds it meanwhile
        with qtbot.waitSignal(follower.placed, timeout=3000) as second:
            app.screenRemoved.emit(app.primaryScreen())
            app.screenRemoved.emit(app.primaryScreen())
        assert second.args == [0] and placed == [1, 0]
    finally:
        follower.stop()
    app.screenAdded.emit(app.primaryScreen())
    assert not follower.pending  # stopped: no longer follows


def test_strip_settings_from_the_command_line():
    assert strip_settings({"protocol": "line", "acks": "false", "multi_line": "Yes", "idle_text": "欢迎",
                           "width": "192"}) == {"protocol": "line", "acks": False, "multi_line": True,
                                                "width": "192"}


def test_the_announcements_scroll_to_the_left(qtbot, make_shell):
    shell = make_shell("display", UNREACHABLE, "x", start=False, size=(1280, 800))
    ticker = shell.view.board.ticker
    shell.view.sample_screens()[0][1]()
    # the text is drawn from further along it each step: it moves left, from its start
    qtbot.waitUntil(lambda: ticker._strip is not None and 5 < ticker.offset < ticker._strip.width() / 2,
                    timeout=3000)
    assert ticker.text.startswith("【")
