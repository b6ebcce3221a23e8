"""The relay, on a real SQLite outbox, against a fake platform and a fake clock."""
from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Sequence

import pytest

from sync.crypto import Sealer
from sync.outbox import Outbox, migrate, write
from sync.protocol import (
    ACCEPTED,
    DUPLICATE,
    REJECTED,
    BatchRejected,
    ItemResult,
    Record,
    Unavailable,
)
from sync.relay import Relay, RelaySettings, open_db
from tests.unit.hallfixtures import FakeClock, at

SEALER = Sealer(bytes(range(32)))
SETTINGS = RelaySettings(batch_size=50, backoff_base=1.0, backoff_max=300.0, interval=1.0, checkpoint_every=0)


class FakePlatform:
    """Stores records by key, like the reference platform, and misbehaves on request."""

    def __init__(self) -> None:
        self.stored: dict[str, Record] = {}
        self.order: list[str] = []
        self.pushes = 0
        self.down = False
        self.faults: list[str] = []  # per push: "unavailable", "lost" (stored, answer lost), "partial"
        self.retry_after: float | None = None

    def push(self, records: Sequence[Record]) -> list[ItemResult]:
        self.pushes += 1
        fault = self.faults.pop(0) if self.faults else None
        if self.down or fault == "unavailable":
            raise Unavailable("platform down", retry_after=self.retry_after)
        if any(r.payload.get("channel") == "spoil-batch" for r in records):
            raise BatchRejected("HTTP 422: a broken record spoils the batch", 422)
        results = []
        for r in records:
            if r.payload.get("channel") == "refuse-me":  # valid here, not by the platform's rules
                results.append(ItemResult(r.key, REJECTED, "channel not known to the province"))
            elif r.key in self.stored:
                results.append(ItemResult(r.key, DUPLICATE))
            else:
                self.stored[r.key] = r
                self.order.append(r.key)
                results.append(ItemResult(r.key, ACCEPTED))
        if fault == "lost":
            raise Unavailable("connection reset after the platform stored the batch")
        if fault == "partial":
            return results[: len(results) // 2]
        return results

    def pull(self, *a, **k):  # pragma: no cover - not used by the relay
        raise NotImplementedError

    def close(self) -> None:
        pass


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def node(tmp_path, clock):
    path = tmp_path / "node.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA synchronous=OFF")  # a test database: no fsync per simulated minute
    migrate(writer)
    platform = FakePlatform()
    outbox = Outbox(SEALER, clock)
    relay = Relay(open_db(str(path)), outbox, platform, SETTINGS, clock=clock, rng=random.Random(1))
    yield writer, outbox, relay, platform
    writer.close()
    relay.conn.close()


def add(writer, outbox, n, kind="device.health", **payload):
    keys = []
    with write(writer):
        for i in range(n):
            if kind == "rating":
                keys.append(outbox.add(writer, "rating", {"level": 5, "channel": payload.get("channel", "pad")}))
            elif kind == "application":
                keys.append(outbox.add(writer, "application", {"matter": "000131128000"},
                                       personal={"name": "张三", "id_number": "11010519491231002X"}))
            else:
                keys.append(outbox.add(writer, "device.health", {"device": "kiosk-1", "status": f"s{i}"}))
    return keys


def states(writer):
    return dict(writer.execute("SELECT state, count(*) FROM sync_outbox GROUP BY state").fetchall())


def run_until_idle(relay, clock, limit=10_000):
    for _ in range(limit):
        step = relay.step()
        if step.sent == 0 and step.error is None and relay.pending() == 0:
            return
        clock.advance(max(step.delay, 0.001))
    raise AssertionError("relay did not finish")


def test_batches_are_delivered_in_order_and_acknowledged(node, clock):
    writer, outbox, relay, platform = node
    keys = add(writer, outbox, 120)
    run_until_idle(relay, clock)
    assert platform.order == keys and platform.pushes == 3
    assert [platform.stored[k].seq for k in keys] == sorted(platform.stored[k].seq for k in keys)
    assert states(writer) == {"acked": 120}


def test_personal_data_travels_opened_and_is_erased_once_acknowledged(node, clock):
    writer, outbox, relay, platform = node
    (key,) = add(writer, outbox, 1, kind="application")
    run_until_idle(relay, clock)
    assert platform.stored[key].personal == {"name": "张三", "id_number": "11010519491231002X"}
    assert writer.execute("SELECT count(*) FROM sync_outbox WHERE sealed IS NOT NULL").fetchone()[0] == 0


def test_a_refused_record_is_set_aside_and_the_rest_go_on(node, clock):
    writer, outbox, relay, platform = node
    before = add(writer, outbox, 3)
    bad = add(writer, outbox, 1, kind="rating", channel="refuse-me")
    after = add(writer, outbox, 3)
    run_until_idle(relay, clock)
    assert platform.order == before + after
    dead = writer.execute("SELECT key, last_error FROM sync_outbox WHERE state = 'dead'").fetchall()
    assert dead == [(bad[0], "channel not known to the province")]


def test_a_batch_refused_as_a_whole_is_halved_until_the_bad_record_stands_alone(node, clock):
    writer, outbox, relay, platform = node
    good = add(writer, outbox, 20)
    bad = add(writer, outbox, 1, kind="rating", channel="spoil-batch")
    more = add(writer, outbox, 20)
    run_until_idle(relay, clock)
    assert set(platform.order) == set(good + more)
    assert writer.execute("SELECT key FROM sync_outbox WHERE state = 'dead'").fetchall() == [(bad[0],)]
    assert platform.pushes <= 2 + 2 * 6  # log2 of the batch, twice per level at most


