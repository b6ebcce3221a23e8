"""HallClient and EventStream against the real hall server process (and a scripted WebSocket peer)."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter
from websockets.sync.server import ServerConnection, serve

from hall.client import HallClient, HallError, HallUnavailable
from hall.event_stream import EventStream
from tests.e2e.conftest import HallServer, free_port
from tests.support.logscan import find_personal_data


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def all_events(client: HallClient) -> list[dict[str, Any]]:
    return client.events(0, 5000)["events"]


@pytest.fixture
def operator(hall_server: HallServer) -> HallClient:
    with HallClient(hall_server.base_url, hall_server.tokens["operator"]) as client:
        yield client


def test_a_ticket_walks_through_every_operation(hall_server: HallServer, operator: HallClient) -> None:
    assert operator.health()["status"] == "ok"
    wang = HallClient(hall_server.base_url)
    assert wang.login("wang", hall_server.password)["staff"]["id"] == "s1"
    assert wang.me()["windows"] == ["w1"]
    assert [q["id"] for q in wang.hall()["queues"]] == ["general", "property"]

    a = operator.issue(queue="general").ticket
    b = operator.issue(matter="000131128000", priority="elderly", channel="kiosk").ticket
    assert a.number == "A001" and b.queue == "general" and b.priority == "elderly"
    assert wang.open_window("w1")["window"]["staff"] == "s1"
    called = wang.call_next("w1")
    assert called["ticket"]["id"] in (a.id, b.id) and called["reason"]["text"]
    assert wang.recall("w1")["ticket"]["recalls"] == 1
    assert wang.start("w1")["ticket"]["state"] == "serving"
    assert wang.finish("w1", matter="000131128000")["ticket"]["state"] == "done"
    other = b if called["ticket"]["id"] == a.id else a
    assert wang.call("w1", other.id)["ticket"]["id"] == other.id
    moved = wang.transfer(other.id, to_queue="property", keep_place=True)["ticket"]
    assert moved["queue"] == "property" and moved["state"] == "waiting"
    assert operator.cancel(other.id, reason="left")["ticket"]["state"] == "cancelled"
    assert wang.ticket(other.id)["state"] == "cancelled"

    assert wang.pause("w1", reason="break")["window"]["state"] == "paused"
    assert wang.resume("w1")["window"]["state"] == "open"
    assert wang.close_window("w1")["window"]["state"] == "closed"
    assert operator.window("w1")["state"] == "closed"

    snap = operator.snapshot()
    assert snap["seq"] == operator.events(0)["head"]
    assert operator.stats()["total"]["served"] == 1
    assert operator.stats(day=snap["day"])["day"] == snap["day"]
    types = [e["type"] for e in operator.events(after=1, limit=3)["events"]]
    assert types == ["ticket.issued", "ticket.issued", "window.opened"]
    wang.logout()
    with pytest.raises(HallError) as err:
        wang.me()
    assert err.value.status == 401 and err.value.code == "unauthenticated"
    assert find_personal_data(hall_server.log_text(), ["王芳", "李强", "赵主任"]) == []


@pytest.mark.parametrize(
    ("act", "status", "code", "needle"),
    [
        (lambda c: c.issue(queue="nope"), 404, "not_found", "nope"),
        (lambda c: c.issue(), 422, "invalid", "queue or matter"),
        (lambda c: c.issue(queue="general", priority="vip"), 422, "invalid", "priority"),
        (lambda c: c.issue(queue="general", priority="appointment",
                           slot_start="2026-11-27T09:00:00", slot_end="2026-11-27T09:30:00"),
         422, "invalid", "time zone"),
        (lambda c: c.call_next("w1"), 409, "illegal_transition", "关闭"),
        (lambda c: c.finish("w9"), 404, "not_found", "w9"),
        (lambda c: c.ticket("20000101-A001"), 404, "not_found", "20000101-A001"),
        (lambda c: c.issue(queue="general", idempotency_key="x" * 129), 400,
         "bad_idempotency_key", "Idempotency-Key"),
    ],
)
def test_refusals_carry_the_servers_code_and_message(shared_hall_server: HallServer, act, status, code,
                                                     needle) -> None:
    operator = HallClient(shared_hall_server.base_url, shared_hall_server.tokens["operator"])
    before = operator.health()["seq"]
    with pytest.raises(HallError) as err:
        act(operator)
    assert operator.health()["seq"] == before
    assert not isinstance(err.value, HallUnavailable)
    assert (err.value.status, err.value.code) == (status, code)
    assert needle in err.value.message


def test_refusals_of_identity_and_roles(hall_server: HallServer, operator: HallClient) -> None:
    with pytest.raises(HallError) as err:
        HallClient(hall_server.base_url).login("wang", "wrong")
    assert (err.value.status, err.value.code) == (401, "unauthenticated")
    with pytest.raises(HallError) as err:
        HallClient(hall_server.base_url, hall_server.tokens["dispenser"]).open_window("w1")
    assert (err.value.status, err.value.code) == (403, "forbidden")
    with pytest.raises(HallError) as err:
        HallClient(hall_server.base_url, "not-a-token-at-all").snapshot()
    assert err.value.status == 401
    operator.open_window("w1")
    with pytest.raises(HallError) as err:
        operator.call_next("w1")
    assert (err.value.status, err.value.code) == (409, "nothing_to_call")


def test_the_same_idempotency_key_makes_one_ticket(operator: HallClient) -> None:
    first = operator.issue(queue="general", idempotency_key="kiosk-1-req-7")
    again = operator.issue(queue="general", idempotency_key="kiosk-1-req-7")
    assert again.ticket.id == first.ticket.id
    with pytest.raises(HallError) as err:
        operator.issue(queue="property", idempotency_key="kiosk-1-req-7")
    assert err.value.code == "idempotency_conflict"
    assert operator.snapshot()["queues"][0]["waiting"] == 1


class LoseFirstTicketAnswer(HTTPAdapter):
    """Sends each request; the first answer to POST /tickets is lost as if the network dropped it."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str | None] = []

    def send(self, request, **kwargs):  # type: ignore[override]
        response = super().send(request, **kwargs)
        if request.method == "POST" and request.path_url.endswith("/tickets"):
            self.keys.append(request.headers.get("Idempotency-Key"))
            if len(self.keys) == 1:
                raise requests.ReadTimeout("answer lost", request=request)
        return response


