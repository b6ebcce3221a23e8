"""A real hall server process on a loopback port, shared by the end-to-end and screen tests.

Every test that asks for a hall gets a fresh `yiciban hall` process with its own data. Starting
one costs a second or more of Python imports, so each test process keeps one hall booting
ahead: when a test takes its hall, the next one is launched and boots while the test runs,
and the next test that asks finds it ready. A spare is used only if the environment is the
same as when it was launched, but for what changes with every test (else it is stopped and a
hall is started afresh); the last spare is stopped when the test process exits, or dies (the
halls get SIGTERM with it).
"""
from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.halls import PASSWORD, TOKENS, write_small_hall

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 40.0  # a guard against a hang, not a measure: two workers on a busy machine
PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the test process dies without stopping it."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))


class HallServer:
    """A `yiciban hall` process: `start`, `kill` (SIGKILL) and `restart` on the same port and data."""

    def __init__(self, config_path: Path, data_dir: Path, log_path: Path, port: int) -> None:
        self.config_path, self.data_dir, self.log_path, self.port = config_path, data_dir, log_path, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens, self.password = TOKENS, PASSWORD

    def start(self) -> None:
        self.launch()
        self.wait_healthy()

    def launch(self) -> None:
        """Starts the process without waiting for it to answer."""
        assert self.process is None or self.process.poll() is not None, "already running"
        cmd = [sys.executable, "-m", "yiciban.cli", "hall", "--config", str(self.config_path),
               "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log, preexec_fn=_die_with_parent)

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"hall server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/health", timeout=0.5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()  # not left running behind the failed test
        pytest.fail(f"hall server did not answer within {START_SECONDS} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush beyond what the server already made durable."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def _small_hall(directory: Path) -> HallServer:
    return HallServer(write_small_hall(directory), directory / "data",
                      directory / "hall-server.log", free_port())


# set per test by pytest and tests/conftest.py; a hall is told its data directory explicitly
PER_TEST_ENV = ("PYTEST_CURRENT_TEST", "YICIBAN_DATA_DIR")


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in PER_TEST_ENV}


class _Spare:
    """The hall booting ahead for this test process's next test, with the environment it got."""

    def __init__(self) -> None:
        self.server: HallServer | None = None
        self.env: dict[str, str] = {}
        atexit.register(self.drop)

    def launch(self, beside: Path) -> None:
        self.drop()
        server = _small_hall(Path(tempfile.mkdtemp(prefix="hall-", dir=beside)))
        server.launch()
        self.server, self.env = server, _environment()

    def take(self) -> HallServer | None:
        server, self.server = self.server, None
        if server is not None and (self.env != _environment() or server.process is None
                                   or server.process.poll() is not None):
            server.kill()
            return None
        return server

    def drop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.kill()


_spare = _Spare()


def running(directory: Path) -> Iterator[HallServer]:
    """A fresh hall for one test (or one module); `directory` is where it lives unless a spare
    booted ahead, in a directory of its own beside it."""
    server = _spare.take()
    try:
        if server is None:
            server = _small_hall(directory)
            server.start()
        else:
            server.wait_healthy()
        _spare.launch(beside=directory.parent)
        yield server
    finally:
        if server is not None:
            server.kill()
