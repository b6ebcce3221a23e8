"""The platform's admission to storage, its pure part: who writes now, in what order, who is refused.

Driven by a fake clock (plain numbers): no sleeps, no timing.
"""
from __future__ import annotations

import asyncio

import pytest

from sync.platform.admission import Admission, AdmissionSettings, Busy, Gate, retry_after
from sync.platform.config import PlatformConfigError, load_settings


def test_writes_start_up_to_the_limit_then_wait_in_arrival_order():
    a = Admission(AdmissionSettings(writers=2, wait_seconds=5.0))
    first, second = a.arrive(0.0), a.arrive(0.1)
    assert first[1] and second[1]
    waiting = [a.arrive(0.2 + i / 10) for i in range(5)]
    assert not any(now for _, now in waiting)
    order = []
    for t in range(5):
        admitted, late = a.done(1.0 + t / 10)
        assert late == []
        order += admitted
    assert order == [ticket for ticket, _ in waiting]  # first come, first served: nobody starves
    assert a.running == 2 and not a.waiting


def test_a_newcomer_never_jumps_ahead_of_one_waiting():
    a = Admission(AdmissionSettings(writers=1, wait_seconds=5.0))
    a.arrive(0.0)
    early, _ = a.arrive(0.1)
    assert a.done(0.2) == ([early], [])
    later, now = a.arrive(0.3)  # the slot is taken by the one that waited: the newcomer queues
    assert not now and list(a.waiting) == [later]


def test_one_waiting_past_its_deadline_is_refused_and_the_slot_goes_to_the_next_in_time():
    a = Admission(AdmissionSettings(writers=1, wait_seconds=4.0))
    a.arrive(0.0)
    old, _ = a.arrive(1.0)   # deadline 5.0
    young, _ = a.arrive(3.0)  # deadline 7.0
    assert a.deadline(old) == 5.0 and a.deadline(young) == 7.0
    admitted, late = a.done(6.0)
    assert admitted == [young] and late == [old]
    assert a.running == 1 and not a.waiting


def test_exactly_at_the_deadline_is_too_late():
    a = Admission(AdmissionSettings(writers=1, wait_seconds=4.0))
    a.arrive(0.0)
    t, _ = a.arrive(1.0)
    assert a.done(5.0) == ([], [t]) and a.running == 0


def test_one_that_gives_up_leaves_the_line_and_a_granted_one_cannot_leave():
    a = Admission(AdmissionSettings(writers=1, wait_seconds=4.0))
    a.arrive(0.0)
    gone, _ = a.arrive(0.5)
    stays, _ = a.arrive(0.6)
    assert a.leave(gone) and not a.leave(gone)
    assert a.done(1.0) == ([stays], [])
    assert not a.leave(stays)  # already admitted: the caller must write and finish


@pytest.mark.parametrize(("waiting", "writers", "service", "roll", "expected"), [
    (0, 4, 0.05, 0.0, 1), (0, 4, 0.05, 0.99, 2),       # nothing queued: one or two seconds
    (200, 4, 0.2, 0.0, 1), (200, 4, 0.2, 0.5, 6), (200, 4, 0.2, 0.999, 11),  # 10 s of queue: 1..11
    (100_000, 1, 5.0, 0.999, 60),                      # never past a minute
])
def test_retry_after_is_spread_over_the_time_the_queue_needs(waiting, writers, service, roll, expected):
    assert retry_after(waiting, writers, service, roll) == expected


