"""Offline tickets the hall refuses at hand-in, as the floor staff see them: each definitive refusal
recorded once (a device retrying adds nothing), with what finds the citizen (number, queue, device,
printed time, the reason in plain words), kept over a restart; refusals of the request rather than
the ticket are not recorded; "handled" takes a short note with no ID number, once, and is audited."""
from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.api.authz_matrix import ID_NUMBER
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.unit.hallfixtures import SHANGHAI, FakeClock, at

A = "/api/v1"
DISPENSER, KIOSK = bearer(TOKENS["dispenser"]), bearer(TOKENS["kiosk"])


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """One hall for the module: each test takes leases of its own, so none sees another's tickets."""
    where = tmp_path_factory.mktemp("refused")
    clock = FakeClock(at(9))
    with TestClient(create_app(load_config(write_small_hall(where)), where / "data", clock=clock)) as client:
        yield client, clock, login(client, "wang"), login(client, "boss")


def when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, SHANGHAI).isoformat()


def lease(client, device: dict, queue: str = "general", size: int = 3) -> dict:
    r = client.post(f"{A}/leases", json={"queue": queue, "size": size}, headers=device)
    assert r.status_code == 201, r.text
    return r.json()["lease"]


def hand_in(client, device: dict, lease_id: str, number: str, printed: float, **more) -> tuple[int, dict]:
    r = client.post(f"{A}/leases/{lease_id}/tickets", json={"number": number, "issued_at": when(printed), **more},
                    headers=device)
    return r.status_code, r.json()


def refusals(client, who: dict, day: str | None = None) -> dict:
    r = client.get(f"{A}/refusals" + (f"?day={day}" if day else ""), headers=who)
    assert r.status_code == 200, r.text
    return r.json()


def recorded(client) -> list[dict]:
    return [e.data for e in client.app.state.service.store.events_after(0) if e.type == "refusal.recorded"]


def test_a_ticket_refused_for_good_is_recorded_once_with_what_finds_the_citizen(hall):
    client, clock, wang, _ = hall
    block = lease(client, DISPENSER)
    number = f"A{block['first']:03d}"
    before = len(recorded(client))
    for _ in range(3):  # the kiosk hands in the dispenser's number, and retries
        status, answer = hand_in(client, KIOSK, block["lease"], number, at(8, 40))
        assert (status, answer["error"]) == (409, "lease_conflict")
    assert len(recorded(client)) == before + 1
    [found] = [r for r in refusals(client, wang)["open"] if r["lease"] == block["lease"]]
    assert found["number"] == number and found["queue"] == "general"
    assert (found["device"], found["kind"], found["device_kind"]) == ("kiosk-1", "kiosk", "自助终端")
    assert found["printed_at"] == at(8, 40) and found["refused_at"] == clock.now and found["open"]
    assert (found["status"], found["code"]) == (409, "lease_conflict") and found["message"] == answer["message"]
    assert found["reason"] == "号码不属于打印它的设备的号段" and found["appointment"] is None


def test_each_kind_of_refusal_says_why_in_plain_words(hall):
    client, clock, wang, _ = hall
    block = lease(client, DISPENSER)
    outside = f"A{block['last'] + 1:03d}"
    assert hand_in(client, DISPENSER, block["lease"], outside, at(8, 41))[0] == 409  # not in the block
    ahead = f"A{block['first']:03d}"
    assert hand_in(client, DISPENSER, block["lease"], ahead, clock.now + 3600)[0] == 422  # the clock ran fast
    assert hand_in(client, DISPENSER, "20261126-dispenser-1-general-900", "A900", at(8, 42))[0] == 409  # yesterday
    mine = lease(client, KIOSK)
    status, _ = hand_in(client, KIOSK, mine["lease"], f"A{mine['first']:03d}", at(8, 43), appointment="appt-gone")
    assert status == 404  # no such appointment today (cancelled)
    by_number = {r["number"]: r for r in refusals(client, wang)["open"]}
    assert by_number[outside]["reason"] == "号码不属于打印它的设备的号段"
    assert by_number[ahead]["code"] == "invalid" and by_number[ahead]["field"] == "issued_at"
    assert "设备时钟可能不准" in by_number[ahead]["reason"]
    assert by_number["A900"]["code"] == "stale_lease" and by_number["A900"]["queue"] == "general"
    kiosk_one = by_number[f"A{mine['first']:03d}"]
    assert kiosk_one["appointment"] == "appt-gone" and kiosk_one["code"] == "not_found"
    assert "预约已取消" in kiosk_one["reason"]


def test_a_refused_request_that_judged_no_ticket_is_not_recorded(hall):
    client, clock, wang, _ = hall
    block = lease(client, DISPENSER)
    number = f"A{block['first']:03d}"
    before = len(recorded(client))
    naive = dt.datetime.fromtimestamp(at(8, 44)).replace(tzinfo=None).isoformat()
    r = client.post(f"{A}/leases/{block['lease']}/tickets", json={"number": number, "issued_at": naive},
                    headers=DISPENSER)
    assert r.status_code == 422 and "time zone" in r.json()["message"]  # a body no device prints
    assert hand_in(client, DISPENSER, block["lease"], "a-1", at(8, 44))[0] == 422  # malformed
    assert hand_in(client, bearer(TOKENS["display"]), block["lease"], number, at(8, 44))[0] == 403  # not a holder
    assert hand_in(client, DISPENSER, block["lease"], number, at(8, 44))[0] == 201
    status, answer = hand_in(client, DISPENSER, block["lease"], number, at(8, 44))  # in line already: it is called
    assert (status, answer["error"]) == (409, "lease_conflict")
    assert len(recorded(client)) == before
    assert all(r["lease"] != block["lease"] for r in refusals(client, wang)["open"])


