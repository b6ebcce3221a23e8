"""The stats benchmark run tiny: what it stores and what the dashboard finds (no timing is asserted)."""
from __future__ import annotations

from bench.stats import run


def test_a_small_month_is_stored_and_aggregated(tmp_path):
    result = run({"tickets": 210, "ratings": 140, "cases": 30, "rounds": 1}, tmp_path)
    stored, figures = result["stored"], result["figures"]
    assert stored["ticket.issued"] == figures["arrivals"] == 210
    assert stored["service.finished"] == figures["served"] == 210 - stored["ticket.no_show"]
    assert stored["ticket.rated"] == figures["ratings"] and 0 < figures["ratings"] <= 210
    assert stored["followup.opened"] == figures["followups"] and stored["case.accepted"] == figures["cases_created"] == 30
    assert figures["windows_ranked"] == 16 and result["aggregate_s"] > 0 and result["baseline_s"] > 0
