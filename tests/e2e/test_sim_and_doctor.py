"""`yiciban sim KIND` as real processes, `yiciban doctor` reading a hall config that names them,
and the doctor and the hall's /health saying when a machine's clock or zone is not the hall's."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.support.halls import small_hall_toml
from tests.support.hallserver import running

REPO = Path(__file__).resolve().parents[2]

SIMS = {
    # config id: (kind, simulator options, settings)
    "idcard-1": ("idcard", ["--card", "resident"], "{ baudrate = 115200 }"),
    "printer-1": ("receipt_printer", ["--width", "80"], "{ width = 80 }"),
    "led-w1": ("led_strip", ["--protocol", "bx5"], '{ protocol = "bx5" }'),
    "bus-1": ("keypad_bus", ["--keypads", "1", "--pads", "11"],
              '{ keypads = "1", pads = "11", windows = "1:w1, 11:w1" }'),
    "scanner-1": ("scanner", ["--suffix", "cr"], '{ suffix = "cr" }'),
}


def start_sim(kind: str, options: list[str], link: Path, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "yiciban.cli", "sim", kind, "--pty", "--link", str(link), *options]
    with open(log, "wb") as err:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)})
    line = proc.stdout.readline().decode()
    assert line.startswith("listening "), f"{kind}: {line!r} / {log.read_text()}"
    deadline = time.monotonic() + 10
    while not link.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return proc


@pytest.fixture
def simulated_hall(tmp_path):
    procs, text = [], small_hall_toml()
    try:
        for pid, (kind, options, settings) in SIMS.items():
            link = tmp_path / f"yiciban-{pid}"
            procs.append(start_sim(kind, options, link, tmp_path / f"{pid}.log"))
            window = '\nwindow = "w1"' if kind == "led_strip" else ""
            text += f'\n[[peripherals]]\nid = "{pid}"\nkind = "{kind}"\nurl = "{link}"{window}\nsettings = {settings}\n'
        path = tmp_path / "hall.toml"
        path.write_text(text, encoding="utf-8")
        yield path, procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()


def doctor(config: Path) -> tuple[int, list[dict]]:
    r = subprocess.run([sys.executable, "-m", "yiciban.cli", "--log-level", "ERROR", "doctor",
                        "--config", str(config), "--json", "--timeout", "3"],
                       cwd=REPO, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    return r.returncode, json.loads(r.stdout)


def test_doctor_finds_every_simulated_device_ready(simulated_hall):
    config, _ = simulated_hall
    code, rows = doctor(config)
    states = {r["id"]: (r["state"], r["reason"]) for r in rows}
    assert {k: s for k, (s, _) in states.items()} == dict.fromkeys(SIMS, "ready"), states
    assert code == 0


def test_doctor_reports_a_device_that_is_gone(simulated_hall):
    config, procs = simulated_hall
    procs[0].send_signal(signal.SIGTERM)  # the ID card reader's simulator goes away
    procs[0].wait(timeout=5)
    code, rows = doctor(config)
    by_id = {r["id"]: r for r in rows}
    assert by_id["idcard-1"]["state"] == "disconnected"
    assert by_id["idcard-1"]["reason"]
    assert by_id["printer-1"]["state"] == "ready"
    assert code == 1


@pytest.fixture(params=["UTC", "Asia/Shanghai"])
def hall_machine_zone(request, monkeypatch, tmp_path):
    """A hall (Asia/Shanghai, the small hall's zone) whose server machine is left in `param`."""
    monkeypatch.setenv("TZ", request.param)
    for server in running(tmp_path):
        yield request.param, server


def test_health_and_doctor_say_when_a_machines_zone_is_not_the_halls(hall_machine_zone, tmp_path):
    zone, server = hall_machine_zone
    health = requests.get(f"{server.base_url}/health", timeout=5).json()
    assert health["timezone"] == "Asia/Shanghai" and health["machine_timezone"] == zone
    at_hall = datetime.fromisoformat(health["time"])
    assert at_hall.utcoffset() == timedelta(hours=8)
    assert abs((at_hall - datetime.now(UTC)).total_seconds()) < 60
    apart = zone != "Asia/Shanghai"
    assert [n.startswith("the hall server's time zone (UTC, UTC+00:00)") for n in health["notes"]] == (
        [True] if apart else [])
    # this machine (the doctor's) in the same zone as the server's: its clock agrees with the hall's
    empty = tmp_path / "no-devices.toml"
    empty.write_text(small_hall_toml(), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "yiciban.cli", "--log-level", "ERROR", "doctor",
                        "--config", str(empty), "--json", "--hall", server.base_url],
                       cwd=REPO, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    rows = {(r["kind"], r["host"]): r for r in json.loads(r.stdout)}
    clock, here = rows.pop(("clock", "this machine")), rows.pop(("time_zone", "this machine"))
    assert clock["state"] == "ready" and clock["details"]["off_by"] == "under a minute"
    assert here["state"] == ("warning" if apart else "ready"), here
    assert ("timedatectl set-timezone Asia/Shanghai" in here["reason"]) == apart
    # what /health said of the server's own machine is passed on
    assert [(k, r["state"], r["reason"]) for k, r in rows.items()] == (
        [(("time_zone", "hall server"), "warning", health["notes"][0])] if apart else [])
    assert r.returncode == 0, r.stderr  # a zone apart is a warning: the screens show the hall's zone
