"""A case through the real `yiciban hall` process and the real platform: opened and accepted at a
window, kept through a SIGKILL, sent to the platform, and concluded there by a back office."""
from __future__ import annotations

import requests

from ground.privacy import id_check_digit
from tests.e2e.test_sync_devices import chain, wait_for  # noqa: F401  (the hall + platform fixture)
from tests.support.halls import PASSWORD
from tests.support.logscan import find_personal_data

A = "/api/v1"
BODY = "37082919800101123"
ID_NUMBER = BODY + id_check_digit(BODY)
NAME = "欧阳办件"


def test_a_case_from_the_window_to_the_platform_and_back(chain):  # noqa: F811
    platform, hall = chain
    s = requests.Session()
    token = s.post(f"{hall.base_url}{A}/auth/login", json={"username": "wang", "password": PASSWORD},
                   timeout=10).json()["token"]
    s.headers["Authorization"] = f"Bearer {token}"
    dispenser = {"Authorization": f"Bearer {hall.tokens['dispenser']}"}
    assert requests.post(f"{hall.base_url}{A}/tickets", json={"queue": "general"}, headers=dispenser,
                         timeout=5).status_code == 201
    for step in ("open", "call-next", "start"):
        assert s.post(f"{hall.base_url}{A}/windows/w1/{step}", timeout=5).status_code == 200
    body = {"matter": "000131128000", "applicant": {"id_number": ID_NUMBER, "name": NAME}, "window": "w1",
            "materials": {"登记申请书": "original"}}
    r = s.post(f"{hall.base_url}{A}/cases", json=body, timeout=5)
    assert r.status_code == 201, r.text
    number = r.json()["case"]["number"]
    accepted = s.post(f"{hall.base_url}{A}/cases/{number}/accept", timeout=5).json()["case"]
    assert accepted["state"] == "accepted" and accepted["due"] == accepted["accepted_day"]  # 即办

    hall.kill()  # no shutdown: what was answered was durable
    hall.start()
    s.headers["Authorization"] = "Bearer " + s.post(f"{hall.base_url}{A}/auth/login", json={
        "username": "wang", "password": PASSWORD}, timeout=10).json()["token"]
    again = s.get(f"{hall.base_url}{A}/cases/{number}", timeout=5).json()
    assert again["state"] == "accepted" and again["number"] == number
    second = s.post(f"{hall.base_url}{A}/cases", json=body, timeout=5).json()["case"]
    assert second["serial"] == accepted["serial"] + 1  # a number is never given twice

    def on_platform():
        found = platform.admin.get(f"{platform.base_url}{A}/admin/cases", params={"node": "test-hall"},
                                   timeout=5).json()["cases"]
        mine = [c for c in found if c["number"] == number]
        return mine[0] if mine and mine[0]["state"] == "accepted" else None

    assert wait_for("the case on the platform", on_platform)["light"] in ("green", "yellow")
    records = platform.records("test-hall", personal=True)
    created = next(r for r in records if r["type"] == "case.event" and r["payload"]["type"] == "case.created")
    assert "applicant" not in created["payload"]["data"]
    assert created["personal"]["applicant"]["id_masked"].startswith("370829")

    platform.publish("case_updates", upsert=[{"id": "u1", "node": "test-hall", "case": number,
                                              "action": "concluded", "approved": True, "note": "准予许可"}])

    def concluded():
        c = s.get(f"{hall.base_url}{A}/cases/{number}", timeout=5).json()
        return c if c["state"] == "concluded" else None

    case = wait_for("the back office's 办结 at the hall", concluded)
    assert case["approved"] is True and case["from_platform"] is True
    for text in (hall.log_text(), platform.log_text()):
        assert find_personal_data(text, [NAME]) == []


def test_the_demo_autopilot_plays_cases_on_the_real_hall(hall_server):
    """Seeded case traffic against `yiciban hall`: cases opened for served tickets, decided,
    handled through to closed, some left open to run late."""
    import random

    from hall.case_autopilot import CasePilot
    from hall.client import HallClient
    from hall.config import load_config

    client = HallClient(hall_server.base_url, hall_server.tokens["operator"])
    pilot = CasePilot(load_config(hall_server.config_path), client, pace=1.0, rng=random.Random(7))
    client.open_window("w1")
    now = 0.0
    for _ in range(40):
        client.issue(queue="general")
        client.call_next("w1")
        client.start("w1")
        pilot.step(client.snapshot(), now)  # a case opened for the ticket being served, often
        client.finish("w1")
        for _ in range(3):
            now += 20.0
            pilot.step(client.snapshot(), now)
    for _ in range(30):  # the back office finishes what it still has in hand
        now += 60.0
        pilot.step(client.snapshot(), now)
    cases = client._get("/cases")["cases"]
    states = {c["state"] for c in cases}
    assert len(cases) >= 10 and {"closed", "accepted"} <= states, states
    assert states <= {"closed", "accepted", "refused"}  # 补正 ones were supplied and accepted
    assert all(c["ticket"] for c in cases)  # each opened for the ticket its window served
    stats = client._get("/cases/stats")
    assert stats["open_by_light"]["yellow"] >= 1  # 即办: due today
    assert stats["by_window"]["w1"]["correction"] >= 1 and stats["by_window"]["w1"]["accepted"] >= 5
    assert not pilot.player.cases  # nothing left half-done
    client.close()
