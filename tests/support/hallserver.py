"""A real hall server process on a loopback port, shared by the end-to-end and screen tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.halls import PASSWORD, TOKENS, write_small_hall

REPO = Path(__file__).resolve().parents[2]
START_SECONDS = 40.0  # a guard against a hang, not a measure: two workers on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HallServer:
    """A `yiciban hall` process: `start`, `kill` (SIGKILL) and `restart` on the same port and data."""

    def __init__(self, config_path: Path, data_dir: Path, log_path: Path, port: int) -> None:
        self.config_path, self.data_dir, self.log_path, self.port = config_path, data_dir, log_path, port
        self.base_url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.tokens, self.password = TOKENS, PASSWORD

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        cmd = [sys.executable, "-m", "yiciban.cli", "hall", "--config", str(self.config_path),
               "--data-dir", str(self.data_dir), "--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)
        self.wait_healthy()

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


def running(directory: Path) -> Iterator[HallServer]:
    server = HallServer(write_small_hall(directory), directory / "data",
                        directory / "hall-server.log", free_port())
    try:
        server.start()
        yield server
    finally:
        server.kill()
