import pytest
from starlette.websockets import WebSocketDisconnect

from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS

A = "/api/v1"


def test_issue_call_finish_over_http(client, dispenser):
    wang = login(client, "wang")
    r = client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser)
    assert r.status_code == 201
    t = r.json()["ticket"]
    assert t["number"] == "A001" and t["state"] == "waiting" and t["people_ahead"] == 0
    assert client.post(f"{A}/windows/w1/open", headers=wang).json()["window"]["staff"] == "s1"
    r = client.post(f"{A}/windows/w1/call-next", headers=wang)
    assert r.status_code == 200
    assert r.json()["ticket"]["id"] == t["id"]
    assert r.json()["reason"]["text"]
    assert client.post(f"{A}/windows/w1/finish", headers=wang).json()["ticket"]["state"] == "done"
    assert client.get(f"{A}/tickets/{t['id']}", headers=dispenser).json()["state"] == "done"


def test_issue_by_matter_routes_to_its_queue(client, dispenser):
    r = client.post(f"{A}/tickets", json={"matter": "000131128000"}, headers=dispenser)
    assert r.status_code == 201
    assert r.json()["ticket"]["queue"] == "general"
    r = client.post(f"{A}/tickets", json={"matter": "999"}, headers=dispenser)
    assert r.status_code == 404 and "999" in r.json()["message"]


def test_idempotency_key_makes_one_ticket(client, dispenser):
    h = {**dispenser, "Idempotency-Key": "kiosk-1-req-42"}
    a = client.post(f"{A}/tickets", json={"queue": "general"}, headers=h).json()
    b = client.post(f"{A}/tickets", json={"queue": "general"}, headers=h).json()
    assert a == b
    snap = client.get(f"{A}/snapshot", headers=dispenser).json()
    assert snap["queues"][0]["waiting"] == 1
    r = client.post(f"{A}/tickets", json={"queue": "property"}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "idempotency_conflict"


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ('{"queue": "nope"}', 404, "nope"),
        ('{"queue": 12}', 422, "queue"),
        ('{"queue": "general", "colour": "red"}', 422, "colour"),
        ('{"queue": "general"', 400, "not valid JSON"),
        ('{"priority": "vip", "queue": "general"}', 422, "priority"),
        ("{}", 422, "queue or matter"),
        ('{"queue": "general", "priority": "appointment", "slot_start": "2026-11-27T09:00:00", '
         '"slot_end": "2026-11-27T09:30:00"}', 422, "time zone"),
    ],
)
def test_bad_input_is_4xx_with_a_message_and_changes_nothing(client, dispenser, body, status, needle):
    before = client.get(f"{A}/snapshot", headers=dispenser).json()["seq"]
    r = client.post(f"{A}/tickets", content=body,
                    headers={**dispenser, "Content-Type": "application/json"})
    assert r.status_code == status, r.text
    assert needle in r.json()["message"]
    assert client.get(f"{A}/snapshot", headers=dispenser).json()["seq"] == before


def test_oversize_body_is_refused(client, dispenser):
    r = client.post(f"{A}/tickets", content=b'{"queue":"' + b"x" * 70000 + b'"}',
                    headers={**dispenser, "Content-Type": "application/json"})
    assert r.status_code == 413


def test_illegal_transition_is_409_with_reason(client, operator):
    r = client.post(f"{A}/windows/w1/call-next", headers=operator)
    assert r.status_code == 409
    assert "关闭" in r.json()["message"]


def test_staff_act_only_on_their_windows(client, dispenser):
    wang = login(client, "wang")
    assert client.post(f"{A}/windows/w2/open", headers=wang).status_code == 403
    assert client.post(f"{A}/windows/w1/open", headers=wang).status_code == 200
    boss = login(client, "boss")
    assert client.post(f"{A}/windows/w2/open", headers=boss).status_code == 200


def test_device_roles(client, dispenser):
    display = bearer(TOKENS["display"])
    keypad = bearer(TOKENS["keypad"])
    assert client.post(f"{A}/tickets", json={"queue": "general"}, headers=display).status_code == 403
    assert client.post(f"{A}/windows/w1/open", headers=dispenser).status_code == 403
    assert client.post(f"{A}/windows/w1/open", headers=keypad).status_code == 200
    assert client.post(f"{A}/windows/w2/open", headers=keypad).status_code == 403
    assert client.get(f"{A}/stats", headers=display).status_code == 403


def test_login_failures_and_lockout(client):
    for _ in range(5):
        r = client.post(f"{A}/auth/login", json={"username": "wang", "password": "wrong"})
        assert r.status_code == 401
    r = client.post(f"{A}/auth/login", json={"username": "wang", "password": "wrong"})
    assert r.status_code == 429


def test_logout_ends_the_session(client):
    wang = login(client, "wang")
    assert client.get(f"{A}/me", headers=wang).json()["id"] == "s1"
    client.post(f"{A}/auth/logout", headers=wang)
    assert client.get(f"{A}/me", headers=wang).status_code == 401


