"""What each caller sees of a citizen, and the hall's answers to nonsense: the board's token
(public in the board link) never gets a ticket's `holder` or `id_masked`; nobody gets `holder`;
strict types and ranges; idempotency keys scoped by caller; the pages' security headers and
the API's documentation kept private outside a demo."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.unit.hallfixtures import FakeClock, at

A = "/api/v1"
ID_NUMBER = "11010519491231002X"
PERSONAL = ("holder", "id_masked")


def keys_in(data) -> set[str]:
    if isinstance(data, dict):
        return set(data).union(*(keys_in(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(keys_in(v) for v in data))
    return set()


def swiped_ticket(client) -> dict:
    r = client.post(f"{A}/tickets", json={"queue": "general", "id_number": ID_NUMBER},
                    headers=bearer(TOKENS["dispenser"]))
    assert r.status_code == 201, r.text
    return r.json()


def test_the_board_token_reads_no_trace_of_an_id_number(client):
    ticket = swiped_ticket(client)["ticket"]["id"]
    display = bearer(TOKENS["display"])
    reads = [
        client.get(f"{A}/events", params={"after": 0}, headers=display).json(),
        client.get(f"{A}/tickets/{ticket}", headers=display).json(),
        client.get(f"{A}/tickets/{ticket}/progress", headers=display).json(),
        client.get(f"{A}/snapshot", headers=display).json(),
    ]
    with client.websocket_connect(f"{A}/events/ws?after=0&token={TOKENS['display']}") as ws:
        streamed = [ws.receive_json() for _ in range(2)]  # day.started, ticket.issued
    assert streamed[1]["type"] == "ticket.issued"
    assert reads[0]["events"][1]["type"] == "ticket.issued"
    for data in [*reads, *streamed]:
        assert not keys_in(data) & set(PERSONAL), data
    # the events as stored keep both, for the hall and the platform
    [issued] = [e for e in client.app.state.service.store.events_after(0) if e.type == "ticket.issued"]
    assert issued.data["holder"] and issued.data["id_masked"]


def test_the_views_share_the_text_of_an_event_neither_changes(client):
    swiped = swiped_ticket(client)["ticket"]["id"]
    r = client.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
    plain = r.json()["ticket"]["id"]
    rings = {view: {json.loads(text)["data"].get("ticket"): text for _, text in hub.ring}
             for view, hub in client.app.state.hubs.items()}
    masked, public = rings["masked"], rings["public"]
    assert masked[plain] is public[plain]  # one copy in memory for both views
    assert masked[swiped] is not public[swiped]
    assert "id_masked" in json.loads(masked[swiped])["data"]
    assert not keys_in(json.loads(public[swiped])) & set(PERSONAL), public[swiped]


def test_staff_and_desks_see_the_masked_number_and_nobody_the_hash(client):
    answer = swiped_ticket(client)
    assert answer["ticket"]["id_masked"] == "110105********002X"
    ticket = answer["ticket"]["id"]
    wang = login(client, "wang")
    events = client.get(f"{A}/events", params={"after": 0}, headers=wang).json()["events"]
    assert events[1]["data"]["id_masked"] == "110105********002X" and "holder" not in events[1]["data"]
    assert client.get(f"{A}/tickets/{ticket}", headers=wang).json()["id_masked"] == "110105********002X"
    with client.websocket_connect(f"{A}/events/ws?after=1&token={TOKENS['operator']}") as ws:
        streamed = ws.receive_json()
    assert streamed["data"]["id_masked"] == "110105********002X" and "holder" not in streamed["data"]
    # a pad at the window, acting on the ticket, gets its answer without the number
    client.post(f"{A}/windows/w1/open", headers=wang)
    r = client.post(f"{A}/windows/w1/call-next", headers=bearer(TOKENS["keypad"]))
    assert r.status_code == 200 and r.json()["ticket"]["id"] == ticket
    assert not keys_in(r.json()) & set(PERSONAL)


# -- issue 10.11: strict types and ranges


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("get", "/stats?day=2026-13-45", None, "day"),
    ("get", "/stats?day=2026-02-30", None, "day"),
    ("post", "/tickets", {"queue": "general", "priority": "appointment",
                          "slot_start": "9999-11-27T09:00:00+08:00", "slot_end": "9999-11-27T09:30:00+08:00"},
     "slot_start"),
    ("post", "/tickets", {"queue": "general", "priority": "appointment",
                          "slot_start": "0001-01-01T09:00:00+08:00", "slot_end": "0001-01-01T09:30:00+08:00"},
     "slot_start"),
    ("post", "/tickets", {"queue": "general", "priority": "appointment",
                          "slot_start": "2026-11-27T10:00:00+08:00", "slot_end": "2026-11-27T09:30:00+08:00"},
     "slot_end"),
])
def test_nonsense_is_refused_naming_the_field(client, operator, method, path, body, field):
    before = client.get(f"{A}/snapshot", headers=operator).json()["seq"]
    r = client.request(method, A + path, json=body, headers=operator)
    assert r.status_code == 422 and field in r.json()["message"], r.text
    assert client.get(f"{A}/snapshot", headers=operator).json()["seq"] == before


def test_a_real_slot_and_a_real_day_are_taken(client, operator):
    body = {"queue": "general", "priority": "appointment",
            "slot_start": "2026-11-27T09:00:00+08:00", "slot_end": "2026-11-27T09:30:00+08:00"}
    assert client.post(f"{A}/tickets", json=body, headers=operator).status_code == 201
    assert client.get(f"{A}/stats?day=2026-11-26", headers=operator).status_code == 200


def test_yes_is_not_true(client, operator):
    ticket = client.post(f"{A}/tickets", json={"queue": "general"}, headers=operator).json()["ticket"]["id"]
    for flag in ("yes", "true", 1):
        r = client.post(f"{A}/tickets/{ticket}/transfer", json={"to_window": "w2", "keep_place": flag},
                        headers=operator)
        assert r.status_code == 422 and "keep_place" in r.json()["message"], flag
    r = client.post(f"{A}/tickets/{ticket}/transfer", json={"to_window": "w2", "keep_place": True}, headers=operator)
    assert r.status_code == 200


# -- issue 10.12: idempotency keys are the caller's own


def test_another_device_reusing_a_key_gets_its_own_ticket(client):
    key = {"Idempotency-Key": "req-1"}
    mine = client.post(f"{A}/tickets", json={"queue": "general", "id_number": ID_NUMBER},
                       headers={**bearer(TOKENS["dispenser"]), **key}).json()
    theirs = client.post(f"{A}/tickets", json={"queue": "general"}, headers={**bearer(TOKENS["kiosk"]), **key})
    assert theirs.status_code == 201
    assert theirs.json()["ticket"]["id"] != mine["ticket"]["id"]
    assert "110105" not in theirs.text
    again = client.post(f"{A}/tickets", json={"queue": "general", "id_number": ID_NUMBER},
                        headers={**bearer(TOKENS["dispenser"]), **key}).json()
    assert again["ticket"]["id"] == mine["ticket"]["id"]


# -- issue 10.13: headers, and the documentation


def test_pages_send_a_content_security_policy_and_refuse_frames(client, dispenser):
    follow = client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser).json()["follow_path"]
    for path in ("/ui/", "/ui/staff.html", follow):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe" not in csp, path
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"{A}/hall", headers=dispenser).headers["x-content-type-options"] == "nosniff"


def test_the_api_documentation_is_private_outside_a_demo(client, tmp_path):
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404, path
    (tmp_path / "demo").mkdir()
    config_file = write_small_hall(tmp_path / "demo")
    text = config_file.read_text(encoding="utf-8").replace('[hall]\n', '[hall]\ndemo = true\n', 1)
    config_file.write_text(text, encoding="utf-8")
    app = create_app(load_config(config_file), tmp_path / "demo" / "data", clock=FakeClock(at(9)))
    with TestClient(app) as demo:
        assert demo.get("/docs").status_code == 200
        assert json.loads(demo.get("/openapi.json").text)["info"]["title"] == "yiciban hall API"
