"""The 差评 follow-up ledger: opening, the states and their refusals, the deadlines on a fake
clock across the National Day holiday, the lights, the figures, and the service over the store."""
from __future__ import annotations

import datetime as dt
from datetime import datetime

import pytest

from hall.domain.events import Event
from hall.followups import ledger as fl
from hall.followups.config import FollowupConfig
from hall.followups.engine import Actor, FollowupEngine
from hall.followups.errors import FollowupNotFound, FollowupTransition, InvalidFollowup
from hall.followups.ledger import Ledger
from hall.followups.model import Deadlines, Owner, State
from hall.followups.stats import figures
from sync.workdays import WorkCalendar
from tests.unit.hallfixtures import SHANGHAI

D = dt.date
WANG = Actor.of("s1", "staff")  # served the ticket
LEAD = Actor.of("lead3", "staff")  # window w3's lead
OTHER = Actor.of("s9", "staff")
BOSS = Actor.of("boss", "supervisor")
RATING = {"ticket": "t-1", "number": "A017", "level": 1, "reasons": ["办事效率低"], "text": "", "channel": "pad",
          "window": "w3", "staff": "s1", "matter": "000131128000", "queue": "general"}


def at(day: D, hour: int, minute: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).timestamp()


class Runner:
    """Decides with the engine and applies the events as the service does, on a fake clock."""

    def __init__(self, deadlines: Deadlines | None = None) -> None:
        self.eng = FollowupEngine(deadlines or Deadlines(), {"w3": Owner("县市场监管局", "lead3")},
                                  Owner("政务服务中心"), WorkCalendar(), Ledger(), SHANGHAI)
        self.seq = 0
        self.now = at(D(2026, 9, 29), 10)  # Tuesday before the National Day holiday

    def today(self) -> D:
        return datetime.fromtimestamp(self.now, SHANGHAI).date()

    def apply(self, drafts) -> list[Event]:
        out = []
        for d in drafts:
            self.seq += 1
            e = Event(self.seq, self.now, self.today().isoformat(), d.type, d.data)
            self.eng.ledger.apply(e)
            out.append(e)
        return out

    def __call__(self, command: str, *args) -> list[Event]:
        """`run("verify", who, ...)` works on fu-t-1; `run("verify", "fu-t-2", who, ...)` on another."""
        ident = args[0] if isinstance(args[0], str) else "fu-t-1"
        rest = args[1:] if isinstance(args[0], str) else args
        return self.apply(getattr(self.eng, command)(ident, *rest))

    def lights(self) -> list[Event]:
        return self.apply(self.eng.lights(self.now, self.today()))

    @property
    def rec(self):
        return self.eng.ledger.items["fu-t-1"]


def opened(deadlines: Deadlines | None = None) -> Runner:
    run = Runner(deadlines)
    run.apply(run.eng.open(RATING, run.now, run.today().isoformat()))
    run.lights()
    return run


def test_a_bad_rating_opens_one_follow_up_assigned_to_the_window_and_a_good_one_none():
    run = opened()
    assert run.rec.state is State.VERIFY and run.rec.department == "县市场监管局" and run.rec.lead == "lead3"
    assert run.rec.light == "green"
    assert run.eng.open(RATING, run.now, run.today().isoformat()) == []  # one follow-up per rated visit
    assert run.eng.open({**RATING, "ticket": "t-2", "level": 3}, run.now, "2026-09-29") == []
    other = run.eng.open({**RATING, "ticket": "t-3", "window": "w9"}, run.now, "2026-09-29")
    assert other[0].data["department"] == "政务服务中心" and other[0].data["lead"] is None


