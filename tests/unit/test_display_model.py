"""The hall display's board folded from a snapshot and events, its layouts and its monitor."""
from __future__ import annotations

import random

import pytest

from hall.domain.errors import QueueError
from hall.service import HallService
from hall.store import HallStore
from hall.wire import StreamEvent
from kiosk.models.display.board import Board, strip_call_text, strip_text
from kiosk.models.display.layout import (
    LAYOUTS,
    ScreenInfo,
    choose_layout,
    choose_screen,
    fit_aspect,
    grid,
    natural_aspect,
    plan,
)
from kiosk.models.display.samples import sample_call, sample_snapshot
from tests.unit.hallfixtures import FakeClock, at, small_hall


@pytest.fixture
def hall(tmp_path):
    clock = FakeClock(at(9))
    service = HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=clock)
    service.clock_ = clock
    yield service
    service.store.close()


def run(service, command, **params):
    service.clock_.advance(1)
    return service.execute(command, params)


def events_after(service, seq):
    return [StreamEvent.read(e.to_dict()) for e in service.store.events_after(seq)]


def board_from(service, **options) -> Board:
    board = Board(**options)
    board.load(service.snapshot())
    return board


def fold(board: Board, service) -> list:
    """Applies every event after the board's seq; the updates."""
    return [board.apply(e) for e in events_after(service, board.seq)]


def test_a_call_after_the_snapshot_is_announced_once_and_changes_the_counts(hall):
    run(hall, "open_window", window="w1")
    for _ in range(3):
        run(hall, "issue", queue="general")
    board = board_from(hall)
    assert board.queues["general"].waiting == 3 and board.current is None
    run(hall, "call_next", window="w1")
    updates = fold(board, hall)
    calls = [c for u in updates for c in u.calls]
    assert [(c.number, c.window_number, c.recall) for c in calls] == [("A001", 1, False)]
    assert board.current.number == "A001"
    assert board.queues["general"].waiting == 2
    assert board.windows["w1"].ticket == calls[0].ticket
    assert "w1" in updates[-1].windows


def test_an_event_seen_again_changes_nothing_and_is_not_announced_again(hall):
    run(hall, "open_window", window="w1")
    run(hall, "issue", queue="general")
    board = board_from(hall)
    run(hall, "call_next", window="w1")
    event = events_after(hall, board.seq)[0]
    assert board.apply(event).calls
    again = board.apply(event)
    assert not again.calls and not again.changed
    assert board.apply(event.model_copy(update={"seq": event.seq - 1})).calls == []
    assert len(board.calls) == 1


def test_events_already_in_the_snapshot_are_dropped(hall):
    run(hall, "open_window", window="w1")
    run(hall, "issue", queue="general")
    run(hall, "call_next", window="w1")
    board = board_from(hall)
    assert board.current.number == "A001" and board.current.seq == 0
    replayed = [board.apply(e) for e in events_after(hall, 0)]
    assert not any(u.calls for u in replayed)
    assert len(board.calls) == 1


def test_a_recall_is_announced_and_moves_its_call_to_the_top(hall):
    run(hall, "open_window", window="w1")
    run(hall, "open_window", window="w2")
    for _ in range(2):
        run(hall, "issue", queue="general")
    board = board_from(hall)
    run(hall, "call_next", window="w1")
    run(hall, "call_next", window="w2")
    run(hall, "recall", window="w1")
    calls = [c for u in fold(board, hall) for c in u.calls]
    assert [(c.number, c.recall) for c in calls] == [("A001", False), ("A002", False), ("A001", True)]
    assert [c.number for c in board.calls] == ["A001", "A002"]
    assert board.current.recall


def test_finish_no_show_transfer_and_cancel_keep_the_board_honest(hall):
    for w in ("w1", "w2", "w3"):
        run(hall, "open_window", window=w)
    tickets = [run(hall, "issue", queue="general")["ticket"]["id"] for _ in range(4)]
    board = board_from(hall)
    run(hall, "call_next", window="w1")  # A001
    run(hall, "finish", window="w1")
    run(hall, "call_next", window="w2")  # A002
    run(hall, "no_show", window="w2")
    run(hall, "transfer", ticket=tickets[2], to_queue="property")  # A003 waits for property now
    run(hall, "cancel", ticket=tickets[3])
    fold(board, hall)
    assert board.windows["w1"].ticket is None and board.windows["w2"].ticket is None
    assert {c.number: c.state for c in board.calls} == {"A001": "done", "A002": "no_show"}
    assert board.queues["general"].waiting == 0
    assert board.queues["property"].waiting == 1
    run(hall, "call_next", window="w3")  # the transferred ticket, called at w3
    fold(board, hall)
    assert board.current.number == "A003" and board.current.window_number == 3
    assert board.queues["property"].waiting == 0


