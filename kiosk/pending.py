"""Ratings not yet accepted by the hall: kept on disk first, then sent, and never lost.

A pad stores the citizen's rating here before it sends it (`add`), so a hall that is away, a
pad that restarts or a lost answer costs nothing. `deliver_due` sends what is due, each with
the idempotency key it was stored with, so the hall counts a rating once however often it is
resent. A rating the hall answers is `sent`; one it refuses for good (already rated, not
finished, not this window's: a 4xx) is `refused`, kept with the hall's reason and never
retried; anything else (the hall away, failing, or not letting this pad in yet) is tried
again later, backing off up to a few minutes.

The store is the sync outbox (`sync.outbox`): its table, its states (a sent rating is `acked`,
a refused one `dead`) and its backoff, in a file of the pad's own. Each rating is a `rating`
record checked as the platform checks ratings; what the pad showed (window, staff, matter,
number) travels in its payload's `context` for the record, and only level, reasons, text and
channel go to the hall. A file of the earlier pad store is taken over as it is opened.

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
from sync import records
from sync.outbox import ACKED, DEAD, Outbox, Row, backoff, migrate, write

log = logging.getLogger(__name__)

PENDING, SENT, REFUSED = "pending", ACKED, DEAD
FILE_NAME = "pad-ratings.sqlite3"
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 300.0
KEEP_SENT_SECONDS = 7 * 24 * 3600.0
# refusals that a later attempt may get past: not logged in (a token being fixed), rate limits
RETRYABLE_STATUSES = frozenset({401, 408, 425, 429})
DUE_LIMIT = 10_000  # ratings tried in one round, at most
MAX_KEY = 200  # an idempotency key is any text up to this long (the pad makes UUIDs)


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
    return backoff(attempts, FIRST_RETRY_SECONDS, MAX_RETRY_SECONDS)


def check_rating(item: dict[str, Any]) -> str | None:
    """Why a pad's rating may not be stored, or None: a key, and a rating payload the platform
    would take."""
    key = item.get("key")
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        return f"a rating needs an idempotency key of 1 to {MAX_KEY} characters"
    if item.get("type") != records.RATING or not isinstance(item.get("payload"), dict):
        return "the pad stores ratings only"
    return records.CHECKS[records.RATING](item["payload"], None)


def open_outbox_file(path: Path, lock: threading.Lock | threading.RLock) -> sqlite3.Connection:
    """A device's own outbox file (mode 0600), durable at each commit, with the outbox's tables."""
    private_dir(path.parent)
    private_file(path)
    conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")  # no -wal side files with other modes
    conn.execute("PRAGMA synchronous=FULL")
    migrate(conn, lock)
    return conn


class PendingRatings:
    """The on-disk store of a pad's ratings, by idempotency key."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.clock = clock
        self.outbox = Outbox(clock=clock, check=check_rating)
        self._lock = threading.Lock()
        # private: ratings carry what a citizen said about a named staff member
        self._conn = open_outbox_file(self.path, self._lock)
        _take_over_earlier_store(self._conn, self._lock)
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
        again changes nothing and returns what was stored. A rating the hall could never take
        (a level outside 1 to 5, a 差评 without a reason) is a `ValueError` and is not stored."""
        if not 1 <= int(level) <= 5:
            raise ValueError(f"rating level must be 1 to 5, not {level!r}")
        key = idempotency_key or str(uuid.uuid4())
        payload = {"ticket": str(ticket), "level": int(level), "reasons": list(reasons), "text": text,
                   "channel": channel, "context": dict(context or {})}
        with write(self._conn, self._lock):
            self.outbox.add(self._conn, records.RATING, payload, key=key)
        stored = self.get(key)
        assert stored is not None
        return stored

    def mark_sent(self, key: str) -> None:
        self._settle(key, lambda row: {"acked": [row.id]})

    def mark_refused(self, key: str, reason: str) -> None:
        """The hall refused it for good: kept, with the reason, and not tried again."""
        self._settle(key, lambda row: {"dead": [(row.id, reason)]})

    def mark_failed(self, key: str, error: str) -> None:
        """Not delivered this time: tried again after a delay that grows with each attempt."""
        self._settle(key, lambda row: {"failed": [row.id], "error": error,
                                       "next_attempt": self.clock() + retry_delay(row.attempts + 1)})

    def _settle(self, key: str, how: Callable[[Row], dict[str, Any]]) -> None:
        with self._lock:
            found = self.outbox.rows(self._conn, key=key, state=PENDING)
        if found:
            self.outbox.settle(self._conn, self.clock(), lock=self._lock, **how(found[0]))

    def forget_sent(self, older_than: float = KEEP_SENT_SECONDS) -> int:
        """Drops ratings the hall accepted more than `older_than` seconds ago (it has them)."""
        return self.outbox.purge(self._conn, self.clock() - older_than, lock=self._lock)

    # -- reading

    def _rows(self, **where: Any) -> list[Rating]:
        with self._lock:
            return [_rating(r) for r in self.outbox.rows(self._conn, **where)]

    def get(self, key: str) -> Rating | None:
        found = self._rows(key=key)
        return found[0] if found else None

    def due(self, *, force: bool = False) -> list[Rating]:
        """Pending ratings whose next attempt is due (all pending ones with `force`), oldest first."""
        now = float("inf") if force else self.clock()
        with self._lock:
            rows = self.outbox.due(self._conn, now, DUE_LIMIT, 2 * MAX_RETRY_SECONDS)
        return [_rating(r) for r in rows]

    def pending_count(self) -> int:
        with self._lock:
            return self.outbox.count(self._conn, PENDING)

    def has(self, ticket: str) -> bool:
        """Whether this pad has taken a rating for the ticket (one rating per visit)."""
        return bool(self._rows(field=("ticket", str(ticket))))

    def all(self) -> list[Rating]:
        return self._rows()


def _rating(row: Row) -> Rating:
    p = json.loads(row.payload)
    return Rating(key=row.key, ticket=p["ticket"], level=p["level"], reasons=p.get("reasons", []),
                  text=p.get("text", ""), channel=p.get("channel", "pad"), context=p.get("context", {}),
                  created=row.created, state=row.state, attempts=row.attempts,
                  next_attempt=row.next_attempt, last_error=row.last_error or "")


def _take_over_earlier_store(conn: sqlite3.Connection, lock: threading.Lock) -> None:
    """Moves the ratings of the pad's earlier store (a `ratings` table) into the outbox, keys,
    states and attempts kept, in one transaction; then that table is gone."""
    with write(conn, lock):
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ratings'").fetchone() is None:
            return
        old = conn.execute("SELECT key, ticket, level, reasons, text, channel, context, created, state,"
                           " attempts, next_attempt, last_error, done FROM ratings ORDER BY created, key").fetchall()
        states = {"pending": PENDING, "sent": SENT, "refused": REFUSED}
        conn.executemany(
            "INSERT INTO sync_outbox (key, type, payload, created, attempts, next_attempt, last_error, state, acked)"
            " VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO NOTHING",
            [(key, records.RATING,
              records.dumps({"ticket": ticket, "level": level, "reasons": json.loads(reasons), "text": text,
                             "channel": channel, "context": json.loads(context)}),
              created, attempts, next_attempt, last_error, states.get(state, PENDING),
              done if state == "sent" else None)
             for key, ticket, level, reasons, text, channel, context, created, state, attempts, next_attempt,
             last_error, done in old])
        conn.execute("DROP TABLE ratings")
    log.info("the pad's %d earlier rating(s) moved into its outbox", len(old))


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
