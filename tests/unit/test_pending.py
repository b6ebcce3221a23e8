"""The pad's store of ratings not yet accepted by the hall: on disk first, sent once, never lost."""
from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from hall.client import HallClient, HallError, HallUnavailable
from kiosk.pending import (
    FILE_NAME,
    MAX_RETRY_SECONDS,
    PENDING,
    REFUSED,
    SENT,
    PendingRatings,
    deliver_due,
    retry_delay,
)


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeHall(HallClient):
    """Answers rating requests like the hall would: once per ticket, replaying by idempotency key."""

    def __init__(self) -> None:
        super().__init__("http://hall.invalid", "token")
        self.away = False
        self.requests: list[tuple[str, dict[str, Any], str | None]] = []
        self.rated: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, dict[str, Any]] = {}
        self.not_finished: set[str] = set()
        self.status_for: dict[str, int] = {}

    def _command(self, path: str, body: dict[str, Any] | None = None,
                 idempotency_key: str | None = None) -> dict[str, Any]:
        self.requests.append((path, dict(body or {}), idempotency_key))
        if self.away:
            raise HallUnavailable(0, "unavailable", "hall server did not answer")
        ticket = path.split("/")[2]
        if ticket in self.status_for:
            raise HallError(self.status_for[ticket], "unauthenticated", "not logged in")
        if idempotency_key in self.answers:
            return self.answers[idempotency_key]
        if ticket in self.not_finished:
            raise HallError(409, "illegal_transition", f"{ticket} 办理中，办结后才能评价")
        if ticket in self.rated:
            raise HallError(409, "illegal_transition", f"{ticket} 已评价（一次一评）")
        self.rated[ticket] = dict(body or {})
        answer = {"seq": len(self.rated), "events": [{"type": "ticket.rated", "data": {"ticket": ticket}}]}
        self.answers[idempotency_key] = answer
        return answer


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> PendingRatings:
    s = PendingRatings(tmp_path / FILE_NAME, clock=clock)
    yield s
    s.close()


def test_a_rating_is_on_disk_and_private_as_soon_as_it_is_added(tmp_path: Path, clock: Clock):
    path = tmp_path / "data" / FILE_NAME
    store = PendingRatings(path, clock=clock)
    added = store.add("t-1", 2, ["办事效率低"], "", "key-1", context={"window": "w1", "staff": "s1"})
    store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = PendingRatings(path, clock=clock)
    [again] = reopened.due()
    assert again == added
    assert (again.key, again.ticket, again.level, again.reasons, again.state) == \
        ("key-1", "t-1", 2, ["办事效率低"], PENDING)
    assert again.context == {"window": "w1", "staff": "s1"}
    assert reopened.has("t-1") and not reopened.has("t-2")
    reopened.close()


def test_the_store_lives_in_the_data_dir_given(tmp_path: Path):
    store = PendingRatings.in_data_dir(tmp_path / "pad")
    assert store.path == tmp_path / "pad" / FILE_NAME
    store.close()


def test_adding_the_same_key_twice_keeps_one_rating(store: PendingRatings):
    store.add("t-1", 4, [], "", "key-1")
    store.add("t-1", 4, [], "", "key-1")
    assert len(store.all()) == 1


def test_a_level_outside_one_to_five_is_not_stored(store: PendingRatings):
    with pytest.raises(ValueError):
        store.add("t-1", 6)
    assert store.all() == []


def test_sent_ratings_leave_the_due_list(store: PendingRatings):
    hall = FakeHall()
    store.add("t-1", 5, [], "", "key-1")
    result = deliver_due(store, hall)
    assert result.sent == ["key-1"] and result.pending == 0
    assert store.due(force=True) == []
    assert store.get("key-1").state == SENT
    assert hall.rated["t-1"] == {"level": 5, "reasons": [], "text": "", "channel": "pad"}
    assert hall.requests[0][0] == "/tickets/t-1/rating"


def test_a_hall_that_is_away_gets_the_same_key_again_until_it_answers(store: PendingRatings, clock: Clock):
    hall = FakeHall()
    hall.away = True
    store.add("t-1", 2, ["服务态度不好"], "", "key-1")
    store.add("t-2", 5, [], "", "key-2")
    result = deliver_due(store, hall)
    assert result.sent == [] and result.pending == 2
    assert len(hall.requests) == 1  # the first failure says the hall is away: no point trying the rest
    assert store.due() == [r for r in store.due() if r.key == "key-2"]  # key-1 waits for its retry
    clock.now += retry_delay(1)
    deliver_due(store, hall)
    assert store.get("key-1").attempts == 2
    hall.away = False
    clock.now += retry_delay(2)
    result = deliver_due(store, hall)
    assert sorted(result.sent) == ["key-1", "key-2"]
    keys = [key for path, _, key in hall.requests if path == "/tickets/t-1/rating"]
    assert keys == ["key-1", "key-1", "key-1"]
    assert hall.rated["t-1"]["reasons"] == ["服务态度不好"]


def test_a_resend_after_a_lost_answer_counts_once(store: PendingRatings):
    hall = FakeHall()
    store.add("t-1", 4, [], "", "key-1")
    hall._command("/tickets/t-1/rating", {"level": 4, "reasons": [], "text": "", "channel": "pad"}, "key-1")
    result = deliver_due(store, hall)  # the pad never saw the first answer
    assert result.sent == ["key-1"] and result.refused == []
    assert list(hall.rated) == ["t-1"]


