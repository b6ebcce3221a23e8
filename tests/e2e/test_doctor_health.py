"""`yiciban doctor --hall URL --token T --json` against a real hall process: the hall's own health
comes back as rows (an LED strip that cannot connect, with where and why; the screens never
heard from), and the exit status says something is wrong; a token that may not read it is said."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.e2e.webfixtures import REPO, HallProcess, free_port
from tests.support.halls import TOKENS


def doctor(hall: HallProcess, token: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("YICIBAN_HALL_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "yiciban.cli", "doctor", "--config", str(hall.config),
                           "--host", "kiosk-1", "--hall", hall.url, "--token", token, "--json"],
                          capture_output=True, text=True, timeout=60, cwd=REPO, env=env)


def test_the_doctor_reports_the_halls_health(tmp_path):
    hall = HallProcess(tmp_path)
    nowhere = f"socket://127.0.0.1:{free_port()}"
    with hall.config.open("a", encoding="utf-8") as f:
        f.write(f'\n[[peripherals]]\nid = "led-w1"\nkind = "led_strip"\nurl = "{nowhere}"\nwindow = "w1"\n')
    hall.start()
    try:
        done = doctor(hall, TOKENS["operator"])
        refused = doctor(hall, TOKENS["kiosk"])
    finally:
        hall.stop()
    assert done.returncode == 1, done.stderr
    rows = {(r["kind"], r["id"]): r for r in json.loads(done.stdout)}
    strip = rows[("peripheral", "led-w1")]
    assert strip["state"] == "error" and nowhere in strip["reason"], strip
    assert rows[("screen", "display-1")]["reason"] == "no heartbeat since the hall started"
    assert rows[("disk", "hall")]["state"] == "ready"
    assert rows[("clock", "hall")]["state"] == "ready"  # this machine against the hall: the same clock
    [health] = [r for r in json.loads(refused.stdout) if r["kind"] == "health"]
    assert health["state"] == "error" and "supervisors and operators only" in health["reason"]
