"""A thin database layer with one SQL for SQLite and PostgreSQL.

Statements are written with `?` placeholders and portable SQL (ON CONFLICT upserts, row-value
comparisons, IS DISTINCT FROM, RETURNING); for PostgreSQL the placeholders become `%s` and the
connection comes from psycopg 3 (imported only then). Each thread has its own connection.
A write transaction on SQLite is BEGIN IMMEDIATE (one writer at a time); on PostgreSQL it is
READ COMMITTED, so writers run side by side and the store settles conflicts row by row.
A read transaction is one snapshot.

A PostgreSQL server that restarts or drops a connection is a busy storage (503, the relay comes
back): the broken connection is thrown away and the thread's next transaction opens a new one.
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
            conn = psycopg.connect(self.target, autocommit=True, connect_timeout=10)
        self.local.conn = conn
        with self.guard:
            self.conns.append(conn)
        return conn

    @contextlib.contextmanager
    def transaction(self, write: bool = True) -> Iterator[Tx]:
        try:
            conn = self._begin(write)
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
            if not _is_psycopg_error(exc):
                raise
            self._forget_if_broken()
            raise _storage_error(exc) from exc

    def _begin(self, write: bool) -> Any:
        """This thread's connection in a new transaction. On PostgreSQL, a connection found cut
        at BEGIN (the server restarted while it was idle) is replaced once: nothing was done yet."""
        if self.dialect == "sqlite":
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            return conn
        begin = "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        conn = self._conn()
        try:
            conn.execute(begin)
        except Exception as exc:
            if not _is_psycopg_error(exc) or not (conn.closed or conn.broken):
                raise
            self._forget_if_broken()
            log.info("database connection was cut (%s): opening a new one", str(exc).strip())
            conn = self._conn()
            conn.execute(begin)
        return conn

    def _forget_if_broken(self) -> None:
        """A connection the server closed (a restart, a network cut) is not used again."""
        conn = getattr(self.local, "conn", None)
        if conn is None or not (conn.closed or conn.broken):
            return
        self.local.conn = None
        with self.guard:
            if conn in self.conns:
                self.conns.remove(conn)
        with contextlib.suppress(Exception):
            conn.close()

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


def _is_psycopg_error(exc: Exception, *names: str) -> bool:
    """Is `exc` psycopg's (one of `names` of its classes, when given)? psycopg is imported only
    for PostgreSQL, so its classes are known here by name."""
    return any(k.__module__.startswith("psycopg") and k.__name__ in (names or ("Error",))
               for k in type(exc).__mro__)


def _storage_error(exc: Exception) -> StorageError:
    text = str(exc).strip()
    state = getattr(exc, "sqlstate", "") or ""
    full = "full" in text or state in ("53100", "53200")
    # serialization, deadlock, lock timeout, too many connections, shutting down, and the
    # connection failures that carry no state at all: waiting and coming back may help
    busy = ("locked" in text or "busy" in text or state in ("40001", "40P01", "55P03", "53300", "57P01",
                                                            "57P02", "57P03")
            or (not state and _is_psycopg_error(exc, "OperationalError", "InterfaceError"))
            or state.startswith("08"))
    if full:
        return StorageError(f"the platform's storage is full ({text})", full=True)
    if busy:
        return StorageError(f"the platform's database is busy ({text})", busy=True)
    return StorageError(f"the platform's database failed ({text})")