def test_a_definitive_refusal_is_kept_with_its_reason_and_not_retried(store: PendingRatings, clock: Clock):
    hall = FakeHall()
    hall.rated["t-1"] = {"level": 5}  # rated already, by the QR code
    store.add("t-1", 3, [], "", "key-1")
    result = deliver_due(store, hall)
    assert [key for key, _ in result.refused] == ["key-1"]
    refused = store.get("key-1")
    assert refused.state == REFUSED and "已评价" in refused.last_error and "409" in refused.last_error
    clock.now += MAX_RETRY_SECONDS * 10
    assert store.due(force=True) == []
    assert deliver_due(store, hall, force=True).refused == []
    assert len(hall.requests) == 1
    assert store.has("t-1")  # never offered again


def test_refusals_that_a_retry_can_fix_are_retried(store: PendingRatings, clock: Clock):
    hall = FakeHall()
    hall.status_for["t-1"] = 401
    store.add("t-1", 5, [], "", "key-1")
    result = deliver_due(store, hall)
    assert result.refused == [] and [k for k, _ in result.failed] == ["key-1"]
    assert store.get("key-1").state == PENDING
    del hall.status_for["t-1"]
    clock.now += retry_delay(1)
    assert deliver_due(store, hall).sent == ["key-1"]


def test_retries_back_off_up_to_a_limit():
    assert [retry_delay(n) for n in (1, 2, 3)] == [5.0, 10.0, 20.0]
    assert retry_delay(50) == MAX_RETRY_SECONDS


def test_accepted_ratings_are_forgotten_after_a_week_but_pending_ones_never(tmp_path: Path, clock: Clock):
    store = PendingRatings(tmp_path / FILE_NAME, clock=clock)
    store.add("t-1", 5, [], "", "key-1")
    store.mark_sent("key-1")
    store.add("t-2", 5, [], "", "key-2")
    clock.now += 30 * 24 * 3600
    assert store.forget_sent() == 1
    assert [r.key for r in store.all()] == ["key-2"]
    store.close()


def test_the_store_is_a_sync_outbox_of_rating_records(tmp_path: Path, clock: Clock):
    import sqlite3

    from sync.outbox import ACKED, Outbox

    store = PendingRatings(tmp_path / FILE_NAME, clock=clock)
    store.add("t-1", 4, [], "", "key-1", context={"window": "w1"})
    store.mark_sent("key-1")
    store.close()
    conn = sqlite3.connect(tmp_path / FILE_NAME)
    [row] = Outbox().rows(conn)
    conn.close()
    assert (row.key, row.type, row.state, row.attempts) == ("key-1", "rating", ACKED, 1)
    assert json.loads(row.payload) == {"ticket": "t-1", "level": 4, "reasons": [], "text": "", "channel": "pad",
                                       "context": {"window": "w1"}}


def test_a_rating_the_hall_could_never_take_is_refused_and_not_stored(store: PendingRatings):
    with pytest.raises(ValueError, match="差评"):
        store.add("t-1", 2, [], "", "key-1")  # a 差评 needs a reason
    with pytest.raises(ValueError, match="key"):
        store.add("t-1", 5, [], "", "k" * 201)
    assert store.all() == [] and not store.has("t-1")


def test_a_file_of_the_earlier_store_is_taken_over_with_nothing_lost(tmp_path: Path, clock: Clock):
    import sqlite3

    path = tmp_path / FILE_NAME
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE ratings (key TEXT PRIMARY KEY, ticket TEXT NOT NULL, level INTEGER NOT NULL,
            reasons TEXT NOT NULL, text TEXT NOT NULL, channel TEXT NOT NULL, context TEXT NOT NULL,
            created REAL NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL, last_error TEXT NOT NULL DEFAULT '', done REAL);
    """)
    now = clock.now
    conn.executemany("INSERT INTO ratings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        ("key-1", "t-1", 2, '["服务态度不好"]', "", "pad", '{"window": "w1"}', now - 30, "pending", 3, now + 40,
         "hall server did not answer", None),
        ("key-2", "t-2", 5, "[]", "", "pad", "{}", now - 20, "sent", 1, now - 20, "", now - 10),
        ("key-3", "t-3", 3, "[]", "", "pad", "{}", now - 10, "refused", 1, now - 10, "409 已评价", now - 5),
    ])
    conn.commit()
    conn.close()
    store = PendingRatings(path, clock=clock)
    kept = {r.key: r for r in store.all()}
    assert (kept["key-1"].state, kept["key-1"].attempts, kept["key-1"].reasons, kept["key-1"].context) == \
        (PENDING, 3, ["服务态度不好"], {"window": "w1"})
    assert kept["key-1"].next_attempt == now + 40 and "did not answer" in kept["key-1"].last_error
    assert (kept["key-2"].state, kept["key-3"].state, kept["key-3"].last_error) == (SENT, REFUSED, "409 已评价")
    assert store.due() == [] and [r.key for r in store.due(force=True)] == ["key-1"]
    store.close()
    store = PendingRatings(path, clock=clock)  # taken over once: opening again changes nothing
    assert {r.key: r for r in store.all()} == kept
    store.close()