def test_a_called_ticket_sent_to_another_queue_leaves_the_recent_calls(hall):
    run(hall, "open_window", window="w1")
    run(hall, "issue", queue="general")
    board = board_from(hall)
    called = run(hall, "call_next", window="w1")
    run(hall, "transfer", ticket=board_from(hall).current.ticket, to_queue="property")
    fold(board, hall)
    assert called and board.calls == [] and board.windows["w1"].ticket is None
    assert board.queues["property"].waiting == 1 and board.queues["general"].waiting == 0
    assert strip_text(board, "w1") == "1号窗口 欢迎办理"


def test_windows_open_pause_and_close(hall):
    board = board_from(hall)
    run(hall, "open_window", window="w1")
    run(hall, "open_window", window="w2")
    run(hall, "pause", window="w2")
    updates = fold(board, hall)
    assert [w.number for w in board.open_windows()] == [1]
    assert board.windows["w2"].state == "paused"
    assert {"w1", "w2"} <= set().union(*(u.windows for u in updates))
    run(hall, "resume", window="w2")
    run(hall, "close_window", window="w1")
    fold(board, hall)
    assert [w.number for w in board.open_windows()] == [2]


def test_a_new_day_clears_the_calls_and_the_counts(hall):
    run(hall, "open_window", window="w1")
    run(hall, "issue", queue="general")
    run(hall, "issue", queue="general")
    run(hall, "call_next", window="w1")
    board = board_from(hall)
    hall.clock_.now = at(9, day=28)
    run(hall, "issue", queue="property")
    fold(board, hall)
    assert board.calls == [] and board.windows["w1"].ticket is None
    assert board.queues["general"].waiting == 0 and board.queues["property"].waiting == 1
    assert board.day == "2026-11-28"


def test_a_call_replayed_long_after_it_happened_is_shown_but_marked_late(hall):
    run(hall, "open_window", window="w1")
    run(hall, "issue", queue="general")
    run(hall, "issue", queue="general")
    local = FakeClock(1000.0)  # the display's own clock: any value, only its steps count
    board = board_from(hall, clock=local, stale_seconds=120)
    run(hall, "call_next", window="w1")
    local.advance(30)
    (fresh,) = [c for u in fold(board, hall) for c in u.calls]
    assert not fresh.late
    run(hall, "finish", window="w1")
    run(hall, "call_next", window="w1")
    local.advance(600)  # the display was cut off for ten minutes; this call is old news
    (late,) = [c for u in fold(board, hall) for c in u.calls]
    assert late.late and board.current.number == "A002"


def test_a_ticket_the_snapshot_did_not_name_is_found_by_its_prefix(hall):
    run(hall, "open_window", window="w2")
    for _ in range(7):  # the snapshot names the first five of a queue only
        run(hall, "issue", queue="property")
    board = board_from(hall)
    last = run(hall, "issue", queue="property")["ticket"]["id"]
    fold(board, hall)
    board_ticket = board._tickets.pop(last)  # forget it, as if the snapshot had been taken later
    run(hall, "call", window="w2", ticket=last)
    fold(board, hall)
    assert board.current.number == board_ticket.number
    assert board.queues["property"].waiting == 7


WEIGHTS = {"issue": 5, "call_next": 6, "open_window": 3, "close_window": 1, "pause": 1, "resume": 2,
           "finish": 3, "start": 2, "recall": 2, "no_show": 1, "transfer": 2, "cancel": 1}


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_folding_events_matches_a_later_snapshot(tmp_path, seed):
    """Random days in a small hall: a board that loaded a snapshot at some point and followed the
    events since shows what a board loading the latest snapshot shows."""
    rng = random.Random(seed)
    clock = FakeClock(at(8, 30))
    service = HallService(small_hall(no_show_after_recalls=2), HallStore(tmp_path / "hall.db"), clock=clock)
    commands = [c for c, weight in WEIGHTS.items() for _ in range(weight)]
    boards: list[Board] = []
    try:
        for step in range(600):
            clock.advance(rng.choice([1, 2, 5]))
            if step == 400:
                clock.now = at(8, 30, day=28)
            command = rng.choice(commands)
            params: dict = {}
            if command == "issue":
                params = {"queue": rng.choice(["general", "property", "social"])}
            elif command in ("transfer", "cancel"):
                ids = sorted(service.state.tickets) or ["none"]
                params = {"ticket": rng.choice(ids)}
                if command == "transfer":
                    params["to_queue"] = rng.choice(["general", "property", "social"])
            else:
                params = {"window": rng.choice(["w1", "w2", "w3"])}
            try:
                service.execute(command, params)
            except QueueError:
                pass
            if step % 75 == 0:
                boards.append(board_from(service))
        kinds = {e.type for e in service.store.events_after(0)}
        assert {"ticket.called", "ticket.recalled", "ticket.transferred", "ticket.no_show", "day.started"} <= kinds
        latest = board_from(service)
        assert latest.calls
        for board in boards:
            fold(board, service)
            assert board.seq == latest.seq
            assert {q: line.waiting for q, line in board.queues.items()} == \
                   {q: line.waiting for q, line in latest.queues.items()}
            assert {w: (line.state, line.ticket) for w, line in board.windows.items()} == \
                   {w: (line.state, line.ticket) for w, line in latest.windows.items()}
            shown = len(latest.calls)
            assert [(c.ticket, c.window, c.state) for c in board.calls[:shown]] == \
                   [(c.ticket, c.window, c.state) for c in latest.calls]
    finally:
        service.store.close()


