"""The operators' rules (what may be set, and the refusals naming the field) and their store
(each change audited and put in the outbox in one transaction)."""
from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from hall.operators import rules
from hall.operators.store import OperatorStore
from sync import records
from sync.outbox import InvalidRecord, Outbox, migrate
from tests.unit.hallfixtures import FakeClock, at

ID_NUMBER = "11010519491231002X"
WINDOWS = frozenset({"w1", "w2"})


def test_a_notice_keeps_its_texts_trimmed_and_its_days():
    n = rules.notice("n1", {"kind": "policy", "title": " 医保新政 ", "body": "自1月1日起执行",
                            "start": "2026-12-01", "expiry": "2026-12-31"})
    assert (n.kind, n.title, n.start, n.expiry) == ("policy", "医保新政", "2026-12-01", "2026-12-31")
    assert n.shown_on("2026-12-01") and n.shown_on("2026-12-31")
    assert not n.shown_on("2026-11-30") and not n.shown_on("2027-01-01")


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"title": "  ", "body": "x"}, "title", "不能为空"),
    ({"title": "t" * (rules.MAX_TITLE + 1), "body": "x"}, "title", "最多"),
    ({"title": "t", "body": f"请 {ID_NUMBER} 来取件"}, "body", "身份证号"),
    ({"title": "t", "body": "b", "start": "2026-12-10", "expiry": "2026-12-09"}, "expiry", "早于"),
    ({"title": "t", "body": "b", "start": "12/10/2026"}, "start", "不是日期"),
    ({"title": "t", "body": "b", "kind": "advert"}, "kind", "policy"),
])
def test_a_bad_notice_is_refused_naming_its_field(fields, field, words):
    with pytest.raises(rules.Refused) as exc:
        rules.notice("n1", fields)
    assert exc.value.field == field and words in exc.value.message


def test_board_settings_and_their_refusals():
    b = rules.board({"layout": "notices", "tickers": ["欢迎"], "led_idle": {"w1": "暂停办理"},
                     "led_brightness": 40, "led_on": "08:00", "led_off": "18:00"}, WINDOWS)
    assert b.to_dict()["led_idle"] == {"w1": "暂停办理"} and b.led_brightness == 40
    assert b.led_lit("08:00") and not b.led_lit("18:00") and not b.led_lit("07:59")
    night = rules.board({"led_on": "22:00", "led_off": "06:00"}, WINDOWS)
    assert night.led_lit("23:00") and night.led_lit("05:59") and not night.led_lit("12:00")
    for fields, field in [({"led_idle": {"w9": "x"}}, "led_idle.w9"), ({"led_brightness": 101}, "led_brightness"),
                          ({"led_on": "25:00", "led_off": "06:00"}, "led_on"), ({"led_on": "08:00"}, "led_off"),
                          ({"tickers": ["ok", ""]}, "tickers.1"), ({"led_idle": {"w1": "字" * 25}}, "led_idle.w1"),
                          ({"layout": "wall"}, "layout")]:
        with pytest.raises(rules.Refused) as exc:
            rules.board(fields, WINDOWS)
        assert exc.value.field == field, fields


def test_a_broadcast_needs_a_text_and_a_sensible_duration():
    assert rules.broadcast({"text": "请到一楼大厅集合", "minutes": 5}) == rules.Broadcast("请到一楼大厅集合", 5)
    for fields, field in [({"text": ""}, "text"), ({"text": "x", "minutes": 0}, "minutes"),
                          ({"text": "x", "minutes": 24 * 60 + 1}, "minutes"), ({"text": ID_NUMBER}, "text")]:
        with pytest.raises(rules.Refused) as exc:
            rules.broadcast(fields)
        assert exc.value.field == field


def test_the_english_beside_each_text_is_optional_and_checked_as_the_chinese():
    n = rules.notice("n1", {"title": "停车须知", "body": "地下车库免费", "title_en": " Parking ",
                            "body_en": "The underground car park is free."})
    assert (n.title_en, n.body_en) == ("Parking", "The underground car park is free.")
    assert rules.notice("n1", {"title": "t", "body": "b"}).to_dict()["title_en"] == ""
    b = rules.board({"tickers": ["欢迎", "请保管好随身物品"], "tickers_en": ["Welcome"]}, WINDOWS)
    assert b.tickers_en == ("Welcome", "") and b.to_dict()["tickers_en"] == ["Welcome", ""]
    assert rules.broadcast({"text": "消防演练", "text_en": "Fire drill"}).text_en == "Fire drill"

    def notice(fields):
        return rules.notice("n1", fields)

    for make, fields, field in [
            (notice, {"title": "t", "body": "b", "title_en": "t" * (rules.EN * rules.MAX_TITLE + 1)}, "title_en"),
            (notice, {"title": "t", "body": "b", "body_en": f"Bring {ID_NUMBER}"}, "body_en"),
            (notice, {"title": "t", "body": "b", "title_en": 7}, "title_en"),
            (rules.broadcast, {"text": "x", "text_en": f"ID {ID_NUMBER}"}, "text_en"),
            (lambda f: rules.board(f, WINDOWS), {"tickers": ["欢迎"], "tickers_en": ["Hi", "Extra"]}, "tickers_en"),
            (lambda f: rules.board(f, WINDOWS), {"tickers": ["a", "b"], "tickers_en": ["", "x" * 361]},
             "tickers_en.1")]:
        with pytest.raises(rules.Refused) as exc:
            make(fields)
        assert exc.value.field == field, fields
        assert ID_NUMBER not in exc.value.message


