"""`yiciban bench dispenser`, run tiny: its JSON's shape and that every tap printed a ticket, from
the hall and then from the lease. No timing is asserted: the numbers depend on the machine."""
from __future__ import annotations

import json

from bench.dispenser import run


def test_a_small_run_prints_every_ticket_both_ways(tmp_path):
    result = run(4, tmp_path)
    assert json.loads(json.dumps(result)) == result
    assert result["taps"] == 4
    assert result["offline_tickets_kept_on_disk"] == 4  # the hall never came back to take them
    for half in ("online", "offline"):
        assert 0 < result[half]["p50_ms"] <= result[half]["p99_ms"] <= result[half]["max_ms"]
    assert result["offline_p99_ms"] == result["offline"]["p99_ms"]
    assert result["met"] is (result["offline_p99_ms"] < result["target"]["offline_p99_ms_max"])