def test_what_the_window_strips_show(hall):
    for w in ("w1", "w2", "w3"):
        run(hall, "open_window", window=w)
    run(hall, "issue", queue="general")
    run(hall, "pause", window="w3")
    board = board_from(hall)
    run(hall, "call_next", window="w1")
    fold(board, hall)
    assert strip_text(board, "w1") == strip_call_text("A001", 1) == "请A001号到1号窗口"
    assert strip_text(board, "w2") == "2号窗口 欢迎办理"
    assert strip_text(board, "w2", idle_text="欢迎光临") == "欢迎光临"
    assert strip_text(board, "w3") == "3号窗口 暂停服务"
    run(hall, "finish", window="w1")
    run(hall, "close_window", window="w2")
    fold(board, hall)
    assert strip_text(board, "w1") == "1号窗口 欢迎办理"
    assert strip_text(board, "w2") == ""
    assert strip_text(board, "nowhere") == ""


# -- layouts


@pytest.mark.parametrize(("size", "expected"), [
    ((1876, 946), "landscape"),  # the board on a 1920×1080 wall, under the header
    ((1044, 1730), "portrait"),
    ((1248, 688), "compact"),  # a 1280×800 panel
    ((928, 420), "compact"),
    ((1600, 1200), "compact"),  # 4:3
])
def test_the_layout_follows_the_board_shape(size, expected):
    assert choose_layout(*size) == expected


def test_the_layout_setting_wins_and_nonsense_is_ignored():
    assert choose_layout(1876, 946, "Portrait") == "portrait"
    assert choose_layout(1876, 946, "diagonal") == "landscape"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize("size", [(1876, 946), (1044, 1730), (1248, 688), (928, 420)])
def test_every_area_lies_inside_the_board_and_none_overlap(layout, elder, size):
    p = plan(layout, *size, elder=elder)
    areas = [p.top, p.current, p.recent, p.queues, p.windows, p.ticker]
    for x, y, w, h in areas:
        assert w > 0 and h > 0
        assert x >= 0 and y >= 0 and x + w <= size[0] and y + h <= size[1]
    for i, a in enumerate(areas):
        for b in areas[i + 1:]:
            apart = a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1] or b[1] + b[3] <= a[1]
            assert apart, (a, b)
    assert p.unit > (plan(layout, *size).unit if elder else 0)


def test_a_layout_previewed_on_another_screen_keeps_its_shape():
    x, y, w, h = fit_aspect(1876, 946, natural_aspect("portrait"))
    assert h == 946 and abs(w / h - 9 / 16) < 0.01 and x == (1876 - w) // 2


def test_the_grid_uses_no_more_columns_than_the_calls_need():
    assert grid(3, 1000, 400, 100, min_cell_w=450) == (1, 4)
    assert grid(20, 1000, 400, 100, min_cell_w=450) == (2, 4)
    assert grid(0, 50, 50, 100, min_cell_w=450) == (1, 1)


# -- monitors


def test_the_display_goes_to_its_monitor_or_the_primary_one_while_that_is_away():
    two = [ScreenInfo("HDMI-1", (0, 0, 1920, 1080)), ScreenInfo("HDMI-2", (1920, 0, 1920, 1080))]
    assert choose_screen(two, 1, primary=0) == 1
    assert choose_screen(two[:1], 1, primary=0) == 0
    assert choose_screen(two, None, primary=1) == 1
    assert choose_screen([], 1) is None
    assert choose_screen(two, 5, primary=9) == 0


# -- samples


@pytest.mark.parametrize("hall", [None, {"queues": [], "windows": []}])
def test_sample_boards_need_no_hall(hall):
    snapshot = sample_snapshot(hall)
    board = Board()
    board.load(snapshot)
    update = board.apply(sample_call(snapshot))
    assert update.calls and board.current.number == update.calls[0].number
    assert len(board.calls) == 10 and board.open_windows()
