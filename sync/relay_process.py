"""The hall's relay as a child process (`python -m sync.relay`), supervised by the hall.

A thread in the hall would share the interpreter lock with the hall's event loop: the bench
measured a relay thread catching up on a backlog making the hall's requests several times
slower at the 99th percentile, where a child process, at a lower CPU priority, leaves them
about as they were. The child has its own connection to the hall's database (WAL, short write
transactions, a busy timeout), stops when the hall is gone, and is restarted if it dies.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sync.relay import RelaySettings

if TYPE_CHECKING:
    from sync.node_settings import Upstream

log = logging.getLogger(__name__)

RESTART_MAX = 60.0


def settings_env(s: RelaySettings) -> dict[str, str]:
    return {
        "YICIBAN_SYNC_BATCH_SIZE": str(s.batch_size), "YICIBAN_SYNC_BATCH_BYTES": str(s.batch_bytes),
        "YICIBAN_SYNC_INTERVAL": repr(s.interval), "YICIBAN_SYNC_BACKOFF_BASE": repr(s.backoff_base),
        "YICIBAN_SYNC_BACKOFF_MAX": repr(s.backoff_max), "YICIBAN_SYNC_RETENTION_DAYS": repr(s.retention / 86400),
        "YICIBAN_SYNC_PACE": repr(s.pace), "YICIBAN_SYNC_CHECKPOINT_EVERY": repr(s.checkpoint_every),
    }


class RelayProcess:
    def __init__(self, db_path: str | Path, upstream: Upstream, settings: RelaySettings, *, nice: int = 10,
                 start_delay: float = 0.0, env: Mapping[str, str] | None = None) -> None:
        self.db_path, self.upstream, self.settings = Path(db_path), upstream, settings
        self.nice, self.start_delay = nice, start_delay
        self.env = dict(os.environ if env is None else env)
        self.stopping = threading.Event()
        self.child: subprocess.Popen[bytes] | None = None
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def command(self) -> list[str]:
        u = self.upstream
        level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
        cmd = [sys.executable, "-m", "sync.relay", "--db", str(self.db_path), "--url", u.url,
               "--node-id", u.node_id, "--timeout", repr(u.timeout), "--adapter", u.adapter,
               "--parent", str(os.getpid()), "--nice", str(self.nice), "--log-level", str(level)]
        if u.ca_file:
            cmd += ["--ca-file", u.ca_file]
        return cmd

    def _child_env(self) -> dict[str, str]:
        env = {**self.env, **settings_env(self.settings)}
        root = str(Path(__file__).resolve().parents[1])  # so the child finds `sync` as the hall did
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        if self.upstream.token:
            env["YICIBAN_SYNC_TOKEN"] = self.upstream.token  # not on the command line, where `ps` shows it
        return env

    @property
    def running(self) -> bool:
        child = self.child
        return child is not None and child.poll() is None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._supervise, name="sync-relay-supervisor", daemon=True)
        self.thread.start()

    def _supervise(self) -> None:
        if self.start_delay > 0 and self.stopping.wait(self.start_delay):
            return
        wait = 1.0
        while not self.stopping.is_set():
            with self.lock:
                if self.stopping.is_set():
                    return
                self.child = subprocess.Popen(self.command(), env=self._child_env(), stdin=subprocess.DEVNULL)
            log.info("sync relay started (process %d)", self.child.pid)
            code = self.child.wait()
            if self.stopping.is_set():
                return
            log.error("sync relay process exited with %s; starting it again in %.0f s", code, wait)
            if self.stopping.wait(wait):
                return
            wait = min(wait * 2, RESTART_MAX)

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        with self.lock:
            child = self.child
        if child is not None and child.poll() is None:
            child.terminate()  # the relay finishes its batch's bookkeeping and exits
            try:
                child.wait(timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.thread is not None:
            self.thread.join(timeout)
