"""The hall server the queue benchmark's HTTP and fan-out parts measure, in its own process."""
from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.queue.common import (
    REPO,
    SERVER_START_DEADLINE,
    SERVER_STOP_DEADLINE,
    _child_env,
    _die_with_parent,
    free_port,
    hall_toml,
)


class HallServer:
    """`python -m yiciban.cli hall` on a free port of 127.0.0.1, with a fresh data directory."""

    def __init__(self, workdir: Path, tokens: dict[str, str]) -> None:
        self.workdir = workdir
        self.tokens = tokens
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import requests

        config = self.workdir / "hall.toml"
        config.write_text(hall_toml(self.tokens), encoding="utf-8")
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between finding and binding it
            self.port = free_port()
            with self.log_path.open("ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", "hall",
                     "--config", str(config), "--data-dir", str(self.workdir / "data"),
                     "--host", "127.0.0.1", "--port", str(self.port)],
                    cwd=REPO, env=_child_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                    start_new_session=True, preexec_fn=_die_with_parent,
                )
            deadline = time.monotonic() + SERVER_START_DEADLINE
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    last_error = f"the server exited with {self.process.returncode}"
                    break
                try:
                    if requests.get(f"{self.base}/health", timeout=1.0).status_code == 200:
                        return
                except requests.RequestException as exc:
                    last_error = str(exc)
                time.sleep(0.1)
            else:
                last_error = f"no answer on /health within {SERVER_START_DEADLINE:g} s"
            self.stop()
        tail = self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"the hall server did not start: {last_error}; its log ends: {tail}")

    def stop(self) -> None:
        p, self.process = self.process, None
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            p.wait(SERVER_STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(SERVER_STOP_DEADLINE)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


