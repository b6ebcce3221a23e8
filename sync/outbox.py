"""The transactional outbox: rows written in the writer's own transaction, delivered by the relay.

A business write and its outbox row commit together or not at all: `Outbox.add(conn, ...)` and
`Outbox.write_queue_events(conn, events)` only INSERT on the connection they are given, inside
the transaction the caller has open (the hall's `HallStore.append(..., also=...)`).

Each row carries its idempotency key (a UUID made here, in the same transaction), type,
payload, created time, attempts, next attempt time and last error, and a state: `pending`,
`acked` (the platform has it; personal data already erased; purged after the retention
period) or `dead` (the platform refused it as invalid; kept, with the reason, until an
operator retries it). `id` grows and is never reused: it is the node's sequence number (`seq`)
on the wire, so the platform can order a node's records whatever the clocks say.

The same table and the same `backoff` keep what other senders must not lose: the evaluation
pad's ratings on their way to the hall (`kiosk.pending`) are rows of an outbox of their own,
checked by their own rule (`Outbox(check=...)`).
"""
from __future__ import annotations

import contextlib
import json
import logging
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sync import records
from sync.crypto import Sealer
from sync.protocol import ACCEPTED, DUPLICATE, REJECTED, ItemResult

log = logging.getLogger(__name__)

PENDING, ACKED, DEAD = "pending", "acked", "dead"
Check = Callable[[dict[str, Any]], str | None]  # why an item may not be stored, or None


def backoff(attempt: int, base: float, ceiling: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after `attempt` failed attempts in a row: base, 2×base, 4×base ... up to
    `ceiling`. With `rng`, a random half of it is taken off, so senders that failed together do
    not all retry at the same moment."""
    delay = min(ceiling, base * 2 ** min(max(attempt - 1, 0), 30))
    return delay if rng is None else delay * (0.5 + 0.5 * rng.random())


def after_retry_after(wait: float, rng: random.Random) -> float:
    """Seconds to wait when the platform said Retry-After `wait`: never less, and up to a second
    or a quarter more at random, so halls refused in the same second do not come back together."""
    return wait + rng.random() * max(1.0, 0.25 * wait)

_SCHEMA = [
    (
        "001_outbox",
        [
            """CREATE TABLE sync_outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                payload TEXT NOT NULL,
                sealed BLOB,
                created REAL NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt REAL NOT NULL,
                last_error TEXT,
                state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'dead')),
                acked REAL,
                origin TEXT,
                origin_seq INTEGER
            )""",
            "CREATE INDEX sync_outbox_pending ON sync_outbox(id) WHERE state = 'pending'",
            "CREATE TABLE sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ],
    ),
]


class OutboxError(Exception):
    """The outbox database could not be written or read; the message says what and where."""


class InvalidRecord(ValueError):
    """A record a writer tried to add fails the checks every hop applies (sync.records)."""


def describe(exc: sqlite3.Error, where: str) -> str:
    """A line for the hall's IT person: which database, and what to do about it."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"{where} is locked by another writer for too long ({text}); nothing was changed"
    if "full" in text:
        return f"the disk holding {where} is full ({text}); nothing was changed, free some space"
    if "readonly" in text or "read-only" in text:
        return f"{where} is read-only ({text}); check the data directory's owner and mode"
    if "malformed" in text or "not a database" in text:
        return f"{where} is damaged ({text}); restore it from a backup"
    return f"{where}: {text}"


def migrate(conn: sqlite3.Connection, lock: Any = None) -> list[str]:
    """Creates the outbox tables in `conn`'s database (once; each step in one transaction)."""
    applied = []
    with _locked(lock):
        conn.execute("CREATE TABLE IF NOT EXISTS sync_migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)")
        done = {r[0] for r in conn.execute("SELECT name FROM sync_migrations")}
        for name, statements in _SCHEMA:
            if name in done:
                continue
            with write(conn):
                for sql in statements:
                    conn.execute(sql)
                conn.execute("INSERT INTO sync_migrations VALUES (?, ?)", (name, time.time()))
            applied.append(name)
            log.info("applied sync migration %s", name)
    return applied


@contextlib.contextmanager
def _locked(lock: Any) -> Iterator[None]:
    if lock is None:
        yield
    else:
        with lock:
            yield


