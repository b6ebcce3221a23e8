"""The sync benchmark's pieces that need no processes: its records and its arithmetic.
`yiciban bench sync` runs the whole thing (docs/benchmarks/sync.md)."""
from __future__ import annotations

import sqlite3

from bench.sync import _target, fill, hall_toml, percentile
from hall.config import parse_config


def test_the_backlog_is_a_busy_halls_mix_with_sealed_identity(tmp_path):
    db = tmp_path / "hall.db"
    fill(db, 400)
    conn = sqlite3.connect(db)
    kinds = dict(conn.execute("SELECT type, count(*) FROM sync_outbox GROUP BY type").fetchall())
    assert sum(kinds.values()) == 400 and set(kinds) == {"queue.event", "rating", "device.health", "application"}
    assert kinds["queue.event"] > kinds["rating"] > kinds["application"]
    sealed = conn.execute("SELECT count(*) FROM sync_outbox WHERE sealed IS NOT NULL").fetchone()[0]
    assert sealed == kinds["application"]
    assert conn.execute("SELECT count(*) FROM sync_outbox WHERE payload LIKE '%11010519491231002X%'").fetchone()[0] == 0


def test_percentiles_are_nearest_rank_and_targets_say_whether_met():
    assert percentile([float(i) for i in range(1, 101)], 99) == 99.0
    assert percentile([], 99) is None
    assert _target(1.2, 1.5) == {"measured": 1.2, "limit": 1.5, "met": True}
    assert _target(3.0, 3.0, strict=True)["met"] is False
    assert _target(None, 1.5)["met"] is False


def test_the_benchmark_hall_is_a_valid_hall_that_syncs():
    import tomllib

    cfg = parse_config(tomllib.loads(hall_toml("hall-0", "t" * 20, "http://127.0.0.1:1",
                                               {"dispenser": "d" * 20, "operator": "o" * 20})))
    assert cfg.platform.url == "http://127.0.0.1:1" and cfg.node_id == "hall-0"
