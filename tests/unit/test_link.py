import random

import pytest

from drivers.errors import DeviceFault, DeviceTimeout, DeviceUnavailable
from drivers.link import Link
from drivers.status import State


class FakeDevice:
    """A device whose next answers the test scripts."""

    def __init__(self):
        self.plugged = True
        self.answers: list = []
        self.opened = 0
        self.closed = 0

    def connect(self):
        if not self.plugged:
            raise DeviceUnavailable("no such port /dev/yiciban-test")
        self.opened += 1
        return self

    def close(self):
        self.closed += 1

    def poll(self, _session):
        if not self.plugged:
            raise DeviceUnavailable("device disconnected")
        if self.answers:
            a = self.answers.pop(0)
            if isinstance(a, Exception):
                raise a
            return a
        return {"ok": True}


@pytest.fixture
def dev():
    return FakeDevice()


def make(dev, **kw):
    seen = []
    link = Link("printer-1", "printer", dev.connect, dev.poll, clock=lambda: 0.0,
                rng=random.Random(1), on_status=seen.append, **kw)
    return link, seen


def test_connects_and_reports_ready(dev):
    link, seen = make(dev)
    link.step()
    assert link.status.state is State.READY
    assert [s.state for s in seen] == [State.CONNECTING, State.READY]


def test_a_flapping_device_is_dropped_only_after_several_missed_polls(dev):
    link, _ = make(dev, missed_polls=3)
    link.step()
    dev.answers = [DeviceTimeout("no answer"), DeviceTimeout("no answer"), {"ok": True},
                   DeviceTimeout("no answer"), DeviceTimeout("no answer")]
    for _ in range(5):
        link.step()
        assert link.status.state is State.READY  # two misses, an answer, two misses: still there
    dev.answers = [DeviceTimeout("no answer")]
    link.step()
    assert link.status.state is State.DISCONNECTED
    assert "3 polls" in link.status.reason
    assert dev.closed == 1


def test_unplug_drops_at_once_and_replug_reconnects_with_backoff(dev):
    link, _ = make(dev, backoff=(0.5, 10.0))
    link.step()
    dev.plugged = False
    delay = link.step()
    assert link.status.state is State.DISCONNECTED
    assert 0.4 <= delay <= 0.6
    delays = [link.step() for _ in range(6)]
    # grows with each failure, with jitter, up to the 10 s cap
    assert delays[0] < delays[2] < delays[4]
    assert max(delays) <= 12 and delays[-1] >= 8
    assert "no such port" in link.status.reason
    dev.plugged = True
    link.step()
    assert link.status.state is State.READY
    assert dev.opened == 2


def test_fault_is_error_state_not_disconnection(dev):
    link, _ = make(dev)
    link.step()
    dev.answers = [DeviceFault("缺纸 paper out", code="paper_out")]
    link.step()
    assert link.status.state is State.ERROR
    assert link.status.details["code"] == "paper_out"
    link.step()
    assert link.status.state is State.READY


def test_use_when_disconnected_fails_fast_and_unplug_during_use_drops(dev):
    link, _ = make(dev)
    with pytest.raises(DeviceUnavailable):
        link.use(lambda s: "never")
    link.step()
    assert link.use(lambda s: "printed") == "printed"

    def unplugged(_s):
        raise DeviceUnavailable("write failed: EIO")

    with pytest.raises(DeviceUnavailable):
        link.use(unplugged)
    assert link.status.state is State.DISCONNECTED
    assert link.session is None


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_link_that_cannot_connect_says_where_why_and_since_when(dev, caplog):
    clock = Clock()
    dev.plugged = False
    link = Link("led-w01", "led_strip", dev.connect, dev.poll, clock=clock, rng=random.Random(1),
                where="socket://10.0.3.21:5005", remind_every=60)
    caplog.set_level("INFO", logger="drivers.link")
    link.step()
    assert link.status.state is State.DISCONNECTED
    assert link.status.reason == "no such port /dev/yiciban-test"
    assert link.status.since == 100.0
    clock.now = 130.0
    link._set(State.CONNECTING, link.connecting_reason(), link._down(), since=link.down_since)
    status = link.status
    assert status.state is State.CONNECTING
    assert status.reason == ("connecting to socket://10.0.3.21:5005: 1 attempts failed, "
                             "the last: no such port /dev/yiciban-test")
    assert status.since == 100.0  # since the link started, not since this attempt
    assert status.details == {"attempts": 1, "where": "socket://10.0.3.21:5005",
                              "last_error": "no such port /dev/yiciban-test"}
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["led_strip led-w01: not connected for 0 s (1 attempts to socket://10.0.3.21:5005): "
                        "no such port /dev/yiciban-test"]
    for _ in range(3):  # 30 s later: no new warning; 70 s: reminded
        link.step()
    assert len([r for r in caplog.records if r.levelname == "WARNING"]) == 1
    clock.now = 171.0
    link.step()
    assert "not connected for 71 s (5 attempts" in caplog.records[-1].getMessage()
    dev.plugged = True
    clock.now = 180.0
    link.step()
    assert link.status.state is State.READY and link.status.since == 180.0
    assert "connected after 80 s and 5 failed attempts" in caplog.records[-2].getMessage()


def test_a_link_lost_counts_since_the_loss(dev):
    clock = Clock()
    link = Link("printer-1", "printer", dev.connect, dev.poll, clock=clock, rng=random.Random(1))
    link.step()
    clock.now = 500.0
    dev.plugged = False
    link.step()
    clock.now = 520.0
    link.step()
    assert link.status.since == 500.0
    assert link.status.details["attempts"] == 2


def test_a_driver_bug_in_connect_or_poll_is_a_failure_not_a_dead_thread(dev):
    calls = {"n": 0}

    def connect():
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("area")
        return dev

    link = Link("led-w01", "led_strip", connect, dev.poll, clock=lambda: 0.0, rng=random.Random(1))
    link.step()
    assert link.status.state is State.DISCONNECTED
    assert link.status.reason == "unexpected KeyError: 'area'"
    link.step()
    assert link.status.state is State.READY
    dev.answers = [ZeroDivisionError("division by zero")]
    link.step()
    assert link.status.state is State.DISCONNECTED
    assert link.status.reason == "unexpected ZeroDivisionError: division by zero"
    link.step()
    assert link.status.state is State.READY
