"""The transactional outbox: rows commit with the writer's own transaction, or not at all."""
from __future__ import annotations

import sqlite3
import uuid

import pytest

from hall.service import HallService
from hall.store import HallStore, StoreError
from sync.crypto import Sealer
from sync.outbox import InvalidRecord, Outbox, OutboxError, describe, migrate, write
from sync.records import is_key
from tests.unit.hallfixtures import FakeClock, at, small_hall

SEALER = Sealer(bytes(range(32)))
ID_NUMBER = "11010519491231002X"


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def db(tmp_path):
    conn = sqlite3.connect(tmp_path / "node.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    migrate(conn)
    yield conn
    conn.close()


def rows(conn, where="1"):
    return conn.execute(f"SELECT id, key, type, payload, sealed, state FROM sync_outbox WHERE {where} ORDER BY id").fetchall()


def test_each_hall_event_gets_one_row_with_its_own_uuid_in_the_same_transaction(tmp_path, clock):
    store = HallStore(tmp_path / "hall.db")
    migrate(store.conn, store.lock)
    outbox = Outbox(SEALER, clock)
    svc = HallService(small_hall(), store, clock=clock, outbox=outbox.write_queue_events)
    svc.execute("issue", {"queue": "general"})
    found = rows(store.conn)
    assert [r[2] for r in found] == ["queue.event", "queue.event"]  # day.started, ticket.issued
    assert all(is_key(r[1]) for r in found) and len({r[1] for r in found}) == 2
    assert '"type":"ticket.issued"' in found[1][3]

    def broken(conn, events):
        outbox.write_queue_events(conn, events)
        raise RuntimeError("disk gone")

    svc.outbox = broken
    with pytest.raises(StoreError):
        svc.execute("issue", {"queue": "general"})
    assert len(rows(store.conn)) == 2 and store.last_seq() == 2  # neither the event nor its row


def test_personal_data_is_sealed_at_rest_and_erased_once_acknowledged(db, clock):
    outbox = Outbox(SEALER, clock)
    with write(db):
        key = outbox.add(db, "application", {"matter": "000131128000"},
                         personal={"name": "张三", "id_number": ID_NUMBER})
    (row_id, _, _, payload, sealed, _), = rows(db)
    assert ID_NUMBER not in payload and sealed and ID_NUMBER.encode() not in sealed
    (row,) = outbox.due(db, clock(), 10, 3600)
    assert outbox.open_personal(row) == {"name": "张三", "id_number": ID_NUMBER}
    outbox.settle(db, clock(), acked=[row_id])
    assert rows(db)[0][4] is None and rows(db)[0][5] == "acked"
    assert key == rows(db)[0][1]


def test_personal_data_without_a_key_is_refused(db, clock):
    with pytest.raises(OutboxError, match="sealing key"), write(db):
        Outbox(None, clock).add(db, "application", {"matter": "000131128000"}, personal={"name": "x"})
    assert rows(db) == []


def test_a_typed_reason_is_a_reason(db, clock):
    with write(db):
        Outbox(SEALER, clock).add(db, "rating", {"level": 1, "text": "说话不耐烦"})
    assert len(rows(db)) == 1


@pytest.mark.parametrize(("kind", "payload", "needle"), [
    ("rating", {"level": 1, "text": "  "}, "差评"),
    ("rating", {"level": 9}, "level"),
    ("nonsense", {}, "unknown record type"),
    ("application", {"matter": "12"}, "12-digit"),
])
def test_invalid_records_are_refused_at_the_writer(db, clock, kind, payload, needle):
    with pytest.raises(InvalidRecord, match=needle), write(db):
        Outbox(SEALER, clock).add(db, kind, payload)
    assert rows(db) == []


def test_a_device_push_is_stored_once_under_its_own_key(db, clock):
    outbox = Outbox(SEALER, clock)
    key = str(uuid.uuid4())
    item = {"key": key, "seq": 7, "type": "rating", "created": clock(), "payload": {"level": 5}}
    with write(db):
        first = outbox.receive(db, [item, {**item}, {"key": "nope"}], origin="pad-w1")
    assert [r.status for r in first] == ["accepted", "duplicate", "rejected"]
    with write(db):
        again = outbox.receive(db, [item, {**item, "payload": {"level": 4}}], origin="pad-w1")
    assert [r.status for r in again] == ["duplicate", "rejected"]
    assert "another record" in again[1].reason
    origin = db.execute("SELECT origin, origin_seq FROM sync_outbox").fetchall()
    assert origin == [("pad-w1", 7)]


def test_sequence_numbers_never_go_back_even_after_a_purge(db, clock):
    outbox = Outbox(SEALER, clock)
    with write(db):
        for _ in range(3):
            outbox.add(db, "device.health", {"device": "kiosk-1", "status": "ready"})
    outbox.settle(db, clock(), acked=[1, 2, 3])
    assert outbox.purge(db, clock() + 1) == 3
    with write(db):
        outbox.add(db, "device.health", {"device": "kiosk-1", "status": "ready"})
    assert rows(db)[0][0] == 4


def test_dead_rows_go_back_in_line_on_request(db, clock):
    outbox = Outbox(SEALER, clock)
    with write(db):
        a = outbox.add(db, "device.health", {"device": "kiosk-1", "status": "ready"})
        outbox.add(db, "device.health", {"device": "kiosk-2", "status": "ready"})
    outbox.settle(db, clock(), dead=[(1, "bad"), (2, "bad")])
    assert outbox.requeue(db, [a]) == 1
    assert [r[5] for r in rows(db)] == ["pending", "dead"]
    assert outbox.requeue(db) == 1


def test_a_full_disk_is_a_clear_error_and_nothing_is_half_written(tmp_path, clock):
    path = tmp_path / "full.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn)
    outbox = Outbox(SEALER, clock)
    with write(conn):
        outbox.add(conn, "device.health", {"device": "kiosk-1", "status": "ready"})
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count={pages + 1}")  # the disk is as good as full
    with pytest.raises(sqlite3.OperationalError) as exc, write(conn):
        for _ in range(200):
            outbox.add(conn, "device.health", {"device": "kiosk-1", "status": "x" * 500})
    assert "full" in describe(exc.value, str(path)) and "nothing was changed" in describe(exc.value, str(path))
    assert conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0] == 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_locked_database_is_named_in_the_error(tmp_path):
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    migrate(holder)
    other = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(sqlite3.OperationalError) as exc, write(other):
            pass
    finally:
        holder.execute("ROLLBACK")
    assert "locked by another writer" in describe(exc.value, str(path))


def test_backoff_doubles_up_to_its_ceiling_and_jitter_only_shortens_it():
    import random

    from sync.outbox import backoff

    assert [backoff(n, 5.0, 300.0) for n in (0, 1, 2, 3, 7, 8, 500)] == [5.0, 5.0, 10.0, 20.0, 300.0, 300.0, 300.0]
    rng = random.Random(7)
    waits = [backoff(4, 1.0, 300.0, rng) for _ in range(200)]
    assert all(4.0 <= w <= 8.0 for w in waits) and len(set(waits)) > 100
