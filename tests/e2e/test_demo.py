"""`yiciban demo` as `make run` starts it: a living hall, its devices on their simulators."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from drivers.idcard.simulator import CARD_KINDS, sample_card
from tests.e2e.conftest import free_port
from tests.support.logscan import find_personal_data, scan_tree

REPO = Path(__file__).resolve().parents[2]
OPERATOR = {"Authorization": "Bearer demo-operator-1-token"}
SCREENS = {"dispenser", "kiosk", "display", "pad"}  # each writes <role>.png every few seconds
# what the simulators put on cards: none of it may be found in anything the demo wrote
CARDHOLDERS = [n for c in (sample_card(k) for k in CARD_KINDS) if c
               for n in (c.name, c.english_name) if n]


def swiped_tickets(db: Path) -> int:
    """Tickets issued with a swiped card's masked number (the demo's cards are from 370829)."""
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return conn.execute("SELECT count(*) FROM events WHERE type = 'ticket.issued'"
                            " AND data LIKE '%370829********%'").fetchone()[0]


def printed_follow_link(printer: Path) -> str:
    """The text of the QR code on the latest printed ticket."""
    import cv2

    from drivers.camera.codes import decode

    picture = sorted(printer.glob("ticket-*.png"))[-1]
    codes = decode(cv2.imread(str(picture), cv2.IMREAD_GRAYSCALE))
    assert codes, f"no QR code read on {picture.name}"
    return codes[0].text


# the machine has one pcscd: the tests that use it (the demo too) run on one worker, in turn
pytestmark = pytest.mark.xdist_group("pcscd")


def test_the_demo_hall_lives(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "demo.log"
    stale = tmp_path / "demo" / "devices" / "printer" / "ticket-0018.png"  # an older run's, before folders
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "yiciban.cli", "demo", "--data-dir", str(tmp_path / "demo"),
             "--port", str(port), "--pace", "20", "--seed", "1", "--fresh"],
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
            printed = list((tmp_path / "demo" / "devices" / "printer" / "demo-printer").glob("ticket-*.png"))
            shots = {p.stem for p in (tmp_path / "demo" / "screens").glob("*.png")}
            if (stats.get("total", {}).get("served", 0) >= 5 and ratings >= 1 and len(printed) >= 3
                    and shots >= SCREENS and swiped_tickets(tmp_path / "demo" / "hall.db") >= 1):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"the demo hall did not come alive: {stats}\n{log.read_text()[-3000:]}")
        banner = log.read_text()
        assert not stale.exists()  # --fresh starts with empty device folders
        assert "DEMO DATA" in banner and f"{base}/ui/#token=demo-display-1-token" in banner
        assert list((tmp_path / "demo" / "devices").glob("led-w0*.png"))
        assert "Screens: dispenser, kiosk, display, pad" in banner
        # the printed QR is the ticket's signed follow link, and it opens the ticket's status
        link = printed_follow_link(tmp_path / "demo" / "devices" / "printer" / "demo-printer")
        assert link.startswith(f"{base}/t/") and "#" not in link, link
        signed = link.rsplit("/", 1)[-1]
        status = requests.get(f"{base}/public/tickets/{signed}", timeout=5)
        assert status.status_code == 200 and status.json()["number"], status.text
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
    # citizens swiped ID cards at the dispenser and the numbers reached the hall: no number or
    # name is in any log, database or printed ticket the demo wrote
    logs = log.read_text() + "".join(p.read_text() for p in (tmp_path / "demo" / "screens").glob("*.log"))
    assert find_personal_data(logs, CARDHOLDERS) == []
    assert scan_tree(tmp_path, CARDHOLDERS) == {}  # the data directory and the demo's log
