"""The frame every role runs in: header, language, elder mode, idle wipe, offline, no escape."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from kiosk.shell import RoleView
from tests.support.halls import TOKENS


class Away(RoleView):
    """A view that is away from home until told otherwise."""

    home = True

    def at_home(self) -> bool:
        return self.home

    def go_home(self) -> None:
        self.home = True


def test_shell_shows_the_hall_name_once_the_hall_answers(qtbot, make_shell, hall_server):
    shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"], view=Away)
    qtbot.waitUntil(lambda: shell.hall_name.text() == "测试政务服务中心", timeout=5000)
    qtbot.waitUntil(lambda: shell.context.link.online is True, timeout=5000)
    assert shell.banner.isHidden()


def test_offline_hall_shows_a_calm_banner_and_recovers(qtbot, make_shell, hall_server):
    shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"], view=Away)
    qtbot.waitUntil(lambda: shell.context.link.online is True, timeout=5000)
    hall_server.kill()
    shell.context.link.on_health_timeout()
    qtbot.waitUntil(lambda: shell.context.link.online is False, timeout=8000)
    assert not shell.banner.isHidden()
    assert "重连" in shell.banner.text()
    hall_server.start()
    shell.context.link.on_health_timeout()
    qtbot.waitUntil(lambda: shell.context.link.online is True, timeout=8000)
    assert shell.banner.isHidden()


def test_a_screen_shut_down_asks_the_hall_nothing_more(qtbot, make_shell, hall_server):
    """The hall's description is asked again every few seconds until it answers; once the screen
    shuts down neither that retry nor any other request goes out (nothing logs after it)."""
    from kiosk.app import shutdown

    hall_server.kill()  # the hall away: the screen keeps asking for its description
    shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"], view=Away)
    link = shell.context.link
    qtbot.waitUntil(lambda: link.online is False, timeout=8000)
    shutdown(shell)
    answered: list[object] = []
    link.call("hall", done=answered.append, failed=answered.append)
    qtbot.wait(300)
    assert link.stopped and answered == []  # the request was not sent, so nothing came back


def test_language_switch_retranslates_the_header(qtbot, make_shell):
    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False)
    assert shell.elder_button.text() == "长辈模式"
    shell.language_button.click()
    assert shell.context.language == "en"
    assert shell.elder_button.text() == "Elder mode"
    assert shell.language_button.text() == "中文"
    shell.language_button.click()
    assert shell.elder_button.text() == "长辈模式"


def test_elder_mode_enlarges_type_by_half_and_doubles_timeouts(qtbot, make_shell):
    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False, idle_seconds=60)
    base = shell.context.theme.base_px
    shell.elder_button.click()
    assert shell.context.theme.elder
    assert shell.context.theme.base_px >= round(base * 1.5)
    assert f"font-size: {shell.context.theme.base_px}px" in QApplication.instance().styleSheet()
    assert shell.idle.idle_seconds == 120
    shell.elder_button.click()
    assert shell.context.theme.base_px == base


def idle_shell(make_shell, now: list[float]):
    """A kiosk shell whose idle watch reads the time from `now[0]`: 30 s quiet, 10 s warning."""
    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False,
                       idle_seconds=30, warn_seconds=10)
    shell.idle.clock = lambda: now[0]
    shell.start()
    return shell


def count_down_to_the_wipe(qtbot, shell, now: list[float]) -> None:
    """With 9 s left: the countdown shows them, then the time runs out."""
    shell.idle.on_timer_timeout()
    assert shell.overlay.isVisible() and shell.overlay.mode == "countdown"
    assert "9" in shell.overlay.message.text()
    now[0] += 10
    with qtbot.waitSignal(shell.idle.timed_out, timeout=1000):
        shell.idle.on_timer_timeout()


def test_idle_warns_then_wipes_the_session_and_goes_home(qtbot, make_shell):
    now = [1000.0]
    shell = idle_shell(make_shell, now)
    shell.view.home = False
    shell.context.session.entries["phone"] = "13800000000"
    shell.context.session.identity = object()
    now[0] += 21
    count_down_to_the_wipe(qtbot, shell, now)
    assert shell.view.home
    assert shell.context.session.empty
    assert not shell.overlay.isVisible()


def test_the_idle_wipe_gives_the_next_citizen_the_screens_own_language_and_mode(qtbot, make_shell):
    now = [1000.0]
    shell = idle_shell(make_shell, now)
    base = shell.context.theme.base_px
    shell.language_button.click()
    shell.elder_button.click()  # at home, nothing entered: the choice alone is worth the countdown
    assert shell.context.language == "en" and shell.context.theme.elder
    assert shell.idle.idle_seconds == 60  # elder mode waits twice as long
    now[0] += 51
    count_down_to_the_wipe(qtbot, shell, now)
    assert shell.context.language == "zh"
    assert not shell.context.theme.elder and not shell.elder_button.isChecked()
    assert shell.context.theme.base_px == base
    assert shell.idle.idle_seconds == 30
    assert shell.elder_button.text() == "长辈模式"
    now[0] += 100
    shell.idle.on_timer_timeout()  # nothing left to lose: no countdown
    assert not shell.overlay.isVisible()


def test_a_touch_during_the_countdown_keeps_the_session(qtbot, make_shell):
    now = [0.0]
    shell = idle_shell(make_shell, now)
    shell.view.home = False
    shell.context.session.entries["q"] = "bdc"
    now[0] += 25
    shell.idle.on_timer_timeout()
    assert shell.overlay.isVisible()
    qtbot.mouseClick(shell.overlay.primary, Qt.MouseButton.LeftButton)
    assert not shell.overlay.isVisible()
    now[0] += 25
    shell.idle.on_timer_timeout()
    assert shell.context.session.entries == {"q": "bdc"}


def test_no_key_closes_a_full_screen_kiosk(qtbot, make_shell):
    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False)
    shell._may_close = False  # as when full screen
    QApplication.sendEvent(shell, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier))
    assert not shell.close()
    assert shell.isVisible()


def test_admin_exit_needs_the_right_pin(qtbot, make_shell):
    from hall.passwords import hash_password

    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False,
                       admin_pin_hash=hash_password("246810"))
    shell._may_close = False
    shell.on_hold_timeout()
    assert shell.overlay.mode == "pin"
    shell.overlay.pin_pad.type_text("1111")
    shell.overlay.primary.click()
    qtbot.waitUntil(lambda: "不正确" in shell.overlay.message.text(), timeout=5000)
    assert shell.isVisible()
    shell.overlay.pin_pad.type_text("246810")
    with qtbot.waitSignal(shell.admin_exit_requested, timeout=2000):
        shell.overlay.primary.click()
    assert not shell.isVisible()


def test_elder_mode_speaks_the_home_prompt_and_only_in_elder_mode(qtbot, make_shell):
    from kiosk.voice_player import CallVoice

    shell = make_shell("kiosk", "http://127.0.0.1:9", "x", view=Away, start=False)
    shell.context._voice = CallVoice(parent=shell.context, audio=False)
    shell.context.speak("choose")  # not in elder mode: silent
    assert shell.context.voice.history == []
    with qtbot.waitSignal(shell.context.voice.call_finished, timeout=3000):
        shell.elder_button.click()
    assert shell.context.voice.history == [["prompt_choose"]]
