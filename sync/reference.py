"""Reference data pulled from the platform, kept on the node: the catalog of matters and their
guides, announcements, appointments, and the platform's working-day calendar.

Each dataset is a set of items, each with the dataset version at which it last changed; a
deleted item stays as a tombstone so the change can be passed on (a hall re-serves its copy
to its devices with the same protocol). A pull's pages are staged first and applied in one
transaction, so a half-pulled catalog is never visible. `checked_at` is the last time the
platform confirmed the copy, `changed_at` the last time it changed: the UI shows the age.
"""
from __future__ import annotations

import base64
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ground.paths import private_dir, private_file
from sync.outbox import describe, write
from sync.protocol import Change

log = logging.getLogger(__name__)

CATALOG, ANNOUNCEMENTS, APPOINTMENTS, CALENDAR = "catalog", "announcements", "appointments", "calendar"
CASE_UPDATES = "case_updates"  # a department's back office moving a hall's case on
DATASETS = (CATALOG, ANNOUNCEMENTS, APPOINTMENTS, CALENDAR, CASE_UPDATES)
SCOPED = frozenset({APPOINTMENTS, CASE_UPDATES})  # items addressed to one node (scope = its node id)
MAX_PAGE = 1000

# the changes after a version, in (version, scope, id) order from a cursor: same SQL on the
# platform (SQLite or PostgreSQL) and on a node
CHANGES_SQL = (
    "SELECT scope, id, version, deleted, body FROM ref_items"
    " WHERE dataset = ? AND version > ? AND (version, scope, id) > (?, ?, ?){scopes}"
    " ORDER BY version, scope, id LIMIT ?"
)


def etag(dataset: str, version: int) -> str:
    return f'"{dataset}.{version}"'


