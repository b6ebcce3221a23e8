"""The case engine: numbers, checklists, transitions and refusals that change nothing."""
import copy
import datetime as dt

import pytest

from hall.cases import events as cev
from hall.cases.codes import (
    case_number,
    check_credit_code,
    check_number_pattern,
    credit_check_char,
    speakable,
)
from hall.cases.errors import CaseTransition, InvalidCase
from hall.cases.model import Applicant, CaseState, Person
from tests.unit.casefixtures import ALL_GIVEN, MONDAY, Runner, engine, person

CODE_OK = "91350100M000100Y43"  # a published example code (GB 32100 appendix style)


def new_case(run: Runner, day: dt.date = MONDAY, **kw) -> str:
    params = {"matter": "000131128000", "applicant": person(), "channel": "window", "window": "w1",
              "staff": "s1", "materials": dict(ALL_GIVEN)}
    params.update(kw)
    return run("create", day, **params)[0].data["case"]


def test_credit_code_check_character():
    assert credit_check_char(CODE_OK[:17]) == CODE_OK[17]
    assert check_credit_code(CODE_OK) == CODE_OK
    wrong = CODE_OK[:17] + ("0" if CODE_OK[17] != "0" else "1")
    with pytest.raises(InvalidCase, match=f"末位应为 {CODE_OK[17]}"):
        check_credit_code(wrong)
    with pytest.raises(InvalidCase, match="18 位"):
        check_credit_code(CODE_OK[:17])
    with pytest.raises(InvalidCase, match="'I'"):
        check_credit_code("I" + CODE_OK[1:])


def test_organisation_applicant_needs_a_valid_code_and_a_name():
    org = Applicant(credit_code=CODE_OK, org_name="某某商贸有限公司")
    assert org.kind == "organisation"
    with pytest.raises(InvalidCase, match="单位名称"):
        Applicant(credit_code=CODE_OK)
    with pytest.raises(InvalidCase, match="二者选一"):
        Applicant()


def test_person_keeps_only_hash_and_masks():
    with pytest.raises(InvalidCase, match="密钥散列"):
        Person("110105194912310025", "110105********002X")
    with pytest.raises(InvalidCase, match="遮蔽后的身份证号"):
        Person("a" * 64, "110105194912310025")
    with pytest.raises(InvalidCase, match="遮蔽后的姓名"):
        Person("a" * 64, "110105********002X", "张三")


def test_number_pattern_and_numbers():
    assert case_number("{area}{year}{serial:06d}", "370829", 2026, 7) == "3708292026000007"
    assert speakable("3708292026000007") == "3708 2920 2600 0007"
    for bad in ("{area}{serial}", "{year}{serial}{name}", "{year}x{serial}"):
        with pytest.raises(ValueError, match="pattern"):
            check_number_pattern(bad)


def test_numbers_count_per_year_and_never_repeat():
    run = Runner(engine())
    a = new_case(run)
    b = new_case(run)
    assert (a, b) == ("3708292026000001", "3708292026000002")
    run("refuse", MONDAY, case=b, reason="不属于本机关职权范围", redirect="县自然资源局")
    c = new_case(run)
    assert c == "3708292026000003"  # a refused case keeps its number
    assert new_case(run, dt.date(2027, 1, 4)) == "3708292027000001"


def test_accept_sets_the_due_date_after_the_day_of_acceptance():
    run = Runner(engine())
    number = new_case(run)
    e = run("accept", MONDAY, case=number)[0]
    assert e.type == cev.ACCEPTED
    assert e.data["due"] == "2026-11-30"  # 5 working days after Monday, the Monday itself not counted
    assert e.data["provisional"] is False
    c = run.eng.book.cases[number]
    assert c.state is CaseState.ACCEPTED and c.due == "2026-11-30"


def test_instant_matter_is_due_the_same_day():
    run = Runner(engine())
    number = new_case(run, matter="000131024000", materials={"变更申请书": "licence"})
    assert run("accept", MONDAY, case=number)[0].data["due"] == MONDAY.isoformat()


def test_a_due_date_in_a_year_without_holiday_data_is_provisional():
    run = Runner(engine())
    number = new_case(run, dt.date(2026, 12, 21), matter="370117036000", materials={"申请表": "original"})
    e = run("accept", dt.date(2026, 12, 21), case=number)[0]
    assert e.data["provisional"] is True and e.data["source"] == "statutory"
    assert e.data["due"] == "2027-01-12"  # 元旦 counted closed by the statutory rule


def test_accept_refused_with_missing_materials_names_them_and_changes_nothing():
    eng = engine()
    run = Runner(eng)
    number = new_case(run, materials={"个体工商户登记申请书": "original"})
    before = copy.deepcopy(eng.book)
    with pytest.raises(InvalidCase, match="经营者身份证明、经营场所使用证明"):
        eng.accept(MONDAY, number)
    assert eng.book == before


