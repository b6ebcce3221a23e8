"""Ratings not yet accepted by the hall: kept on disk first, then sent, and never lost.

A pad stores the citizen's rating here before it sends it (`add`), so a hall that is away, a
pad that restarts or a lost answer costs nothing. `deliver_due` sends what is due, each with
the idempotency key it was stored with, so the hall counts a rating once however often it is
resent. A rating the hall answers is `sent`; one it refuses for good (already rated, not
finished, not this window's: a 4xx) is `refused`, kept with the hall's reason and never
retried; anything else (the hall away, failing, or not letting this pad in yet) is tried
again later, backing off up to a few minutes.

Qt-free and thread-safe: one SQLite file (mode 0600) in the data directory; the screens call
it from their worker threads only.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ground.paths import private_dir, private_file
from hall.client import HallClient, HallError, HallUnavailable

log = logging.getLogger(__name__)

PENDING, SENT, REFUSED = "pending", "sent", "refused"
FILE_NAME = "pad-ratings.sqlite3"
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 300.0
KEEP_SENT_SECONDS = 7 * 24 * 3600.0
# refusals that a later attempt may get past: not logged in (a token being fixed), rate limits
RETRYABLE_STATUSES = frozenset({401, 408, 425, 429})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
    key TEXT PRIMARY KEY,
    ticket TEXT NOT NULL,
    level INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    text TEXT NOT NULL,
    channel TEXT NOT NULL,
    context TEXT NOT NULL,
    created REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    done REAL
);
CREATE INDEX IF NOT EXISTS ratings_ticket ON ratings(ticket);
"""


@dataclass(frozen=True)
class Rating:
    key: str  # the idempotency key: the same on every attempt
    ticket: str
    level: int
    reasons: list[str]
    text: str
    channel: str
    context: dict[str, Any]  # window, staff, matter, number: what the pad showed (for the record)
    created: float
    state: str
    attempts: int
    next_attempt: float
    last_error: str


def retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones: 5, 10, 20, ... up to 300."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))


