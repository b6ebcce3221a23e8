"""`yiciban bench kiosk`, run tiny: the shape of its JSON. No timing is asserted."""
from __future__ import annotations

import json

from bench.kiosk import bench_memory, bench_start


def test_start_part_measures_ours_beside_a_bare_window():
    result = bench_start("pad", runs=1)
    assert json.loads(json.dumps(result)) == result
    assert result["ours_s"] > 0 and result["baseline_bare_pyside6_s"] > 0
    assert abs(result["ratio"] - result["ours_s"] / result["baseline_bare_pyside6_s"]) < 0.05


def test_memory_part_plays_sessions_and_samples_the_resident_set(qapp):
    result = bench_memory("pad", sessions=20, sample_every=10)  # the benchmark plays 1,000
    assert result["sessions"] == 20 and result["screens_per_session"] >= 4
    assert [n for n, _ in result["rss_mb_samples"]] == [10, 20]
    assert result["rss_mb_end"] == result["rss_mb_samples"][-1][1] > 0
