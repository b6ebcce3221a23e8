"""The provincial 好差评 record: a hall's rating and a follow-up's change put in the province's
elements (the "37" + local case number, Beijing time, the channel and state codes), records
that are none of the province's business left out, and the reference province's format checks
refusing a bad element by its name."""
from __future__ import annotations

import json

import pytest

from sync import records
from sync.platform.provincial import check_record
from sync.protocol import Record
from sync.provincial import ProvinceRules, Unmappable, to_province

RULES = ProvinceRules("370829", "jx-hall")
KEY = "0b5f7a52-7a43-4d1c-9c55-4f1f0e3b6a10"
RATED = {"ticket": "20261127-A017", "number": "A017", "level": 2, "reasons": ["等候时间过长"], "text": "",
         "channel": "pad", "window": "w3", "staff": "s-li", "matter": "371107901000", "queue": "property",
         "cases": ["3708292026000001-01"]}


def record(kind: str, payload: dict) -> Record:
    return Record(KEY, 7, kind, 1_800_000_000.0, records.dumps(payload))


def rated(**data) -> Record:
    return record(records.QUEUE_EVENT, {"seq": 41, "ts": 1_795_742_100.0, "type": "ticket.rated",
                                        "data": {**RATED, **data}})


def test_a_rating_becomes_the_provinces_evaluation_with_the_37_case_number_and_beijing_time():
    out = to_province(rated(), RULES)
    assert out == {
        "recordId": KEY, "recordType": "evaluation", "version": 41, "evaluateId": "jx-hall:20261127-A017",
        "areaCode": "370829000000", "pf": "4", "alternate": "2", "badReasons": ["等候时间过长"],
        "writingEvaluation": "", "projectNo": "373708292026000001" + "01", "taskCode": "371107901000",
        "windowNo": "w3", "staffNo": "s-li", "assessTime": "2026-11-27 09:15:00",
    }
    assert check_record(out) is None
    assert to_province(rated(cases=[], channel="qr"), RULES)["projectNo"] is None


def test_a_follow_up_change_carries_the_rating_and_its_rectification_state():
    fu = {"id": "fu-20261127-A017", "ticket": "20261127-A017", "level": 1, "reasons": [], "text": "态度差",
          "channel": "kiosk", "window": "w3", "staff": "s-li", "matter": None, "case": None,
          "department": "县不动产登记中心", "opened_at": "2026-11-27T01:15:00Z", "state": "fed_back",
          "outcome": "explain", "verified_at": "2026-11-27T03:00:00Z", "fix_due": "2026-12-04",
          "feedback": {"how": "sms", "at": "2026-11-28T02:00:00Z", "by": "lead1", "note": "已告知"}}
    out = to_province(record(records.FOLLOWUP_EVENT, {"seq": 60, "ts": 1_795_836_000.0,
                                                      "type": "followup.fed_back", "followup": fu}), RULES)
    assert (out["recordType"], out["rectifyState"], out["handleWay"], out["feedbackWay"]) == (
        "rectification", "6", "3", "2")
    assert (out["assessTime"], out["verifyTime"], out["feedbackTime"]) == (
        "2026-11-27 09:15:00", "2026-11-27 11:00:00", "2026-11-28 10:00:00")
    assert out["pf"] == "5" and out["counted"] == "1" and out["projectNo"] is None
    assert check_record(out) is None
    light = {"seq": 61, "ts": 1.0, "type": "followup.light", "followup": fu}
    assert to_province(record(records.FOLLOWUP_EVENT, light), RULES) is None  # lights stay in the hall
    called = {"seq": 9, "ts": 1.0, "type": "ticket.called", "data": {"ticket": "x"}}
    assert to_province(record(records.QUEUE_EVENT, called), RULES) is None


@pytest.mark.parametrize(("change", "element"), [
    ({"channel": "api"}, "pf: channel 'api'"),
    ({"matter": "jx-001"}, "taskCode: matter 'jx-001'"),
    ({"matter": None}, "taskCode: case"),
    ({"cases": ["3708 2920"]}, "case number '3708 2920'"),
])
def test_a_rating_the_province_cannot_express_is_named_not_sent(change, element):
    with pytest.raises(Unmappable, match=element.replace("(", r"\(")):
        to_province(rated(**change), RULES)


def test_the_rules_refuse_an_area_outside_the_province():
    with pytest.raises(ValueError, match="not in province 37"):
        ProvinceRules("320104", "jx-hall")
    assert ProvinceRules("320104", "n", "32").case_number("2026-0001") == "3220260001"


GOOD = to_province(rated(), RULES)


@pytest.mark.parametrize(("change", "element"), [
    ({"areaCode": "320104000000"}, "areaCode"),
    ({"pf": "9"}, "pf"),
    ({"alternate": 2}, "alternate"),
    ({"projectNo": "080816251019052"}, "projectNo"),
    ({"taskCode": None}, "taskCode"),
    ({"assessTime": "2026-11-27T09:15:00"}, "assessTime"),
    ({"badReasons": [], "writingEvaluation": ""}, "badReasons"),
    ({"writingEvaluation": "我的身份证370829199001011234"}, "ID number"),
    ({"recordId": "not-a-uuid"}, "recordId"),
    ({"recordType": "rectification"}, "rectifyState: missing"),
    ({"recordType": "rectification", "alternate": "4", "rectifyState": "0", "counted": "1",
      "updateTime": "2026-11-27 10:00:00"}, "only a 差评"),
    ({"recordType": "rectification", "rectifyState": "7", "counted": "1",
      "updateTime": "2026-11-27 10:00:00"}, "feedbackTime"),
])
def test_the_province_refuses_a_bad_element_by_its_name(change, element):
    reason = check_record({**json.loads(json.dumps(GOOD)), **change})
    assert reason is not None and element in reason
