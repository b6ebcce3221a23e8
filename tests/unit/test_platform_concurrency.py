"""The platform's store with pushes side by side, and a database server that goes away.

On PostgreSQL writers run side by side (READ COMMITTED): the same record pushed twice at
once (a relay's retry while its first try is still being stored) must still be stored once
and answered accepted once; the same key with another record must still be refused. A server
restart cuts every connection: an idle one is replaced at its next transaction, and a push
caught by the restart (or sent while the server is down) is a busy storage (503, the relay
comes back). Both engines, real threads, real server.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sync.platform.app import create_platform_app
from sync.platform.cluster import ClusterError, PrivateCluster, unavailable_reason
from sync.platform.config import load_settings
from sync.platform.db import Database
from sync.platform.store import PlatformStore
from tests.support.postgres import fresh_database

ADMIN, HALL = "admin-token-0123456789", "hall-a-token-0123456789"
ENV = {"YICIBAN_PLATFORM_ADMIN_TOKEN": ADMIN, "YICIBAN_PLATFORM_NODES": f"hall-a={HALL}"}
PUSHERS = 6


def item(seq: int, level: int = 5) -> dict[str, Any]:
    return {"key": str(uuid.uuid4()), "seq": seq, "type": "rating", "created": 1_700_000_000.0,
            "payload": {"level": level}}


def side_by_side(store: PlatformStore, batches: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Pushes each batch from its own thread, all released at once; the answers in order."""
    answers: list[Any] = [None] * len(batches)
    gate = threading.Barrier(len(batches))

    def push(i: int) -> None:
        gate.wait()
        try:
            answers[i] = store.push("hall-a", batches[i])
        except Exception as exc:  # noqa: BLE001 - kept and raised below, in the test's thread
            answers[i] = exc

    threads = [threading.Thread(target=push, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for a in answers:
        if isinstance(a, Exception):
            raise a
    return answers


@pytest.fixture
def store(platform_database):
    s = PlatformStore(Database(platform_database), clock=lambda: 1_800_000_000.0)
    yield s
    s.close()


def test_the_same_batch_pushed_at_once_from_many_threads_is_stored_once(store):
    batch = [item(seq) for seq in range(1, 201)]
    answers = side_by_side(store, [list(reversed(batch)) if i % 2 else batch for i in range(PUSHERS)])
    for position, record in enumerate(batch):
        statuses = [next(r["status"] for r in a if r["key"] == record["key"]) for a in answers]
        assert sorted(statuses) == ["accepted"] + ["duplicate"] * (PUSHERS - 1), (position, statuses)
    assert [r["key"] for r in store.records(node="hall-a", limit=1000)] == [r["key"] for r in batch]
    assert store.stats()["nodes"]["hall-a"]["answers"] == {"accepted": 200, "duplicate": 200 * (PUSHERS - 1)}


def test_a_key_pushed_at_once_with_two_different_records_keeps_the_first_and_refuses_the_other(store):
    keys = [str(uuid.uuid4()) for _ in range(50)]
    batches = [[{**item(seq, level), "key": key} for seq, key in enumerate(keys, 1)] for level in (5, 4)]
    first, second = side_by_side(store, batches)
    for mine, theirs in zip(first, second, strict=True):
        assert sorted((mine["status"], theirs["status"])) == ["accepted", "rejected"]
        refused = mine if mine["status"] == "rejected" else theirs
        assert refused["reason"] == "key already used for another record"
    stored = {r["key"]: r["payload"]["level"] for r in store.records(node="hall-a", limit=1000)}
    winners = {a["key"]: level for level, answer in zip((5, 4), (first, second), strict=True)
               for a in answer if a["status"] == "accepted"}
    assert stored == winners and len(stored) == 50


@pytest.fixture
def restartable():
    """A cluster of this test's own, so that restarting it cuts no other test's connections
    (in a temporary directory the server's user can reach, unlike pytest's)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no private PostgreSQL cluster: {reason}")
    cluster = PrivateCluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def served(restartable):
    """The platform's API on a database of the test's own cluster: (store, client)."""
    store = PlatformStore(Database(restartable.create_database("served")))
    try:
        with TestClient(create_platform_app(store, load_settings(env=ENV))) as api:
            api.headers["Authorization"] = f"Bearer {HALL}"
            yield store, api
    finally:
        store.close()


def test_a_database_restart_is_not_seen_by_the_next_push(restartable, served):
    store, api = served
    first = item(1)
    assert api.post("/api/v1/sync/push", json={"items": [first]}).status_code == 200
    restartable.restart()  # every connection the platform holds is cut
    r = api.post("/api/v1/sync/push", json={"items": [first, item(2)]})
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["duplicate", "accepted"]
    assert [r["seq"] for r in store.records(node="hall-a")] == [1, 2]


def test_a_push_while_the_server_is_down_is_a_busy_storage_and_nothing_is_lost(restartable, served):
    store, api = served
    restartable.stop_server()
    r = api.post("/api/v1/sync/push", json={"items": [item(1)]})
    assert r.status_code == 503 and r.headers["Retry-After"] == "5", r.text
    assert r.json()["error"] == "storage_busy" and "database is busy" in r.json()["message"]
    restartable.start()
    batch = [item(1), item(2)]
    r = api.post("/api/v1/sync/push", json={"items": batch})
    assert [x["status"] for x in r.json()["results"]] == ["accepted", "accepted"]
    assert [r["key"] for r in store.records(node="hall-a")] == [x["key"] for x in batch]


def test_a_database_name_the_cluster_cannot_take_is_refused_by_name(restartable):
    with pytest.raises(ClusterError, match="'bad; name'"):
        restartable.create_database("bad; name")


def test_sqlite_and_postgresql_give_the_same_answers(request, tmp_path):
    batches = [[item(1), item(2)], [], [item(3, level=1)]]
    results = []
    for engine in ("sqlite", "postgresql"):
        store = PlatformStore(Database(fresh_database(request, engine, tmp_path)), clock=lambda: 1.0)
        try:
            answers = [store.push("hall-a", b) for b in batches] + [store.push("hall-a", batches[0])]
            results.append(([[(r["key"], r["status"], r.get("reason")) for r in a] for a in answers],
                            store.records(node="hall-a"), store.stats()))
        finally:
            store.close()
    assert results[0] == results[1]
