"""The HTTP client: every answer is judged before it is trusted (the transport is faked here;
tests/e2e/test_sync_faults.py does the same against the real platform through a faulty proxy)."""
from __future__ import annotations

import email.utils
import io
import json
import uuid

import pytest
import requests
from requests.adapters import BaseAdapter

from sync.client import HttpPlatformClient, encode_push, make_client, retry_after
from sync.protocol import BatchRejected, NotModified, Record, Unauthorized, Unavailable

NOW = 1_800_000_000.0


class Canned(BaseAdapter):
    """Answers each request with the next canned (status, headers, body), or raises it."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, headers, body = answer
        resp = requests.Response()
        resp.status_code, resp.headers, resp.url, resp.request = status, requests.structures.CaseInsensitiveDict(headers), request.url, request
        resp.raw = io.BytesIO(body)
        return resp

    def close(self):
        pass


def client(*answers):
    session = requests.Session()
    adapter = Canned(answers)
    session.mount("https://", adapter)
    return HttpPlatformClient("https://platform.example", "hall-1", "secret-token", session=session,
                              clock=lambda: NOW), adapter


def rec(**kw):
    base = dict(key=str(uuid.uuid4()), seq=1, type="rating", created=NOW, payload_json='{"level":5,"note":"好"}')
    return Record(**{**base, **kw})


def test_the_push_body_places_stored_payloads_as_they_are():
    r1, r2 = rec(), rec(seq=2, personal={"name": "张三"}, origin="pad-w1", origin_seq=9)
    body = json.loads(encode_push("hall-1", [r1, r2]))
    assert body["node"] == "hall-1"
    assert body["items"][0] == {"key": r1.key, "seq": 1, "type": "rating", "created": NOW,
                                "payload": {"level": 5, "note": "好"}, "personal": None,
                                "origin": None, "origin_seq": None}
    assert body["items"][1]["personal"] == {"name": "张三"} and body["items"][1]["origin_seq"] == 9


def test_results_come_back_with_the_token_sent():
    r = rec()
    c, adapter = client((200, {}, json.dumps({"results": [{"key": r.key, "status": "accepted"}]}).encode()))
    assert [x.status for x in c.push([r])] == ["accepted"]
    assert adapter.requests[0].headers["Authorization"] == "Bearer secret-token"


@pytest.mark.parametrize(("answer", "kind", "needle"), [
    ((500, {}, b'{"message":"boom"}'), Unavailable, "boom"),
    ((503, {"Retry-After": "7"}, b""), Unavailable, "503"),
    ((200, {}, b"<html>proxy error</html>"), Unavailable, "not JSON"),
    ((200, {}, b'{"results": [{"key": 1}]}'), Unavailable, "malformed"),
    ((200, {}, b'{"resul'), Unavailable, "not JSON"),
    ((401, {}, b'{"message":"who?"}'), Unauthorized, "token"),
    ((422, {}, b'{"message":"items: too many"}'), BatchRejected, "too many"),
    ((404, {}, b"not here"), Unavailable, "404"),
    (requests.ConnectionError("refused"), Unavailable, "cannot reach"),
    (requests.ReadTimeout("slow"), Unavailable, "no answer within"),
])
def test_every_bad_answer_becomes_an_error_the_relay_understands(answer, kind, needle):
    c, _ = client(answer)
    with pytest.raises(kind, match=needle):
        c.push([rec()])


def test_retry_after_in_seconds_or_as_a_date_read_against_the_answers_own_clock():
    assert retry_after("7", None, NOW) == 7.0
    assert retry_after("-3", None, NOW) == 0.0
    assert retry_after("99999", None, NOW) == 3600.0
    platform_now = NOW + 86400  # the platform's clock is a day ahead of ours
    date = email.utils.formatdate(platform_now, usegmt=True)
    later = email.utils.formatdate(platform_now + 30, usegmt=True)
    assert retry_after(later, date, NOW) == 30.0  # not a day and 30 seconds
    assert retry_after(later, None, NOW) == 3600.0  # without its Date header: capped
    assert retry_after("soon", None, NOW) is None


def test_pull_pages_and_not_modified():
    page = {"dataset": "catalog", "version": 3, "etag": '"catalog.3"', "next_cursor": "abc",
            "changes": [{"id": "000131128000", "scope": "", "version": 3, "deleted": False, "body": {"name": "x"}},
                        {"id": "000131129000", "scope": "", "version": 2, "deleted": True, "body": None}]}
    c, adapter = client((200, {}, json.dumps(page).encode()), (304, {}, b""))
    got = c.pull("catalog", 1, etag='"catalog.1"')
    assert got.version == 3 and got.next_cursor == "abc" and [x.deleted for x in got.changes] == [False, True]
    assert adapter.requests[0].headers["If-None-Match"] == '"catalog.1"'
    with pytest.raises(NotModified):
        c.pull("catalog", 3, etag='"catalog.3"')


def test_an_unknown_adapter_is_named():
    with pytest.raises(ValueError, match="unknown platform adapter 'guangdong'"):
        make_client("https://x", "n", None, adapter="guangdong")
