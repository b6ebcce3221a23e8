"""The keypad bus master against simulated keypads and pads on a real pty (and once over TCP).

The bus is stepped by hand, one poll round per `step()`, so every test knows how many polls a
device has missed; nothing sleeps.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from drivers.errors import DeviceFault, DeviceUnavailable
from drivers.keypad import (
    BusDevice,
    BusSimulator,
    EvaluationResult,
    Key,
    KeypadBus,
    KeyPressed,
    Led,
    Level,
    RatingRefused,
    Reason,
    doctor,
)
from drivers.keypad.messages import KeyEvent
from drivers.keypad.model import DeviceType
from drivers.simserve import SimServer
from drivers.status import DeviceStatus, State
from drivers.transport import factory

DEVICES = [BusDevice(1, "keypad"), BusDevice(2, "keypad"), BusDevice(11, "pad"), BusDevice(12, "pad")]


@dataclass
class Rig:
    sim: BusSimulator
    server: SimServer
    bus: KeypadBus
    events: list
    statuses: list[DeviceStatus]

    def rounds(self, n: int) -> None:
        for _ in range(n):
            self.bus.step()

    def state(self, address: int) -> State:
        return self.bus.status(address).state


def make_rig(server: SimServer, sim: BusSimulator, devices: list[BusDevice] = DEVICES, **kw) -> Rig:
    events: list = []
    statuses: list[DeviceStatus] = []
    bus = KeypadBus(factory(server.url, baudrate=9600), devices, on_event=events.append,
                    on_status=statuses.append, timeout=0.2, poll_interval=0.0, **kw)
    return Rig(sim, server, bus, events, statuses)


@pytest.fixture
def rig(tmp_path) -> Iterator[Rig]:
    sim = BusSimulator.build([1, 2], [11, 12], seed=7)
    server = SimServer(sim.feed, pty=True, link=tmp_path / "yiciban-rs485").start()
    rig = make_rig(server, sim)
    try:
        yield rig
    finally:
        rig.bus.close()
        server.close()


def test_every_device_on_the_bus_answers(rig):
    rig.bus.step()
    assert {a: s.state for a, s in rig.bus.statuses().items()} == dict.fromkeys((1, 2, 11, 12), State.READY)
    assert rig.bus.port_status.state is State.READY
    assert rig.bus.query(1).type is DeviceType.KEYPAD
    assert rig.bus.query(12).type is DeviceType.PAD
    assert rig.events == []


def test_key_presses_on_several_keypads_are_delivered_once_each_in_order(rig):
    c1 = rig.sim.press(1, Key.NEXT)
    c2 = rig.sim.press(2, Key.RECALL)
    c3 = rig.sim.press(1, Key.TRANSFER, 12)
    rig.rounds(3)
    assert rig.events == [KeyPressed(1, Key.NEXT, c1), KeyPressed(1, Key.TRANSFER, c3, 12),
                          KeyPressed(2, Key.RECALL, c2)]
    assert all(not d.queue for d in rig.sim.devices.values())


def test_a_lost_ack_makes_the_keypad_send_again_but_the_press_counts_once(rig):
    rig.bus.step()
    keypad = rig.sim.device(1)
    keypad.drop_acks = 1 + rig.bus.retries  # the ACK and its retries are lost on the line
    counter = rig.sim.press(1, Key.FINISH)
    rig.bus.step()
    assert rig.events == [KeyPressed(1, Key.FINISH, counter)]
    assert list(keypad.queue) and keypad.sent[counter] == 1  # the keypad never heard the ACK
    rig.bus.step()
    assert keypad.sent[counter] == 2  # sent again ...
    assert rig.events == [KeyPressed(1, Key.FINISH, counter)]  # ... delivered once
    assert not keypad.queue
    assert rig.bus.status(1).state is State.READY  # a lost ACK is not a lost device
    assert rig.bus.status(1).details["resent"] == 1


def test_a_pad_rates_the_requested_ticket_and_refuses_a_bad_rating_without_reasons(rig):
    rig.bus.step()
    request = rig.bus.request_evaluation(11, "A017", window=3)
    assert rig.sim.pad(11).request is not None
    with pytest.raises(RatingRefused, match="差评"):
        rig.sim.rate(11, Level.DISSATISFIED)
    counter = rig.sim.rate(11, Level.DISSATISFIED, [Reason.SLOW, Reason.ATTITUDE])
    rig.bus.step()
    assert rig.events == [EvaluationResult(11, Level.DISSATISFIED, (Reason.SLOW, Reason.ATTITUDE), counter,
                                           request, "A017", 3)]
    assert rig.events[0].is_bad
    with pytest.raises(RatingRefused, match="no evaluation"):
        rig.sim.rate(11, Level.VERY_SATISFIED)  # 一次一评: rated once


def test_the_master_refuses_a_bad_rating_from_a_faulty_pad_and_the_pad_asks_again(rig):
    rig.bus.step()
    request = rig.bus.request_evaluation(12, "B003", window=5)
    rig.sim.rate(12, Level.VERY_DISSATISFIED, (), check=False)  # a pad that lets it through
    rig.bus.step()
    assert rig.events == []
    pad = rig.sim.pad(12)
    assert pad.refused_by_master == 1 and pad.request is not None and pad.request.request_id == request
    assert rig.bus.status(12).details["refused"] == 1
    rig.sim.rate(12, Level.SATISFIED)
    rig.bus.step()
    assert [(e.level, e.ticket, e.request_id) for e in rig.events] == [(Level.SATISFIED, "B003", request)]


def test_events_a_device_should_not_send_are_acknowledged_as_refused(rig):
    rig.bus.step()
    with rig.sim.lock:
        rig.sim.device(1).queue.append(KeyEvent(500, 0x63))  # a key this protocol does not know
        rig.sim.device(11).queue.append(KeyEvent(501, Key.NEXT))  # a key press from a pad
    rig.bus.step()
    assert rig.events == []
    assert not rig.sim.device(1).queue and not rig.sim.device(11).queue
    assert rig.bus.status(1).details["refused"] == 1 and rig.bus.status(11).details["refused"] == 1


def test_a_silent_device_is_dropped_after_several_polls_and_back_when_it_answers(rig):
    rig.bus.step()
    rig.sim.device(2).silent = True
    rig.rounds(2)
    assert rig.state(2) is State.READY  # flapping is not unplugged
    rig.bus.step()
    assert rig.state(2) is State.DISCONNECTED
    assert "3 polls" in rig.bus.status(2).reason
    with pytest.raises(DeviceUnavailable):
        rig.bus.show(2, "A001")
    assert {rig.state(a) for a in (1, 11, 12)} == {State.READY}
    rig.sim.device(2).silent = False
    for _ in range(rig.bus.absent_every):
        rig.bus.step()
    assert rig.state(2) is State.READY
    changes = [s.state for s in rig.statuses if s.device.endswith("/2")]
    assert changes == [State.READY, State.DISCONNECTED, State.READY]


def test_garbage_and_corrupted_answers_are_recovered_from(rig):
    rig.bus.step()
    rig.sim.garbage(60)
    rig.sim.device(1).corrupt_replies = 2
    counter = rig.sim.press(1, Key.NEXT)
    rig.rounds(3)
    assert rig.events == [KeyPressed(1, Key.NEXT, counter)]
    assert all(s.state is State.READY for s in rig.bus.statuses().values())


def test_display_text_beeps_and_time_reach_the_devices(rig):
    rig.bus.step()
    rig.bus.show(1, "请A017号")
    rig.bus.show(1, "3号窗口", line=1)
    rig.bus.signal(1, beeps=2, led=Led.GREEN, blink=True)
    keypad = rig.sim.device(1)
    assert keypad.display[:2] == ["请A017号", "3号窗口"]
    assert (keypad.signals[-1].beeps, keypad.signals[-1].led, keypad.signals[-1].blink) == (2, Led.GREEN, True)
    rig.bus.sync_time(dt.datetime(2025, 3, 1, 8, 30))
    rig.bus.query(1)  # an answered exchange after the broadcast: the broadcast has been read
    assert {d.clock for d in rig.sim.devices.values()} == {dt.datetime(2025, 3, 1, 8, 30)}


def test_a_retried_command_is_carried_out_once(rig):
    rig.bus.step()
    rig.sim.device(1).corrupt_replies = 1  # the OK is garbled: the master sends DISPLAY again
    before = rig.sim.device(1).handled
    rig.bus.show(1, "A018")
    assert rig.sim.device(1).display[0] == "A018"
    assert rig.sim.device(1).handled == before + 1  # the retry was answered from memory


def test_a_keypad_refuses_an_evaluation_request(rig):
    rig.bus.step()
    with pytest.raises(ValueError):
        rig.bus.request_evaluation(1, "A017")  # configured as a keypad
    wrong = make_rig(rig.server, rig.sim, [BusDevice(1, "pad")])  # misconfigured: the keypad says no
    wrong.bus.step()
    with pytest.raises(DeviceFault, match="not_supported|unsupported"):
        wrong.bus.request_evaluation(1, "A017")
    wrong.bus.close()


def test_an_unplugged_adapter_drops_every_device_and_comes_back(rig):
    rig.bus.step()
    assert rig.server.port is not None
    rig.server.port.unplug()
    rig.bus.step()
    assert rig.bus.port_status.state is State.DISCONNECTED
    assert {s.state for s in rig.bus.statuses().values()} == {State.DISCONNECTED}
    rig.server.port.replug()
    counter = rig.sim.press(2, Key.PAUSE)
    rig.rounds(2)
    assert rig.bus.port_status.state is State.READY
    assert rig.state(2) is State.READY
    assert rig.events == [KeyPressed(2, Key.PAUSE, counter)]


def test_the_bus_runs_on_its_own_thread(rig):
    got = threading.Event()
    rig.bus.on_event = lambda _event: got.set()
    rig.bus.start()
    rig.sim.press(1, Key.NEXT)
    assert got.wait(5)
    rig.bus.show(2, "A019")  # commands from another thread go between rounds
    rig.bus.close()
    assert rig.sim.device(2).display[0] == "A019"


def test_over_tcp_as_through_a_serial_to_ethernet_converter():
    sim = BusSimulator.build([1], [11], seed=1)
    with SimServer(sim.feed, tcp=0) as server:
        rig = make_rig(server, sim, [BusDevice(1, "keypad"), BusDevice(11, "pad")])
        counter = sim.press(1, Key.NO_SHOW)
        rig.rounds(2)
        assert rig.events == [KeyPressed(1, Key.NO_SHOW, counter)]
        rig.bus.close()


def test_doctor_lists_who_answers(rig):
    result = doctor(rig.server.url, {"keypads": "1,2,5", "pads": 11, "timeout": 0.15}, timeout=2)
    assert result["state"] == "error"
    assert set(result["details"]["answering"]) == {"1", "2", "11"}
    assert set(result["details"]["missing"]) == {"5"}
    assert result["details"]["answering"]["11"]["type"] == "pad"
    rig.sim.press(1, Key.NEXT)
    assert doctor(rig.server.url, {"keypads": "1,2", "pads": "11,12"})["state"] == "ready"
    assert len(rig.sim.device(1).queue) == 1  # the doctor asked, it did not take the event
    assert doctor("/nonexistent/tty", {"keypads": "1"})["state"] == "disconnected"
    assert doctor(rig.server.url, {})["state"] == "error"


def test_the_simulator_command_line(tmp_path):
    link = tmp_path / "keypads"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from drivers.keypad import sim_main; sys.exit(sim_main())",
         "--pty", "--link", str(link), "--keypads", "3", "--pads", "13", "--seed", "5"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == f"listening {link}"
        events: list = []
        bus = KeypadBus(factory(str(link), baudrate=9600), [BusDevice(3, "keypad"), BusDevice(13, "pad")],
                        on_event=events.append, timeout=0.2, poll_interval=0.0)
        proc.stdin.write("press 3 next\nrate 13 1\nrequest 13 A017 3\nrate 13 1\nrate 13 1 attitude\n")
        proc.stdin.flush()
        assert proc.stdout.readline().startswith("ok press 3 next")
        assert proc.stdout.readline().startswith("refused: no evaluation")
        assert proc.stdout.readline().startswith("ok pad 13 rates ticket A017")
        assert proc.stdout.readline().startswith("refused: 差评")
        assert proc.stdout.readline().startswith("ok rate 13 level=1 reasons=[2]")
        deadline = time.monotonic() + 5
        while len(events) < 2 and time.monotonic() < deadline:
            bus.step()
        assert [type(e) for e in events] == [KeyPressed, EvaluationResult]
        assert (events[1].ticket, events[1].window, events[1].reasons) == ("A017", 3, (Reason.ATTITUDE,))
        bus.show(3, "A017")
        assert proc.stdout.readline().strip() == "3 display 0 A017"
        bus.close()
    finally:
        proc.terminate()
        proc.wait(timeout=5)