def test_handled_takes_a_short_note_once_and_is_audited(hall):
    client, clock, wang, boss = hall
    block = lease(client, DISPENSER)
    number = f"A{block['first']:03d}"
    assert hand_in(client, KIOSK, block["lease"], number, at(8, 45))[0] == 409
    [found] = [r for r in refusals(client, boss)["open"] if r["lease"] == block["lease"]]
    path = f"{A}/refusals/{found['id']}/handled"
    for note, says in (("  ", "不能为空"), ("补" * 101, "最多 100 个字"), (f"已核对 {ID_NUMBER}", "身份证号")):
        r = client.post(path, json={"note": note}, headers=wang)
        assert r.status_code == 422 and r.json()["details"]["field"] == "note" and says in r.json()["message"], r.text
        assert ID_NUMBER not in r.text
    assert client.post(f"{A}/refusals/rf-0000000000000000/handled", json={"note": "已补发"},
                       headers=wang).status_code == 404
    clock.now += 60
    r = client.post(path, json={"note": "已补发 A031"}, headers=wang)
    assert r.status_code == 200, r.text
    done = r.json()["refusal"]
    assert (done["handled_by"], done["note"], done["handled_at"], done["open"]) == ("s1", "已补发 A031", clock.now, False)
    assert done["handled_by_name"] == "王芳"
    again = client.post(path, json={"note": "又补发"}, headers=boss)
    assert again.status_code == 409 and "王芳" in again.json()["message"] and "已补发 A031" in again.json()["message"]
    day = refusals(client, boss)
    assert found["id"] in {r["id"] for r in day["handled"]} and found["id"] not in {r["id"] for r in day["open"]}
    audit = client.get(f"{A}/operators/audit", headers=bearer(TOKENS["operator"])).json()["changes"]
    entry = next(c for c in audit if c["action"] == "refusal.handled" and c["target"] == found["id"])
    assert entry["who"] == "s1" and entry["after"]["note"] == "已补发 A031" and entry["after"]["number"] == number
    handled = [e for e in client.app.state.service.store.events_after(0) if e.type == "refusal.handled"]
    assert [e.data["refusal"] for e in handled].count(found["id"]) == 1
    assert refusals(client, wang, "2026-11-26") == {"day": "2026-11-26", "open": [], "handled": []}


def test_the_record_survives_a_restart_of_the_hall(tmp_path):
    config = load_config(write_small_hall(tmp_path))
    clock = FakeClock(at(9))
    with TestClient(create_app(config, tmp_path / "data", clock=clock)) as client:
        block = lease(client, DISPENSER)
        for offset in (0, 1):
            assert hand_in(client, KIOSK, block["lease"], f"A{block['first'] + offset:03d}", at(8, 50))[0] == 409
        first = refusals(client, login(client, "wang"))["open"][0]
        assert client.post(f"{A}/refusals/{first['id']}/handled", json={"note": "已补发 A002"},
                           headers=login(client, "boss")).status_code == 200
        before = refusals(client, login(client, "wang"))
    clock.now += 600
    with TestClient(create_app(config, tmp_path / "data", clock=clock)) as client:
        wang = login(client, "wang")
        assert refusals(client, wang) == before and len(before["open"]) == len(before["handled"]) == 1
        # a retry after the restart is the same refusal, recorded once
        assert hand_in(client, KIOSK, block["lease"], before["open"][0]["number"], at(8, 50))[0] == 409
        assert len(recorded(client)) == 2
        assert client.post(f"{A}/tickets", json={"queue": "general"}, headers=DISPENSER).status_code == 201


def test_the_board_hears_that_a_refusal_changed_but_not_its_device_appointment_or_note(hall):
    client, clock, wang, _ = hall
    mine = lease(client, KIOSK)
    number = f"A{mine['first']:03d}"
    assert hand_in(client, KIOSK, mine["lease"], number, at(8, 46), appointment="appt-9")[0] == 404
    [found] = [r for r in refusals(client, wang)["open"] if r["number"] == number]
    assert client.post(f"{A}/refusals/{found['id']}/handled", json={"note": "已补发 A033"}, headers=wang).status_code == 200
    seen = {who: [e for e in client.get(f"{A}/events?after=0&limit=5000", headers=headers).json()["events"]
                  if e["type"].startswith("refusal.") and e["data"]["refusal"] == found["id"]]
            for who, headers in (("board", bearer(TOKENS["display"])), ("staff", wang))}
    assert [e["type"] for e in seen["board"]] == ["refusal.recorded", "refusal.handled"]
    assert all(e["data"] == {"refusal": found["id"]} for e in seen["board"])
    assert seen["staff"][0]["data"]["appointment"] == "appt-9" and seen["staff"][1]["data"]["note"] == "已补发 A033"