@pytest.fixture
def store(tmp_path):
    conn = sqlite3.connect(tmp_path / "hall.db", isolation_level=None, check_same_thread=False)
    migrate(conn)
    return OperatorStore(conn, threading.RLock(), Outbox(clock=FakeClock(at(9))), FakeClock(at(9)))


def outbox_payloads(store: OperatorStore) -> list[dict]:
    return [json.loads(r.payload) for r in Outbox().rows(store.conn) if r.type == records.OPERATOR_CHANGE]


def test_each_change_is_audited_with_before_and_after_and_synced(store):
    first = rules.notice("n1", {"title": "停车", "body": "地下车库"})
    store.save_notice("op", first)
    store.save_notice("op", rules.notice("n1", {"title": "停车须知", "body": "地下车库免费"}))
    store.save_board("op", rules.board({"tickers": ["欢迎"]}, WINDOWS))
    assert store.delete_notice("op", "n1") is not None
    assert store.delete_notice("op", "n1") is None  # nothing to delete: nothing audited
    changes = store.audit()
    assert [c.action for c in changes] == ["notice.deleted", "board.saved", "notice.saved", "notice.saved"]
    assert changes[2].before == first.to_dict() and changes[2].after["title"] == "停车须知"
    assert changes[0].after is None and changes[0].who == "op" and changes[0].at == at(9)
    assert store.notices() == [] and store.board().tickers == ("欢迎",)
    synced = outbox_payloads(store)
    assert [p["action"] for p in synced] == ["notice.saved", "notice.saved", "board.saved", "notice.deleted"]
    assert all(records.check_item({"key": "5b0d1c9e-8a4f-4e37-9c1b-0f3b2f6d9a10", "seq": 1, "created": 1.0,
                                   "type": records.OPERATOR_CHANGE, "payload": p}) is None for p in synced)


def test_the_english_is_kept_audited_and_synced(store):
    store.save_notice("op", rules.notice("n1", {"title": "停车", "body": "地下车库", "title_en": "Parking",
                                                "body_en": "Underground, free"}))
    store.save_board("op", rules.board({"tickers": ["欢迎"], "tickers_en": ["Welcome"]}, WINDOWS))
    [kept] = store.notices()
    assert (kept.title_en, kept.body_en) == ("Parking", "Underground, free")
    assert store.board().tickers_en == ("Welcome",)
    synced = outbox_payloads(store)
    assert synced[0]["after"]["title_en"] == "Parking" and synced[1]["after"]["tickers_en"] == ["Welcome"]
    assert all(records.check_item({"key": "5b0d1c9e-8a4f-4e37-9c1b-0f3b2f6d9a10", "seq": 1, "created": 1.0,
                                   "type": records.OPERATOR_CHANGE, "payload": p}) is None for p in synced)


def test_notices_and_a_board_kept_before_there_was_english_still_load(tmp_path):
    conn = sqlite3.connect(tmp_path / "hall.db", isolation_level=None, check_same_thread=False)
    migrate(conn)
    conn.execute("""CREATE TABLE operator_notices (id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL,
                    body TEXT NOT NULL, start TEXT, expiry TEXT, updated REAL NOT NULL, by TEXT NOT NULL)""")
    conn.execute("INSERT INTO operator_notices VALUES ('old', 'notice', '停车', '地下车库', NULL, NULL, 1.0, 'op')")
    conn.execute("CREATE TABLE operator_board (id INTEGER PRIMARY KEY CHECK (id = 1), settings TEXT NOT NULL)")
    conn.execute("INSERT INTO operator_board VALUES (1, ?)", [json.dumps(
        {"layout": "notices", "tickers": ["欢迎", "再见"], "led_idle": {"w1": "暂停"}, "led_brightness": 50,
         "led_on": None, "led_off": None}, ensure_ascii=False)])
    store = OperatorStore(conn, threading.RLock(), Outbox(clock=FakeClock(at(9))), FakeClock(at(9)))
    [old] = store.notices()
    assert (old.title, old.title_en, old.body_en) == ("停车", "", "")
    board = store.board()
    assert board.tickers == ("欢迎", "再见") and board.tickers_en == ("", "") and board.led_brightness == 50
    store.save_notice("op", rules.notice("old", {"title": "停车", "body": "地下车库", "title_en": "Parking"}))
    assert store.notice("old").title_en == "Parking"


def test_a_broadcast_sent_before_there_was_english_is_still_shown(store):
    from hall.api.operators import current_broadcast

    store.record("op", "broadcast.sent", "screens", {"text": "消防演练", "until": at(10)})
    assert current_broadcast(store, at(9)) == {"text": "消防演练", "text_en": "", "until": at(10)}
    store.record("op", "broadcast.sent", "screens", {"text": "演练", "text_en": "Drill", "until": at(10)})
    assert current_broadcast(store, at(9))["text_en"] == "Drill"
    assert current_broadcast(store, at(10)) is None


def test_a_change_that_cannot_be_synced_is_not_kept(store):
    store.outbox.check = lambda item: "the outbox refuses it"
    with pytest.raises(InvalidRecord):
        store.save_notice("op", rules.notice("n1", {"title": "t", "body": "b"}))
    assert store.notices() == [] and store.audit() == []
