"""Where a node syncs to and how its relay is tuned, and the lock that keeps one relay per node.

They stand apart from `sync.node` (which wires the whole node) so that the relay's own process
(`sync.relay_main`) and its supervisor (`sync.relay_process`) use them without importing the
node that starts them: no file circle.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sync.protocol import PlatformClient
from sync.relay import RelaySettings

log = logging.getLogger("sync.node")


@dataclass(frozen=True)
class Upstream:
    """Where this node syncs to: the platform (for a hall) or the hall (for a device)."""

    url: str
    node_id: str
    token: str | None = None
    ca_file: str | None = None
    timeout: float = 10.0
    adapter: str = "yiciban"

    def client(self) -> PlatformClient:
        # the HTTP library is imported when the node first talks to its upstream, not at start-up
        from sync.client import make_client

        return make_client(self.url, self.node_id, self.token, adapter=self.adapter,
                           ca_file=self.ca_file, timeout=self.timeout)


@dataclass(frozen=True)
class NodeSettings:
    # a node's relay rests as long as each batch took: catching up uses at most half of its time,
    # and the node's own requests stay as fast as when it is idle (docs/benchmarks/sync.md)
    relay: RelaySettings = RelaySettings(pace=1.0)
    pull_interval: float = 300.0
    start_delay: float = 0.0
    relay_mode: str = "process"  # "process" (python -m sync.relay, supervised) or "thread"
    relay_nice: int = 10  # the relay process yields the CPU to the hall

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, base: NodeSettings | None = None) -> NodeSettings:
        env = os.environ if env is None else env
        base = base or cls()

        def num(name: str, default: float) -> float:
            value = env.get(f"YICIBAN_SYNC_{name}")
            try:
                return float(value) if value not in (None, "") else default
            except ValueError:
                log.warning("YICIBAN_SYNC_%s=%r is not a number; using %s", name, value, default)
                return default

        r = base.relay
        relay = replace(r, batch_size=int(num("BATCH_SIZE", r.batch_size)),
                        batch_bytes=int(num("BATCH_BYTES", r.batch_bytes)),
                        interval=num("INTERVAL", r.interval), backoff_base=num("BACKOFF_BASE", r.backoff_base),
                        backoff_max=num("BACKOFF_MAX", r.backoff_max),
                        retention=num("RETENTION_DAYS", r.retention / 86400) * 86400,
                        pace=num("PACE", r.pace), checkpoint_every=num("CHECKPOINT_EVERY", r.checkpoint_every))
        mode = env.get("YICIBAN_SYNC_RELAY") or base.relay_mode
        if mode not in ("process", "thread"):
            log.warning("YICIBAN_SYNC_RELAY=%r is neither process nor thread; using process", mode)
            mode = "process"
        return cls(relay=relay, pull_interval=num("PULL_INTERVAL", base.pull_interval),
                   start_delay=num("START_DELAY", base.start_delay), relay_mode=mode,
                   relay_nice=base.relay_nice)


class RelayBusy(Exception):
    """Another relay already serves this database: one relay per node."""


class SingleRelay:
    """An advisory lock on `<db>.relay.lock`, released by the kernel if the holder dies."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{db_path}.relay.lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RelayBusy(f"another relay is running on {self.path.with_suffix('')}") from None
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
