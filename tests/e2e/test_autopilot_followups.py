"""The demo's autopilot against a real hall server: citizens rate their visits on their phones,
some of them 差评, and the staff who answer for each 差评 log in and work it (verify, fix or
explain, feed back, close, a supervisor deciding appeals), while some are left open so the
ledger's lights show. Shares are raised so that a short run has enough 差评 to look at."""
from __future__ import annotations

import time

import pytest

from hall import followup_autopilot
from hall.autopilot import Autopilot
from hall.client import HallClient
from hall.config import load_config
from tests.support.halls import PASSWORD, TOKENS

RUN_SECONDS = 120.0  # a guard against a hang: the run stops as soon as the ledger shows enough


@pytest.fixture
def eager_citizens(monkeypatch):
    monkeypatch.setattr(followup_autopilot, "RATE_SHARE", 1.0)
    monkeypatch.setattr(followup_autopilot, "BAD_SHARE", 0.6)


def test_citizens_leave_bad_ratings_and_staff_work_them_through(hall_server, eager_citizens):
    config = load_config(hall_server.config_path)
    operator = HallClient(hall_server.base_url, TOKENS["operator"])
    pilot = Autopilot(hall_server.base_url, config, pace=50, seed=7, client=operator, staff_password=PASSWORD)
    boss = HallClient(hall_server.base_url)
    boss.login("boss", PASSWORD)
    try:
        deadline = time.monotonic() + RUN_SECONDS
        ledger: dict = {"followups": []}
        while time.monotonic() < deadline:
            time.sleep(pilot.step())
            ledger = boss.followups(limit=2000)
            states = {f["state"] for f in ledger["followups"]}
            if "closed" in states and "verify" in states and len(ledger["followups"]) >= 6:
                break
        states = [f["state"] for f in ledger["followups"]]
        assert "closed" in states and "verify" in states, states  # worked through, and some left open
        closed = [f for f in ledger["followups"] if f["state"] == "closed"]
        assert all(f["verified_by"] and f["feedback"]["by"] for f in closed)
        assert all(f["feedback"]["by"] in (f["lead"], f["staff"], "boss") for f in closed)  # 谁办理、谁负责
        figures = ledger["figures"]
        assert figures["total"] == len(states) and 0 < figures["callback_rate"] < 1
        assert figures["closed"] == len(closed)
        assert sum(figures["open_by_light"].values()) >= states.count("verify")

        rated = [e for e in operator.events(after=0, limit=5000)["events"] if e["type"] == "ticket.rated"]
        assert rated and {e["data"]["channel"] for e in rated} == {"qr"}
        assert any(e["data"]["level"] <= 2 and e["data"]["reasons"] for e in rated)
        assert pilot.feedback is not None and pilot.feedback.player.counts.get("verify", 0) >= len(closed)
    finally:
        pilot.feedback.close()
        boss.close()
        operator.close()