def test_every_endpoint_needs_a_token(client):
    """Walk every route of the app: each answers 401 without a token, unless it is public on purpose."""
    from hall.server import PUBLIC_PATHS

    public_api = {"/api/v1/auth/login"}
    checked = 0
    for route in _all_routes(client.app.routes):
        path = getattr(route, "path", "")
        methods = getattr(route, "methods", None)
        if path in PUBLIC_PATHS or path in public_api:
            continue
        if methods is None:  # the WebSocket route: accepted, then closed with 4401
            with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as exc:
                ws.receive_text()
            assert exc.value.code == 4401
            checked += 1
            continue
        url = path.replace("{window_id}", "w1").replace("{ticket_id}", "20261127-A001")
        for method in methods - {"HEAD"}:
            r = client.request(method, url)
            assert r.status_code == 401, f"{method} {path} answered {r.status_code} without a token"
            r = client.request(method, url, headers=bearer("not-a-real-token-at-all"))
            assert r.status_code == 401, f"{method} {path} answered {r.status_code} to a wrong token"
            checked += 1
    assert checked >= 20


def _all_routes(routes):
    for r in routes:
        inner = getattr(r, "original_router", None)  # a router included into the app
        if inner is not None:
            yield from _all_routes(inner.routes)
        else:
            yield r


def test_websocket_replays_what_was_missed_in_order(client, dispenser, operator):
    for _ in range(3):
        client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser)
    with client.websocket_connect(f"{A}/events/ws?after=0&token={TOKENS['display']}") as ws:
        seen = [ws.receive_json() for _ in range(4)]  # day.started + 3 issued
        assert [e["seq"] for e in seen] == [1, 2, 3, 4]
        assert seen[0]["type"] == "day.started"
        client.post(f"{A}/windows/w1/open", headers=operator)
        client.post(f"{A}/windows/w1/call-next", headers=operator)
        live = [ws.receive_json() for _ in range(2)]
        assert [e["type"] for e in live] == ["window.opened", "ticket.called"]
        assert live[1]["data"]["number"] == "A001"
    # a display that saw up to seq 4 comes back and gets exactly 5 and 6
    with client.websocket_connect(f"{A}/events/ws?after=4&token={TOKENS['display']}") as ws:
        assert [ws.receive_json()["seq"] for _ in range(2)] == [5, 6]


def test_statistics_endpoint(client, operator, dispenser):
    client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser)
    s = client.get(f"{A}/stats", headers=operator).json()
    assert s["queues"]["general"]["arrivals"] == 1
    assert s["day"] == "2026-11-27"


def test_staff_open_only_as_themselves_and_managers_name_real_staff(client, operator):
    wang = login(client, "wang")
    r = client.post(f"{A}/windows/w1/open", json={"staff": "s2"}, headers=wang)
    assert r.status_code == 403
    r = client.post(f"{A}/windows/w2/open", json={"staff": "nobody-at-all"}, headers=operator)
    assert r.status_code == 422 and "nobody-at-all" in r.json()["message"]
    r = client.post(f"{A}/windows/w2/open", json={"staff": "s2"}, headers=operator)
    assert r.json()["window"]["staff"] == "s2"


def test_stream_tells_a_client_ahead_of_the_hall_at_once(client):
    with client.websocket_connect(f"{A}/events/ws?after=999&token={TOKENS['display']}") as ws:
        msg = ws.receive_json()
    assert msg == {"type": "heartbeat", "head": 1}


def test_staff_transfer_only_what_their_window_may_touch(client, dispenser, operator):
    t = client.post(f"{A}/tickets", json={"queue": "property"}, headers=dispenser).json()["ticket"]
    wang = login(client, "wang")  # window w1 serves only "general"
    r = client.post(f"{A}/tickets/{t['id']}/transfer", json={"to_window": "w2", "by_window": "w1"},
                    headers=wang)
    assert r.status_code == 403
    li = login(client, "li")  # w3 serves "property"
    r = client.post(f"{A}/tickets/{t['id']}/transfer", json={"to_queue": "general", "by_window": "w3"},
                    headers=li)
    assert r.status_code == 200 and r.json()["ticket"]["queue"] == "general"


def test_huge_sequence_numbers_are_refused_not_crashed_on(client, operator):
    r = client.get(f"{A}/events", params={"after": 10**30}, headers=operator)
    assert r.status_code == 422


def test_web_pages_are_public_and_revalidated(client):
    r = client.get("/ui/")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"


def test_pads_rate_their_own_window_once_and_staff_cannot_rate(client, dispenser, operator):
    t = client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser).json()["ticket"]
    wang = login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    client.post(f"{A}/windows/w1/call-next", headers=wang)
    client.post(f"{A}/windows/w1/finish", headers=wang)
    pad = bearer(TOKENS["pad"])
    url = f"{A}/tickets/{t['id']}/rating"
    assert client.post(url, json={"level": 5}, headers=wang).status_code == 403
    r = client.post(url, json={"level": 1}, headers=pad)
    assert r.status_code == 422 and "原因" in r.json()["message"]
    r = client.post(url, json={"level": 1, "reasons": ["服务态度不好"], "text": "说话不耐烦"}, headers=pad)
    assert r.status_code == 200
    assert client.post(url, json={"level": 5}, headers=pad).status_code == 409


def test_a_streamed_body_over_the_limit_is_refused(client, dispenser):
    def chunks():
        yield b'{"queue": "'
        for _ in range(80):
            yield b"x" * 1000
        yield b'"}'

    r = client.post(f"{A}/tickets", content=chunks(),
                    headers={**dispenser, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


def test_a_command_not_in_the_table_is_refused_and_changes_nothing(client):
    from hall.domain.errors import InvalidCommand

    service = client.app.state.service
    before = service.last_seq
    with pytest.raises(InvalidCommand, match="ticket_view"):
        service.execute("ticket_view", {})
    with pytest.raises(InvalidCommand, match="__init__"):
        service.execute("__init__", {})
    assert service.last_seq == before