def encode_cursor(version: int, scope: str, id: str) -> str:
    raw = json.dumps([version, scope, id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str, str]:
    """Raises ValueError for anything that is not a cursor this protocol made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        version, scope, id = json.loads(raw)
    except Exception:
        raise ValueError("not a cursor from this server") from None
    if not (isinstance(version, int) and isinstance(scope, str) and isinstance(id, str)):
        raise ValueError("not a cursor from this server")
    return version, scope, id


def changes_query(dataset: str, since: int, cursor: str | None, limit: int,
                  scopes: Iterable[str] | None) -> tuple[str, list[Any]]:
    after = decode_cursor(cursor) if cursor else (since, "", "")
    scopes = None if scopes is None else list(scopes)
    clause = "" if scopes is None else f" AND scope IN ({','.join('?' * len(scopes))})"
    args: list[Any] = [dataset, since, *after, *(scopes or []), limit + 1]
    return CHANGES_SQL.format(scopes=clause), args


def page_from_rows(rows: list[tuple], limit: int) -> tuple[list[Change], str | None]:
    """Changes from (scope, id, version, deleted, body) rows, and the cursor when more follow."""
    more = len(rows) > limit
    rows = rows[:limit]
    changes = [Change(id=r[1], version=int(r[2]), deleted=bool(r[3]),
                      body=None if r[3] else json.loads(r[4]), scope=r[0]) for r in rows]
    cursor = encode_cursor(int(rows[-1][2]), rows[-1][0], rows[-1][1]) if more else None
    return changes, cursor


@dataclass(frozen=True)
class Meta:
    version: int = 0
    etag: str | None = None
    checked_at: float | None = None
    changed_at: float | None = None


class ReferenceStore:
    """The node's copy, in its own SQLite file (reference.db in the data directory)."""

    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        private_dir(self.path.parent)
        private_file(self.path)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.lock = threading.RLock()
        self._overrides: tuple[int, dict[str, bool]] | None = None
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        with write(self.conn, self.lock):
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS ref_items (dataset TEXT NOT NULL, scope TEXT NOT NULL,"
                " id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL, body TEXT,"
                " PRIMARY KEY (dataset, scope, id))")
            self.conn.execute("CREATE INDEX IF NOT EXISTS ref_items_changes"
                              " ON ref_items(dataset, version, scope, id)")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS ref_meta (dataset TEXT PRIMARY KEY, version INTEGER NOT NULL,"
                " etag TEXT, checked_at REAL, changed_at REAL)")
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS ref_staging (seq INTEGER PRIMARY KEY, dataset TEXT NOT NULL,"
                " scope TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,"
                " deleted INTEGER NOT NULL, body TEXT)")

    def close(self) -> None:
        self.conn.close()

    def _read(self, sql: str, args: Iterable[Any] = ()) -> list[tuple]:
        with self.lock:
            return self.conn.execute(sql, list(args)).fetchall()

    # -- pulling in

    def meta(self, dataset: str) -> Meta:
        rows = self._read("SELECT version, etag, checked_at, changed_at FROM ref_meta WHERE dataset = ?",
                          [dataset])
        return Meta(*rows[0]) if rows else Meta()

    def begin(self, dataset: str) -> None:
        """Forgets whatever an interrupted pull left staged."""
        with write(self.conn, self.lock):
            self.conn.execute("DELETE FROM ref_staging WHERE dataset = ?", [dataset])

    def stage(self, dataset: str, changes: Iterable[Change]) -> None:
        with write(self.conn, self.lock):
            self.conn.executemany(
                "INSERT INTO ref_staging (dataset, scope, id, version, deleted, body) VALUES (?,?,?,?,?,?)",
                [(dataset, c.scope, c.id, c.version, int(c.deleted),
                  None if c.deleted else json.dumps(c.body, ensure_ascii=False)) for c in changes],
            )

    def apply(self, dataset: str, version: int, etag_value: str | None) -> int:
        """Makes the staged changes visible, all at once; returns how many there were."""
        now = self.clock()
        try:
            with write(self.conn, self.lock):
                count = self.conn.execute(
                    "INSERT INTO ref_items (dataset, scope, id, version, deleted, body)"
                    " SELECT dataset, scope, id, version, deleted, body FROM ref_staging"
                    " WHERE dataset = ? ORDER BY seq"
                    " ON CONFLICT (dataset, scope, id) DO UPDATE SET version = excluded.version,"
                    " deleted = excluded.deleted, body = excluded.body"
                    " WHERE excluded.version >= ref_items.version", [dataset]).rowcount
                self.conn.execute("DELETE FROM ref_staging WHERE dataset = ?", [dataset])
                self.conn.execute(
                    "INSERT INTO ref_meta VALUES (?,?,?,?,?) ON CONFLICT (dataset) DO UPDATE SET"
                    " version = excluded.version, etag = excluded.etag, checked_at = excluded.checked_at,"
                    " changed_at = CASE WHEN ? > 0 THEN excluded.changed_at ELSE ref_meta.changed_at END",
                    [dataset, version, etag_value, now, now, count])
        except sqlite3.Error as exc:
            raise ReferenceStoreError(describe(exc, str(self.path))) from exc
        if dataset == CALENDAR:
            self._overrides = None
        if count:
            for fn in self._listeners.get(dataset, ()):
                try:
                    fn()
                except Exception:
                    log.exception("a listener of %s failed", dataset)
        return count

    def listen(self, dataset: str, fn: Callable[[], None]) -> None:
        """Calls `fn` (in the pulling thread) each time a pull changes `dataset`."""
        self._listeners.setdefault(dataset, []).append(fn)

    def touch(self, dataset: str) -> None:
        """The platform confirmed our copy is current (304)."""
        with write(self.conn, self.lock):
            self.conn.execute("UPDATE ref_meta SET checked_at = ? WHERE dataset = ?", [self.clock(), dataset])

    # -- reading

    def items(self, dataset: str) -> list[dict[str, Any]]:
        rows = self._read("SELECT body FROM ref_items WHERE dataset = ? AND deleted = 0 ORDER BY scope, id",
                          [dataset])
        return [json.loads(r[0]) for r in rows]

    def item(self, dataset: str, id: str) -> dict[str, Any] | None:
        rows = self._read("SELECT body FROM ref_items WHERE dataset = ? AND id = ? AND deleted = 0",
                          [dataset, id])
        return json.loads(rows[0][0]) if rows else None

    def appointments(self, days: Iterable[str]) -> list[dict[str, Any]]:
        """Appointments on the given days (ISO dates), say today's and tomorrow's."""
        wanted = set(days)
        return [a for a in self.items(APPOINTMENTS) if a.get("date") in wanted]

    def calendar_overrides(self) -> dict[str, bool]:
        """The platform's calendar: ISO date -> working day or not (cached per version)."""
        version = self.meta(CALENDAR).version
        if self._overrides is None or self._overrides[0] != version:
            self._overrides = (version, {i["date"]: bool(i["workday"]) for i in self.items(CALENDAR)})
        return self._overrides[1]

    def changes(self, dataset: str, since: int, cursor: str | None = None,
                limit: int = 500) -> tuple[int, list[Change], str | None]:
        """The same pages the platform serves, from this copy (a hall serving its devices)."""
        limit = max(1, min(limit, MAX_PAGE))
        sql, args = changes_query(dataset, since, cursor, limit, None)
        with self.lock:
            self.conn.execute("BEGIN")  # one snapshot for the page and the version
            try:
                rows = self.conn.execute(sql, args).fetchall()
                meta = self.conn.execute("SELECT version FROM ref_meta WHERE dataset = ?", [dataset]).fetchone()
            finally:
                self.conn.execute("COMMIT")
        changes, next_cursor = page_from_rows(rows, limit)
        return (meta[0] if meta else 0), changes, next_cursor

    def info(self) -> dict[str, dict[str, Any]]:
        now = self.clock()
        counts = dict(self._read("SELECT dataset, count(*) FROM ref_items WHERE deleted = 0 GROUP BY dataset"))
        out = {}
        for dataset in DATASETS:
            m = self.meta(dataset)
            out[dataset] = {
                "version": m.version,
                "items": counts.get(dataset, 0),
                "checked_at": m.checked_at,
                "changed_at": m.changed_at,
                "age_seconds": None if m.checked_at is None else round(max(now - m.checked_at, 0.0), 1),
            }
        return out


class ReferenceStoreError(Exception):
    """The node's reference copy could not be written; the previous copy is still whole."""