@contextlib.contextmanager
def write(conn: sqlite3.Connection, lock: Any = None) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on any error), under `lock` when one is given.

    In the hall, `lock` is the store's lock: a relay write then waits for a hall write (and a
    hall write for it) on a Python lock, which wakes the waiter at once, instead of SQLite's
    busy handler, which sleeps in steps of milliseconds.
    """
    with _locked(lock):
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error:
            _rollback(conn)
            raise


def _rollback(conn: sqlite3.Connection) -> None:
    """After SQLITE_FULL or an I/O error SQLite may have rolled back already: the first error
    is the one to report, not "no transaction is active"."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


@dataclass(frozen=True)
class Row:
    id: int
    key: str
    type: str
    payload: str
    sealed: bytes | None
    created: float
    attempts: int
    origin: str | None
    origin_seq: int | None
    state: str = PENDING
    next_attempt: float = 0.0
    last_error: str | None = None


_COLUMNS = "id, key, type, payload, sealed, created, attempts, origin, origin_seq"


class Outbox:
    """Writes rows (in the caller's transaction) and reads and settles them (for the relay).

    `check` says why an item may not be stored (None: it may); by default the checks every
    hop of the sync protocol applies (`sync.records.check_item`).
    """

    def __init__(self, sealer: Sealer | None = None, clock: Callable[[], float] = time.time,
                 check: Check = records.check_item) -> None:
        self.sealer = sealer
        self.clock = clock
        self.check = check

    # -- writing, inside the caller's transaction

    def add(self, conn: sqlite3.Connection, type: str, payload: dict[str, Any], *,
            personal: dict[str, Any] | None = None, key: str | None = None) -> str:
        """Adds one record; returns its idempotency key. Raises InvalidRecord, never half-writes."""
        key = key or str(uuid.uuid4())
        now = self.clock()
        reason = self.check({"key": key, "seq": 0, "created": now, "type": type,
                             "payload": payload, "personal": personal})
        if reason:
            raise InvalidRecord(reason)
        self._insert(conn, key, type, records.dumps(payload), personal, now, None, None)
        return key

    def write_queue_events(self, conn: sqlite3.Connection, events: Iterable[Any]) -> None:
        """The hall's hook: one `queue.event` row per event (anything with `to_dict()`)."""
        now = self.clock()
        conn.executemany(
            "INSERT INTO sync_outbox (key, type, payload, created, next_attempt) VALUES (?,?,?,?,?)",
            [(str(uuid.uuid4()), records.QUEUE_EVENT, records.dumps(e.to_dict()), now, now)
             for e in events],
        )

    def receive(self, conn: sqlite3.Connection, items: Sequence[Any], origin: str) -> list[ItemResult]:
        """Stores a device's pushed items under their own keys: one result per item, in order.

        A key already stored is a duplicate (the device retried), unless it came with another
        record, which is refused. Invalid items are refused with the reason.
        """
        out: list[ItemResult] = []
        seen: dict[str, str] = {}
        for item in items:
            key = item.get("key") if isinstance(item, dict) else None
            key = key if isinstance(key, str) else ""
            reason = records.check_item(item)
            if reason:
                out.append(ItemResult(key, REJECTED, reason))
                continue
            payload = records.dumps(item["payload"])
            if key in seen:
                out.append(ItemResult(key, DUPLICATE) if seen[key] == payload else
                           ItemResult(key, REJECTED, "key already used for another record"))
                continue
            seen[key] = payload
            inserted = self._insert(conn, key, item["type"], payload, item.get("personal"),
                                    float(item["created"]), origin, item["seq"])
            if inserted:
                out.append(ItemResult(key, ACCEPTED))
                continue
            row = conn.execute("SELECT type, payload FROM sync_outbox WHERE key = ?", (key,)).fetchone()
            same = row is None or (row[0] == item["type"] and row[1] == payload)
            out.append(ItemResult(key, DUPLICATE) if same else
                       ItemResult(key, REJECTED, "key already used for another record"))
        return out

    def _insert(self, conn: sqlite3.Connection, key: str, type: str, payload: str,
                personal: dict[str, Any] | None, created: float, origin: str | None,
                origin_seq: int | None) -> bool:
        sealed = None
        if personal:
            if self.sealer is None:
                raise OutboxError("personal data needs a sealing key; none is configured")
            sealed = self.sealer.seal(records.dumps(personal).encode(), key.encode())
        cur = conn.execute(
            "INSERT INTO sync_outbox (key, type, payload, sealed, created, next_attempt, origin, origin_seq)"
            " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING",
            (key, type, payload, sealed, created, self.clock(), origin, origin_seq),
        )
        return cur.rowcount == 1

    # -- reading and settling, for the relay (its own connection)

    def due(self, conn: sqlite3.Connection, now: float, limit: int, horizon: float) -> list[Row]:
        """Pending rows whose next attempt has come, oldest first. A next attempt further away
        than `horizon` seconds cannot come from our backoff: the clock was set back; it is due."""
        rows = conn.execute(
            f"SELECT {_COLUMNS}, state, next_attempt, last_error FROM sync_outbox WHERE state = 'pending'"
            " AND (next_attempt <= ? OR next_attempt > ?) ORDER BY id LIMIT ?",
            (now, now + horizon, limit),
        ).fetchall()
        return [Row(*r) for r in rows]

    def rows(self, conn: sqlite3.Connection, *, key: str | None = None, state: str | None = None,
             field: tuple[str, str] | None = None) -> list[Row]:
        """Rows in order, with their state: all, or those with this key, in this state, or whose
        payload has this (field, value)."""
        where, args = ["1"], []
        for clause, value in (("key = ?", key), ("state = ?", state)):
            if value is not None:
                where.append(clause)
                args.append(value)
        if field is not None:
            where.append("json_extract(payload, ?) = ?")
            args += [f"$.{field[0]}", field[1]]
        found = conn.execute(f"SELECT {_COLUMNS}, state, next_attempt, last_error FROM sync_outbox"
                             f" WHERE {' AND '.join(where)} ORDER BY id", args).fetchall()
        return [Row(*r) for r in found]

    def count(self, conn: sqlite3.Connection, state: str = PENDING) -> int:
        return conn.execute("SELECT count(*) FROM sync_outbox WHERE state = ?", (state,)).fetchone()[0]

    def open_personal(self, row: Row) -> dict[str, Any] | None:
        if row.sealed is None:
            return None
        if self.sealer is None:
            raise OutboxError("a row holds sealed personal data and no sealing key is configured")
        return json.loads(self.sealer.open(row.sealed, row.key.encode()))

    def settle(self, conn: sqlite3.Connection, now: float, *, acked: Sequence[int] = (),
               dead: Sequence[tuple[int, str]] = (), failed: Sequence[int] = (),
               next_attempt: float = 0.0, error: str | None = None, lock: Any = None,
               state: dict[str, str] | None = None) -> None:
        """Records what the platform said, in one short transaction."""
        with write(conn, lock):
            if acked:  # one statement for the batch: the lock is held half as long as row by row
                conn.execute(
                    "UPDATE sync_outbox SET state = 'acked', acked = ?, sealed = NULL, last_error = NULL,"
                    " attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'",
                    (now, json.dumps(list(acked))),
                )
            if dead:
                conn.executemany(
                    "UPDATE sync_outbox SET state = 'dead', last_error = ?, attempts = attempts + 1"
                    " WHERE id = ? AND state = 'pending'",
                    [(reason[:500], i) for i, reason in dead],
                )
            if failed:
                conn.execute(
                    "UPDATE sync_outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
                    " WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'",
                    (next_attempt, (error or "")[:500], json.dumps(list(failed))),
                )
            if state:
                conn.executemany(
                    "INSERT INTO sync_state VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    list(state.items()),
                )

    def purge(self, conn: sqlite3.Connection, before: float, limit: int = 2000, lock: Any = None) -> int:
        """Deletes rows acknowledged before `before`, a chunk at a time (short transactions)."""
        with write(conn, lock):
            cur = conn.execute(
                "DELETE FROM sync_outbox WHERE id IN (SELECT id FROM sync_outbox"
                " WHERE state = 'acked' AND acked < ? LIMIT ?)",
                (before, limit),
            )
        return cur.rowcount

    def requeue(self, conn: sqlite3.Connection, keys: Sequence[str] | None = None, lock: Any = None) -> int:
        """Puts dead rows back in line (all of them, or those named): after a fix on either side."""
        now = self.clock()
        with write(conn, lock):
            if keys is None:
                cur = conn.execute(
                    "UPDATE sync_outbox SET state = 'pending', next_attempt = ?, attempts = 0"
                    " WHERE state = 'dead'", (now,))
                return cur.rowcount
            count = 0
            for key in keys:
                count += conn.execute(
                    "UPDATE sync_outbox SET state = 'pending', next_attempt = ?, attempts = 0"
                    " WHERE state = 'dead' AND key = ?", (now, key)).rowcount
            return count


def read_state(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT name, value FROM sync_state").fetchall())
