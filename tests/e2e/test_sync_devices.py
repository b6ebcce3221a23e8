"""The whole chain with real processes: a device pushes through the hall, the hall (its relay a
child process) forwards to the platform; reference data flows back from the platform through
the hall to the device. The hall is killed with SIGKILL on the way: nothing lost, nothing twice.
"""
from __future__ import annotations

import time

import pytest
import requests

from sync.client import HttpPlatformClient
from sync.crypto import Sealer
from sync.node_settings import RelayBusy, SingleRelay
from sync.outbox import Outbox, migrate, write
from sync.puller import Puller
from sync.reference import ReferenceStore
from sync.relay import Relay, RelaySettings, open_db
from tests.e2e.conftest import HallServer, free_port
from tests.support.halls import TOKENS
from tests.support.logscan import find_personal_data
from tests.support.platform import PlatformServer, hall_toml_with_platform

A = "/api/v1"
ID_NUMBER = "11010519491231002X"
NAME = "欧阳测试"


def wait_for(what: str, check, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def chain(tmp_path, monkeypatch):
    for name, value in {"INTERVAL": "0.1", "PULL_INTERVAL": "0.3", "BACKOFF_BASE": "0.1",
                        "BACKOFF_MAX": "0.5"}.items():
        monkeypatch.setenv(f"YICIBAN_SYNC_{name}", value)
    platform = PlatformServer(tmp_path / "platform", ["test-hall", "other-hall"])
    platform.start()
    config = tmp_path / "hall.toml"
    config.write_text(hall_toml_with_platform(platform.base_url), encoding="utf-8")
    hall = HallServer(config, tmp_path / "data", tmp_path / "hall.log", free_port())
    hall.start()
    try:
        yield platform, hall
    finally:
        hall.kill()
        platform.stop()


def issue(hall: HallServer, n: int) -> None:
    with requests.Session() as s:
        for _ in range(n):
            r = s.post(f"{hall.base_url}{A}/tickets", json={"queue": "general"}, timeout=5,
                       headers={"Authorization": f"Bearer {TOKENS['dispenser']}"})
            assert r.status_code == 201, r.text


def hall_events(hall: HallServer) -> list[dict]:
    r = requests.get(f"{hall.base_url}{A}/events", params={"limit": 5000}, timeout=5,
                     headers={"Authorization": f"Bearer {TOKENS['operator']}"})
    return r.json()["events"]


def test_records_go_device_to_hall_to_platform_and_reference_data_comes_back(chain, tmp_path):
    platform, hall = chain
    platform.publish("catalog", upsert=[{"code": "000131128000", "name": "个体工商户设立登记"}])
    platform.publish("announcements", upsert=[{"id": "n1", "title": "元旦安排", "body": "1月1日休息"}])
    base = {"slot_start": "09:00", "slot_end": "09:30", "queue": "general", "date": "2026-11-28"}
    platform.publish("appointments", upsert=[{**base, "id": "mine", "node": "test-hall"},
                                             {**base, "id": "theirs", "node": "other-hall"}])
    issue(hall, 5)
    # a finished service at window 1, rated at the hall (好差评 as the hall's own event)
    op = {"Authorization": f"Bearer {TOKENS['operator']}"}
    for action in ("open", "call-next", "finish"):
        assert requests.post(f"{hall.base_url}{A}/windows/w1/{action}", headers=op, timeout=5).ok
    rated = hall_events(hall)[-1]["data"]["ticket"]  # service.finished
    r = requests.post(f"{hall.base_url}{A}/tickets/{rated}/rating", json={"level": 2, "reasons": ["等候时间过长"]},
                      headers={"Authorization": f"Bearer {TOKENS['pad']}"}, timeout=5)
    assert r.ok, r.text

    # a kiosk keeps its own outbox and pushes through the hall (its role's records only)
    device_db = tmp_path / "kiosk.db"
    writer = open_db(str(device_db))
    migrate(writer)
    outbox = Outbox(Sealer(bytes(range(32))))
    with write(writer):
        keys = [outbox.add(writer, "device.health", {"device": "kiosk-1", "status": "ready"}) for _ in range(3)]
        keys.append(outbox.add(writer, "application", {"matter": "000131128000"},
                               personal={"name": NAME, "id_number": ID_NUMBER}))
    device = Relay(open_db(str(device_db)), outbox,
                   HttpPlatformClient(hall.base_url, "kiosk-1", TOKENS["kiosk"], timeout=5),
                   RelaySettings(batch_bytes=60_000, backoff_base=0.1, backoff_max=0.5))
    device.drain(time.monotonic() + 20)
    assert device.pending() == 0

    # the hall dies without warning; its relay process notices and lets go of the outbox
    issue(hall, 5)
    hall.kill()
    lock = SingleRelay(hall.data_dir / "hall.db")

    def released() -> bool:
        try:
            lock.acquire()
        except RelayBusy:
            return False
        lock.release()
        return True

    wait_for("the orphaned relay to exit", released, 10)
    hall.start()
    issue(hall, 5)

    events = hall_events(hall)
    # the 差评 opened a follow-up: the ledger's events travel as their own record type
    ledger = [e for e in events if e["type"].startswith("followup.")]
    assert ledger, "a 差评 opens a follow-up"
    events = [e for e in events if not e["type"].startswith("followup.")]

    def delivered():
        records = platform.records("test-hall", personal=True)
        queue = [r for r in records if r["type"] == "queue.event"]
        return records if len(queue) >= len(events) and len(records) >= len(events) + len(ledger) + 4 else None

    records = wait_for("every record on the platform", delivered)
    assert len(records) == len({r["key"] for r in records}) == len(events) + len(ledger) + 4
    assert len([r for r in records if r["type"] == "followup.event"]) == len(ledger)
    queue = [r["payload"] for r in records if r["type"] == "queue.event"]
    assert [e["seq"] for e in queue] == [e["seq"] for e in events]
    from_kiosk = [r for r in records if r["origin"] == "kiosk-1"]
    assert [r["key"] for r in from_kiosk] == keys
    assert from_kiosk[-1]["personal"] == {"name": NAME, "id_number": ID_NUMBER}
    ratings = platform.admin.get(f"{platform.base_url}{A}/admin/ratings", params={"node": "test-hall"},
                                 timeout=5).json()["ratings"]
    assert [(r["source"], r["level"]) for r in ratings] == [("queue.event", 2)]
    assert ratings[0]["ticket"] == rated and ratings[0]["window"] == "w1"

    # operators see it delivered; the hall's outbox keeps no identity once acknowledged
    status = wait_for("an empty outbox", lambda: (s := requests.get(
        f"{hall.base_url}{A}/sync/status", headers={"Authorization": f"Bearer {TOKENS['operator']}"},
        timeout=5).json())["pending"] == 0 and s)
    assert status["running"] and status["relay"]["last_success"] and status["dead"] == 0
    assert status["sealed_personal"] == 0

    # reference data: platform -> hall (its puller) -> a kiosk pulling the hall's copy
    wait_for("the hall's copy", lambda: status_of(hall)["reference"]["appointments"]["version"] >= 1)
    copy = ReferenceStore(tmp_path / "kiosk-reference.db")
    puller = Puller(HttpPlatformClient(hall.base_url, "dispenser-1", TOKENS["dispenser"], timeout=5), copy)
    assert puller.pull_all()
    assert [m["code"] for m in copy.items("catalog")] == ["000131128000"]
    assert [a["id"] for a in copy.items("appointments")] == ["mine"]
    assert copy.items("announcements")[0]["title"] == "元旦安排"
    assert puller.pull("catalog") is None  # unchanged: the hall answered 304

    for text in (hall.log_text(), platform.log_text()):
        assert find_personal_data(text, [NAME]) == []


def status_of(hall: HallServer) -> dict:
    return requests.get(f"{hall.base_url}{A}/sync/status", timeout=5,
                        headers={"Authorization": f"Bearer {TOKENS['operator']}"}).json()


def test_the_log_says_when_the_platform_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("YICIBAN_SYNC_BACKOFF_BASE", "0.1")
    config = tmp_path / "hall.toml"
    config.write_text(hall_toml_with_platform(f"http://127.0.0.1:{free_port()}"), encoding="utf-8")
    hall = HallServer(config, tmp_path / "data", tmp_path / "hall.log", free_port())
    hall.start()
    try:
        issue(hall, 2)  # the hall serves; records wait
        status = wait_for("a failure to be recorded", lambda: (s := status_of(hall))["relay"]["last_error"] and s)
        assert "cannot reach" in status["relay"]["last_error"] and status["pending"] >= 3
        wait_for("the warning in the log", lambda: "sync to the platform failing" in hall.log_text(), 10)
    finally:
        hall.kill()


