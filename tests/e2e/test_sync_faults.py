"""The relay against the real platform process, through a proxy that misbehaves on purpose.

Whatever the line does (500, 503 with Retry-After, timeouts, slow answers, truncated or non-JSON
bodies, the platform storing a batch and the answer never arriving, connections reset), every
record ends up on the platform exactly once. Clocks a day off either way change nothing. A push
the platform cannot start in time (its writers all busy) is answered 503 with Retry-After at
once, and the relay keeps its rows and delivers them later.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sync.client import HttpPlatformClient
from sync.crypto import Sealer
from sync.outbox import Outbox, migrate, write
from sync.relay import Relay, RelaySettings, open_db
from tests.support.platform import FaultProxy, PlatformServer, node_token

FAULTS = ["500", "503", "timeout", "slow", "truncate", "garbage", "drop", "reset"]
SKEWS = {"ahead": 86400.0, "behind": -86400.0}
NODES = [f"n-{f}" for f in FAULTS] + [f"skew-{s}" for s in SKEWS] + ["mixed"]
SETTINGS = RelaySettings(batch_size=25, backoff_base=0.05, backoff_max=0.2, interval=0.05)
SEALER = Sealer(bytes(range(32)))


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformServer]:
    server = PlatformServer(tmp_path_factory.mktemp("platform"), NODES)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def proxy(platform: PlatformServer) -> Iterator[FaultProxy]:
    p = FaultProxy(platform.port, hold=1.0, delay=0.3, retry_after=1)
    yield p
    p.close()


class Node:
    """An outbox on disk, a writer, and a relay talking to `url` with its own clock."""

    def __init__(self, directory: Path, node: str, url: str, clock=time.time, timeout: float = 0.5) -> None:
        self.path = directory / f"{node}.db"
        self.writer = sqlite3.connect(self.path, isolation_level=None)
        self.writer.execute("PRAGMA journal_mode=WAL")
        migrate(self.writer)
        self.outbox = Outbox(SEALER, clock)
        client = HttpPlatformClient(url, node, node_token(node), timeout=timeout, clock=clock)
        self.relay = Relay(open_db(str(self.path)), self.outbox, client, SETTINGS, clock=clock)
        self.keys: list[str] = []

    def write(self, n: int) -> None:
        with write(self.writer):
            for i in range(n):
                if i % 10 == 3:
                    key = self.outbox.add(self.writer, "application", {"matter": "000131128000"},
                                          personal={"name": "测试", "id_number": "11010519491231002X"})
                else:
                    key = self.outbox.add(self.writer, "rating", {"level": 4, "window": "w1"})
                self.keys.append(key)

    def drain(self, seconds: float = 20.0) -> None:
        self.relay.drain(time.monotonic() + seconds)
        assert self.relay.pending() == 0, "the relay did not deliver everything in time"

    def close(self) -> None:
        self.writer.close()
        self.relay.conn.close()
        self.relay.client.close()


def assert_exactly_once(platform: PlatformServer, node: Node) -> list[dict]:
    records = platform.records(node.relay.client.node_id, personal=True)  # type: ignore[attr-defined]
    assert [r["key"] for r in records] == node.keys  # each once, in the node's order
    assert all(r["personal"] for r in records if r["type"] == "application")
    states = dict(node.writer.execute("SELECT state, count(*) FROM sync_outbox GROUP BY state").fetchall())
    assert states == {"acked": len(node.keys)}
    return records


@pytest.mark.parametrize("fault", FAULTS)
def test_every_record_arrives_once_whatever_the_line_does(platform, proxy, tmp_path, fault):
    node = Node(tmp_path, f"n-{fault}", proxy.url)
    try:
        node.write(60)
        proxy.set_plan([fault, fault, "pass", fault])
        node.drain()
        assert_exactly_once(platform, node)
        assert proxy.seen[fault] >= 2
        answers = platform.stats(f"n-{fault}")["answers"]
        if fault in ("timeout", "truncate", "garbage", "drop"):  # stored upstream, answer lost
            assert answers.get("duplicate", 0) > 0
        assert answers.get("rejected", 0) == 0
    finally:
        node.close()


def test_many_faults_in_a_row_while_records_keep_coming(platform, proxy, tmp_path):
    node = Node(tmp_path, "mixed", proxy.url)
    try:
        proxy.set_plan(["drop", "slow", "500", "truncate", "pass", "timeout", "garbage", "drop", "reset"] * 2)
        for _ in range(6):
            node.write(40)
            node.relay.step()
        node.drain(40)
        assert_exactly_once(platform, node)
    finally:
        node.close()


@pytest.mark.parametrize("skew", sorted(SKEWS))
def test_a_hall_clock_a_day_off_reorders_nothing_and_drops_nothing(platform, proxy, tmp_path, skew):
    offset = SKEWS[skew]
    node = Node(tmp_path, f"skew-{skew}", proxy.url, clock=lambda: time.time() + offset)
    try:
        node.write(30)
        # the platform asks to come back in 1 s, as an HTTP date by its own clock
        proxy.set_plan(["503date", "pass", "503date"])
        began = time.monotonic()
        node.drain(15)
        assert time.monotonic() - began < 10  # waited seconds, not a day
        records = assert_exactly_once(platform, node)
        assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
        assert all(abs(r["created"] - r["received_at"] - offset) < 60 for r in records)  # kept as sent
    finally:
        node.close()


def test_the_platform_killed_while_batches_are_in_flight(tmp_path):
    """The platform process dies (SIGKILL) with batches stored but not yet answered, and comes back."""
    server = PlatformServer(tmp_path / "own-platform", ["crash"])
    server.start()
    proxy = FaultProxy(server.port, delay=0.2)
    proxy.set_plan([], default="late")  # stored, answered 200 ms later: the kill lands in between
    node = Node(tmp_path, "crash", proxy.url)
    try:
        node.write(200)
        for _ in range(3):
            node.relay.step()  # answered: some delivered
        stopped = time.monotonic()
        killer = threading.Timer(0.1, server.process.kill)
        killer.start()
        node.relay.step()  # the platform stores this batch and dies before the answer
        killer.join()
        server.process.wait(10)
        assert node.relay.pending() > 0
        server.start()  # same port, same database
        proxy.set_plan([], default="pass")
        node.drain(30)
        records = assert_exactly_once(server, node)
        assert server.stats("crash")["answers"].get("duplicate", 0) > 0
        assert len(records) == 200 and time.monotonic() - stopped < 40
    finally:
        node.close()
        proxy.close()
        server.stop()


def test_a_push_that_cannot_start_in_time_is_answered_busy_and_delivered_later(tmp_path):
    """One writer, held by a push stuck on the database's write lock: the relay's push waits its
    turn, is answered 503 storage_busy with Retry-After, keeps its rows, and delivers them once
    the writer is free. Reads are answered all along."""
    server = PlatformServer(tmp_path / "busy-platform", ["holder", "busy"],
                            config="[admission]\nwriters = 1\nwait_seconds = 0.2\n")
    server.start()
    node = Node(tmp_path, "busy", server.base_url, timeout=20.0)
    lock = sqlite3.connect(tmp_path / "busy-platform" / "data" / "platform.db", isolation_level=None)
    held: dict[str, int] = {}
    try:
        node.write(30)
        lock.execute("BEGIN IMMEDIATE")  # the platform's database is locked by another writer
        body = {"node": "holder", "items": [{"key": "00000000-0000-4000-8000-000000000001", "seq": 1,
                                             "type": "rating", "created": time.time(), "payload": {"level": 5}}]}
        holder = threading.Thread(target=lambda: held.update(status=requests.post(
            f"{server.base_url}/api/v1/sync/push", json=body, timeout=30,
            headers={"Authorization": f"Bearer {node_token('holder')}"}).status_code))
        holder.start()
        guard = time.monotonic() + 20  # a guard against a hang, not a measure
        while server.all_stats()["admission"]["storing"] < 1:  # a read, answered while the writer waits
            assert time.monotonic() < guard, "the holder's push never started"
            time.sleep(0.02)
        raw = requests.post(f"{server.base_url}/api/v1/sync/push", json={"items": [
            {**body["items"][0], "key": "00000000-0000-4000-8000-000000000002", "seq": 2}]},
            headers={"Authorization": f"Bearer {node_token('holder')}"}, timeout=20)
        assert raw.status_code == 503 and raw.json()["error"] == "storage_busy"
        assert int(raw.headers["Retry-After"]) >= 1
        step = node.relay.step()
        assert step.error is not None and step.error.startswith("HTTP 503") and "busy" in step.error
        assert step.acked == 0 and step.failed == SETTINGS.batch_size and node.relay.pending() == 30  # kept
        assert step.delay >= 1.0  # Retry-After honoured
        assert requests.get(f"{server.base_url}/health", timeout=5).ok
        lock.execute("ROLLBACK")
        holder.join(30)
        assert held == {"status": 200}
        node.drain(30)
        assert_exactly_once(server, node)
        admission = server.all_stats()["admission"]
        assert admission["refused"] >= 2 and admission["storing"] == 0 and admission["waiting"] == 0
    finally:
        lock.close()
        node.close()
        server.stop()
