"""The relay: one per node, delivering the outbox to the platform in batches, exactly once.

It reads due rows on its own connection (WAL: reading never blocks the hall), pushes them,
and settles what the platform said in one short write transaction: acknowledged rows
(`accepted` or `duplicate`) are marked and their personal data erased; a row the platform
refuses as invalid is set aside (`dead`) with the reason and the rows behind it go on; the
rest are retried with exponential backoff and jitter (or after the platform's Retry-After).
A row the platform accepted but whose answer was lost is pushed again, and the platform
answers `duplicate`: nothing is lost, nothing is stored twice.

`python -m sync.relay --db FILE --url URL --node-id ID` runs one on its own: the hall starts it
so, as a supervised child process (sync.relay_process); the SIGKILL test and the benchmark run it
directly. `Relay.run` on a thread is there for nodes that want it (sync.node, mode "thread").
"""
from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ground.paths import private_file
from sync.crypto import SealError
from sync.outbox import Outbox, OutboxError, Row, after_retry_after, backoff, describe
from sync.protocol import (
    MAX_RETRY_AFTER,
    REJECTED,
    BatchRejected,
    ItemResult,
    PlatformClient,
    Record,
    SyncError,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelaySettings:
    batch_size: int = 500
    batch_bytes: int = 4 * 1024 * 1024
    interval: float = 1.0  # between two looks at an empty outbox
    backoff_base: float = 1.0
    backoff_max: float = 300.0
    retention: float = 7 * 86400.0  # acknowledged rows are kept this long, then purged
    purge_every: float = 600.0
    pace: float = 0.0  # after a batch, rest this many times the batch's duration (0: catch up flat out)
    checkpoint_every: float = 1.0  # seconds between WAL checkpoints made by the relay's thread


@dataclass
class Step:
    """What one step did, and how long to wait before the next."""

    sent: int = 0
    acked: int = 0
    duplicates: int = 0
    dead: int = 0
    failed: int = 0
    error: str | None = None
    delay: float = 0.0
    results: dict[str, str] = field(default_factory=dict)


class Relay:
    def __init__(self, conn: sqlite3.Connection, outbox: Outbox, client: PlatformClient,
                 settings: RelaySettings = RelaySettings(), *, clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None, lock: Any = None, where: str = "the outbox") -> None:
        self.conn, self.outbox, self.client, self.settings = conn, outbox, client, settings
        self.clock = clock
        self.rng = rng or random.Random()
        self.lock = lock  # the hall's store lock, when the relay shares the hall's process
        self.where = where
        self.failures = 0  # consecutive failed attempts
        self.resume_at = 0.0
        self.next_purge = 0.0
        self.attempts = 0  # pushes tried, for tests and the benchmark
        self.last_checkpoint = time.monotonic()
        self.wakeup = threading.Event()
        self.stopping = threading.Event()

    # -- one batch

    def step(self) -> Step:
        now = self.clock()
        began = time.monotonic()
        s = self.settings
        try:
            rows = self.outbox.due(self.conn, now, s.batch_size, s.backoff_max * 2 + MAX_RETRY_AFTER)
            if not rows:
                self._purge(now)
                self._checkpoint()
                return Step(delay=s.interval)
        except sqlite3.Error as exc:
            return self._local_failure(exc)
        rows = _cut(rows, s.batch_bytes)
        by_key = {r.key: r for r in rows}
        records, dead = [], []
        for row in rows:
            try:
                personal = self.outbox.open_personal(row)
            except (SealError, OutboxError, ValueError) as exc:
                dead.append((row.id, f"personal data cannot be opened on this node: {exc}"))
                continue
            records.append(Record(row.key, row.id, row.type, row.created, row.payload, personal,
                                  row.origin, row.origin_seq))
        self.attempts += 1
        results, unsent, error = self._deliver(records)
        step = Step(sent=len(records))
        acked = []
        for key, res in results.items():
            row = by_key[key]
            step.results[key] = res.status
            if res.status == REJECTED:
                dead.append((row.id, res.reason or "refused without a reason"))
            else:
                acked.append(row.id)
                step.duplicates += res.status != "accepted"
        step.acked, step.dead = len(acked), len(dead)
        now = self.clock()
        state = {"last_attempt": repr(now)}
        if error is None:
            if self.failures:
                log.info("sync to the platform works again after %d failed attempts", self.failures)
            self.failures = 0
            if records:
                state.update(last_success=repr(now), consecutive_failures="0")
            # more may be waiting; in the hall, rest a little so catching up never crowds it
            delay = s.pace * (time.monotonic() - began)
            failed_ids = [by_key[r.key].id for r in unsent]
            retry_at = now + self._backoff(max((by_key[r.key].attempts for r in unsent), default=0) + 1)
            message = "the platform gave no result for this record"
        else:
            self.failures += 1
            delay = self._delay(error)
            failed_ids = [by_key[r.key].id for r in unsent]
            retry_at = now + delay
            message = str(error)
            state.update(last_error=message[:500], last_error_at=repr(now),
                         consecutive_failures=str(self.failures))
            self._log_failure(error, delay)
        step.failed, step.error = len(failed_ids), (None if error is None else message)
        by_id = {r.id: r for r in rows}
        for row_id, reason in dead:
            row = by_id[row_id]
            log.warning("record %s (%s, seq %d) set aside: %s", row.key, row.type, row.id, reason)
        try:
            self.outbox.settle(self.conn, now, acked=acked, dead=dead, failed=failed_ids,
                               next_attempt=retry_at, error=message if failed_ids else None,
                               lock=self.lock, state=state)
        except sqlite3.Error as exc:
            # the platform has them; they stay pending here and come back as duplicates
            return self._local_failure(exc, step)
        step.delay = delay
        self.resume_at = now + delay
        self._checkpoint()
        return step

    def _deliver(self, records: Sequence[Record]) -> tuple[dict[str, ItemResult], list[Record], SyncError | None]:
        """Results by key, the records without a result, and the error that stopped delivery."""
        if not records:
            return {}, [], None
        try:
            got = self.client.push(records)
        except BatchRejected as exc:
            if len(records) == 1:
                return {records[0].key: ItemResult(records[0].key, REJECTED, str(exc))}, [], None
            # one bad record spoils a batch: halve until it stands alone
            mid = len(records) // 2
            left, left_unsent, err = self._deliver(records[:mid])
            if err is not None:
                return left, [*left_unsent, *records[mid:]], err
            right, right_unsent, err = self._deliver(records[mid:])
            return {**left, **right}, [*left_unsent, *right_unsent], err
        except SyncError as exc:
            return {}, list(records), exc
        except Exception as exc:  # an adapter's bug must not stop the relay
            log.exception("the platform client failed")
            return {}, list(records), Unavailable(f"client error: {type(exc).__name__}")
        keys = {r.key for r in records}
        results = {r.key: r for r in got if r.key in keys}
        return results, [r for r in records if r.key not in results], None

    # -- waiting

    def _backoff(self, attempt: int) -> float:
        return backoff(attempt, self.settings.backoff_base, self.settings.backoff_max, self.rng)

    def _delay(self, error: SyncError) -> float:
        wait = getattr(error, "retry_after", None)
        if wait is not None:
            return after_retry_after(min(wait, MAX_RETRY_AFTER), self.rng)
        return self._backoff(self.failures)

    def _local_failure(self, exc: sqlite3.Error, step: Step | None = None) -> Step:
        self.failures += 1
        delay = self._backoff(self.failures)
        message = describe(exc, self.where)
        log.error("sync relay cannot use %s; retrying in %.1f s", message, delay)
        step = step or Step()
        step.error, step.delay = message, delay
        self.resume_at = self.clock() + delay
        return step

    def _log_failure(self, error: SyncError, delay: float) -> None:
        if isinstance(error, Unauthorized) and (self.failures == 1 or self.failures % 20 == 0):
            log.error("sync: %s; retrying in %.0f s (fix the node's token)", error, delay)
        elif self.failures == 1:
            log.warning("sync to the platform failing: %s; retrying in %.1f s", error, delay)
        elif self.failures % 20 == 0:
            log.info("sync to the platform still failing (%d attempts): %s", self.failures, error)
        else:
            log.debug("sync attempt %d failed: %s", self.failures, error)

    def _checkpoint(self) -> None:
        """Moves the WAL into the database from this thread, outside any lock, so that the hall's
        own commits seldom have to (a passive checkpoint never blocks a writer)."""
        if time.monotonic() - self.last_checkpoint < self.settings.checkpoint_every:
            return
        self.last_checkpoint = time.monotonic()
        try:
            self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            log.debug("checkpoint skipped: %s", exc)

    def _purge(self, now: float) -> None:
        if now < self.next_purge:
            return
        self.next_purge = now + self.settings.purge_every
        total = 0
        try:
            while True:
                n = self.outbox.purge(self.conn, now - self.settings.retention, lock=self.lock)
                total += n
                if n < 2000 or self.stopping.is_set():
                    break
        except sqlite3.Error as exc:
            log.warning("cannot purge acknowledged records: %s", describe(exc, self.where))
        if total:
            log.info("purged %d acknowledged records older than %.0f days", total,
                     self.settings.retention / 86400)

    # -- running

    def run(self, alive: Callable[[], bool] | None = None) -> None:
        """Steps until `stop()` (or until `alive()` says no: checked at least once a second); an
        idle wait ends early on `notify()`, a backoff does not."""
        while not self.stopping.is_set():
            if alive is not None and not alive():
                log.info("sync relay stopping: its node is gone")
                return
            try:
                step = self.step()
            except Exception:  # keep relaying whatever happens; the error is in the log
                log.exception("sync relay step failed")
                step = Step(delay=self._backoff(self.failures + 1))
            if step.delay <= 0:
                continue
            backing_off = step.error is not None
            deadline = time.monotonic() + step.delay
            while not self.stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self.wakeup.wait(min(left, 1.0)) and not backing_off:
                    break
                self.wakeup.clear()
                if alive is not None and not alive():
                    break
            self.wakeup.clear()

    def notify(self) -> None:
        self.wakeup.set()

    def stop(self) -> None:
        self.stopping.set()
        self.wakeup.set()

    def drain(self, deadline: float, sleep: Callable[[float], None] = time.sleep) -> int:
        """Steps until nothing is pending (for the benchmark and tests); returns pushes tried."""
        start = self.attempts
        while time.monotonic() < deadline:
            step = self.step()
            if step.sent == 0 and step.error is None and not self.pending():
                break
            if step.delay > 0:
                sleep(min(step.delay, max(deadline - time.monotonic(), 0)))
        return self.attempts - start

    def pending(self) -> int:
        return self.conn.execute("SELECT count(*) FROM sync_outbox WHERE state = 'pending'").fetchone()[0]


def _cut(rows: list[Row], limit: int) -> list[Row]:
    """As many rows as fit in `limit` bytes (at least one)."""
    size = 0
    for i, r in enumerate(rows):
        size += len(r.payload) + (len(r.sealed) if r.sealed else 0) + 200
        if size > limit and i > 0:
            return rows[:i]
    return rows


def open_db(path: str, busy_ms: int = 5000) -> sqlite3.Connection:
    """The relay's own connection: WAL, a busy timeout, and NORMAL sync (a lost ack only means a
    duplicate, which the platform answers as such)."""
    private_file(path)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=busy_ms / 1000)
    conn.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    # the relay checkpoints on its own thread (checkpoint()), never inside a commit under the hall's lock
    conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn


if __name__ == "__main__":
    import sys

    from sync.relay_main import main

    sys.exit(main())
