"""sd_notify over a real datagram socket: what systemd would receive, and silence outside it."""
from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from ground import notify


@pytest.fixture
def systemd_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "4000000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    yield sock
    sock.close()


def test_ready_and_watchdog_reach_the_socket(systemd_socket: socket.socket) -> None:
    assert notify.enabled() and notify.watchdog_seconds() == 4.0 and notify.ping_every() == 2.0
    assert notify.notify("READY=1", "STATUS=serving")
    assert systemd_socket.recv(4096) == b"READY=1\nSTATUS=serving"


def test_a_loop_check_sends_ready_once_then_pings_no_faster_than_asked(
        systemd_socket: socket.socket, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 100.5, 102.1, 102.2])
    monkeypatch.setattr(notify.time, "monotonic", lambda: next(clock))
    calls = []
    alive = notify.beating(lambda: calls.append(1) or len(calls) < 4)
    assert [alive() for _ in range(4)] == [True, True, True, False]
    systemd_socket.settimeout(0.5)
    got = []
    while True:
        try:
            got.append(systemd_socket.recv(4096))
        except TimeoutError:
            break
    assert got == [b"READY=1\nWATCHDOG=1", b"WATCHDOG=1"]


def test_an_abstract_socket_name_is_used_as_such(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"yiciban-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
        assert notify.notify("WATCHDOG=1")
        assert sock.recv(64) == b"WATCHDOG=1"


def test_silent_outside_systemd_and_in_a_child_process(systemd_socket: socket.socket,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))  # another process is the one watched
    assert not notify.enabled() and notify.watchdog_seconds() is None
    assert not notify.notify("READY=1")
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not notify.notify("READY=1") and notify.ping_every() == 30.0
    systemd_socket.settimeout(0.2)
    with pytest.raises(TimeoutError):
        systemd_socket.recv(64)


def test_a_socket_that_is_gone_is_logged_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "missing"))
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert not notify.notify("READY=1")
    assert "could not notify systemd" in caplog.text