def test_a_lost_answer_is_retried_with_the_same_key(hall_server: HallServer, operator: HallClient) -> None:
    adapter = LoseFirstTicketAnswer()
    session = requests.Session()
    session.mount("http://", adapter)
    kiosk = HallClient(hall_server.base_url, hall_server.tokens["dispenser"], session=session)
    ticket = kiosk.issue(queue="general").ticket
    assert len(adapter.keys) == 2 and adapter.keys[0] == adapter.keys[1] and adapter.keys[0]
    issued = [e for e in all_events(operator) if e["type"] == "ticket.issued"]
    assert [e["data"]["ticket"] for e in issued] == [ticket.id]


def test_unavailable_when_the_server_is_down(hall_server: HallServer, operator: HallClient) -> None:
    hall_server.kill()
    for act in (operator.health, operator.snapshot, lambda: operator.issue(queue="general")):
        with pytest.raises(HallUnavailable) as err:
            act()
        assert err.value.status == 0 and err.value.code == "unavailable"
        assert hall_server.base_url in err.value.message
    hall_server.start()
    assert operator.issue(queue="general").ticket.number == "A001"


class Answer503(HTTPAdapter):
    def send(self, request, **kwargs):  # type: ignore[override]
        response = requests.Response()
        response.status_code, response.reason, response.url, response.request = 503, "", request.url, request
        response._content = json.dumps({"error": "store_unavailable", "message": "disk full",
                                        "details": {}}).encode()
        return response


def test_a_server_failure_is_unavailable_with_its_code() -> None:
    session = requests.Session()
    session.mount("http://", Answer503())
    client = HallClient("http://127.0.0.1:9", "token", session=session)
    with pytest.raises(HallUnavailable) as err:
        client.snapshot()
    assert (err.value.status, err.value.code) == (503, "store_unavailable")
    assert "disk full" in err.value.message and "127.0.0.1:9" in err.value.message


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.status: list[tuple[bool, str]] = []

    def on_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def on_status(self, connected: bool, reason: str) -> None:
        self.status.append((connected, reason))

    @property
    def seqs(self) -> list[int]:
        return [e["seq"] for e in self.events]


