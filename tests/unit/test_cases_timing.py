"""The red/yellow/green engine: due dates, pauses added back, step overruns, light events."""
import datetime as dt

from hall.cases import events as cev
from hall.cases.timing import GREEN, RED, YELLOW, Subject, TimedStep, light, paused_days
from tests.unit.casefixtures import ALL_GIVEN, MONDAY, Runner, calendar, engine, person

D = dt.date


def test_green_yellow_red_as_the_due_date_nears_and_passes():
    cal = calendar()
    s = Subject(MONDAY, 5)  # due Monday 2026-11-30
    assert light(s, D(2026, 11, 24), cal, 2).color == GREEN
    thursday = light(s, D(2026, 11, 26), cal, 2)
    assert thursday.color == YELLOW and thursday.remaining == 2 and "剩余 2 个工作日" in thursday.reason
    assert light(s, D(2026, 11, 30), cal, 2).reason.startswith("今日到期")
    late = light(s, D(2026, 12, 2), cal, 2)
    assert late.color == RED and late.remaining == -2 and "已超期 2 个工作日" in late.reason


def test_the_yellow_threshold_is_configurable():
    cal = calendar()
    s = Subject(MONDAY, 5)
    assert light(s, D(2026, 11, 26), cal, 1).color == GREEN
    assert light(s, D(2026, 11, 24), cal, 4).color == YELLOW


def test_a_pausing_step_adds_its_working_days_back():
    cal = calendar()
    # 鉴定 from Tuesday to the next Tuesday: 5 working days (Wed..Tue) do not count
    steps = (TimedStep("鉴定", D(2026, 11, 24), None, D(2026, 12, 1), True),)
    s = Subject(MONDAY, 5, steps)
    assert paused_days(s, D(2026, 12, 3), cal) == 5
    lit = light(s, D(2026, 12, 3), cal, 2)
    assert lit.due == D(2026, 12, 7) and lit.color == YELLOW
    counted = Subject(MONDAY, 5, (TimedStep("审查", D(2026, 11, 24), None, D(2026, 12, 1), False),))
    assert light(counted, D(2026, 12, 3), cal, 2).color == RED


def test_an_open_pausing_step_counts_up_to_today():
    cal = calendar()
    s = Subject(MONDAY, 5, (TimedStep("专家评审", D(2026, 11, 24), None, None, True),))
    assert light(s, D(2026, 12, 10), cal, 2).color == GREEN  # the clock stands still


def test_a_step_over_its_own_limit_turns_yellow():
    cal = calendar()
    s = Subject(MONDAY, 15, (TimedStep("现场核查", D(2026, 11, 24), 1, None, False),))
    lit = light(s, D(2026, 11, 26), cal, 2)
    assert lit.color == YELLOW and "「现场核查」超出环节时限" in lit.reason


def test_every_change_of_light_is_one_event_with_its_reason():
    run = Runner(engine())
    number = run("create", MONDAY, matter="000131128000", applicant=person(), channel="window",
                 materials=dict(ALL_GIVEN))[0].data["case"]
    run("accept", MONDAY, case=number)
    first = run.eng.lights(MONDAY)
    assert [(d.type, d.data["light"]) for d in first] == [(cev.LIGHT, GREEN)]
    run.apply(first, MONDAY)
    assert run.eng.lights(D(2026, 11, 24)) == []  # still green: a day fewer is no event
    changed = run.eng.lights(D(2026, 11, 26))
    assert changed[0].data["light"] == YELLOW and changed[0].data["previous"] == GREEN
    assert "剩余 2 个工作日" in changed[0].data["reason"]
    assert run.eng.lights(D(2026, 12, 1))[0].data["light"] == RED