def test_an_answer_lost_after_the_platform_stored_the_batch_is_a_duplicate_not_a_copy(node, clock):
    writer, outbox, relay, platform = node
    keys = add(writer, outbox, 30)
    platform.faults = ["lost", "lost"]
    run_until_idle(relay, clock)
    assert platform.order == keys  # stored once each
    assert states(writer) == {"acked": 30}


def test_records_without_a_result_are_retried(node, clock):
    writer, outbox, relay, platform = node
    keys = add(writer, outbox, 10)
    platform.faults = ["partial"]
    run_until_idle(relay, clock)
    assert sorted(platform.order) == sorted(keys) and states(writer) == {"acked": 10}


def test_backoff_grows_exponentially_with_jitter_and_is_capped(node, clock):
    writer, outbox, relay, platform = node
    add(writer, outbox, 5)
    platform.down = True
    delays = []
    for _ in range(14):
        step = relay.step()
        assert step.error == "platform down" and step.acked == 0
        delays.append(step.delay)
        clock.advance(step.delay)
    for attempt, delay in enumerate(delays[:8], start=1):
        ceiling = min(300.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert all(150 <= d <= 300 for d in delays[10:])
    row = writer.execute("SELECT attempts, last_error, next_attempt FROM sync_outbox LIMIT 1").fetchone()
    assert row[0] == 14 and row[1] == "platform down" and row[2] == pytest.approx(clock())


def test_retry_after_is_honoured(node, clock):
    writer, outbox, relay, platform = node
    add(writer, outbox, 1)
    platform.down, platform.retry_after = True, 42.0
    step = relay.step()
    assert 42.0 <= step.delay <= 42.0 * 1.25


def test_a_short_retry_after_is_spread_over_a_second_and_never_shortened():
    import random

    from sync.outbox import after_retry_after

    rng = random.Random(7)
    delays = [after_retry_after(2.0, rng) for _ in range(200)]
    assert all(2.0 <= d <= 3.0 for d in delays)
    # two hundred halls told "2" do not come back in the same tenth of a second
    assert len({int(d * 10) for d in delays}) == 10


def test_a_day_long_outage_costs_few_attempts_and_loses_nothing(node, clock):
    writer, outbox, relay, platform = node
    platform.down = True
    keys, end, next_step = [], clock() + 86400, clock()
    while clock() < end:
        keys += add(writer, outbox, 2)
        if clock() >= next_step:
            next_step = clock() + relay.step().delay
        clock.advance(60)
    assert platform.pushes <= 86400 / 150 + 20
    platform.down = False
    clock.now = next_step
    run_until_idle(relay, clock)
    assert platform.order == keys and states(writer) == {"acked": len(keys)}


def test_a_clock_set_back_does_not_strand_rows_in_the_future(node, clock):
    writer, outbox, relay, platform = node
    keys = add(writer, outbox, 3)
    platform.down = True
    relay.step()
    platform.down = False
    clock.advance(-2 * 86400)  # NTP fixed a clock that ran two days ahead
    run_until_idle(relay, clock)
    assert platform.order == keys


def test_a_row_that_cannot_be_opened_is_set_aside_not_blocking(node, clock, tmp_path):
    writer, outbox, relay, platform = node
    add(writer, outbox, 1, kind="application")
    later = add(writer, outbox, 2)
    relay.outbox = Outbox(Sealer(bytes(range(1, 33))), clock)  # the node's key was replaced
    run_until_idle(relay, clock)
    assert platform.order == later
    reason = writer.execute("SELECT last_error FROM sync_outbox WHERE state = 'dead'").fetchone()[0]
    assert "cannot be opened" in reason


def test_acknowledged_rows_are_purged_after_the_retention_period(node, clock):
    writer, outbox, relay, platform = node
    add(writer, outbox, 5)
    run_until_idle(relay, clock)
    relay.next_purge = 0
    clock.advance(SETTINGS.retention - 60)
    relay.step()
    assert states(writer) == {"acked": 5}
    relay.next_purge = 0
    clock.advance(120)
    relay.step()
    assert states(writer) == {}


def test_a_locked_database_is_reported_and_the_rows_come_back_as_duplicates(tmp_path, clock):
    path = tmp_path / "node.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    migrate(writer)
    outbox = Outbox(SEALER, clock)
    platform = FakePlatform()
    relay = Relay(open_db(str(path), busy_ms=50), outbox, platform, SETTINGS, clock=clock)
    keys = add(writer, outbox, 4)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database too long
    step = relay.step()
    blocker.execute("ROLLBACK")
    assert "locked by another writer" in step.error and step.delay > 0
    assert states(writer) == {"pending": 4}  # the platform has them; here they are still waiting
    clock.advance(step.delay)
    run_until_idle(relay, clock)
    assert platform.order == keys and states(writer) == {"acked": 4}
    assert writer.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_run_stops_promptly_and_wakes_on_notify(node, clock):
    writer, outbox, relay, platform = node
    relay.settings = RelaySettings(interval=30.0, checkpoint_every=0)
    thread = threading.Thread(target=relay.run)
    thread.start()
    add(writer, outbox, 2)
    relay.notify()
    for _ in range(200):
        if len(platform.order) == 2:
            break
        threading.Event().wait(0.01)
    relay.stop()
    thread.join(5)
    assert not thread.is_alive() and len(platform.order) == 2
