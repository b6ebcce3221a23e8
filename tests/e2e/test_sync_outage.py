"""A day of hall traffic with the platform unreachable, on a fake clock, then the line back.

The hall's real service and store write tickets, calls and their outbox rows; the relay tries
the real platform process through a proxy that resets every connection for 24 simulated hours.
When the line is back, every event the hall stored is on the platform once, in the hall's order.
The platform stores on SQLite, and on PostgreSQL (a private cluster, tests/support/postgres.py).
"""
from __future__ import annotations

import json
import random
import time

import pytest

from hall.domain.errors import QueueError
from hall.service import HallService
from hall.store import HallStore
from sync.client import HttpPlatformClient
from sync.crypto import Sealer
from sync.outbox import Outbox, migrate
from sync.relay import Relay, RelaySettings, open_db
from tests.support.platform import FaultProxy, PlatformServer, node_token
from tests.unit.hallfixtures import FakeClock, at, small_hall

NODE = "outage-hall"
DAY = 86400.0
STEP = 60.0  # one minute of hall time per loop


@pytest.fixture
def platform(tmp_path, platform_database):
    server = PlatformServer(tmp_path / "platform", [NODE], database=platform_database)
    server.start()
    try:
        engine = "PostgreSQL" if platform_database.startswith("postgresql") else "sqlite:///"
        assert f"platform storage: {engine}" in server.log_text()
        yield server
    finally:
        server.stop()


def test_a_day_without_the_platform_then_everything_once(platform, tmp_path):
    clock = FakeClock(at(0, 30))
    rng = random.Random(2026)
    store = HallStore(tmp_path / "hall.db")
    migrate(store.conn, store.lock)
    outbox = Outbox(Sealer(bytes(range(32))), clock)
    service = HallService(small_hall(), store, clock=clock, outbox=outbox.write_queue_events)
    proxy = FaultProxy(platform.port)
    proxy.set_plan([], default="reset")  # the line is down
    client = HttpPlatformClient(proxy.url, NODE, node_token(NODE), timeout=2.0, clock=clock)
    relay = Relay(open_db(str(store.path)), outbox, client, RelaySettings(batch_size=200), clock=clock,
                  lock=store.lock, rng=rng)
    try:
        for w in ("w1", "w2", "w3"):
            service.execute("open_window", {"window": w, "staff": None})
        end, due = clock() + DAY, clock()
        while clock() < end:
            hour = (clock() - at(0)) / 3600 % 24
            if 8.5 <= hour < 17.5:  # hall hours: arrivals, calls and services
                for _ in range(rng.choice([0, 1, 1, 2])):
                    service.execute("issue", {"queue": rng.choice(["general", "property", "social"])})
                for w in ("w1", "w2", "w3"):
                    try:
                        service.execute("finish", {"window": w})
                    except QueueError:
                        pass
                    try:
                        service.execute("call_next", {"window": w})
                    except QueueError:
                        pass
            service.tick()  # the new hall day starts at midnight
            if clock() >= due:
                step = relay.step()
                assert step.acked == 0
                due = clock() + step.delay
            clock.advance(STEP)
        attempts = proxy.seen["reset"]
        assert 0 < attempts <= DAY / 150 + 20  # backoff capped at 300 s, with jitter down to half
        stored = store.events_after(0)
        assert len({e.day for e in stored}) == 2 and len(stored) > 1000

        proxy.set_plan([], default="pass")  # the line is back
        clock.now = max(clock(), due)
        deadline = time.monotonic() + 60
        while relay.pending() and time.monotonic() < deadline:
            clock.advance(max(relay.step().delay, 0.001))
        records = platform.records(NODE)
        assert [r["payload"]["seq"] for r in records] == [e.seq for e in stored]
        assert [r["payload"]["type"] for r in records] == [e.type for e in stored]
        assert len({r["key"] for r in records}) == len(records) == len(stored)
        keys = [r[0] for r in store.conn.execute("SELECT key FROM sync_outbox ORDER BY id")]
        assert [r["key"] for r in records] == keys
        assert json.loads(json.dumps(records[0]["payload"]))["type"] == "day.started"
    finally:
        proxy.close()
        relay.conn.close()
        client.close()
        store.close()
