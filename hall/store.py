"""The hall's SQLite store: the append-only event log, day snapshots, idempotency keys, sessions.

One writer per process. Ticket and call writes are durable when the call returns
(WAL with synchronous=FULL): a ticket that was handed out survives a crash or a power cut.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ground.paths import private_dir, private_file
from hall.domain.events import LEASE_GRANTED, Event

log = logging.getLogger(__name__)


def _m001_events(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            ts REAL NOT NULL,
            day TEXT NOT NULL,
            type TEXT NOT NULL,
            ticket TEXT,
            window TEXT,
            data TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX events_day ON events(day, seq)")
    db.execute("CREATE INDEX events_ticket ON events(ticket, seq) WHERE ticket IS NOT NULL")
    db.execute(
        """CREATE TABLE snapshots (
            seq INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            state TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )


def _m002_idempotency(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE idempotency (
            key TEXT PRIMARY KEY,
            scope TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            status INTEGER NOT NULL,
            response TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )


def _m003_sessions(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL,
            created REAL NOT NULL,
            expires REAL NOT NULL
        )"""
    )


def _m004_cases(db: sqlite3.Connection) -> None:
    # one row per case, kept in the transaction of its events: the number can never be given twice
    db.execute(
        """CREATE TABLE cases (
            number TEXT PRIMARY KEY,
            year INTEGER NOT NULL,
            serial INTEGER NOT NULL,
            matter TEXT NOT NULL,
            holder TEXT,
            state TEXT NOT NULL,
            light TEXT,
            due TEXT,
            seq INTEGER NOT NULL,
            UNIQUE (year, serial)
        )"""
    )
    db.execute("CREATE INDEX cases_holder ON cases(holder) WHERE holder IS NOT NULL")
    db.execute("CREATE INDEX events_type ON events(type)")


def _m005_case_snapshots(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE case_snapshots (seq INTEGER PRIMARY KEY, state TEXT NOT NULL, created REAL NOT NULL)")


def _m006_leases(db: sqlite3.Connection) -> None:
    # the dispensers' blocks of numbers (hall.leases), kept in the transaction of their event; the
    # trigger refuses a block that overlaps another of its queue's day, whoever asks for it
    db.execute(
        """CREATE TABLE leases (
            lease TEXT PRIMARY KEY,
            dispenser TEXT NOT NULL,
            day TEXT NOT NULL,
            queue TEXT NOT NULL,
            first INTEGER NOT NULL,
            last INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            CHECK (first >= 1 AND last >= first)
        )"""
    )
    db.execute("CREATE INDEX leases_day ON leases(day, queue, first)")
    db.execute(
        """CREATE TRIGGER leases_no_overlap BEFORE INSERT ON leases
           WHEN EXISTS (SELECT 1 FROM leases WHERE day = NEW.day AND queue = NEW.queue
                        AND first <= NEW.last AND NEW.first <= last)
           BEGIN SELECT RAISE(ABORT, 'lease overlaps another lease of its queue and day'); END"""
    )


def _m007_day_groups(db: sqlite3.Connection) -> None:
    # a past hall day's queue figures folded once (hall.followups.daystore): one row a finest group,
    # and the day's fold with what it was made from (the day's event count and last seq, the rules'
    # version, the wait target): a fold that no longer matches any of these is made again
    db.execute(
        """CREATE TABLE day_folds (
            day TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            target_s REAL NOT NULL,
            events INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            folded REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE day_groups (
            day TEXT NOT NULL REFERENCES day_folds(day),
            kind TEXT NOT NULL,
            k1 TEXT,
            k2 TEXT,
            k3 TEXT,
            n INTEGER NOT NULL,
            total REAL,
            longest REAL,
            over INTEGER
        )"""
    )
    db.execute("CREATE INDEX day_groups_day ON day_groups(day, kind, k1, k2, k3)")


MIGRATIONS = [
    ("001_events", _m001_events),
    ("002_idempotency", _m002_idempotency),
    ("003_sessions", _m003_sessions),
    ("004_cases", _m004_cases),
    ("005_case_snapshots", _m005_case_snapshots),
    ("006_leases", _m006_leases),
    ("007_day_groups", _m007_day_groups),
]


class StoreError(Exception):
    """The store could not be opened or written; the message says what and where."""


class HallStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            private_dir(self.path.parent)  # it holds ID hashes and masks: its owner only
            private_file(self.path)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the hall database {self.path}: {exc}") from exc
        self.conn = conn
        # one connection, used from the server's loop and from its thread pool (login): one at a time
        self.lock = threading.RLock()
        self.migrate()

    def close(self) -> None:
        self.conn.close()

    # -- migrations: each named, each in one transaction, applied once

    def migrate(self) -> list[str]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied REAL NOT NULL)"
        )
        done = {r[0] for r in self._query("SELECT name FROM migrations")}
        applied = []
        for name, fn in MIGRATIONS:
            if name in done:
                continue
            with self._transaction():
                fn(self.conn)
                self.conn.execute("INSERT INTO migrations VALUES (?, ?)", [name, time.time()])
            log.info("applied migration %s to %s", name, self.path)
            applied.append(name)
        return applied

    def _transaction(self):
        return _Transaction(self.conn, self.lock)

    # -- writing

    def append(
        self,
        events: Iterable[Event],
        *,
        idempotency: tuple[str, str, str, int, Any] | None = None,
        snapshot: tuple[int, str, dict[str, Any]] | None = None,
        also: Callable[[sqlite3.Connection, list[Event]], None] | None = None,
    ) -> None:
        """Stores events, and with them an idempotent response or a snapshot, in one transaction.

        `also` writes more rows in the same transaction (the sync outbox): all of it, or none.
        """
        events = list(events)
        rows = [
            (e.seq, e.ts, e.day, e.type, e.data.get("ticket"), e.data.get("window"),
             json.dumps(e.data, ensure_ascii=False, separators=(",", ":")))
            for e in events
        ]
        try:
            with self._transaction():
                self.conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?)", rows)
                self.conn.executemany(
                    "INSERT INTO leases VALUES (?,?,?,?,?,?,?)",
                    [(e.data["lease"], e.data["dispenser"], e.data["day"], e.data["queue"], e.data["first"],
                      e.data["last"], e.seq) for e in events if e.type == LEASE_GRANTED])
                if idempotency is not None:
                    key, scope, request_hash, status, response = idempotency
                    self.conn.execute(
                        "INSERT INTO idempotency VALUES (?,?,?,?,?,?)",
                        (key, scope, request_hash, status,
                         json.dumps(response, ensure_ascii=False), time.time()),
                    )
                if also is not None:
                    also(self.conn, events)
                if snapshot is not None:
                    seq, day, state = snapshot
                    self.conn.execute(
                        "INSERT INTO snapshots VALUES (?,?,?,?)",
                        (seq, day, json.dumps(state, ensure_ascii=False), time.time()),
                    )
        except Exception as exc:  # the database, or the outbox writing in the same transaction
            raise StoreError(f"cannot write to the hall database {self.path}: {exc}") from exc

    def replace_day_fold(self, day: str, fold: tuple[int, float, int, int], rows: list[tuple]) -> None:
        """A past day's folded groups in place of any it had: `fold` is (version, target_s, events,
        last_seq), `rows` are (kind, k1, k2, k3, n, total, longest, over)."""
        try:
            with self._transaction():
                self.conn.execute("DELETE FROM day_groups WHERE day = ?", [day])
                self.conn.execute("INSERT OR REPLACE INTO day_folds VALUES (?,?,?,?,?,?)", [day, *fold, time.time()])
                self.conn.executemany("INSERT INTO day_groups VALUES (?,?,?,?,?,?,?,?,?)",
                                      [(day, *r) for r in rows])
        except sqlite3.Error as exc:
            raise StoreError(f"cannot store the folded day {day} in {self.path}: {exc}") from exc

    # -- reading

    def _query(self, sql: str, args: list[Any] | tuple = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, args).fetchall()

    def last_seq(self) -> int:
        return self._query("SELECT max(seq) FROM events")[0][0] or 0

    def last_snapshot(self) -> tuple[int, dict[str, Any]] | None:
        rows = self._query("SELECT seq, state FROM snapshots ORDER BY seq DESC LIMIT 1")
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def events_after(self, seq: int, limit: int | None = None) -> list[Event]:
        sql = "SELECT seq, ts, day, type, data FROM events WHERE seq > ? ORDER BY seq"
        args: list[Any] = [seq]
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_event(r) for r in self._query(sql, args)]

    def iter_events_after(self, seq: int, batch: int = 5000) -> Iterator[Event]:
        while True:
            chunk = self.events_after(seq, batch)
            yield from chunk
            if len(chunk) < batch:
                return
            seq = chunk[-1].seq

    def events_of_day(self, day: str) -> list[Event]:
        rows = self._query("SELECT seq, ts, day, type, data FROM events WHERE day = ? ORDER BY seq", [day])
        return [_event(r) for r in rows]

    def events_of_ticket(self, ticket: str) -> list[Event]:
        rows = self._query(
            "SELECT seq, ts, day, type, data FROM events WHERE ticket = ? ORDER BY seq", [ticket]
        )
        return [_event(r) for r in rows]

    def events_of_cases(self, after: int = 0) -> list[Event]:
        """The case events after `after`, in order (cases fold from these; the queue's are skipped)."""
        rows = self._query("SELECT seq, ts, day, type, data FROM events WHERE type >= 'case.' AND type < 'case/'"
                           " AND seq > ? ORDER BY seq", [after])
        return [_event(r) for r in rows]

    def last_case_snapshot(self) -> tuple[int, dict[str, Any]] | None:
        rows = self._query("SELECT seq, state FROM case_snapshots ORDER BY seq DESC LIMIT 1")
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def add_case_snapshot(self, seq: int, state: dict[str, Any], keep: int = 3) -> None:
        """Cases as of `seq`; the `keep` newest snapshots stay. The events stay in any case."""
        with self._transaction():
            self.conn.execute("INSERT OR REPLACE INTO case_snapshots VALUES (?,?,?)",
                              (seq, json.dumps(state, ensure_ascii=False, separators=(",", ":")), time.time()))
            self.conn.execute("DELETE FROM case_snapshots WHERE seq NOT IN"
                              " (SELECT seq FROM case_snapshots ORDER BY seq DESC LIMIT ?)", [keep])

    def leases_of_day(self, day: str) -> list[tuple[str, str, str, int, int]]:
        """(lease, dispenser, queue, first, last) of one hall day, as granted."""
        return [tuple(r) for r in self._query(  # type: ignore[misc]
            "SELECT lease, dispenser, queue, first, last FROM leases WHERE day = ? ORDER BY seq", [day])]

    def idempotent_response(self, key: str) -> tuple[str, str, int, Any] | None:
        rows = self._query(
            "SELECT scope, request_hash, status, response FROM idempotency WHERE key = ?", [key]
        )
        return (rows[0][0], rows[0][1], rows[0][2], json.loads(rows[0][3])) if rows else None

    # -- staff sessions (not events: logging in changes no queue state)

    def add_session(self, token_hash: str, username: str, now: float, expires: float) -> None:
        with self._transaction():
            self.conn.execute("DELETE FROM sessions WHERE expires < ?", [now])
            self.conn.execute(
                "INSERT INTO sessions VALUES (?,?,?,?)", (token_hash, username, now, expires)
            )

    def session(self, token_hash: str) -> tuple[str, float] | None:
        rows = self._query("SELECT username, expires FROM sessions WHERE token_hash = ?", [token_hash])
        return (rows[0][0], rows[0][1]) if rows else None

    def drop_session(self, token_hash: str) -> None:
        with self._transaction():
            self.conn.execute("DELETE FROM sessions WHERE token_hash = ?", [token_hash])


def _event(row: tuple) -> Event:
    return Event(seq=row[0], ts=row[1], day=row[2], type=row[3], data=json.loads(row[4]))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: all of it is stored, or none."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.RLock) -> None:
        self.conn = conn
        self.lock = lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                try:
                    self.conn.execute("COMMIT")
                except sqlite3.Error:
                    self._rollback()
                    raise
            else:
                self._rollback()
        finally:
            self.lock.release()

    def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (disk full, I/O error): then the error
        # that did it is the one worth reporting, not "no transaction is active"
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.warning("rollback failed after an error", exc_info=True)
