"""One node's sync, wired: the outbox in the node's database, the relay (a supervised child
process, or a thread), the puller (a thread), the reference copy and the working-day calendar.

The hall makes one `SyncNode` on its database file with its store's lock, hands
`write_queue_events` to its service as the outbox hook, and starts it when `[platform]` has a
url. A device does the same on its own database, with the hall as its upstream.

Tuning comes from the environment (YICIBAN_SYNC_BATCH_SIZE, _BATCH_BYTES, _INTERVAL,
_BACKOFF_BASE, _BACKOFF_MAX, _RETENTION_DAYS, _PACE, _CHECKPOINT_EVERY, _PULL_INTERVAL,
_START_DELAY, and _RELAY = process or thread), the sealing key from YICIBAN_SYNC_KEY /
YICIBAN_SYNC_KEY_FILE or `sync.key` in the data directory.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sync.client import make_client
from sync.crypto import load_sealer
from sync.outbox import Outbox, migrate
from sync.protocol import ItemResult, PlatformClient
from sync.puller import Puller
from sync.reference import ReferenceStore, etag
from sync.relay import Relay, RelaySettings, open_db
from sync.relay_process import RelayProcess
from sync.status import status
from sync.wire import page_json
from sync.workdays import WorkCalendar

log = logging.getLogger(__name__)


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


class SyncNode:
    def __init__(self, data_dir: str | Path, db_path: str | Path, *, upstream: Upstream | None,
                 lock: Any = None, clock: Callable[[], float] = time.time,
                 settings: NodeSettings | None = None, env: Mapping[str, str] | None = None) -> None:
        self.data_dir, self.db_path = Path(data_dir), Path(db_path)
        self.upstream, self.lock, self.clock = upstream, lock, clock
        self.settings = settings or NodeSettings.from_env(env)
        self.sealer = load_sealer(self.data_dir / "sync.key", env=dict(env) if env is not None else None)
        self.outbox = Outbox(self.sealer, clock)
        self.reference = ReferenceStore(self.data_dir / "reference.db", clock)
        self.calendar = WorkCalendar(self.reference.calendar_overrides)
        self.env = dict(os.environ if env is None else env)
        self.relay: Relay | None = None  # in "thread" mode
        self.relay_process: RelayProcess | None = None  # in "process" mode
        self.puller: Puller | None = None
        self.threads: list[threading.Thread] = []
        self.single = SingleRelay(self.db_path)

    def attach(self, conn: sqlite3.Connection) -> None:
        """Creates the outbox tables in the node's database (through the writer's connection)."""
        migrate(conn, self.lock)

    # -- writing (inside the writer's transaction)

    def write_queue_events(self, conn: sqlite3.Connection, events: Iterable[Any]) -> None:
        self.outbox.write_queue_events(conn, events)

    def receive(self, conn: sqlite3.Connection, items: Sequence[Any], origin: str) -> list[ItemResult]:
        return self.outbox.receive(conn, items, origin)

    # -- running

    @property
    def running(self) -> bool:
        if self.relay_process is not None:
            return self.relay_process.running
        return any(t.is_alive() for t in self.threads)

    def start(self) -> None:
        if self.upstream is None:
            return
        delay = self.settings.start_delay
        self.puller = Puller(self.upstream.client(), self.reference, interval=self.settings.pull_interval)
        stopping = self.puller.stopping
        if self.settings.relay_mode == "process":
            self.relay_process = RelayProcess(self.db_path, self.upstream, self.settings.relay,
                                              nice=self.settings.relay_nice, start_delay=delay, env=self.env)
            self.relay_process.start()
        else:
            self.single.acquire()
            self.relay = Relay(open_db(str(self.db_path)), self.outbox, self.upstream.client(),
                               self.settings.relay, clock=self.clock, lock=self.lock, where=str(self.db_path))
            stopping = self.relay.stopping
            self._thread("sync-relay", _after(delay, self.relay.run, stopping))
        self._thread("sync-pull", _after(delay, self.puller.run, stopping))
        log.info("sync to %s started for node %s (relay: %s)", self.upstream.url, self.upstream.node_id,
                 self.settings.relay_mode)

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        if self.puller is None:
            return
        if self.relay_process is not None:
            self.relay_process.stop(timeout)
        if self.relay is not None:
            self.relay.stop()
        self.puller.stop()
        for thread in self.threads:
            thread.join(timeout)
        self.threads.clear()
        closing = [self.puller.client.close]
        if self.relay is not None:
            closing += [self.relay.client.close, self.relay.conn.close, self.single.release]
        for close in closing:
            with contextlib.suppress(Exception):
                close()
        self.relay = self.puller = self.relay_process = None

    def close(self) -> None:
        self.stop()
        self.reference.close()

    def pull_page(self, dataset: str, since: int, cursor: str | None, limit: int,
                  if_none_match: str | None) -> tuple[int, dict[str, Any] | None, str]:
        """A page of this node's reference copy, for its devices: (HTTP status, body, ETag).
        Raises ValueError for a cursor this node did not make."""
        tag = etag(dataset, self.reference.meta(dataset).version)
        if if_none_match == tag and not cursor:
            return 304, None, tag
        version, changes, next_cursor = self.reference.changes(dataset, since, cursor, limit)
        tag = etag(dataset, version)
        return 200, page_json(dataset, version, tag, changes, next_cursor), tag

    def status(self, conn: sqlite3.Connection) -> dict[str, Any]:
        out = status(conn, self.reference, self.clock())
        out["node"] = self.upstream.node_id if self.upstream else None
        out["upstream"] = self.upstream.url if self.upstream else None
        out["running"] = self.running
        if self.puller is not None:
            out["reference_error"] = self.puller.last_error
        return out


def _after(delay: float, target: Callable[[], None], stopping: threading.Event) -> Callable[[], None]:
    def run() -> None:
        if delay > 0 and stopping.wait(delay):
            return
        target()

    return run
