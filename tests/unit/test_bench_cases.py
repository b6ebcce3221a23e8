"""The case benchmark run tiny: the shape of its JSON and its counts (no timing is asserted)."""
from __future__ import annotations

import json

from bench.cases import accept_part, lights_part


def test_accept_part_counts_and_baseline(tmp_path):
    result = accept_part(20, 1, tmp_path)
    assert json.loads(json.dumps(result)) == result
    assert result["counts_ok"] is True and result["runs"][0]["accepted"] == 20
    bare = result["bare_runs"][0]
    assert bare["events_stored"] == 40 and bare["rows_per_case"] == 5.0  # 2 events, 1 case row, 2 outbox rows
    assert result["ratio"] > 0


def test_lights_part_recomputes_every_open_case(tmp_path):
    result = lights_part(200, tmp_path)
    assert result["open_cases"] == 200 and result["first_refresh_changed"] == 200
    assert sum(result["open_by_light"].values()) == 200
    assert 0 < result["changed"] <= 200
    assert result["open_by_light"]["red"] > 0
