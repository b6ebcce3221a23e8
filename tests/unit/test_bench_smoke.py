"""The queue benchmark's in-process part, run tiny: the shape of its JSON and its counts.

No timing is asserted: the numbers depend on the machine. `make bench` runs the whole thing.
"""
from __future__ import annotations

import json
import math

import pytest

from bench.queue import _targets
from bench.queue.common import summary
from bench.queue.engine import engine_bench
from bench.queue.fanout import _seq_of

COUNT = 50


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return engine_bench(COUNT, tmp_path_factory.mktemp("bench"), rounds=2)


def test_engine_part_has_every_field_and_is_json(result: dict) -> None:
    assert json.loads(json.dumps(result)) == result
    assert result["count"] == COUNT
    assert result["rounds"] == 2
    for key in ("engine_issues_per_second", "bare_commits_per_second", "engine_vs_bare_ratio"):
        assert isinstance(result[key], float) and math.isfinite(result[key]) and result[key] > 0
    assert result["engine_vs_bare_ratio"] == pytest.approx(
        result["bare_commits_per_second"] / result["engine_issues_per_second"], rel=1e-2
    )
    assert result["method"]


def test_engine_part_counts_are_right(result: dict) -> None:
    assert result["counts_ok"] is True
    assert len(result["engine_runs"]) == len(result["bare_runs"]) == 2
    for run in result["engine_runs"]:
        assert run["tickets_issued"] == COUNT
        assert run["events_stored"] == COUNT
        assert run["tickets_waiting"] == COUNT
        assert run["hall_days"] == 1  # the fake clock kept every ticket in one hall day
        assert run["per_second"] > 0
    for run in result["bare_runs"]:
        assert run["rows_stored"] == COUNT
        assert run["journal_mode"] == "wal"
        assert run["synchronous"] == "FULL"
    assert result["engine_issues_per_second"] == max(r["per_second"] for r in result["engine_runs"])


def test_engine_part_leaves_no_database_behind(tmp_path) -> None:
    engine_bench(10, tmp_path, rounds=1)
    assert list(tmp_path.iterdir()) == []


def test_targets_report_what_was_measured(result: dict) -> None:
    targets = _targets({"engine": result})
    assert set(targets) == {"engine_vs_bare_ratio", "http_issue_p99_ms", "http_call_next_p99_ms"}
    ratio = targets["engine_vs_bare_ratio"]
    assert ratio["measured"] == result["engine_vs_bare_ratio"]
    assert ratio["met"] is (result["engine_vs_bare_ratio"] <= 2)
    assert targets["http_issue_p99_ms"] == {"target": "< 20 ms", "measured": None, "met": False}


def test_summary_uses_nearest_rank_percentiles() -> None:
    s = summary([float(i) for i in range(1, 101)])
    assert (s["count"], s["p50_ms"], s["p99_ms"], s["max_ms"]) == (100, 50.0, 99.0, 100.0)
    assert summary([])["p99_ms"] is None


def test_event_sequence_numbers_are_read_from_the_stream() -> None:
    assert _seq_of('{"seq":42,"ts":1.0,"type":"ticket.called","data":{}}') == 42
    assert _seq_of(b'{"seq":7,"ts":1.0}') == 7
    assert _seq_of('{"type":"heartbeat","head":42}') is None
    assert _seq_of("not json") is None
