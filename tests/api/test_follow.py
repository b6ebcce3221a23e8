"""The public follow page of a ticket: its signed link, what it shows (no personal data), and
the 好差评 from the citizen's phone."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.identity import IdentityKeyError, load_identity_key
from hall.server import create_app
from tests.api.conftest import login
from tests.support.halls import small_hall_toml, write_small_hall

A = "/api/v1"
ZHANG = "11010519491231002X"


def issue(client, headers, **body) -> dict:
    r = client.post(f"{A}/tickets", json={"queue": "general", **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def public(follow_path: str) -> str:
    return "/public/tickets/" + follow_path.removeprefix("/t/")


def serve_and_finish(client, ticket: str) -> None:
    wang = login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    r = client.post(f"{A}/windows/w1/call", json={"ticket": ticket}, headers=wang)
    assert r.status_code == 200, r.text
    client.post(f"{A}/windows/w1/finish", headers=wang)


def test_the_follow_link_is_signed_with_the_identity_key(client, dispenser, tmp_path):
    answer = issue(client, dispenser)
    ticket = answer["ticket"]["id"]
    key = load_identity_key(tmp_path / "data")
    sig = base64.b32encode(hmac.new(key, ticket.encode(), hashlib.sha256).digest()).decode()[:10]
    assert answer["follow_path"] == f"/t/{ticket}.{sig}"

    page = client.get(answer["follow_path"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "follow.js" in page.text
    assert client.get(answer["follow_path"] + "?lang=en").status_code == 200  # an English screen's QR
    assert client.get(public(answer["follow_path"])).status_code == 200
    assert client.get(public(answer["follow_path"].lower())).status_code == 200  # typed in small letters

    other = issue(client, dispenser)["ticket"]["id"]
    wrong = [f"/t/{ticket}.{'A' * 10}", f"/t/{ticket}.{sig[:-1]}", f"/t/{other}.{sig}", f"/t/{ticket}",
             f"/t/{ticket}.{sig}X"]
    for path in wrong:
        assert client.get(path).status_code == 404, path  # the page says so, and shows nothing
        assert client.get(path + "?lang=en").status_code == 404, path
        r = client.get(public(path))
        assert r.status_code == 404 and r.json()["error"] == "not_found", path
        assert client.post(public(path) + "/rating", json={"level": 5}).status_code == 404


def test_the_public_view_has_no_personal_data(client, dispenser):
    first = issue(client, dispenser, id_number=ZHANG)
    second = issue(client, dispenser, id_number=ZHANG)
    r = client.get(public(second["follow_path"]))
    assert r.headers["cache-control"] == "no-store"
    view = r.json()
    assert set(view) == {"number", "queue_name", "queue_name_en", "state", "state_label", "people_ahead",
                         "estimated_wait_minutes", "window_number", "window_name", "window_name_en", "day",
                         "rated", "may_rate", "bad_reasons", "bad_reasons_en", "hall", "updated_at"}
    assert (view["number"], view["queue_name"], view["state"]) == ("A002", "综合受理", "waiting")
    assert view["queue_name_en"] == ""  # this hall gave its queues no English
    assert view["people_ahead"] == 1 and view["estimated_wait_minutes"] > 0 and view["window_number"] is None
    assert "110105" not in r.text and "002X" not in r.text and "王芳" not in r.text

    wang = login(client, "wang")
    client.post(f"{A}/windows/w1/open", headers=wang)
    client.post(f"{A}/windows/w1/call", json={"ticket": first["ticket"]["id"]}, headers=wang)
    called = client.get(public(first["follow_path"])).json()
    assert called["state"] == "called" and called["window_number"] == 1 and called["window_name"] == "1号窗口"
    assert called["window_name_en"] == ""  # this hall gave its windows no English


def test_a_finished_visit_is_rated_once_from_the_phone(client, dispenser):
    answer = issue(client, dispenser)
    url = public(answer["follow_path"]) + "/rating"
    r = client.post(url, json={"level": 5})
    assert r.status_code == 409 and "办结后" in r.json()["message"]

    serve_and_finish(client, answer["ticket"]["id"])
    view = client.get(public(answer["follow_path"])).json()
    assert view["may_rate"] is True and "等候时间过长" in view["bad_reasons"]
    r = client.post(url, json={"level": 2})
    assert r.status_code == 422 and "原因" in r.json()["message"]
    r = client.post(url, json={"level": 2, "reasons": ["等候时间过长"], "channel": "pad"})
    assert r.status_code == 422  # the channel is the QR's, not the caller's
    r = client.post(url, json={"level": 2, "reasons": ["等候时间过长"], "text": "排了很久"})
    assert r.status_code == 200, r.text
    assert r.json()["rated"] is True and r.json()["may_rate"] is False and r.json()["bad_reasons"] == []
    [rated] = [e.data for e in client.app.state.service.store.events_after(0) if e.type == "ticket.rated"]
    assert rated["channel"] == "qr" and rated["level"] == 2 and rated["window"] == "w1"
    r = client.post(url, json={"level": 5})
    assert r.status_code == 409 and "一次一评" in r.json()["message"]


def test_the_public_view_names_the_queue_window_and_reasons_in_english_beside_the_chinese(tmp_path, dispenser):
    """What an English screen (the kiosk's rating, the phone) names the queue, the window and the
    差评 reasons with; a rating still sends the Chinese reason, which the hall checks."""
    text = (small_hall_toml().replace('name = "综合受理"\n', 'name = "综合受理"\nname_en = "General Services"\n')
            .replace('name = "1号窗口"\n', 'name = "1号窗口"\nname_en = "Window 1 (general)"\n'))
    (tmp_path / "hall.toml").write_text(text, encoding="utf-8")
    with TestClient(create_app(load_config(tmp_path / "hall.toml"), tmp_path / "data")) as c:
        answer = issue(c, dispenser)
        view = c.get(public(answer["follow_path"])).json()
        assert (view["queue_name"], view["queue_name_en"]) == ("综合受理", "General Services")
        assert view["window_name_en"] is None and view["bad_reasons_en"] == []  # not called, not finished
        wang = login(c, "wang")
        c.post(f"{A}/windows/w1/open", headers=wang)
        c.post(f"{A}/windows/w1/call", json={"ticket": answer["ticket"]["id"]}, headers=wang)
        assert c.get(public(answer["follow_path"])).json()["window_name_en"] == "Window 1 (general)"
        c.post(f"{A}/windows/w1/finish", headers=wang)
        view = c.get(public(answer["follow_path"])).json()
        pairs = dict(zip(view["bad_reasons"], view["bad_reasons_en"], strict=True))
        assert pairs["等候时间过长"] == "Waited too long" and all(view["bad_reasons_en"])
        r = c.post(public(answer["follow_path"]) + "/rating", json={"level": 2, "reasons": ["Waited too long"]})
        assert r.status_code == 422 and "Waited too long" in r.json()["message"]  # the English is not a reason
        r = c.post(public(answer["follow_path"]) + "/rating", json={"level": 2, "reasons": ["等候时间过长"]})
        assert r.status_code == 200 and r.json()["rated"] is True


def test_reasons_without_english_pair_with_nothing(tmp_path, dispenser):
    """A hall with reasons of its own and no English: each English is empty, and a page shows the Chinese."""
    text = small_hall_toml() + '\n[evaluation]\nbad_reasons = ["态度差", "其他"]\nbad_reasons_en = []\n'
    (tmp_path / "hall.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "hall.toml")
    assert config.evaluation.reasons_en() == ["", ""]


def test_the_identity_key_is_made_once_private_and_kept(tmp_path, dispenser):
    config = load_config(write_small_hall(tmp_path))
    paths = []
    for _ in range(2):  # a restart keeps the key: the same links, the same hashes
        with TestClient(create_app(config, tmp_path / "data")) as c:
            paths.append(issue(c, dispenser)["follow_path"])
    key_file = tmp_path / "data" / "identity.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(key_file.read_text())) == 32
    with TestClient(create_app(config, tmp_path / "data")) as c:
        assert c.get(public(paths[0])).status_code == 200

    os.chmod(key_file, 0o644)
    with pytest.raises(IdentityKeyError, match="chmod 600"):
        create_app(config, tmp_path / "data")


def test_an_identity_key_from_the_environment(tmp_path, monkeypatch):
    key = base64.b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("YICIBAN_IDENTITY_KEY", key)
    assert load_identity_key(tmp_path) == bytes(range(32))
    assert not (tmp_path / "identity.key").exists()
    monkeypatch.setenv("YICIBAN_IDENTITY_KEY", "c2hvcnQ=")
    with pytest.raises(IdentityKeyError, match="32 bytes"):
        load_identity_key(tmp_path)
