"""The hall server under a systemd-like notify socket: READY=1 once it serves, then watchdog pings
from its main loop for as long as it runs (what `Type=notify` and `WatchdogSec=` wait for)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.support.halls import write_small_hall
from tests.support.hallserver import REPO, free_port


def test_the_hall_says_ready_and_keeps_pinging_the_watchdog(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    port = free_port()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(30)
        env = {**os.environ, "PYTHONPATH": str(REPO), "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"}
        cmd = [sys.executable, "-m", "yiciban.cli", "hall", "--config", str(write_small_hall(tmp_path)),
               "--data-dir", str(tmp_path / "data"), "--host", "127.0.0.1", "--port", str(port)]
        with open(tmp_path / "hall.log", "wb") as log:
            hall = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=log)
        try:
            first = sock.recv(256)
            assert first == b"READY=1\nWATCHDOG=1", first
            assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).ok, "ready before serving"
            pings = [sock.recv(256) for _ in range(2)]
            assert pings == [b"READY=1\nWATCHDOG=1"] * 2 and hall.poll() is None
        finally:
            hall.kill()
            hall.wait(10)


def test_the_relay_on_its_own_says_ready_and_pings_while_the_platform_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(30)
        env = {**os.environ, "PYTHONPATH": str(REPO), "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"}
        cmd = [sys.executable, "-m", "sync.relay", "--db", str(tmp_path / "hall.db"),
               "--url", f"http://127.0.0.1:{free_port()}", "--node-id", "test-hall"]
        relay = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert sock.recv(256) == b"READY=1\nWATCHDOG=1"
            assert sock.recv(256) == b"WATCHDOG=1" and relay.poll() is None
        finally:
            relay.kill()
            relay.wait(10)
