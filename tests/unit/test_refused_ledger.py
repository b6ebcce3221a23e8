"""Which refusals of a hand-in leave a citizen with a ticket that will never be called (and are
recorded for the floor staff), one id per printed ticket, the reasons in plain words, and the fold
of the record from the hall's events."""
from __future__ import annotations

from hall.api.common import ApiError
from hall.auth import AuthError
from hall.domain.errors import InvalidCommand, NotFound
from hall.domain.events import Event
from hall.leases import CheckedInAlready, HandedInAlready, LeaseConflict, StaleLease
from hall.refused import ledger as rl
from hall.service import IdempotencyConflict


def test_only_refusals_of_the_ticket_itself_count():
    counted = [NotFound("今天没有租约"), StaleLease("昨天的"), LeaseConflict("别人的号段"),
               CheckedInAlready("已签到"), InvalidCommand("时钟走快了", field="issued_at")]
    assert all(rl.refused_for_good(e) for e in counted)
    not_counted = [HandedInAlready("已在队列中"), IdempotencyConflict("键重用"), AuthError(403, "不是持有者"),
                   ApiError(422, "invalid", "no time zone"), ValueError("x")]
    assert not any(rl.refused_for_good(e) for e in not_counted)


def test_one_id_per_printed_ticket():
    one = rl.refusal_id("20261127-dispenser-1-general-970", "A970")
    assert one == rl.refusal_id("20261127-dispenser-1-general-970", "A970")
    assert one != rl.refusal_id("20261127-dispenser-1-general-970", "A971")
    assert one != rl.refusal_id("20261127-dispenser-2-general-970", "A970")
    assert one.startswith("rf-") and len(one) == 19


def test_reasons_are_plain_words_not_codes():
    assert rl.plain_reason("stale_lease", None).startswith("号票属于其他日期")
    assert "设备时钟" in rl.plain_reason("invalid", "issued_at")
    assert rl.plain_reason("invalid", "number") == "号码不是该号段所属队列的号"
    assert rl.plain_reason("invalid", None) == "号码或打印时间与号段不符"
    assert rl.plain_reason("something_new", None) == "大厅拒收了这张离线号票"


def test_the_ledger_folds_recorded_then_handled():
    ledger = rl.Ledger()
    data = {"refusal": "rf-1", "device": "kiosk-1", "kind": "kiosk", "lease": "L", "number": "A970",
            "queue": "general", "printed_at": 100.0, "appointment": "appt-1", "status": 409,
            "code": "already_checked_in", "field": None, "message": "预约已签到"}
    ledger.apply(Event(7, 200.0, "2026-11-27", rl.RECORDED, data))
    rec = ledger.items["rf-1"]
    assert rec.is_open and rec.refused_at == 200.0 and rec.day == "2026-11-27" and rec.appointment == "appt-1"
    assert rl.recorded_data(rec) == data
    ledger.apply(Event(8, 260.0, "2026-11-27", rl.HANDLED, {"refusal": "rf-1", "by": "s1", "note": "已补发 A031"}))
    done = ledger.items["rf-1"]
    assert not done.is_open and (done.handled_at, done.handled_by, done.note) == (260.0, "s1", "已补发 A031")
    view = done.to_dict()
    assert view["device_kind"] == "自助终端" and view["reason"].startswith("该预约已在大厅签到") and not view["open"]
    assert ledger.of_day("2026-11-27") == [done] and ledger.of_day("2026-11-28") == []
