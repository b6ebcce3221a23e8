"""The ticket as the hall answers it, read the same way by the hall and its screens."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hall.client import HallClient, HallError
from hall.wire import IssueAnswer, StreamEvent, Ticket, WireError

ANSWER = {
    "ticket": {"id": "20261207-A001", "number": "A001", "queue": "general", "queue_name": "综合窗口",
               "priority": "elderly", "state": "waiting", "state_label": "等候中",
               "issued_at": "2026-12-07T01:02:03Z", "day": "2026-12-07", "window": None,
               "window_number": None, "window_name": None, "target_window": None, "recalls": 0,
               "people_ahead": 3, "estimated_wait_minutes": 12, "id_masked": "110105********002X",
               "appointment": None},
    "seq": 7,
    "hall": {"id": "demo", "name": "示范政务服务中心"},
    "follow_path": "/t/20261207-A001.W3NRAWN5ST",
}


def test_an_answer_reads_into_attributes_and_back_into_the_same_json():
    answer = IssueAnswer.read(ANSWER)
    assert (answer.ticket.number, answer.ticket.priority, answer.ticket.people_ahead) == ("A001", "elderly", 3)
    assert answer.hall.name == "示范政务服务中心" and answer.seq == 7
    assert answer.to_json() == {**ANSWER, "appointment": None, "already_checked_in": None,
                                "appointments_today": None, "phone_masked": None}
    assert IssueAnswer.read(answer.to_json()) == answer


def test_a_ticket_of_an_earlier_day_has_only_its_kept_fields():
    kept = {"id": "20261206-A009", "number": "A009", "queue": "general", "state": "done",
            "issued_at": "2026-12-06T01:00:00Z", "day": "2026-12-06", "people_ahead": 0,
            "estimated_wait_minutes": 0}
    ticket = Ticket.read(kept)
    assert ticket.state == "done" and ticket.window is None and ticket.recalls == 0


def test_fields_a_newer_hall_adds_are_ignored():
    newer = {**ANSWER, "lane": "fast", "ticket": {**ANSWER["ticket"], "colour": "green"}}
    answer = IssueAnswer.read(newer)
    assert answer.ticket == IssueAnswer.read(ANSWER).ticket
    assert "colour" not in answer.ticket.to_json() and "lane" not in answer.to_json()


def test_a_malformed_answer_names_what_was_wrong():
    broken = {**ANSWER, "ticket": {**ANSWER["ticket"], "people_ahead": "3"}}
    del broken["ticket"]["number"]
    with pytest.raises(WireError) as err:
        IssueAnswer.read(broken, "the answer to POST /tickets")
    text = str(err.value)
    assert text.startswith("the answer to POST /tickets is malformed")
    assert "ticket.number: Field required" in text and "ticket.people_ahead" in text


def test_a_priority_the_screens_do_not_know_is_refused():
    with pytest.raises(WireError, match="ticket.priority"):
        IssueAnswer.read({**ANSWER, "ticket": {**ANSWER["ticket"], "priority": "vip"}})


def test_a_ticket_cannot_be_changed_after_it_is_read():
    ticket = IssueAnswer.read(ANSWER).ticket
    with pytest.raises(ValueError, match="frozen"):
        ticket.number = "B002"


class _OlderHall(BaseHTTPRequestHandler):
    """A hall that answers an issue without the ticket's number."""

    def do_POST(self):  # noqa: N802 - the http.server name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ticket = {k: v for k, v in ANSWER["ticket"].items() if k != "number"}
        body = json.dumps({**ANSWER, "ticket": ticket}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_client_turns_a_malformed_answer_into_a_hall_error():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OlderHall)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with HallClient(f"http://127.0.0.1:{server.server_address[1]}") as client, \
                pytest.raises(HallError) as err:
            client.issue(queue="general")
    finally:
        server.shutdown()
        server.server_close()
    assert err.value.code == "bad_response"
    assert "POST /tickets is malformed" in err.value.message and "ticket.number" in err.value.message


CALLED = {"seq": 12, "ts": 1765069323.5, "at": "2026-12-07T01:02:03.500000Z", "day": "2026-12-07",
          "type": "ticket.called", "data": {"ticket": "20261207-A001", "number": "A001", "window": "w1",
                                            "window_number": 1, "staff": "s1"}}


def test_an_event_reads_into_attributes_and_back_into_the_same_json():
    event = StreamEvent.read(CALLED)
    assert (event.seq, event.type, event.ticket, event.window) == (12, "ticket.called", "20261207-A001", "w1")
    assert event.to_json() == CALLED and StreamEvent.read(event.to_json()) == event


def test_an_event_with_fields_a_newer_hall_adds_is_read_and_one_without_seq_is_refused():
    assert StreamEvent.read({**CALLED, "origin": "node-2"}) == StreamEvent.read(CALLED)
    with pytest.raises(WireError, match="seq: Field required"):
        StreamEvent.read({k: v for k, v in CALLED.items() if k != "seq"}, "an event from the hall")
    day = StreamEvent.read({"seq": 1, "type": "day.started", "data": {"day": "2026-12-07"}})
    assert day.ticket is None and day.window is None and day.ts is None


def test_the_hall_takes_every_priority_and_rating_channel_the_client_may_send_and_no_other():
    from typing import get_args

    from pydantic import ValidationError

    from hall.api_models import IssueBody, RatingBody
    from hall.wire import Priority, RatingChannel

    for priority in get_args(Priority):
        assert IssueBody(queue="general", priority=priority).priority == priority
        assert Ticket.read({**ANSWER["ticket"], "priority": priority}).priority == priority
    for channel in get_args(RatingChannel):
        assert RatingBody(level=5, channel=channel).channel == channel
    with pytest.raises(ValidationError, match="priority"):
        IssueBody(queue="general", priority="vip")
    with pytest.raises(ValidationError, match="channel"):
        RatingBody(level=5, channel="sms")
