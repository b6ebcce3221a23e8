"""The follow-up ledger and the dashboard over HTTP: a 差评 opens a follow-up its staff and
the window's lead work, others are refused; a supervisor decides appeals; the dashboard and its
CSV and XLSX exports (read back with openpyxl) carry the day's figures; bad input is named."""
from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from hall.config import ConfigError, load_config
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.unit.hallfixtures import FakeClock, at

A = "/api/v1"
FOLLOWUPS = """
[followups]
assign_by = "lead"
callback_hours = 24
fix_working_days = 5
[[followups.windows]]
window = "w1"
department = "县市场监管局"
lead = "s2"
"""


@pytest.fixture
def hall(tmp_path):
    path = write_small_hall(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + FOLLOWUPS, encoding="utf-8")
    clock = FakeClock(at(9))
    with TestClient(create_app(load_config(path), tmp_path / "data", clock=clock)) as client:
        yield client, clock


def served_and_rated(client, level: int, wang) -> str:
    operator = bearer(TOKENS["operator"])
    ticket = client.post(f"{A}/tickets", json={"queue": "general"}, headers=operator).json()["ticket"]["id"]
    for step in ("call-next", "start", "finish"):
        assert client.post(f"{A}/windows/w1/{step}", headers=wang).status_code == 200
    r = client.post(f"{A}/tickets/{ticket}/rating", json={"level": level, "text": "等了很久" if level < 3 else ""},
                    headers=operator)
    assert r.status_code == 200, r.text
    return ticket


def test_a_bad_rating_is_followed_up_by_who_served_it_and_the_lead_to_its_close(hall):
    client, clock = hall
    wang, li, boss = login(client, "wang"), login(client, "li"), login(client, "boss")
    assert client.post(f"{A}/windows/w1/open", headers=wang).status_code == 200
    served_and_rated(client, 5, wang)
    ticket = served_and_rated(client, 1, wang)
    listed = client.get(f"{A}/followups", headers=wang).json()
    assert [f["ticket"] for f in listed["followups"]] == [ticket] and listed["figures"]["total"] == 1
    fu = listed["followups"][0]
    assert (fu["lead"], fu["staff"], fu["department"], fu["state"], fu["light"]) == \
        ("s2", "s1", "县市场监管局", "verify", "green")
    ident = fu["id"]

    r = client.post(f"{A}/followups/{ident}/feedback", json={"how": "phone"}, headers=wang)
    assert r.status_code == 409 and "待回访核实" in r.json()["message"]
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "later"}, headers=wang)
    assert r.status_code == 422 and "outcome" in r.json()["message"]
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "explain", "note": "11010519491231002X"},
                    headers=wang)
    assert r.status_code == 422 and r.json()["error"] == "personal_data"
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "appeal", "note": "误评"}, headers=wang)
    assert r.json()["state"] == "appealed"
    r = client.post(f"{A}/followups/{ident}/appeal-decision", json={"upheld": False}, headers=li)
    assert r.status_code == 403  # the lead works it, but appeals are a supervisor's to decide
    r = client.post(f"{A}/followups/{ident}/appeal-decision", json={"upheld": False, "note": "证据不足"}, headers=boss)
    assert r.json()["state"] == "verify" and r.json()["appeal_upheld"] is False
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "rectify", "note": "增开窗口"}, headers=li)
    assert r.json()["state"] == "rectifying" and r.json()["fix_due"] == "2026-12-04"  # 5 working days from Fri
    clock.advance(3600)
    assert client.post(f"{A}/followups/{ident}/rectified", json={}, headers=li).json()["state"] == "fixed"
    r = client.post(f"{A}/followups/{ident}/feedback",
                    json={"how": "phone", "at": "2026-11-27T09:50:00+08:00", "note": "已电话告知"}, headers=wang)
    fb = r.json()["feedback"]
    assert (fb["how"], fb["by"], fb["at"]) == ("phone", "s1", "2026-11-27T01:50:00.000Z")
    assert client.post(f"{A}/followups/{ident}/close", headers=li).json()["state"] == "closed"
    history = client.get(f"{A}/events?after=0&limit=1000", headers=boss).json()
    events = history["events"] if isinstance(history, dict) else history
    kinds = [e["type"] for e in events if e["type"].startswith("followup.")]
    assert kinds[:2] == ["followup.opened", "followup.light"] and kinds[-1] == "followup.closed"
    # each change waits in the outbox for the platform, with the follow-up after it
    store = client.app.state.service.store
    rows = store.conn.execute("SELECT payload FROM sync_outbox WHERE type = 'followup.event' ORDER BY id").fetchall()
    sent = [json.loads(r[0]) for r in rows]
    assert [p["type"] for p in sent] == kinds
    assert sent[-1]["followup"]["state"] == "closed" and sent[-1]["followup"]["feedback"]["how"] == "phone"


