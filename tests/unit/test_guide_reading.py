"""A guide as a citizen reads it: the demo hall's guides turned into answers (how long, how
much, how many trips, what to bring), with no catalogue codes and no contradiction between
"1 visit" and "全程网办"."""
from __future__ import annotations

import re

import pytest

from kiosk.models.terminal.guide_reading import fully_online, plain_notes, reading
from kiosk.models.terminal.samples import sample_guide, sample_guides


def test_the_business_licence_guide_reads_as_answers():
    r = reading(sample_guide("个体工商户设立登记"))
    assert (r.days, r.free, r.fully_online, r.queue) == (0, True, True, "企业开办")
    assert [m.name for m in r.bring] == ["个体工商户登记申请书", "经营者身份证明", "经营场所使用证明"]
    assert [m.name for m in r.maybe] == ["前置许可文件", "委托书及代理人身份证明"]
    assert "00013112800001" not in r.notes and "跑动次数" not in r.notes


@pytest.mark.parametrize("guide", sample_guides(), ids=lambda g: g["name"][:12])
def test_no_guide_shows_a_code_or_visit_bookkeeping(guide):
    r = reading(guide)
    for text in (r.notes, r.conditions, *r.steps):
        assert "跑动次数" not in text and not any(run.isdigit() and len(run) >= 8 for run in text.split())
    assert len(r.bring) + len(r.maybe) == len(guide["materials"]) and r.bring
    assert r.free == (guide["fee"] in ("不收费", "免费"))


def test_fully_online_is_not_said_by_a_guide_that_denies_it():
    assert fully_online("全程网办（电子营业执照）") and fully_online("国家医保服务平台APP全程网办")
    assert not fully_online("网上预约、网上预审（非全程网办）") and not fully_online("")


def test_plain_notes_drop_only_the_clauses_with_codes_or_bookkeeping():
    notes = "业务办理项：00013112800001 设立；要素全国统一。网办的跑动次数为0。请带齐原件"
    assert plain_notes(notes) == "要素全国统一。请带齐原件"
    assert plain_notes("") == ""


def test_a_waivable_material_and_missing_limits_are_read_as_such():
    r = reading({"name": "x", "fee": "20元", "visits": 2, "online": "网上预约",
                 "materials": [{"name": "a", "form": "原件", "note": "可容缺后补"},
                               {"name": "b", "form": "电子", "count": 1, "required": False}]})
    assert r.days is None and not r.free and r.visits == 2 and not r.fully_online
    assert r.bring[0].waivable and r.maybe[0].form == "电子"


def test_the_business_licence_guide_reads_in_english_from_the_halls_english():
    r = reading(sample_guide("个体工商户设立登记"), "en")
    assert (r.queue, r.days, r.days_note) == ("Business Start-up", 0, "")  # 即办 says no more than 0 days
    assert r.notes == "The registration details are the same nationwide."
    assert r.basis.startswith("Regulations on the Registration of Market Entities")


def test_a_promised_time_says_only_what_the_number_cannot():
    say = {g["name"]: reading(g, "en").days_note for g in sample_guides()}
    assert say["普通护照签发"] == ""  # 7工作日: the answer says it
    assert say["国有建设用地使用权及房屋所有权首次登记"] == "5 working days promised (Xiangyin County)"
    assert reading(sample_guide("国有建设用地使用权及房屋所有权首次登记")).days_note == "承诺5工作日（湘阴县）"


@pytest.mark.parametrize("guide", sample_guides(), ids=lambda g: g["name"][:12])
def test_every_sample_guide_reads_in_english(guide):
    r = reading(guide, "en")
    texts = [r.name, r.queue, r.office, r.days_note, r.fee, r.online, r.conditions, r.notes, r.basis, *r.steps,
             *(m.name for m in r.bring + r.maybe), *(m.note for m in r.bring + r.maybe)]
    assert [t for t in texts if re.search(r"[\u3400-\u9fff]", t)] == []