def test_the_stream_delivers_every_event_once_in_order_across_a_kill(
    hall_server: HallServer, operator: HallClient
) -> None:
    seen = Recorder()
    stream = EventStream(hall_server.base_url, hall_server.tokens["display"], after=0,
                         on_event=seen.on_event, on_status=seen.on_status, name="test-display")
    stream.start()
    try:
        for _ in range(3):
            operator.issue(queue="general")
        operator.open_window("w1")
        called = operator.call_next("w1")
        wait_until(lambda: stream.last_seq == called["seq"], what="the live call")
        assert seen.events[-1]["type"] == "ticket.called" and stream.connected

        stop = threading.Event()
        dispenser = HallClient(hall_server.base_url, hall_server.tokens["dispenser"], timeout=1.0)

        def produce() -> None:  # a dispenser that keeps issuing while the server dies and returns
            while not stop.is_set():
                try:
                    dispenser.issue(queue="property")
                except HallUnavailable:
                    pass
                time.sleep(0.02)

        producer = threading.Thread(target=produce, name="test-producer")
        producer.start()
        try:
            time.sleep(0.2)
            hall_server.restart()
            operator.finish("w1")
            operator.call_next("w1")
            time.sleep(0.3)
        finally:
            stop.set()
            producer.join(10)
        head = operator.events(0)["head"]
        assert head > called["seq"] + 2  # events were made across the restart
        wait_until(lambda: stream.last_seq == head, timeout=20, what=f"the stream to reach seq {head}")
        assert seen.seqs == list(range(1, head + 1))
        assert seen.events == all_events(operator)
        assert any(not connected for connected, _ in seen.status)
        assert seen.status[-1][0] is True and stream.connected
    finally:
        stream.stop()
    assert not stream.connected


def test_the_stream_from_now_on_skips_the_past(hall_server: HallServer, operator: HallClient) -> None:
    operator.issue(queue="general")
    seen = Recorder()
    with EventStream(hall_server.base_url, hall_server.tokens["display"], on_event=seen.on_event) as stream:
        wait_until(lambda: stream.connected, what="connection")
        latest = operator.issue(queue="general")
        wait_until(lambda: stream.last_seq == latest.seq, what="the new ticket")
    assert seen.seqs == [latest.seq]


def test_a_wrong_token_is_reported_and_retried(hall_server: HallServer) -> None:
    seen = Recorder()
    with EventStream(hall_server.base_url, "not-a-valid-token!", after=0, on_status=seen.on_status,
                     min_backoff=0.05, max_backoff=0.2):
        wait_until(lambda: any("4401" in reason for _, reason in seen.status), what="the refusal")
    assert not seen.events


# -- the stream against a scripted peer: duplicates, events out of order, a heartbeat ahead


class ScriptedHall:
    """A WebSocket peer that sends fixed messages per connection and records each request path."""

    def __init__(self, scripts: list[list[dict[str, Any]]]) -> None:
        self.scripts = scripts
        self.paths: list[str] = []
        self.server = serve(self._handle, "127.0.0.1", free_port())
        self.thread = threading.Thread(target=self.server.serve_forever, name="scripted-hall", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def _handle(self, ws: ServerConnection) -> None:
        self.paths.append(ws.request.path if ws.request else "")
        script = self.scripts[min(len(self.paths), len(self.scripts)) - 1]
        for message in script:
            ws.send(json.dumps(message))
        try:
            ws.recv()  # until the client goes
        except Exception:
            pass

    def __enter__(self) -> ScriptedHall:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(5)


def event(seq: int) -> dict[str, Any]:
    return {"seq": seq, "type": "ticket.issued", "data": {"n": seq}}


def test_duplicates_are_dropped_and_nothing_is_delivered_ahead_of_a_gap() -> None:
    store = [event(n) for n in range(1, 8)]
    fetched: list[int] = []

    def fetch(after: int) -> list[dict[str, Any]]:
        fetched.append(after)
        return [e for e in store if e["seq"] > after]

    script = [event(1), event(2), event(2), event(4), event(3), event(5), {"type": "heartbeat", "head": 7}]
    seen = Recorder()
    with ScriptedHall([script]) as peer, EventStream(peer.base_url, "t", after=0, on_event=seen.on_event,
                                                     fetch=fetch) as stream:
        wait_until(lambda: stream.last_seq == 7, what="seq 7")
    assert seen.seqs == [1, 2, 3, 4, 5, 6, 7]
    assert fetched == [2, 5]  # the gap before 4, then the heartbeat ahead of 5


def test_a_gap_that_cannot_be_fetched_reconnects_from_the_last_event() -> None:
    def fetch(after: int) -> list[dict[str, Any]]:
        raise HallUnavailable(0, "unavailable", "no HTTP today")

    scripts = [[event(1), event(2), event(4)], [event(3), event(4), event(5)]]
    seen = Recorder()
    with ScriptedHall(scripts) as peer, EventStream(peer.base_url, "t", after=0, on_event=seen.on_event,
                                                    fetch=fetch, min_backoff=0.05) as stream:
        wait_until(lambda: stream.last_seq == 5, what="seq 5")
    assert seen.seqs == [1, 2, 3, 4, 5]
    assert "after=0" in peer.paths[0] and "after=2" in peer.paths[1]
