"""The autopilot's decisions, with a seeded RNG and a fake clock, against a fake client.

`ServiceClient` is the fake: the HallClient methods the autopilot uses, carried out by a real
HallService in this process (no HTTP), so the snapshots it answers are what a server would say.
"""
from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from hall.autopilot import Action, Autopilot, HallPlayer
from hall.client import HallClient, HallError, HallUnavailable
from hall.config import HallConfig, load_config, load_demo_config
from hall.domain.errors import QueueError
from hall.service import HallService
from hall.store import HallStore
from hall.wire import IssueAnswer
from tests.support.halls import write_small_hall
from tests.unit.hallfixtures import FakeClock, at


class ServiceClient:
    def __init__(self, config: HallConfig, path: Path, clock: FakeClock) -> None:
        self.config = config
        self.service = HallService(config.setup(), HallStore(path / "hall.db"), clock=clock)
        self.token = "operator"
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def snapshot(self) -> dict[str, Any]:
        return self.service.snapshot()

    def _run(self, command: str, **params: Any) -> dict[str, Any]:
        self.calls.append((command, params))
        try:
            return self.service.execute(command, params)
        except QueueError as exc:
            raise HallError(exc.status, exc.code, exc.message) from None

    def issue(self, queue=None, matter=None, priority="normal", channel="api", slot_start=None,
              slot_end=None) -> dict[str, Any]:
        if matter is not None:
            queue = self.config.matter(matter).queue
        params: dict[str, Any] = {"queue": queue, "priority": priority, "channel": channel}
        if slot_start is not None:
            params["slot_start"], params["slot_end"] = slot_start.timestamp(), slot_end.timestamp()
        answer = self._run("issue", **params)  # as HallClient.issue gives it: the typed answer
        ticket = answer["ticket"]
        return IssueAnswer.read({**answer, "hall": {"id": self.config.hall.id, "name": self.config.hall.name},
                                 "follow_path": f"/t/{ticket['id']}.TEST"})

    def cancel(self, id, reason=""):
        return self._run("cancel", ticket=id, reason=reason)

    def transfer(self, id, to_queue=None, to_window=None, keep_place=False, by_window=None):
        return self._run("transfer", ticket=id, to_queue=to_queue, to_window=to_window,
                         keep_place=keep_place, by_window=by_window)

    def open_window(self, window, staff=None):
        return self._run("open_window", window=window, staff=staff)

    def pause(self, window, reason=""):
        return self._run("pause", window=window, reason=reason)

    def finish(self, window, matter=None):
        return self._run("finish", window=window, matter=matter)

    def __getattr__(self, command: str):
        if command in ("call_next", "recall", "no_show", "start", "resume", "close_window"):
            return lambda window: self._run(command, window=window)
        raise AttributeError(command)


def simulate(pilot: Autopilot, clock: FakeClock, seconds: float) -> int:
    """Runs the autopilot's rounds on the fake clock; returns how many rounds ran."""
    end, rounds = clock.now + seconds, 0
    while clock.now < end:
        delay = pilot.step()
        assert 0.2 <= delay <= 5.0
        clock.advance(delay)
        rounds += 1
    return rounds


@pytest.fixture
def demo_config() -> HallConfig:
    return load_demo_config()


@pytest.fixture
def small_config(tmp_path: Path) -> HallConfig:
    return load_config(write_small_hall(tmp_path))


def test_twenty_simulated_minutes_of_the_demo_hall(demo_config: HallConfig, tmp_path: Path) -> None:
    clock = FakeClock(at(9))
    client = ServiceClient(demo_config, tmp_path, clock)
    pilot = Autopilot("http://unused", demo_config, pace=4, seed=11, client=client, clock=clock)
    simulate(pilot, clock, 300)  # 5 minutes at pace 4: 20 minutes of the hall at pace 1
    events = client.service.store.events_after(0)
    kinds = Counter(e.type for e in events)

    # most windows opened, each by its configured staff member; no queue left without a window
    opened = {e.data["window"]: e.data["staff"] for e in events if e.type == "window.opened"}
    staff_of = {w: s.id for s in demo_config.staff for w in s.windows}
    assert len(opened) >= 0.8 * len(demo_config.windows)
    assert all(staff == staff_of[w] for w, staff in opened.items())
    for q in demo_config.queues:
        assert any(q.id in demo_config.window(w).queues for w in opened), q.id

    # citizens: one every ~2.6 s / 4 in a 16-window hall, to many queues, ~10% with priority
    issued = [e.data for e in events if e.type == "ticket.issued"]
    assert 300 < len(issued) < 650
    by_queue = Counter(t["queue"] for t in issued)
    assert len(by_queue) == len(demo_config.queues)
    assert by_queue.most_common(2)[0][0] in ("general", "social")
    priorities = Counter(t["priority"] for t in issued)
    assert set(priorities) == {"normal", "elderly", "green", "agent", "appointment"}
    assert 0.05 < 1 - priorities["normal"] / len(issued) < 0.16
    assert 0.2 < sum(1 for t in issued if t["channel"] == "kiosk") / len(issued) < 0.4

    # windows: every finished service was started first, explicitly; the hall keeps up
    started = {e.data["ticket"] for e in events if e.type == "service.started"}
    assert not any(e.data.get("implicit") for e in events if e.type == "service.started")
    finished = [e.data["ticket"] for e in events if e.type == "service.finished"]
    assert set(finished) <= started and len(finished) > 0.8 * len(issued)
    assert kinds["ticket.no_show"] > 0 and kinds["ticket.recalled"] >= 2 * kinds["ticket.no_show"]
    transfers = [e.data for e in events if e.type == "ticket.transferred"]
    assert transfers and all(t["keep_place"] and t["to_queue"] != t["from_queue"] for t in transfers)
    assert kinds["ticket.cancelled"] > 0
    assert 0 < kinds["window.paused"] <= kinds["window.resumed"] + 1
    assert sum(q["waiting"] for q in client.snapshot()["queues"]) < 60


