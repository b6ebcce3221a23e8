"""A screen's heartbeat reaches a real hall server process: the hall's health then shows the
screen alive, its clock, its disk, and its devices with why and since when."""
from __future__ import annotations

import time

import pytest
import requests

from drivers.status import DeviceStatus, State
from kiosk import heartbeat
from kiosk.hall_link import HallLink
from kiosk.workers import Jobs
from tests.e2e.webfixtures import HallProcess
from tests.support.halls import TOKENS


@pytest.fixture
def hall(tmp_path):
    process = HallProcess(tmp_path)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_the_screen_says_it_is_alive_with_its_devices(qtbot, hall, tmp_path):
    jobs = Jobs()
    link = HallLink(hall.url, TOKENS["kiosk"], jobs)
    lost = time.monotonic() - 42
    link.devices = lambda: {"receipt_printer": DeviceStatus(
        "receipt_printer", "receipt_printer", State.DISCONNECTED, "cannot open /dev/yiciban/printer", lost)}
    try:
        link.on_heartbeat_timeout()
        qtbot.waitUntil(lambda: not link._beating, timeout=15000)
    finally:
        link.stop()
        qtbot.wait(50)
    report = requests.get(f"{hall.url}/api/v1/health", timeout=10,
                          headers={"Authorization": f"Bearer {TOKENS['operator']}"}).json()
    items = {(i["area"], i["id"]): i for i in report["items"]}
    assert items[("screen", "kiosk-1")]["state"] == "ok"
    assert items[("clock", "kiosk-1")]["state"] == "ok"
    assert items[("disk", "kiosk-1")]["details"]["total_bytes"] > 0
    printer = items[("peripheral", "kiosk-1/receipt_printer")]
    assert printer["state"] == "error" and printer["details"]["host"] == "kiosk-1"
    assert printer["reason"].startswith("disconnected for 4") and printer["reason"].endswith(
        ": cannot open /dev/yiciban/printer")
    assert printer["details"]["for_seconds"] >= 42


def test_the_heartbeat_body_carries_ages_not_this_machines_monotonic_clock(tmp_path):
    status = DeviceStatus("led_strip:w01", "led_strip", State.CONNECTING, "connecting to socket://x:5005", 100.0)
    body = heartbeat.body({"led_strip:w01": status}, wall=lambda: 1.8e9, monotonic=lambda: 130.0, disk=tmp_path)
    assert body["clock"] == 1.8e9
    assert body["devices"] == [{"device": "led_strip:w01", "kind": "led_strip", "state": "connecting",
                                "reason": "connecting to socket://x:5005", "for_seconds": 30.0}]
    assert 0 < body["disk_free"] <= body["disk_total"]


def test_a_device_that_changes_state_is_told_to_the_hall_soon(qtbot, hall):
    jobs = Jobs()
    link = HallLink(hall.url, TOKENS["dispenser"], jobs)
    states = {"idcard": DeviceStatus("idcard", "idcard", State.READY, "ok", time.monotonic())}
    link.devices = lambda: dict(states)

    def reader_state() -> str | None:
        report = requests.get(f"{hall.url}/api/v1/health", timeout=10,
                              headers={"Authorization": f"Bearer {TOKENS['operator']}"}).json()
        found = [i for i in report["items"] if i["id"] == "dispenser-1/idcard"]
        return found[0]["details"]["device_state"] if found else None

    try:
        link.start()
        qtbot.waitUntil(lambda: reader_state() == "ready", timeout=15000)
        states["idcard"] = DeviceStatus("idcard", "idcard", State.DISCONNECTED, "cannot open /dev/yiciban/idcard",
                                        time.monotonic())
        link.beat_soon()  # long before the next half-minute heartbeat
        qtbot.waitUntil(lambda: reader_state() == "disconnected", timeout=15000)
    finally:
        link.stop()
        qtbot.wait(50)
