"""A thin database layer with one SQL for SQLite and PostgreSQL.

Statements are written with `?` placeholders and portable SQL (ON CONFLICT upserts, row-value
comparisons, IS DISTINCT FROM); for PostgreSQL the placeholders become `%s` and the
connection comes from psycopg (imported only then). Each thread has its own connection.
A write transaction on SQLite is BEGIN IMMEDIATE; a read transaction is one snapshot.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ground.paths import private_file

log = logging.getLogger(__name__)


class StorageError(Exception):
    """The platform's database failed; `full` and `busy` say whether waiting may help."""

    def __init__(self, message: str, *, full: bool = False, busy: bool = False) -> None:
        super().__init__(message)
        self.full, self.busy = full, busy


class Tx:
    def __init__(self, conn: Any, dialect: str) -> None:
        self.conn, self.dialect = conn, dialect

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        cur = self.conn.cursor()
        cur.execute(self._sql(sql), tuple(args))
        return cur

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.conn.cursor().executemany(self._sql(sql), [tuple(r) for r in rows])

    def all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        return [tuple(r) for r in self.execute(sql, args).fetchall()]

    def one(self, sql: str, args: Sequence[Any] = ()) -> tuple | None:
        row = self.execute(sql, args).fetchone()
        return None if row is None else tuple(row)


class Database:
    """`sqlite:///path/to/file.db` (or a plain path) or `postgresql://...`."""

    def __init__(self, url: str | Path) -> None:
        text = str(url)
        if text.startswith(("postgresql://", "postgres://")):
            self.dialect, self.target = "postgresql", text
        else:
            self.dialect = "sqlite"
            self.target = text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text
            Path(self.target).parent.mkdir(parents=True, exist_ok=True)
            private_file(self.target)  # every hall's records: its owner only
        self.local = threading.local()
        self.conns: list[Any] = []
        self.guard = threading.Lock()

    @property
    def for_update(self) -> str:
        """Row locks where the engine has them (SQLite's BEGIN IMMEDIATE locks everything)."""
        return " FOR UPDATE" if self.dialect == "postgresql" else ""

    def _conn(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            return conn
        if self.dialect == "sqlite":
            conn = sqlite3.connect(self.target, isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # an acknowledged record survives a power cut
            conn.execute("PRAGMA busy_timeout=10000")
        else:
            try:
                import psycopg  # type: ignore[import-not-found]
            except ImportError:
                raise StorageError("PostgreSQL needs the psycopg package (pip install psycopg)") from None
            conn = psycopg.connect(self.target, autocommit=True)
        self.local.conn = conn
        with self.guard:
            self.conns.append(conn)
        return conn

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        try:
            conn = self._conn()
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            else:
                conn.execute("BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield Tx(conn, self.dialect)
            except BaseException:
                _rollback_quietly(conn)
                raise
            try:
                conn.execute("COMMIT")
            except Exception:
                _rollback_quietly(conn)
                raise
        except sqlite3.Error as exc:
            raise _storage_error(exc) from exc
        except Exception as exc:
            if getattr(exc, "sqlstate", None):  # psycopg
                raise _storage_error(exc) from exc
            raise

    def close(self) -> None:
        with self.guard:
            for conn in self.conns:
                with contextlib.suppress(Exception):
                    conn.close()
            self.conns.clear()
        self.local = threading.local()


def _rollback_quietly(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.execute("ROLLBACK")


def _storage_error(exc: Exception) -> StorageError:
    text = str(exc)
    state = getattr(exc, "sqlstate", "") or ""
    full = "full" in text or state == "53100"
    busy = "locked" in text or "busy" in text or state in ("40001", "40P01", "55P03")
    if full:
        return StorageError(f"the platform's storage is full ({text})", full=True)
    if busy:
        return StorageError(f"the platform's database is busy ({text})", busy=True)
    return StorageError(f"the platform's database failed ({text})")
