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
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sync.crypto import load_sealer
from sync.node_settings import NodeSettings, SingleRelay, Upstream
from sync.outbox import Outbox, migrate
from sync.protocol import ItemResult
from sync.puller import Puller
from sync.reference import ReferenceStore, etag
from sync.relay import Relay, open_db
from sync.relay_process import RelayProcess
from sync.status import status
from sync.wire import page_json
from sync.workdays import WorkCalendar

log = logging.getLogger(__name__)


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
