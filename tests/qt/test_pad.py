"""The evaluation pad at window w1, against a real hall server: woken by each finished service,
one rating per visit, stored on disk first and delivered exactly once."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HallClient
from kiosk.models.pad import Service
from kiosk.pending import FILE_NAME, PENDING, SENT, PendingRatings
from kiosk.roles.pad.view import TIMEOUT_NOTE, PadView
from tests.support.halls import TOKENS

MATTER = "000131128000"  # 个体工商户设立登记, queue general, in the test hall


@pytest.fixture
def operator(hall_server) -> Iterator[HallClient]:
    with HallClient(hall_server.base_url, TOKENS["operator"]) as client:
        client.open_window("w1", staff="s1")
        yield client


def serve(operator: HallClient, matter: str | None = MATTER) -> str:
    """One citizen through window w1: issued, called, served, finished. Returns the ticket id."""
    ticket = operator.issue(queue="general").ticket.id
    operator.call_next("w1")
    operator.start("w1")
    operator.finish("w1", matter=matter)
    return ticket


def ratings_of(operator: HallClient, ticket: str) -> list[dict]:
    events = operator.events(after=0, limit=5000)["events"]
    return [e["data"] for e in events if e["type"] == "ticket.rated" and e["data"]["ticket"] == ticket]


@pytest.fixture
def pad(make_shell, hall_server, tmp_path: Path, qtbot):
    def make(**options):
        pad_settings = {"data_dir": str(tmp_path / "pad"), "thanks_seconds": 60, **options}
        shell = make_shell("pad", hall_server.base_url, TOKENS["pad"], window="w1",
                           device_settings={"pad": pad_settings})
        view: PadView = shell.view
        qtbot.waitUntil(lambda: bool(view._following and view.context.hall.get("windows")), timeout=8000)
        return shell, view

    return make


def store_at(tmp_path: Path) -> PendingRatings:
    return PendingRatings(tmp_path / "pad" / FILE_NAME)


def test_idle_shows_the_window_and_the_staff_member_on_duty(qtbot, pad, operator):
    _shell, view = pad()
    assert view.at_home()
    qtbot.waitUntil(lambda: view.idle.staff_label.text() == "工作人员：王芳", timeout=5000)
    assert view.idle.window_label.text() == "1号窗口"
    assert view.idle.welcome.text() == "欢迎评价我们的服务"


def test_a_finished_service_wakes_the_pad_and_a_rating_reaches_the_hall(qtbot, pad, operator):
    _shell, view = pad()
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    screen = view.rating
    assert screen.number.text() == "A001"
    qtbot.waitUntil(lambda: "个体工商户设立登记" in screen.service_label.text(), timeout=5000)
    assert "1号窗口" in screen.service_label.text() and "王芳" in screen.service_label.text()

    screen.panel.level_buttons[4].click()  # 满意
    assert view.pages.currentWidget() is view.thanks
    assert view.thanks.thanks.text() == "感谢您的评价"
    qtbot.waitUntil(lambda: operator.progress(ticket)["rated"], timeout=8000)
    [rated] = ratings_of(operator, ticket)
    assert (rated["level"], rated["channel"], rated["window"], rated["staff"], rated["matter"]) == \
        (4, "pad", "w1", "s1", MATTER)
    assert not operator.progress(ticket)["may_rate"]


def test_dissatisfied_needs_a_reason_before_it_can_be_sent(qtbot, pad, operator):
    _shell, view = pad()
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    panel = view.rating.panel
    panel.level_buttons[2].click()  # 不满意
    assert panel.step() == "details" and not panel.submit_button.isEnabled()
    assert not view.rating.card.isVisible()  # the reasons have the room
    assert "办事效率低" in panel.reason_buttons  # the hall's configured list
    panel.submit_button.click()
    assert view.at_rating()
    panel.toggle_reason("办事效率低")
    assert panel.submit_button.isEnabled()
    panel.submit_button.click()
    qtbot.waitUntil(lambda: len(ratings_of(operator, ticket)) == 1, timeout=8000)
    [rated] = ratings_of(operator, ticket)
    assert (rated["level"], rated["reasons"]) == (2, ["办事效率低"])


def test_a_rating_made_while_the_hall_is_away_is_kept_on_disk_and_arrives_once(
        qtbot, pad, operator, hall_server, tmp_path):
    shell, view = pad()
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    hall_server.kill()
    shell.context.link.on_health_timeout()
    qtbot.waitUntil(lambda: shell.context.link.online is False, timeout=8000)

    view.rating.panel.level_buttons[5].click()  # 非常满意
    assert view.thanks.note.isVisible()  # kept on the pad, said calmly
    qtbot.waitUntil(lambda: view.outbox.pending == 1, timeout=8000)
    store = store_at(tmp_path)
    [kept] = store.all()
    assert (kept.ticket, kept.level, kept.state) == (ticket, 5, PENDING)
    qtbot.waitUntil(lambda: store.get(kept.key).attempts >= 1, timeout=8000)  # tried, and failed

    view.go_home()
    assert view.idle.pending_label.isVisible()
    hall_server.start()
    shell.context.link.on_health_timeout()
    qtbot.waitUntil(lambda: store.get(kept.key).state == SENT, timeout=10000)
    qtbot.waitUntil(lambda: view.outbox.pending == 0, timeout=5000)
    assert not view.idle.pending_label.isVisible()
    assert [r["level"] for r in ratings_of(operator, ticket)] == [5]

    # the same key again is the same rating, not a second one (nor a refusal)
    with HallClient(hall_server.base_url, TOKENS["pad"]) as client:
        client.rate(ticket, 5, [], "", "pad", kept.key)
    assert len(ratings_of(operator, ticket)) == 1
    store.close()


def test_the_next_finished_service_wakes_the_pad_again(qtbot, pad, operator):
    _shell, view = pad()
    first = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    view.rating.panel.choose(3)
    assert not view.at_rating()
    second = serve(operator, matter=None)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    assert view.service.ticket == second and view.rating.number.text() == "A002"
    qtbot.waitUntil(lambda: "综合受理" in view.rating.service_label.text(), timeout=5000)  # the queue
    view.rating.panel.choose(5)
    qtbot.waitUntil(lambda: bool(ratings_of(operator, second) and ratings_of(operator, first)), timeout=8000)


def test_nobody_rating_returns_to_idle_and_records_nothing(qtbot, pad, operator):
    _shell, view = pad(rating_seconds=1)
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    qtbot.waitUntil(view.at_home, timeout=8000)
    assert view.outbox.pending == 0
    assert operator.progress(ticket)["may_rate"]  # still the citizen's, by the ticket's QR


def test_on_timeout_satisfied_records_it_with_a_note(qtbot, pad, operator):
    _shell, view = pad(rating_seconds=1, on_timeout="satisfied")
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    qtbot.waitUntil(view.at_home, timeout=8000)
    qtbot.waitUntil(lambda: bool(ratings_of(operator, ticket)), timeout=8000)
    [rated] = ratings_of(operator, ticket)
    assert (rated["level"], rated["text"]) == (4, TIMEOUT_NOTE)


def test_a_visit_rated_elsewhere_is_not_offered_again(qtbot, pad, operator):
    _shell, view = pad()
    ticket = serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    operator._command(f"/tickets/{ticket}/rating", {"level": 5, "channel": "kiosk"})
    qtbot.waitUntil(view.at_home, timeout=5000)
    view.wake(Service(ticket=ticket, window="w1"))  # the same visit again: not asked twice
    assert view.at_home()


def test_the_sample_screens_need_no_hall(qtbot, make_shell, tmp_path):
    shell = make_shell("pad", "http://127.0.0.1:9", "x", window="w1", start=False,
                       device_settings={"pad": {"data_dir": str(tmp_path / "pad")}})
    names = []
    for name, show in shell.view.sample_screens():
        show()
        names.append(name)
    assert names == ["idle", "rating", "reasons", "thanks", "thanks-offline", "offline-pending"]
    assert shell.view.idle.pending_label.isVisible()
    assert not (tmp_path / "pad" / FILE_NAME).exists()  # nothing stored, no file made


def test_elder_mode_reads_the_thanks_longer_and_the_next_citizen_starts_afresh(qtbot, pad, operator):
    shell, view = pad(rating_seconds=1)
    shell.language_button.click()
    shell.elder_button.click()
    serve(operator)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    view.rating.panel.choose(5)
    assert view.thanks_timer.interval() == 120_000  # thanks_seconds 60, twice in elder mode
    view.on_thanks_timer_timeout()
    assert view.at_home()
    assert shell.context.language == "zh" and not shell.context.theme.elder
    shell.elder_button.click()
    serve(operator, matter=None)
    qtbot.waitUntil(view.at_rating, timeout=5000)
    qtbot.waitUntil(view.at_home, timeout=8000)  # nobody rated: the rating's time ran out
    assert not shell.context.theme.elder and not shell.elder_button.isChecked()