def test_fix_now_then_feedback_then_close():
    run = opened()
    run("verify", WANG, "fix_now", "当场补办并致歉")
    assert run.rec.state is State.FIXED and run.rec.fixed_ts == run.now and run.rec.verified_by == "s1"
    told = run.now + 600
    run.now += 3600
    run("feedback", LEAD, "phone", told, run.now, "电话告知已整改")
    fb = run.rec.feedback
    assert (fb.how, fb.at, fb.by) == ("phone", told, "lead3") and run.rec.state is State.FED_BACK
    assert run.rec.light is None
    run("close", BOSS)
    assert run.rec.state is State.CLOSED and [t for _, t in run.rec.history][-1] == fl.CLOSED


def test_illegal_transitions_are_refused_with_the_state_and_nothing_changes():
    run = opened()
    with pytest.raises(FollowupTransition, match="待回访核实，不能反馈群众"):
        run("feedback", WANG, "phone", run.now, run.now, "")
    with pytest.raises(FollowupTransition, match="不能办结"):
        run("close", BOSS)
    with pytest.raises(FollowupTransition, match="s9 不负责"):
        run("verify", OTHER, "fix_now", "")
    with pytest.raises(InvalidFollowup, match="核实结果须为"):
        run("verify", WANG, "ignore", "")
    with pytest.raises(InvalidFollowup, match="解释说明须写明理由"):
        run("verify", WANG, "explain", " ")
    with pytest.raises(FollowupNotFound):
        run("verify", "fu-none", WANG, "fix_now", "")
    assert run.rec.state is State.VERIFY and len(run.rec.history) == 2  # opened, light


def test_an_appeal_is_decided_by_a_supervisor_and_upheld_leaves_the_statistics():
    run = opened()
    run("verify", WANG, "appeal", "群众误操作，录像为证")
    with pytest.raises(FollowupTransition, match="申诉由主管复核决定"):
        run("decide_appeal", LEAD, True, "")
    run("decide_appeal", BOSS, True, "核实为误评")
    assert run.rec.state is State.EXCLUDED and not run.rec.counted and run.rec.light is None
    f = figures([run.rec])
    assert f["excluded_by_appeal"] == 1 and f["called_back"] == 1


def test_a_rejected_appeal_returns_to_verify_and_cannot_be_appealed_again():
    run = opened()
    run("verify", WANG, "appeal", "认为评价不实")
    run("decide_appeal", BOSS, False, "证据不足")
    assert run.rec.state is State.VERIFY and run.rec.called_back
    with pytest.raises(FollowupTransition, match="申诉已被驳回"):
        run("verify", WANG, "appeal", "再次申诉")
    run("verify", WANG, "explain", "依法须补齐材料")
    assert run.rec.state is State.EXPLAINED


def test_rectify_by_a_deadline_counted_in_working_days_across_national_day():
    run = opened()
    run("verify", WANG, "rectify", "窗口流程调整")
    moved = run.lights()  # still green, but now on the fix's deadline, not the callback's
    assert [e.data["phase"] for e in moved] == ["fix"] and run.rec.light_reason.startswith("整改反馈")
    # rated Tuesday 09-29; 5 working days: 09-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12
    assert run.rec.fix_due == D(2026, 10, 12) and run.rec.state is State.RECTIFYING
    run.now = at(D(2026, 10, 7), 9)  # still the holiday: 3 working days left
    run.lights()
    assert run.rec.light == "green"
    run.now = at(D(2026, 10, 10), 9)  # the swapped working Saturday: 1 left
    run.lights()
    assert run.rec.light == "yellow" and "剩余 1 个工作日" in run.rec.light_reason
    run.now = at(D(2026, 10, 13), 9)
    changed = run.lights()
    assert run.rec.light == "red" and "已超期 1 个工作日" in run.rec.light_reason
    assert [e.data["previous"] for e in changed] == ["yellow"]  # each change one event
    assert run.lights() == []  # no change, no event
    run("rectified", WANG, "已整改")
    assert run.rec.state is State.FIXED and figures([run.rec])["fix_rate"] == 1.0