def test_the_gate_admits_in_order_and_refuses_at_the_deadline_with_a_fake_clock():
    now = [0.0]
    gate = Gate(AdmissionSettings(writers=1, wait_seconds=4.0), clock=lambda: now[0])
    events: list[str] = []

    async def started(name: str, hold: asyncio.Event) -> None:
        events.append(f"{name} starts")
        await hold.wait()

    async def write(name: str, hold: asyncio.Event) -> None:
        try:
            await gate.run(lambda: started(name, hold))
        except Busy as exc:
            events.append(f"{name} refused, retry after {exc.retry_after}")

    async def scene() -> None:
        holds = {n: asyncio.Event() for n in "abc"}
        tasks = [asyncio.create_task(write(n, holds[n])) for n in "abc"]
        for _ in range(3):
            await asyncio.sleep(0)
        assert events == ["a starts"] and gate.stats()["waiting"] == 2
        now[0] = 10.0  # b and c are past their deadline when a finishes: the slot is given to neither
        holds["a"].set()
        await asyncio.gather(*tasks)

    asyncio.run(scene())
    assert events[0] == "a starts" and len(events) == 3
    assert {e.split(" refused, retry after ")[0] for e in events[1:]} == {"b", "c"}
    assert gate.stats()["refused"] == 2 and gate.stats()["admitted"] == 1 and gate.stats()["storing"] == 0


def test_a_write_whose_caller_went_away_keeps_its_slot_until_it_is_done():
    gate = Gate(AdmissionSettings(writers=1, wait_seconds=4.0), clock=lambda: 0.0)
    events: list[str] = []

    async def write(name: str, hold: asyncio.Event) -> str:
        events.append(f"{name} starts")
        await hold.wait()
        events.append(f"{name} stored")
        return name

    async def scene() -> None:
        hold_a, hold_b = asyncio.Event(), asyncio.Event()
        a = asyncio.create_task(gate.run(lambda: write("a", hold_a)))
        for _ in range(3):
            await asyncio.sleep(0)
        a.cancel()  # the hall hung up while its batch was being stored
        b = asyncio.create_task(gate.run(lambda: write("b", hold_b)))
        for _ in range(3):
            await asyncio.sleep(0)
        assert events == ["a starts"] and gate.stats()["waiting"] == 1  # b waits for a's write
        hold_a.set()
        hold_b.set()
        assert await b == "b"
        assert a.cancelled()

    asyncio.run(scene())
    assert events == ["a starts", "a stored", "b starts", "b stored"]
    assert gate.stats()["storing"] == 0 and gate.stats()["admitted"] == 2


def test_settings_come_from_the_file_and_the_environment(tmp_path):
    path = tmp_path / "platform.toml"
    path.write_text("[admission]\nwriters = 3\nwait_seconds = 2.5\n", encoding="utf-8")
    got = load_settings(path, env={}).admission
    assert (got.writers, got.wait_seconds) == (3, 2.5)
    got = load_settings(path, env={"YICIBAN_PLATFORM_WRITERS": "6"}).admission
    assert (got.writers, got.wait_seconds) == (6, 2.5)
    default = load_settings(None, env={}).admission
    assert default.writers >= 2 and default.wait_seconds < 10


@pytest.mark.parametrize(("text", "env", "named"), [
    ("[admission]\nwriters = 0\n", {}, "admission.writers"),
    ("[admission]\nwriters = true\n", {}, "admission.writers"),
    ("[admission]\nwriters = 2.5\n", {}, "admission.writers"),
    ("[admission]\nwait_seconds = 0\n", {}, "admission.wait_seconds"),
    ("[admission]\nwait_seconds = \"4\"\n", {}, "admission.wait_seconds"),
    ("[admission]\nwait_seconds = nan\n", {}, "admission.wait_seconds"),
    ("[admission]\nwriter = 4\n", {}, "unknown keys writer"),
    ("admission = 4\n", {}, "[admission] table"),
    ("", {"YICIBAN_PLATFORM_WRITERS": "four"}, "YICIBAN_PLATFORM_WRITERS"),
    ("", {"YICIBAN_PLATFORM_WAIT_SECONDS": "600"}, "YICIBAN_PLATFORM_WAIT_SECONDS"),
])
def test_a_bad_admission_setting_is_a_clear_error_naming_it(tmp_path, text, env, named):
    path = tmp_path / "platform.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlatformConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_settings(path, env=env)