def test_the_same_seed_makes_the_same_hall(small_config: HallConfig, tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        clock = FakeClock(at(10))
        client = ServiceClient(small_config, tmp_path / name, clock)
        simulate(Autopilot("http://unused", small_config, seed=5, client=client, clock=clock), clock, 120)
        runs.append(client.calls)
    assert runs[0] == runs[1] and len(runs[0]) > 50


def _window(wid: str, state: str = "open", ticket: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": wid, "state": state, "ticket": ticket}


def _ticket(tid: str, state: str, queue: str = "general", recalls: int = 0) -> dict[str, Any]:
    return {"id": tid, "number": tid[-4:], "state": state, "queue": queue, "priority": "normal",
            "recalls": recalls}


def _ops(actions: list[Action], window: str) -> list[str]:
    return [a.op for a in actions if a.window == window]


def test_windows_open_call_start_and_finish_in_turn(small_config: HallConfig) -> None:
    player = HallPlayer(small_config, pace=1, rng=random.Random(3))
    closed = {"windows": [_window(w, "closed") for w in ("w1", "w2", "w3")]}
    first = player.decide(closed, 0.0)
    opens = [a for a in first if a.op == "open_window"]
    assert [(a.window, a.kwargs["staff"]) for a in opens] == [("w1", "s1"), ("w2", "s2"), ("w3", "s2")]
    for a in opens:
        player.settle(a, {"seq": 1}, 0.0)

    idle = {"windows": [_window("w1")]}
    assert _ops(player.decide(idle, 5.0), "w1") == ["call_next"]
    assert _ops(player.decide(idle, 5.1), "w1") == []  # one call at a time
    nothing = HallError(409, "nothing_to_call", "无人等候")
    player.settle(Action("call_next", {"window": "w1"}), nothing, 5.1)
    assert _ops(player.decide(idle, 6.0), "w1") == []  # waits a moment before trying again
    assert _ops(player.decide(idle, 9.0), "w1") == ["call_next"]

    called = {"windows": [_window("w1", ticket=_ticket("d-A001", "called"))]}
    with mock.patch("hall.autopilot.NO_SHOW_RATE", 0.0), mock.patch("hall.autopilot.TRANSFER_RATE", 0.0):
        assert _ops(player.decide(called, 10.0), "w1") == []  # the citizen walks up to the window
        start_at = player.plans["w1"].due
        assert 12.0 <= start_at <= 16.0
        assert _ops(player.decide(called, start_at - 0.1), "w1") == []
        assert _ops(player.decide(called, start_at), "w1") == ["start"]
        serving = {"windows": [_window("w1", ticket=_ticket("d-A001", "serving"))]}
        assert _ops(player.decide(serving, start_at + 0.5), "w1") == []
        finish_at = player.plans["w1"].due
        # 6 service minutes at 2.2 s a minute, drawn between 0.3 and 3 times that
        assert 6 * 2.2 * 0.3 <= finish_at - start_at - 0.5 <= 6 * 2.2 * 3
        assert _ops(player.decide(serving, finish_at - 0.1), "w1") == []
        finish = [a for a in player.decide(serving, finish_at) if a.window == "w1"]
        assert [a.op for a in finish] == ["finish"]
        assert finish[0].kwargs["matter"] in (None, "000131128000")
    done = {"windows": [_window("w1")]}
    assert _ops(player.decide(done, finish_at + 0.1), "w1") == []  # wrap-up before the next call
    assert _ops(player.decide(done, finish_at + 3.0), "w1") == ["call_next"]


def test_a_paused_window_resumes_and_a_window_closed_by_staff_stays_closed(small_config: HallConfig) -> None:
    player = HallPlayer(small_config, pace=1, rng=random.Random(8))
    player.decide({"windows": [_window("w1", "closed"), _window("w2", "closed")]}, 0.0)
    for w in ("w1", "w2"):
        player.settle(Action("open_window", {"window": w}), {"seq": 1}, 0.0)
    snap = {"windows": [_window("w1", "paused"), _window("w2", "closed")]}
    assert _ops(player.decide(snap, 1.0), "w1") == []
    resumed = [t for t in range(2, 60) if _ops(player.decide(snap, float(t)), "w1") == ["resume"]]
    assert resumed and 16 <= resumed[0] <= 42
    assert all(_ops(player.decide(snap, float(t)), "w2") == [] for t in range(60, 80))


def test_transfers_keep_their_place_in_another_queue(small_config: HallConfig) -> None:
    player = HallPlayer(small_config, pace=1, rng=random.Random(2))
    player.decide({"windows": []}, 0.0)
    player.managed, player.opened = {"w2"}, {"w2"}
    serving = {"windows": [_window("w2", ticket=_ticket("d-A007", "serving"))]}
    with mock.patch("hall.autopilot.TRANSFER_RATE", 1.0):
        player.decide(serving, 1.0)
        actions = player.decide(serving, player.plans["w2"].due)
    assert [(a.op, a.kwargs) for a in actions if a.op == "transfer"] == [
        ("transfer", {"id": "d-A007", "to_queue": "property", "keep_place": True, "by_window": "w2"})
    ]


def test_a_citizen_who_does_not_come_is_recalled_then_marked_no_show(small_config: HallConfig) -> None:
    player = HallPlayer(small_config, pace=1, rng=random.Random(1))
    player.decide({"windows": []}, 0.0)
    player.managed, player.opened = {"w1"}, {"w1"}
    with mock.patch("hall.autopilot.NO_SHOW_RATE", 1.0):
        ops = []
        for recalls in (0, 1, 2):
            snap = {"windows": [_window("w1", ticket=_ticket("d-A001", "called", recalls=recalls))]}
            t = 20.0 * (recalls + 1)
            ops += _ops(player.decide(snap, t), "w1") or _ops(player.decide(snap, t + 10), "w1")
    assert ops == ["recall", "recall", "no_show"]


def test_errors_from_the_client_do_not_stop_it(small_config: HallConfig, tmp_path: Path) -> None:
    clock = FakeClock(at(9))
    inner = ServiceClient(small_config, tmp_path, clock)
    flaky = mock.create_autospec(HallClient, instance=True)
    flaky.token = "operator"
    rng = random.Random(2)

    def sometimes_failing(name: str):
        def call(*args: Any, **kwargs: Any) -> Any:
            roll = rng.random()
            if roll < 0.1:
                raise HallUnavailable(0, "unavailable", "hall server at http://x did not answer")
            if roll < 0.2:
                raise HallError(409, "illegal_transition", "not now")
            return getattr(inner, name)(*args, **kwargs)
        return call

    for name in ("snapshot", "issue", "cancel", "transfer", "call_next", "recall", "no_show",
                 "start", "finish", "open_window", "pause", "resume"):
        getattr(flaky, name).side_effect = sometimes_failing(name)
    pilot = Autopilot("http://unused", small_config, seed=4, client=flaky, clock=clock)
    simulate(pilot, clock, 600)
    events = inner.service.store.events_after(0)
    assert sum(e.type == "service.finished" for e in events) > 10
    assert pilot.player.counts["refused"] > 0


def test_a_surprise_in_a_round_is_logged_and_the_next_round_runs(small_config: HallConfig) -> None:
    stop = threading.Event()
    client = mock.create_autospec(HallClient, instance=True)
    client.token = "operator"

    def boom() -> dict[str, Any]:
        if client.snapshot.call_count >= 2:
            stop.set()
            return {"windows": [], "queues": []}
        raise RuntimeError("surprise")

    client.snapshot.side_effect = boom
    pilot = Autopilot("http://unused", small_config, client=client)
    with mock.patch.object(stop, "wait", lambda delay: stop.is_set()):
        pilot.run(stop)
    assert client.snapshot.call_count == 2


def test_an_operator_token_or_a_login_is_needed(small_config: HallConfig) -> None:
    pilot = Autopilot("http://127.0.0.1:9", small_config)
    assert pilot.client.token == "test-operator-token-1"
    bare = small_config.model_copy(update={"devices": []})
    with pytest.raises(ValueError, match="operator"):
        Autopilot("http://127.0.0.1:9", bare)
    assert Autopilot("http://127.0.0.1:9", bare, login=("boss", "pw")).client.token is None