class PendingRatings:
    """The on-disk store of a pad's ratings, by idempotency key."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.Lock()
        # private: ratings carry what a citizen said about a named staff member
        private_dir(self.path.parent)
        private_file(self.path)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=DELETE")  # no -wal side files with other modes
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        self.forget_sent()

    @classmethod
    def in_data_dir(cls, data_dir: str | Path | None = None, **kwargs: Any) -> PendingRatings:
        """The store in the data directory (`data_dir` overrides ground.paths.data_dir())."""
        from ground.paths import data_dir as default_data_dir

        return cls(default_data_dir(data_dir) / FILE_NAME, **kwargs)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- writing

    def add(self, ticket: str, level: int, reasons: list[str] | tuple[str, ...] = (), text: str = "",
            idempotency_key: str | None = None, *, channel: str = "pad",
            context: dict[str, Any] | None = None) -> Rating:
        """Stores a rating to send (committed to disk when this returns). Adding the same key
        again changes nothing and returns what was stored."""
        if not 1 <= int(level) <= 5:
            raise ValueError(f"rating level must be 1 to 5, not {level!r}")
        key = idempotency_key or str(uuid.uuid4())
        now = self.clock()
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO ratings (key, ticket, level, reasons, text, channel, context, created, "
                "next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, str(ticket), int(level), json.dumps(list(reasons), ensure_ascii=False), text, channel,
                 json.dumps(context or {}, ensure_ascii=False), now, now),
            )
        stored = self.get(key)
        assert stored is not None
        return stored

    def mark_sent(self, key: str) -> None:
        self._finish(key, SENT, "")

    def mark_refused(self, key: str, reason: str) -> None:
        """The hall refused it for good: kept, with the reason, and not tried again."""
        self._finish(key, REFUSED, reason)

    def mark_failed(self, key: str, error: str) -> None:
        """Not delivered this time: tried again after a delay that grows with each attempt."""
        with self._lock:
            row = self._conn.execute("SELECT attempts FROM ratings WHERE key = ?", (key,)).fetchone()
            if row is None:
                return
            attempts = row["attempts"] + 1
            self._conn.execute(
                "UPDATE ratings SET attempts = ?, next_attempt = ?, last_error = ? "
                "WHERE key = ? AND state = 'pending'",
                (attempts, self.clock() + retry_delay(attempts), error, key),
            )

    def _finish(self, key: str, state: str, reason: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE ratings SET state = ?, last_error = ?, attempts = attempts + 1, done = ? "
                "WHERE key = ? AND state = 'pending'",
                (state, reason, self.clock(), key),
            )

    def forget_sent(self, older_than: float = KEEP_SENT_SECONDS) -> int:
        """Drops ratings the hall accepted more than `older_than` seconds ago (it has them)."""
        with self._lock:
            cur = self._conn.execute("DELETE FROM ratings WHERE state = 'sent' AND done < ?",
                                     (self.clock() - older_than,))
            return cur.rowcount

    # -- reading

    def get(self, key: str) -> Rating | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM ratings WHERE key = ?", (key,)).fetchone()
        return None if row is None else _rating(row)

    def due(self, *, force: bool = False) -> list[Rating]:
        """Pending ratings whose next attempt is due (all pending ones with `force`), oldest first."""
        with self._lock:
            if force:
                rows = self._conn.execute(
                    "SELECT * FROM ratings WHERE state = 'pending' ORDER BY created, key").fetchall()
            else:
                rows = self._conn.execute(
                    "SELECT * FROM ratings WHERE state = 'pending' AND next_attempt <= ? ORDER BY created, key",
                    (self.clock(),)).fetchall()
        return [_rating(r) for r in rows]

    def pending_count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM ratings WHERE state = 'pending'").fetchone()[0]

    def has(self, ticket: str) -> bool:
        """Whether this pad has taken a rating for the ticket (one rating per visit)."""
        with self._lock:
            return self._conn.execute("SELECT 1 FROM ratings WHERE ticket = ? LIMIT 1",
                                      (str(ticket),)).fetchone() is not None

    def all(self) -> list[Rating]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM ratings ORDER BY created, key").fetchall()
        return [_rating(r) for r in rows]


def _rating(row: sqlite3.Row) -> Rating:
    return Rating(key=row["key"], ticket=row["ticket"], level=row["level"], reasons=json.loads(row["reasons"]),
                  text=row["text"], channel=row["channel"], context=json.loads(row["context"]),
                  created=row["created"], state=row["state"], attempts=row["attempts"],
                  next_attempt=row["next_attempt"], last_error=row["last_error"])


# -- sending


@dataclass(frozen=True)
class Delivery:
    """What one round of sending did."""

    sent: list[str]  # keys
    refused: list[tuple[str, str]]  # (key, reason)
    failed: list[tuple[str, str]]  # (key, error): still pending
    pending: int  # left to send after this round
    tickets: dict[str, str]  # key -> ticket, of the ratings tried in this round


def definitive(exc: HallError) -> bool:
    """A refusal that sending again can't change (4xx but not-logged-in or rate limits)."""
    return not isinstance(exc, HallUnavailable) and 400 <= exc.status < 500 \
        and exc.status not in RETRYABLE_STATUSES


def deliver_due(store: PendingRatings, client: HallClient, *, force: bool = False) -> Delivery:
    """Sends each due rating once with its own key; stops at the first sign the hall is away."""
    sent: list[str] = []
    refused: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    tickets: dict[str, str] = {}
    for r in store.due(force=force):
        tickets[r.key] = r.ticket
        try:
            client.rate(r.ticket, r.level, r.reasons, r.text, r.channel, r.key)
        except HallError as exc:
            if definitive(exc):
                reason = f"{exc.status} {exc.code}: {exc.message}"
                store.mark_refused(r.key, reason)
                refused.append((r.key, reason))
                log.warning("hall refused the rating of %s: %s", r.ticket, reason)
                continue
            store.mark_failed(r.key, str(exc))
            failed.append((r.key, str(exc)))
            if isinstance(exc, HallUnavailable):
                log.info("hall unavailable; %d rating(s) kept for later", store.pending_count())
                break  # the others would fail alike; their turn comes at the next round
            continue
        store.mark_sent(r.key)
        sent.append(r.key)
    return Delivery(sent, refused, failed, store.pending_count(), tickets)
