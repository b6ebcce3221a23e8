import pytest

from hall.domain.errors import IllegalTransition, InvalidCommand, NotFound, NothingToCall
from hall.domain.events import hall_day
from hall.service import HallService, IdempotencyConflict
from hall.store import HallStore, StoreError
from tests.unit.hallfixtures import SHANGHAI, FakeClock, at, small_hall


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def svc(tmp_path, clock):
    return HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=clock)


def issue(svc, queue="general", **kw):
    return svc.execute("issue", {"queue": queue, **kw})["ticket"]


def test_numbers_per_queue_with_prefix(svc):
    assert [issue(svc)["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert issue(svc, "property")["number"] == "B001"


def test_hall_day_uses_the_hall_time_zone():
    # 23:30 UTC on the 26th is 07:30 on the 27th in Shanghai
    ts = at(7, 30)
    assert hall_day(ts, SHANGHAI) == "2026-11-27"


def test_day_rollover_restarts_numbers_keeps_history_and_expires_open(tmp_path, clock):
    store = HallStore(tmp_path / "hall.db")
    svc = HallService(small_hall(), store, clock=clock)
    first = issue(svc)
    issue(svc)
    clock.now = at(0, 0, 1, day=28)
    t = issue(svc)
    assert t["number"] == "A001"
    assert t["id"] != first["id"]
    assert t["day"] == "2026-11-28"
    # yesterday's events are all still there, and the old ticket reads as expired
    assert len([e for e in store.events_of_day("2026-11-27") if e.type == "ticket.issued"]) == 2
    assert svc.ticket(first["id"])["state"] == "expired"


def test_numbers_survive_restart(tmp_path, clock):
    path = tmp_path / "hall.db"
    svc = HallService(small_hall(), HallStore(path), clock=clock)
    issue(svc)
    issue(svc)
    svc.store.close()
    again = HallService(small_hall(), HallStore(path), clock=clock)
    assert issue(again)["number"] == "A003"


def test_call_requires_open_window_and_records_reason(svc, clock):
    issue(svc)
    with pytest.raises(IllegalTransition, match="关闭"):
        svc.execute("call_next", {"window": "w1"})
    svc.execute("open_window", {"window": "w1", "staff": "s1"})
    r = svc.execute("call_next", {"window": "w1"})
    assert r["ticket"]["number"] == "A001"
    assert r["reason"]["rule"] == "only_normal"
    assert "无优先号" in r["reason"]["text"]
    # the reason is in the stored event
    called = [e for e in svc.store.events_after(0) if e.type == "ticket.called"]
    assert called[0].data["reason"]["text"] == r["reason"]["text"]


def test_cannot_call_while_a_ticket_is_at_the_window(svc):
    issue(svc)
    issue(svc)
    svc.execute("open_window", {"window": "w1"})
    svc.execute("call_next", {"window": "w1"})
    with pytest.raises(IllegalTransition, match="A001"):
        svc.execute("call_next", {"window": "w1"})


def test_nothing_to_call(svc):
    svc.execute("open_window", {"window": "w1"})
    with pytest.raises(NothingToCall):
        svc.execute("call_next", {"window": "w1"})


def calls(svc, n: int) -> list[tuple[str, str, str]]:
    """Window w1 calls and finishes `n` tickets: (number, class, reason) of each call."""
    order = []
    for _ in range(n):
        r = svc.execute("call_next", {"window": "w1"})
        order.append((r["ticket"]["number"], r["reason"]["class"], r["reason"]["text"]))
        svc.execute("finish", {"window": "w1"})
    return order


def queued(svc, clock, normals: int, *priorities: str) -> list[dict]:
    """Window w1 open, `normals` normal tickets, then one of each priority, a second apart."""
    svc.execute("open_window", {"window": "w1"})
    issued = []
    for priority in ["normal"] * normals + list(priorities):
        issued.append(issue(svc, priority=priority))
        clock.advance(1)
    return issued[normals:]


def test_ratio_two_normal_one_priority(svc, clock):
    g, e = queued(svc, clock, 4, "green", "elderly")
    order = calls(svc, 6)
    numbers = [n for n, _, _ in order]
    # two normals, then one priority (green first), two normals, then the elderly ticket
    assert numbers == ["A001", "A002", g["number"], "A003", "A004", e["number"]]
    assert [c for _, c, _ in order] == ["normal", "normal", "priority", "normal", "normal", "priority"]


def test_disabled_priority_ranks_with_elderly_and_is_labelled_for_the_window_to_verify(svc, clock):
    d, e = queued(svc, clock, 2, "disabled", "elderly")
    order = calls(svc, 4)
    # after the ratio's two normals, the disabled ticket (issued first) before the elderly one
    assert [n for n, _, _ in order] == ["A001", "A002", d["number"], e["number"]]
    assert order[2][1] == "priority" and "残疾人（窗口核验）" in order[2][2]


def test_aging_beats_ratio(svc, clock):
    svc.execute("open_window", {"window": "w1"})
    old = issue(svc)
    clock.advance(31 * 60)
    issue(svc, priority="green")
    r = svc.execute("call_next", {"window": "w1"})
    assert r["ticket"]["id"] == old["id"]
    assert r["reason"]["rule"] == "aging"
    assert "31 分钟" in r["reason"]["text"]


def test_appointment_is_priority_only_within_slot_and_grace(svc, clock):
    svc.execute("open_window", {"window": "w1"})
    issue(svc)
    late = issue(svc, priority="appointment", slot_start=at(7), slot_end=at(8))  # slot long over
    ontime = issue(svc, priority="appointment", slot_start=at(8, 50), slot_end=at(9, 20))
    calls = []
    for _ in range(3):
        r = svc.execute("call_next", {"window": "w1"})
        calls.append((r["ticket"]["id"], r["reason"]["class"]))
        svc.execute("finish", {"window": "w1"})
    # the late appointment goes in line as a normal ticket; the one within its slot is priority
    assert calls == [
        ("20261127-A001", "normal"),
        (late["id"], "normal"),
        (ontime["id"], "priority"),
    ]


def test_appointment_needs_slot(svc):
    with pytest.raises(InvalidCommand):
        issue(svc, priority="appointment")


def test_sequence_mode_serves_first_queue_first(svc, clock):
    svc.execute("open_window", {"window": "w2"})
    b = issue(svc, "property")
    clock.advance(60)
    a = issue(svc, "general")
    assert svc.execute("call_next", {"window": "w2"})["ticket"]["id"] == a["id"]
    svc.execute("finish", {"window": "w2"})
    assert svc.execute("call_next", {"window": "w2"})["ticket"]["id"] == b["id"]


def test_longest_wait_mode(svc, clock):
    svc.execute("open_window", {"window": "w3"})
    c = issue(svc, "social")
    clock.advance(60)
    issue(svc, "property")
    assert svc.execute("call_next", {"window": "w3"})["ticket"]["id"] == c["id"]


def test_recall_then_automatic_no_show(svc):
    issue(svc)
    svc.execute("open_window", {"window": "w1"})
    svc.execute("call_next", {"window": "w1"})
    assert svc.execute("recall", {"window": "w1"})["events"] == ["ticket.recalled"]
    assert svc.execute("recall", {"window": "w1"})["events"] == ["ticket.recalled"]
    r = svc.execute("recall", {"window": "w1"})
    assert r["events"] == ["ticket.no_show"]
    assert r["ticket"]["state"] == "no_show"
    assert r["window"]["ticket"] is None


def test_transfer_keeps_visit_and_optionally_place(svc, clock):
    svc.execute("open_window", {"window": "w1"})
    svc.execute("open_window", {"window": "w3"})
    t = issue(svc)
    clock.advance(60)
    p1 = issue(svc, "property")
    svc.execute("call_next", {"window": "w1"})
    svc.execute("start", {"window": "w1"})
    clock.advance(120)
    r = svc.execute("transfer", {"ticket": t["id"], "to_queue": "property", "keep_place": True})
    assert r["ticket"]["id"] == t["id"]
    assert r["ticket"]["number"] == "A001"
    assert r["ticket"]["queue"] == "property"
    assert r["ticket"]["state"] == "waiting"
    # kept its place: issued before B001, so called first at the property window
    assert svc.execute("call_next", {"window": "w3"})["ticket"]["id"] == t["id"]
    svc.execute("finish", {"window": "w3"})
    assert svc.execute("call_next", {"window": "w3"})["ticket"]["id"] == p1["id"]


def test_transfer_to_window_only_that_window_calls_it(svc):
    svc.execute("open_window", {"window": "w1"})
    svc.execute("open_window", {"window": "w2"})
    t = issue(svc)
    svc.execute("transfer", {"ticket": t["id"], "to_window": "w2"})
    with pytest.raises(NothingToCall):
        svc.execute("call_next", {"window": "w1"})
    r = svc.execute("call_next", {"window": "w2"})
    assert r["ticket"]["id"] == t["id"]
    assert r["reason"]["rule"] == "transferred"


def test_illegal_transitions_change_nothing(svc):
    t = issue(svc)
    seq = svc.last_seq
    with pytest.raises(IllegalTransition):
        svc.execute("start", {"window": "w1"})
    with pytest.raises(IllegalTransition):
        svc.execute("resume", {"window": "w1"})
    with pytest.raises(NotFound):
        svc.execute("cancel", {"ticket": "nope"})
    with pytest.raises(NotFound):
        svc.execute("issue", {"queue": "nope"})
    svc.execute("cancel", {"ticket": t["id"]})
    with pytest.raises(IllegalTransition, match="已取消"):
        svc.execute("cancel", {"ticket": t["id"]})
    assert svc.last_seq == seq + 1
    assert len(svc.store.events_after(0)) == svc.last_seq


def test_finish_without_start_counts_service_from_the_call(svc, clock):
    issue(svc)
    svc.execute("open_window", {"window": "w1", "staff": "s1"})
    clock.advance(60)
    svc.execute("call_next", {"window": "w1"})
    clock.advance(300)
    r = svc.execute("finish", {"window": "w1"})
    assert r["events"] == ["service.started", "service.finished"]
    stats = svc.stats()
    assert stats["queues"]["general"]["avg_service_seconds"] == 300
    assert stats["queues"]["general"]["avg_wait_seconds"] == 60


def test_idempotent_issue(svc):
    a = svc.execute("issue", {"queue": "general"}, idempotency_key="k1")
    b = svc.execute("issue", {"queue": "general"}, idempotency_key="k1")
    assert a == b
    assert issue(svc)["number"] == "A002"
    with pytest.raises(IdempotencyConflict):
        svc.execute("issue", {"queue": "property"}, idempotency_key="k1")


def test_people_ahead_and_estimate(svc, clock):
    svc.execute("open_window", {"window": "w1"})
    svc.execute("open_window", {"window": "w2"})
    for _ in range(4):
        issue(svc)
    t = issue(svc)
    assert t["people_ahead"] == 4
    # 4 ahead (+ half a service) at 6 minutes each over 2 open windows
    assert t["estimated_wait_minutes"] == 14
    g = issue(svc, priority="green")
    assert g["people_ahead"] == 0


def test_statistics(svc, clock):
    svc.execute("open_window", {"window": "w1", "staff": "s1"})
    issue(svc)
    issue(svc)
    clock.advance(25 * 60)
    svc.execute("call_next", {"window": "w1"})  # waited 25 min: over the 20 min target
    svc.execute("start", {"window": "w1"})
    clock.advance(600)
    svc.execute("finish", {"window": "w1"})
    clock.advance(60)
    svc.execute("call_next", {"window": "w1"})
    svc.execute("no_show", {"window": "w1"})
    s = svc.stats()
    q = s["queues"]["general"]
    assert (q["arrivals"], q["calls"], q["served"], q["no_show"]) == (2, 2, 1, 1)
    assert q["no_show_pct"] == 50.0
    assert q["max_wait_seconds"] == 26 * 60 + 600
    assert q["waits_over_target"] == 2
    assert q["avg_service_seconds"] == 600
    w = s["windows"]["w1"]
    assert w["serving_seconds"] == 600
    assert w["wrapup_seconds"] == 60
    assert w["idle_seconds"] == 25 * 60
    assert s["staff"]["s1"]["served"] == 1


def test_total_counts_transfers(svc):
    t = issue(svc)
    svc.execute("transfer", {"ticket": t["id"], "to_queue": "property"})
    total = svc.stats()["total"]
    assert (total["transfers_out"], total["transfers_in"]) == (1, 1)


def test_outbox_rows_commit_with_the_events_or_not_at_all(tmp_path, clock):
    written = []

    def outbox(conn, events):
        conn.execute("CREATE TABLE IF NOT EXISTS ob (seq INTEGER)")
        conn.executemany("INSERT INTO ob VALUES (?)", [(e.seq,) for e in events])
        written.extend(e.type for e in events)

    svc = HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=clock, outbox=outbox)
    issue(svc)
    rows = svc.store.conn.execute("SELECT seq FROM ob ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == [1, 2]  # day.started and ticket.issued

    def failing(conn, events):
        raise RuntimeError("outbox full")

    svc.outbox = failing
    with pytest.raises(StoreError, match="outbox full"):
        issue(svc)
    assert svc.store.last_seq() == 2  # the ticket was not stored without its outbox row
    assert svc.last_seq == 2


def test_rating_once_after_service_and_bad_ratings_need_a_reason(svc):
    t = issue(svc)
    with pytest.raises(IllegalTransition, match="办结后"):
        svc.execute("rate", {"ticket": t["id"], "level": 5})
    svc.execute("open_window", {"window": "w1", "staff": "s1"})
    svc.execute("call_next", {"window": "w1"})
    svc.execute("start", {"window": "w1"})
    svc.execute("finish", {"window": "w1", "matter": "000131128000"})
    with pytest.raises(InvalidCommand, match="差评"):
        svc.execute("rate", {"ticket": t["id"], "level": 2})
    with pytest.raises(InvalidCommand):
        svc.execute("rate", {"ticket": t["id"], "level": 6})
    r = svc.execute("rate", {"ticket": t["id"], "level": 2, "reasons": ["等候时间长"]})
    rated = svc.store.events_after(r["seq"] - 1)[0]
    assert rated.type == "ticket.rated"
    assert (rated.data["window"], rated.data["staff"], rated.data["matter"]) == ("w1", "s1", "000131128000")
    with pytest.raises(IllegalTransition, match="一次一评"):
        svc.execute("rate", {"ticket": t["id"], "level": 5})
    w = svc.stats()["windows"]["w1"]
    assert (w["ratings"], w["bad_ratings"], w["rating_avg"]) == (1, 1, 2.0)
    assert svc.stats()["staff"]["s1"]["ratings"] == 1
