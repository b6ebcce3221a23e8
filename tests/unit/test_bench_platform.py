"""The platform benchmark's pieces: its halls' records, the baseline's rows, and a tiny run.

No timing is asserted: the numbers depend on the machine. `yiciban bench platform` runs the
whole thing (docs/BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import json
from collections import Counter

import pytest

from bench import platform as bench
from sync import records as rec
from sync.platform.cluster import unavailable_reason
from sync.platform.db import Database
from sync.platform.store import _COLUMNS, PlatformStore


def test_each_hall_has_its_own_day_of_valid_records_in_a_busy_halls_mix():
    first, again, other = bench.hall_records(1, 400), bench.hall_records(1, 400), bench.hall_records(2, 400)
    assert first == again and {r["key"] for r in first}.isdisjoint(r["key"] for r in other)
    assert [rec.check_item(r) for r in first] == [None] * 400
    assert [r["seq"] for r in first] == list(range(1, 401))
    kinds = Counter(r["type"] for r in first)
    assert kinds[rec.QUEUE_EVENT] > kinds[rec.RATING] > kinds[rec.DEVICE_HEALTH] > 0


def test_the_baseline_writes_the_very_rows_the_platform_stores(platform_database):
    items = bench.hall_records(3, 60)
    store = PlatformStore(Database(platform_database), clock=lambda: bench.DAY)
    try:
        assert Counter(r["status"] for r in store.push("hall-003", items)) == {"accepted": 60}
        with store.db.transaction(write=False) as tx:
            stored = tx.all(f"SELECT {_COLUMNS} FROM records ORDER BY seq")
    finally:
        store.close()
    assert stored == [bench.stored_row("hall-003", item) for item in items]


@pytest.mark.skipif(bool(unavailable_reason()), reason=f"no private PostgreSQL cluster: {unavailable_reason()}")
def test_a_tiny_run_stores_every_record_once_and_reports_both_rates(tmp_path, capsys):
    out = tmp_path / "result.json"
    args = argparse.Namespace(quick=True, halls=3, batches=2, batch=20, output=str(out))
    assert bench.main(args) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(capsys.readouterr().out) == result
    pushed = result["platform"]
    assert pushed["records"] == 120 and pushed["pushes"] >= 6 and pushed["exactly_once"] is True
    assert pushed["answers"] == {"accepted": 120}
    assert pushed["latency_ms"]["p50"] <= pushed["latency_ms"]["p99"] <= pushed["latency_ms"]["max"]
    assert pushed["batch_stored_ms"]["p50"] <= pushed["batch_stored_ms"]["p99"] <= pushed["batch_stored_ms"]["max"]
    assert pushed["pushes"] == 6 + pushed["retries_after_503"]  # each 503 is one push more
    assert result["baseline"]["insert"]["transactions"] == 6
    for name in ("copy", "insert"):
        share = pushed["records_per_second"] / result["baseline"][name]["records_per_second"]
        assert result[f"platform_share_of_{name}"] == pytest.approx(share, abs=1e-3)
    assert result["machine"]["postgresql"].split()[0].count(".") >= 1
