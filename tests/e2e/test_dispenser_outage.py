"""The hall PC dies in the middle of a morning rush while two dispensers issue, and comes back.

Two dispensers (the Qt-free model the screen runs: `LeasedIssuer` over a `LeaseBook` on disk)
issue against a real `yiciban hall` process. The hall is killed with SIGKILL while they issue;
they go on issuing from their leases, then the hall is started again on the same data and they
hand in what they printed. Afterwards every printed ticket is in the hall's day exactly once,
with its number, no number is issued twice, the board's counts match, and the windows call each
queue in the order its tickets were printed, whichever dispenser printed them.
"""
from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from hall.client import HallClient
from kiosk.models.dispenser_lease import LeaseBook, LeasedIssuer
from tests.support.halls import TOKENS, small_hall_toml
from tests.support.hallserver import HallServer, free_port

A = "/api/v1"
SECOND_TOKEN = "test-dispenser-token-2"
QUEUES = ["general", "property"]


def two_dispenser_hall(directory: Path) -> HallServer:
    config = directory / "hall.toml"
    config.write_text(small_hall_toml() + f'\n[[devices]]\nid = "dispenser-2"\nrole = "dispenser"\n'
                                          f'token = "{SECOND_TOKEN}"\n', encoding="utf-8")
    return HallServer(config, directory / "data", directory / "hall-server.log", free_port())


class Dispenser:
    """One ticket machine: its own client, lease book and record of what it printed."""

    def __init__(self, name: str, token: str, base_url: str, directory: Path, seed: int) -> None:
        self.name = name
        self.book = LeaseBook(directory / f"{name}.sqlite3", "Asia/Shanghai")
        self.client = HallClient(base_url, token, timeout=2.0)
        self.issuer = LeasedIssuer(self.client, self.book, QUEUES, size=12, renew_below=6)
        self.rng = random.Random(seed)
        self.printed: list[dict] = []

    def tap(self) -> None:
        issued = self.issuer.issue(self.rng.choice(QUEUES))
        if issued.offline is not None:
            t = issued.offline
            self.printed.append({"id": t.id, "number": t.number, "queue": t.queue, "offline": True})
        else:
            t = issued.answer.ticket
            self.printed.append({"id": t.id, "number": t.number, "queue": t.queue, "offline": False})

    def rush(self, taps: int) -> None:
        for _ in range(taps):
            self.tap()
            time.sleep(0.02)

    def close(self) -> None:
        self.client.close()
        self.book.close()


def events_of(base: str, headers: dict) -> list[dict]:
    return requests.get(f"{base}{A}/events", params={"after": 0, "limit": 5000}, headers=headers,
                        timeout=10).json()["events"]


def drain(base: str, headers: dict) -> list[str]:
    """Calls and finishes every waiting ticket at the three windows; the tickets in call order."""
    called = []
    with requests.Session() as s:
        while True:
            progress = False
            for w in ("w1", "w2", "w3"):
                r = s.post(f"{base}{A}/windows/{w}/call-next", headers=headers, timeout=10)
                if r.status_code == 200:
                    called.append(r.json()["ticket"]["id"])
                    assert s.post(f"{base}{A}/windows/{w}/finish", headers=headers, timeout=10).ok
                    progress = True
            if not progress:
                return called


def test_hall_killed_mid_rush_loses_no_printed_ticket_and_calls_resume_in_order(tmp_path):
    hall = two_dispenser_hall(tmp_path)
    operator = {"Authorization": f"Bearer {TOKENS['operator']}"}
    hall.start()
    machines = [Dispenser("d1", TOKENS["dispenser"], hall.base_url, tmp_path, 1),
                Dispenser("d2", SECOND_TOKEN, hall.base_url, tmp_path, 2)]
    try:
        for m in machines:
            m.issuer.sync()  # the morning's first leases
            assert {m.book.remaining(q) for q in QUEUES} == {12}
        for w in ("w1", "w2", "w3"):
            assert requests.post(f"{hall.base_url}{A}/windows/{w}/open", headers=operator, timeout=10).ok
        for m in machines:
            m.rush(6)
        early = drain(hall.base_url, operator)  # the morning so far, called before the hall dies
        assert early

        threads = [threading.Thread(target=m.rush, args=(16,), name=m.name) for m in machines]
        for t in threads:
            t.start()
        while min(len(m.printed) for m in machines) < 10:
            time.sleep(0.01)
        hall.kill()  # in the middle of the rush
        for t in threads:
            t.join(timeout=60)
        offline = [p for m in machines for p in m.printed if p["offline"]]
        assert {p["id"].split("-")[1][0] for p in offline} <= {"A", "B"}
        assert all(any(p["offline"] for p in m.printed) for m in machines), "each dispenser went on alone"

        hall.start()  # the same data, the same port
        for m in reversed(machines):  # the second dispenser reports first: order is by print time
            delivery = m.issuer.sync(force=True)
            assert not delivery.refused and not delivery.failed and delivery.pending == 0
        for m in machines:
            m.rush(3)  # and the morning goes on, online, from new blocks where they ran low
            assert all(not p["offline"] for p in m.printed[-3:])

        events = events_of(hall.base_url, operator)
        issued = [e for e in events if e["type"] == "ticket.issued"]
        by_id = {e["data"]["ticket"]: e for e in issued}
        printed = [p for m in machines for p in m.printed]
        assert len({p["id"] for p in printed}) == len(printed), "two printed tickets share an id"
        for p in printed:
            assert p["id"] in by_id, f"printed {p['number']} is not in the hall's day"
            assert by_id[p["id"]]["data"]["number"] == p["number"]
        assert max(Counter(e["data"]["number"] for e in issued).values()) == 1, "a number was issued twice"
        # the only tickets nobody printed are those whose answer was lost as the hall died: cancelled
        cancelled = {e["data"]["ticket"] for e in events if e["type"] == "ticket.cancelled"}
        assert set(by_id) - {p["id"] for p in printed} <= cancelled

        snapshot = requests.get(f"{hall.base_url}{A}/snapshot", headers=operator, timeout=10).json()
        served = set(early) | cancelled
        assert sum(q["waiting"] for q in snapshot["queues"]) == len([p for p in printed if p["id"] not in served])

        order = drain(hall.base_url, operator)
        assert sorted(order) == sorted(p["id"] for p in printed if p["id"] not in served)
        printed_at = {tid: e["data"].get("issued_at", e["ts"]) for tid, e in by_id.items()}
        for queue in QUEUES:
            mine = [printed_at[t] for t in order if by_id[t]["data"]["queue"] == queue]
            assert mine == sorted(mine), f"{queue} was not called in the order its tickets were printed"
    finally:
        hall.kill()
        for m in machines:
            m.close()
