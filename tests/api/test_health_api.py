"""The hall's health over HTTP: screens' heartbeats with their clocks, versions, devices and
disk; the picture supervisors and operators read; the `hall.health` record sent when it changes."""
from __future__ import annotations

from ground.version import installed
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS

A = "/api/v1"
KIOSK, PAD, OPERATOR = bearer(TOKENS["kiosk"]), bearer(TOKENS["pad"]), bearer(TOKENS["operator"])


def items(report: dict, area: str) -> dict[str, dict]:
    return {i["id"]: i for i in report["items"] if i["area"] == area}


def beat(client, headers, clock, **body):
    r = client.post(f"{A}/health/heartbeat", headers=headers,
                    json={"clock": clock.now, "version": installed(), **body})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_screen_heard_never_heard_late_and_with_its_clock_off(client, clock):
    answer = beat(client, KIOSK, clock, devices=[
        {"device": "kiosk-printer", "kind": "receipt_printer", "state": "disconnected",
         "reason": "cannot open /dev/yiciban/printer: no such file", "for_seconds": 125}])
    assert answer == {"received": clock.now, "skew_seconds": 0.0, "every_seconds": 30.0}
    r = client.post(f"{A}/health/heartbeat", headers=PAD, json={"clock": clock.now - 95, "version": "0.0.9"})
    assert r.json()["skew_seconds"] == -95.0

    report = client.get(f"{A}/health", headers=login(client, "boss")).json()
    screens = items(report, "screen")
    assert screens["kiosk-1"]["state"] == "ok" and screens["pad-w1"]["state"] == "ok"
    assert screens["display-1"] == {"area": "screen", "id": "display-1", "state": "warning",
                                    "reason": "no heartbeat since the hall started", "details": {"role": "display"}}
    clocks = items(report, "clock")
    assert clocks["pad-w1"]["state"] == "error"
    assert clocks["pad-w1"]["reason"] == "clock 2 min behind the hall's: set its time (NTP)"
    assert clocks["kiosk-1"]["state"] == "ok"
    assert items(report, "version")["pad-w1"]["reason"] == f"runs 0.0.9, the hall runs {installed()}: upgrade one of them"
    printer = items(report, "peripheral")["kiosk-1/kiosk-printer"]
    assert printer["state"] == "error"
    assert printer["reason"] == "disconnected for 2 min: cannot open /dev/yiciban/printer: no such file"
    assert printer["details"]["host"] == "kiosk-1" and printer["details"]["since"] == clock.now - 125
    assert report["state"] == "error"
    assert report["problems"][0].startswith(("pad-w1: clock", "kiosk-1/kiosk-printer: disconnected"))
    assert items(report, "disk")["hall"]["details"]["total_bytes"] > 0
    sync = items(report, "sync")["platform"]  # the small hall has no platform: its records wait
    pending = sync["details"]["pending"]
    assert pending >= 1  # the hall's day began: its events wait for a platform
    assert sync["reason"] == f"no platform configured: {pending} record{'s' * (pending != 1)} kept until one is"

    clock.advance(120)  # no heartbeat for two minutes: the kiosk is unwell
    report = client.get(f"{A}/health", headers=OPERATOR).json()
    assert items(report, "screen")["kiosk-1"]["state"] == "error"
    assert items(report, "screen")["kiosk-1"]["reason"] == "no heartbeat for 2 min"


def test_a_heartbeat_that_makes_no_sense_is_refused_naming_the_field(client, clock):
    r = client.post(f"{A}/health/heartbeat", headers=KIOSK, json={"clock": clock.now, "devices": [
        {"device": "printer", "state": "sleeping"}]})
    assert r.status_code == 422 and "devices.0.state" in r.text
    r = client.post(f"{A}/health/heartbeat", headers=KIOSK, json={"version": "1"})
    assert r.status_code == 422 and "clock" in r.text
    report = client.get(f"{A}/health", headers=OPERATOR).json()
    assert items(report, "screen")["kiosk-1"]["state"] == "warning"  # nothing was taken from them


def test_staff_at_a_window_and_screens_do_not_read_the_health(client):
    assert client.get(f"{A}/health", headers=login(client, "wang")).status_code == 403
    assert client.get(f"{A}/health", headers=KIOSK).status_code == 403
    r = client.post(f"{A}/health/heartbeat", headers=bearer(TOKENS["keypad"]), json={"clock": 1.8e9})
    assert r.status_code == 403 and "only screens" in r.json()["message"]


def test_the_platform_is_sent_the_health_when_it_changes(client, clock):
    watch = client.app.state.health
    node = client.app.state.sync

    def health_records():
        with client.app.state.service.store.lock:
            rows = node.outbox.rows(client.app.state.service.store.conn)
        return [r for r in rows if r.type == "hall.health"]

    assert watch.record_if_changed() is True
    assert watch.record_if_changed() is False  # nothing changed
    beat(client, KIOSK, clock)
    assert watch.record_if_changed() is True  # the kiosk was heard
    records = health_records()
    assert len(records) == 2
    assert '"id":"kiosk-1","state":"ok"' in records[-1].payload.replace(" ", "")
    clock.advance(3601)
    assert watch.record_if_changed() is True  # the kiosk is late, and an hour went by