def test_a_callback_in_hours_turns_yellow_then_red_on_the_clock():
    run = opened(Deadlines(callback_hours=24, yellow_hours=4))
    run.now += 21 * 3600
    run.lights()
    assert run.rec.light == "yellow" and "回访剩余 3 小时" in run.rec.light_reason
    run.now += 5 * 3600
    run.lights()
    assert run.rec.light == "red" and "回访已超时 2 小时" in run.rec.light_reason


def test_a_callback_in_working_days_skips_the_holiday():
    run = opened(Deadlines(callback_hours=None, callback_working_days=2, yellow_working_days=0))
    run.now = at(D(2026, 10, 6), 9)  # holiday: 09-30 was day 1, 10-08 is day 2
    run.lights()
    assert run.rec.light == "green"
    run.now = at(D(2026, 10, 8), 9)
    run.lights()
    assert run.rec.light == "yellow" and "今日到期" in run.rec.light_reason
    run.now = at(D(2026, 10, 9), 9)
    run.lights()
    assert run.rec.light == "red"


def test_feedback_time_must_be_after_the_rating_and_not_in_the_future():
    run = opened()
    run("verify", WANG, "fix_now", "")
    with pytest.raises(InvalidFollowup, match="不能晚于现在"):
        run("feedback", WANG, "phone", run.now + 7200, run.now, "")
    with pytest.raises(InvalidFollowup, match="不能早于差评时间"):
        run("feedback", WANG, "phone", run.now - 7200, run.now, "")
    with pytest.raises(InvalidFollowup, match="反馈方式须为"):
        run("feedback", WANG, "pigeon", run.now, run.now, "")


def test_a_feedback_time_given_to_the_minute_may_be_the_minute_of_the_rating():
    run = Runner()
    run.now += 42  # rated at 10:00:42
    run.apply(run.eng.open(RATING, run.now, run.today().isoformat()))
    run("verify", WANG, "fix_now", "")
    with pytest.raises(InvalidFollowup, match="不能早于差评时间"):  # 09:59
        run("feedback", WANG, "phone", run.now - 42 - 60, run.now + 600, "")
    run("feedback", WANG, "phone", run.now - 42, run.now + 600, "")  # 10:00, as the supervisors' page gives it
    assert run.rec.feedback.at == run.now - 42


def test_a_callback_made_earlier_is_put_down_at_its_own_time():
    run = opened()
    rated = run.now
    with pytest.raises(InvalidFollowup, match="回访时间不能晚于现在"):
        run("verify", WANG, "fix_now", "", rated + 7200, rated + 3600)
    with pytest.raises(InvalidFollowup, match="回访时间不能早于差评时间"):
        run("verify", WANG, "fix_now", "", rated - 7200, rated + 3600)
    run("verify", WANG, "fix_now", "当场补办", rated + 600, rated + 3 * 3600)  # called at 10:10, put down at 13:00
    assert run.rec.verified_ts == run.rec.fixed_ts == rated + 600
    other = opened()
    other("verify", WANG, "explain", "已解释")  # no time given: the moment it is put down
    assert other.rec.verified_ts == other.now


def test_figures_callback_and_fix_rates():
    run = opened()
    run.apply(run.eng.open({**RATING, "ticket": "t-2"}, run.now, "2026-09-29"))
    run.apply(run.eng.open({**RATING, "ticket": "t-3"}, run.now, "2026-09-29"))
    run("verify", WANG, "fix_now", "")
    run("verify", "fu-t-2", WANG, "rectify", "")
    f = figures(run.eng.ledger.items.values())
    assert (f["total"], f["called_back"], f["callback_rate"]) == (3, 2, round(2 / 3, 4))
    assert (f["to_fix"], f["fixed"], f["fix_rate"]) == (2, 1, 0.5)


def test_the_config_is_validated_against_the_hall():
    with pytest.raises(ValueError, match="not both"):
        FollowupConfig(callback_hours=24, callback_working_days=2)
    cfg = FollowupConfig(callback_working_days=2)
    assert cfg.deadlines().callback_hours is None and cfg.deadlines().callback_working_days == 2
    assert FollowupConfig().deadlines().callback_hours == 24