def test_staff_who_do_not_answer_for_it_and_devices_are_refused(hall):
    client, _ = hall
    wang, li, boss = login(client, "wang"), login(client, "li"), login(client, "boss")
    operator = bearer(TOKENS["operator"])
    client.post(f"{A}/windows/w2/open", headers=li)
    ticket = client.post(f"{A}/tickets", json={"queue": "general"}, headers=operator).json()["ticket"]["id"]
    for step in ("call-next", "start", "finish"):
        assert client.post(f"{A}/windows/w2/{step}", headers=li).status_code == 200
    client.post(f"{A}/tickets/{ticket}/rating", json={"level": 2, "text": "态度不好"}, headers=operator)
    ident = "fu-" + ticket
    assert client.get(f"{A}/followups/{ident}", headers=li).json()["department"] == "政务服务中心"
    assert client.get(f"{A}/followups", headers=wang).json()["followups"] == []  # not his to see
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "fix_now"}, headers=wang)
    assert r.status_code == 403 and "谁办理、谁负责" in r.json()["message"]
    assert client.get(f"{A}/followups/{ident}", headers=operator).status_code == 403
    r = client.post(f"{A}/followups/{ident}/verify", json={"outcome": "fix_now"}, headers=bearer(TOKENS["pad"]))
    assert r.status_code == 403
    assert client.get(f"{A}/followups/fu-nothing", headers=boss).status_code == 404
    assert client.get(f"{A}/followups/{ident}", headers=boss).json()["state"] == "verify"  # nothing changed


def test_the_dashboard_and_its_exports_for_a_supervisor_only(hall):
    client, _ = hall
    wang, boss = login(client, "wang"), login(client, "boss")
    client.post(f"{A}/windows/w1/open", headers=wang)
    served_and_rated(client, 5, wang)
    served_and_rated(client, 1, wang)
    assert client.get(f"{A}/dashboard", headers=wang).status_code == 403
    board = client.get(f"{A}/dashboard?kind=month&date=2026-11-27", headers=boss).json()
    assert (board["from"], board["to"]) == ("2026-11-01", "2026-11-30")
    w1 = board["window"]["w1"]
    assert (w1["served"], w1["ratings"], w1["good"], w1["bad"], w1["satisfaction"]) == (2, 2, 1, 1, 0.5)
    assert board["total"]["arrivals"] == 2 and board["followups"]["total"]["total"] == 1
    assert board["ranking"]["windows"][0]["window"] == "w1"
    r = client.get(f"{A}/dashboard?from=2026-11-30&to=2026-11-01", headers=boss)
    assert r.status_code == 422 and "区间" in r.json()["message"]
    assert client.get(f"{A}/dashboard?kind=year", headers=boss).status_code == 422

    xlsx = client.get(f"{A}/dashboard/export?format=xlsx&kind=day&date=2026-11-27", headers=boss)
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["窗口"].iter_rows(values_only=True))
    assert rows[1][:3] == ("编号", "名称", "取号") and rows[2][0] == "w1" and rows[2][-1] == 0.5
    assert "差评整改" in book.sheetnames
    csv = client.get(f"{A}/dashboard/export?format=csv&kind=day&date=2026-11-27", headers=boss)
    text = csv.content.decode("utf-8-sig")
    assert "统计区间 2026-11-27 至 2026-11-27" in text and "\nw1,1号窗口," in text


def test_the_followups_section_is_checked_against_the_hall(tmp_path):
    path = write_small_hall(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + FOLLOWUPS.replace('lead = "s2"', 'lead = "s7"'),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "followups.windows[0].lead" in str(err.value) or "followups.windows.0.lead" in str(err.value)


def test_the_ledger_lists_by_the_days_rated_and_what_is_still_open_and_the_export_lists_each(hall):
    client, _ = hall
    wang, li, boss = login(client, "wang"), login(client, "li"), login(client, "boss")
    client.post(f"{A}/windows/w1/open", headers=wang)
    done, waiting = served_and_rated(client, 1, wang), served_and_rated(client, 2, wang)
    for step, body in (("verify", {"outcome": "rectify", "note": "电话核实属实"}), ("rectified", {"note": "增开午间窗口"}),
                       ("feedback", {"how": "phone", "note": "已电话告知"})):
        assert client.post(f"{A}/followups/fu-{done}/{step}", json=body, headers=li).status_code == 200
    assert client.post(f"{A}/followups/fu-{done}/close", headers=li).status_code == 200

    def listed(query: str) -> list[str]:
        r = client.get(f"{A}/followups?{query}", headers=boss)
        assert r.status_code == 200, r.text
        return [f["ticket"] for f in r.json()["followups"]]

    assert listed("open=true") == [waiting] and listed("open=false") == [done]
    assert sorted(listed("from=2026-11-27&to=2026-11-27")) == sorted([done, waiting])
    assert listed("from=2026-11-28&to=2026-11-30") == []
    r = client.get(f"{A}/followups?from=2026-11-30&to=2026-11-01", headers=boss)
    assert r.status_code == 422 and r.json()["details"]["field"] == "to" and "早于" in r.json()["message"]
    assert client.get(f"{A}/followups?from=27-11-2026", headers=boss).status_code == 422
    closed = client.get(f"{A}/followups/fu-{done}", headers=boss).json()
    assert (closed["fix_note"], closed["verify_note"]) == ("增开午间窗口", "电话核实属实")

    xlsx = client.get(f"{A}/dashboard/export?format=xlsx&kind=day&date=2026-11-27", headers=boss)
    rows = list(load_workbook(io.BytesIO(xlsx.content))["差评明细"].iter_rows(values_only=True))
    got = {r[0]: dict(zip(rows[1], r, strict=True)) for r in rows[2:]}
    first = got[done.split("-")[-1]]
    assert (first["窗口"], first["工作人员"], first["责任人"], first["核实人"]) == ("1号窗口", "王芳", "李强", "李强")
    assert (first["整改情况"], first["反馈方式"], first["反馈说明"]) == ("增开午间窗口", "电话", "已电话告知")
    assert first["评价时间"].startswith("2026-11-27 ") and first["办结时间"].startswith("2026-11-27 ")
    assert got[waiting.split("-")[-1]]["状态"] == "待回访核实"
