"""Part 1 of the queue benchmark: the engine in process, against bare sqlite3.

Tickets issued per second through `HallService.execute("issue")` on a HallStore on disk, against
a bare sqlite3 loop that commits one row per transaction with the same pragmas in the same
directory.
"""
from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import time
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.queue.common import (
    ENGINE_START,
    ENGINE_STEP,
    HALL_TZ,
    QUEUE,
    hall_toml,
    new_tokens,
)

# the store's events table and its indexes, so that the baseline writes what the store writes
BARE_SCHEMA = (
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        day TEXT NOT NULL,
        type TEXT NOT NULL,
        ticket TEXT,
        window TEXT,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX events_day ON events(day, seq)",
    "CREATE INDEX events_ticket ON events(ticket, seq) WHERE ticket IS NOT NULL",
)


class _FakeClock:
    """A clock that moves only when told: every ticket lands in the same hall day."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _start_ts() -> float:
    return datetime(*ENGINE_START, tzinfo=ZoneInfo(HALL_TZ)).timestamp()


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _tenths(marks: list[float], count: int) -> tuple[float, float]:
    """Rates of the first and of the last tenth of a run, from a timestamp per operation."""
    tenth = max(1, count // 10)
    first = marks[tenth] - marks[0]
    last = marks[count] - marks[count - tenth]
    return (tenth / first if first > 0 else math.inf, tenth / last if last > 0 else math.inf)


def _rates(marks: list[float], count: int) -> dict[str, float]:
    """The rate of a whole run and of its first and last tenth (does the cost grow with the count?)."""
    first, last = _tenths(marks, count)
    return {
        "per_second": round(count / (marks[-1] - marks[0]), 1),
        "first_tenth_per_second": round(first, 1),
        "last_tenth_per_second": round(last, 1),
    }


def _engine_run(count: int, path: Path) -> dict[str, Any]:
    from hall.config import parse_config
    from hall.domain import events as ev
    from hall.service import HallService
    from hall.store import HallStore

    setup = parse_config(tomllib.loads(hall_toml(new_tokens()))).setup()
    clock = _FakeClock(_start_ts())
    store = HallStore(path)
    try:
        service = HallService(setup, store, clock=clock)  # the day starts here, untimed
        first_seq = service.last_seq
        marks = [time.perf_counter()]
        for _ in range(count):
            clock.now += ENGINE_STEP
            service.execute("issue", {"queue": QUEUE, "channel": "bench"})
            marks.append(time.perf_counter())
        stored = store.conn.execute(
            "SELECT count(*) FROM events WHERE type = ? AND seq > ?", [ev.TICKET_ISSUED, first_seq]
        ).fetchone()[0]
        days = store.conn.execute("SELECT count(DISTINCT day) FROM events").fetchone()[0]
        issued = service.state.counters.get(QUEUE, 0)
        waiting = len(service.state.waiting())
    finally:
        store.close()
        _remove_db(path)
    return {
        **_rates(marks, count),
        "tickets_issued": issued,
        "tickets_waiting": waiting,
        "events_stored": stored,
        "hall_days": days,
    }


def _issue_row(serial: int, ts: float) -> tuple[Any, ...]:
    number = f"A{serial:03d}"
    data = {"ticket": f"20261127-{number}", "number": number, "serial": serial, "queue": QUEUE,
            "priority": "normal", "channel": "bench"}
    return (serial, ts, "2026-11-27", "ticket.issued", data["ticket"], None,
            json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _bare_run(count: int, path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        for sql in BARE_SCHEMA:
            conn.execute(sql)
        ts = _start_ts()
        rows = [_issue_row(i + 1, ts + i * ENGINE_STEP) for i in range(count)]
        marks = [time.perf_counter()]
        for row in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?)", row)
            conn.execute("COMMIT")
            marks.append(time.perf_counter())
        stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        conn.close()
        _remove_db(path)
    return {
        **_rates(marks, count),
        "rows_stored": stored,
        "journal_mode": mode,
        "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, str(sync)),
    }


def engine_bench(count: int, directory: str | Path, rounds: int = 3) -> dict[str, Any]:
    """Issues `count` tickets through the service, and commits `count` bare rows, `rounds`
    times each, alternating which goes first; the best round of each is compared."""
    if count < 10 or rounds < 1:
        raise ValueError("engine_bench needs count >= 10 and rounds >= 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    engine_rounds: list[dict[str, Any]] = []
    bare_rounds: list[dict[str, Any]] = []
    for r in range(rounds):
        order: list[str] = ["bare", "engine"] if r % 2 == 0 else ["engine", "bare"]
        for which in order:
            if which == "engine":
                engine_rounds.append(_engine_run(count, directory / f"engine-{r}.db"))
            else:
                bare_rounds.append(_bare_run(count, directory / f"bare-{r}.db"))
    engine_best = max(x["per_second"] for x in engine_rounds)
    bare_best = max(x["per_second"] for x in bare_rounds)
    counts_ok = all(
        x["tickets_issued"] == count and x["events_stored"] == count and x["hall_days"] == 1
        for x in engine_rounds
    ) and all(x["rows_stored"] == count for x in bare_rounds)
    return {
        "count": count,
        "rounds": rounds,
        "engine_issues_per_second": engine_best,
        "bare_commits_per_second": bare_best,
        "engine_vs_bare_ratio": round(bare_best / engine_best, 3),
        "counts_ok": counts_ok,
        "engine_runs": engine_rounds,
        "bare_runs": bare_rounds,
        "method": (
            f"best of {rounds} alternating runs; engine: HallService.execute('issue') on a "
            f"HallStore file (WAL, synchronous=FULL), fake clock {ENGINE_STEP} s per ticket in "
            "one hall day, one queue, every ticket left waiting; bare: sqlite3 INSERT of the "
            "same event row into the same table and indexes, BEGIN IMMEDIATE/COMMIT per row"
        ),
    }


