"""`yiciban demo` as `make run` starts it: a living hall, its devices on their simulators."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
OPERATOR = {"Authorization": "Bearer demo-operator-1-token"}
SCREENS = {"dispenser", "kiosk", "display", "pad"}  # each writes <role>.png every few seconds
# the machine has one pcscd: the tests that use it (the demo too) run on one worker, in turn
pytestmark = pytest.mark.xdist_group("pcscd")


def test_the_demo_hall_lives(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "yiciban.cli", "demo", "--data-dir", str(tmp_path / "demo"),
             "--port", str(port), "--pace", "8", "--seed", "1", "--fresh"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 60
        stats = {}
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            try:
                stats = requests.get(f"{base}/api/v1/stats", headers=OPERATOR, timeout=2).json()
            except requests.RequestException:
                stats = {}
            ratings = sum(w.get("ratings", 0) for w in stats.get("windows", {}).values())
            printed = list((tmp_path / "demo" / "devices" / "printer").glob("ticket-*.png"))
            shots = {p.stem for p in (tmp_path / "demo" / "screens").glob("*.png")}
            if (stats.get("total", {}).get("served", 0) >= 5 and ratings >= 1 and len(printed) >= 3
                    and shots >= SCREENS):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"the demo hall did not come alive: {stats}\n{log.read_text()[-3000:]}")
        banner = log.read_text()
        assert "DEMO DATA" in banner and f"{base}/ui/#token=demo-display-1-token" in banner
        assert list((tmp_path / "demo" / "devices").glob("led-w0*.png"))
        assert "Screens: dispenser, kiosk, display, pad" in banner
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
    for role in SCREENS:  # the screens ran without an error of their own
        assert "Traceback" not in (tmp_path / "demo" / "screens" / f"{role}.log").read_text()
    # citizens swiped ID cards at the dispenser: no number or name reached any log
    from drivers.idcard.simulator import sample_card
    from tests.support.logscan import find_personal_data

    logs = log.read_text() + "".join(p.read_text() for p in (tmp_path / "demo" / "screens").glob("*.log"))
    assert find_personal_data(logs, [sample_card("resident").name]) == []