def test_unknown_matter_and_material_are_refused():
    eng = engine()
    with pytest.raises(InvalidCase, match="没有编码为 '999999999999' 的事项"):
        eng.create(MONDAY, "999999999999", person(), "window")
    with pytest.raises(InvalidCase, match="「结婚证」不在事项"):
        eng.create(MONDAY, "000131128000", person(), "window", materials={"结婚证": "original"})
    with pytest.raises(InvalidCase, match="提供方式"):
        eng.create(MONDAY, "000131128000", person(), "window", materials={"委托书": "faxed"})
    with pytest.raises(InvalidCase, match="渠道"):
        eng.create(MONDAY, "000131128000", person(), "email")


def test_conditional_material_only_when_its_condition_applies():
    run = Runner(engine())
    plain = new_case(run)
    assert "委托书" not in run.eng.book.cases[plain].materials
    agent = Person("b" * 64, "370829********1234", "李*")
    by_agent = new_case(run, agent=agent, applies=["委托书"])
    assert run.eng.missing(run.eng.book.cases[by_agent]) == ["委托书"]
    brought = new_case(run, materials={**ALL_GIVEN, "委托书": "original"})
    assert run.eng.book.cases[brought].applies == ("委托书",)


def test_correction_lists_every_missing_material_at_once_with_a_deadline():
    run = Runner(engine())
    number = new_case(run, materials={"个体工商户登记申请书": "original"})
    e = run("request_correction", MONDAY, case=number,
            items=[{"material": "个体工商户登记申请书", "reason": "未签字"}])[0]
    assert [i["material"] for i in e.data["items"]] == ["经营者身份证明", "经营场所使用证明", "个体工商户登记申请书"]
    assert e.data["items"][2]["reason"] == "未签字"
    assert e.data["deadline"] == "2026-11-30"
    run("update_materials", dt.date(2026, 11, 25), case=number, materials=ALL_GIVEN)
    run("accept", dt.date(2026, 11, 25), case=number)
    assert run.eng.book.cases[number].state is CaseState.ACCEPTED
    assert run.eng.book.stats.by_matter["000131128000"] == {"accepted": 1, "correction": 1, "refused": 0}


def test_correction_with_nothing_to_correct_is_refused():
    run = Runner(engine())
    number = new_case(run)
    with pytest.raises(InvalidCase, match="材料齐全"):
        run.eng.request_correction(MONDAY, number)


def test_refusal_needs_a_reason_and_ends_the_case():
    run = Runner(engine())
    number = new_case(run)
    with pytest.raises(InvalidCase, match="理由"):
        run.eng.refuse(MONDAY, number, reason=" ")
    run("refuse", MONDAY, case=number, reason="不属于本机关职权范围", redirect="县自然资源局")
    with pytest.raises(CaseTransition, match="处于「不予受理」，不能受理"):
        run.eng.accept(MONDAY, number)


def test_the_whole_way_to_closed():
    run = Runner(engine())
    number = new_case(run)
    run("accept", MONDAY, case=number)
    run("start_step", dt.date(2026, 11, 24), case=number, step="审查", limit_days=2)
    run("finish_step", dt.date(2026, 11, 25), case=number)
    run("conclude", dt.date(2026, 11, 26), case=number, approved=True)
    with pytest.raises(InvalidCase, match="核验"):
        run.eng.deliver(dt.date(2026, 11, 27), number, "pickup")
    with pytest.raises(InvalidCase, match="快递单号"):
        run.eng.deliver(dt.date(2026, 11, 27), number, "post", address_masked="山东省济宁市****")
    run("deliver", dt.date(2026, 11, 27), case=number, method="post", address_masked="山东省济宁市****",
        tracking="SF1234567890")
    run("close", dt.date(2026, 11, 30), case=number)
    c = run.eng.book.cases[number]
    assert c.state is CaseState.CLOSED and c.on_time is True and c.approved is True
    assert run.eng.book.stats.on_time_rate == 1.0


def test_transition_from_the_wrong_state_names_state_and_command():
    run = Runner(engine())
    number = new_case(run)
    with pytest.raises(CaseTransition, match="处于「预审」，不能办结") as err:
        run.eng.conclude(MONDAY, number, approved=True)
    assert err.value.details["command"] == "conclude" and err.value.details["state"] == "presubmitted"
    with pytest.raises(CaseTransition, match="不能出件"):
        run.eng.deliver(MONDAY, number, "pickup", proof="id_card")


def test_one_open_step_at_a_time_and_conclude_finishes_it():
    run = Runner(engine())
    number = new_case(run)
    run("accept", MONDAY, case=number)
    run("start_step", MONDAY, case=number, step="鉴定")
    with pytest.raises(CaseTransition, match="「鉴定」尚未完成"):
        run.eng.start_step(MONDAY, number, "审查")
    types = [e.type for e in run("conclude", dt.date(2026, 11, 24), case=number, approved=False)]
    assert types == [cev.STEP_FINISHED, cev.CONCLUDED]
    assert run.eng.book.cases[number].approved is False


def test_the_config_refuses_a_pattern_that_could_repeat_numbers():
    from pydantic import ValidationError

    from hall.case_config import CaseConfig

    with pytest.raises(ValidationError, match=r"needs \{year\} and \{serial\}"):
        CaseConfig(number_pattern="{area}{serial:06d}")
    assert CaseConfig().number_pattern == "{area}{year}{serial:06d}"
