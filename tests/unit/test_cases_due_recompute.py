"""A provisional due date is recomputed, with an event, when the calendar brings its year."""
import datetime as dt

from hall.case_service import CaseService
from hall.cases import events as cev
from hall.cases.engine import CaseEngine
from hall.cases.model import CasePolicy
from hall.cases.recompute import reason_of
from hall.service import HallService
from hall.store import HallStore
from sync.workdays import WorkCalendar
from tests.unit.casefixtures import ALL_GIVEN, MATTERS, Runner, person
from tests.unit.hallfixtures import FakeClock, at, small_hall

DECEMBER = dt.date(2026, 12, 21)  # a Monday; 15 working days reach into 2027


def accepted(overrides: dict[str, bool], matter: str = "370117036000", day: dt.date = DECEMBER):
    run = Runner(CaseEngine(MATTERS, CasePolicy(area="370829"), WorkCalendar(lambda: overrides)))
    materials = {"申请表": "original"} if matter == "370117036000" else dict(ALL_GIVEN)
    number = run("create", day, matter=matter, applicant=person(), channel="window",
                 materials=materials)[0].data["case"]
    run("accept", day, case=number)
    run.apply(run.eng.lights(day), day)
    return run, number


def service(tmp_path, clock, overrides: dict[str, bool]) -> CaseService:
    """A case service over the hall's store, on a calendar whose platform days are `overrides`."""
    hall = HallService(small_hall(), HallStore(tmp_path / "hall.db"), clock=clock)
    return CaseService(hall, MATTERS, CasePolicy(area="370829"), WorkCalendar(lambda: overrides))


def accepted_in_december(tmp_path, overrides: dict[str, bool]) -> tuple[FakeClock, CaseService, str]:
    """A 15-working-day case accepted on Monday 21 December 2026, through the service."""
    clock = FakeClock(at(9) + 24 * 86400)
    cases = service(tmp_path, clock, overrides)
    number = cases.execute("create", {"matter": "370117036000", "channel": "window", "applicant": person(),
                                      "materials": {"申请表": "original"}})["case"]["number"]
    cases.execute("accept", {"case": number})
    return clock, cases, number


def test_a_case_due_in_an_unpublished_year_is_provisional_until_the_year_arrives():
    overrides: dict[str, bool] = {}
    run, number = accepted(overrides)
    c = run.eng.case(number)
    assert (c.due, c.due_provisional, c.due_source) == ("2027-01-12", True, "statutory")
    assert run.eng.due_dates(DECEMBER) == []  # nothing new known: no event
    # the year's announcement: 元旦 moved to Mon 4 and Tue 5 January, Saturday 9 January worked (调休)
    overrides.update({"2027-01-04": False, "2027-01-05": False, "2027-01-09": True})
    today = dt.date(2026, 12, 28)
    drafts = run.eng.due_dates(today)
    assert [d.type for d in drafts] == [cev.DUE_CHANGED]
    data = drafts[0].data
    assert data == {"case": number, "previous_due": "2027-01-12", "due": "2027-01-13", "provisional": False,
                    "source": "chinese-calendar", "reason": data["reason"], "day": "2026-12-28"}
    assert "2027" in data["reason"] and "calendar for 2027 published" in data["reason"]
    run.apply(drafts, today)
    c = run.eng.case(number)
    assert (c.due, c.due_provisional, c.due_source) == ("2027-01-13", False, "chinese-calendar")
    assert run.eng.due_dates(today) == []  # firm now: never again


def test_a_worked_saturday_alone_brings_the_date_forward():
    overrides: dict[str, bool] = {}
    run, number = accepted(overrides)
    overrides["2027-01-09"] = True
    drafts = run.eng.due_dates(DECEMBER)
    assert [(d.data["previous_due"], d.data["due"], d.data["provisional"]) for d in drafts] == [
        ("2027-01-12", "2027-01-11", False)]


def test_a_year_that_confirms_the_date_makes_it_firm():
    overrides: dict[str, bool] = {}
    run, number = accepted(overrides)
    overrides["2027-10-08"] = True  # a published 2027 that changes nothing in January
    drafts = run.eng.due_dates(DECEMBER)
    assert [(d.data["due"], d.data["provisional"]) for d in drafts] == [("2027-01-12", False)]
    run.apply(drafts, DECEMBER)
    overrides["2027-01-09"] = True  # a later change to a firm date is the lights' business, not this
    assert run.eng.due_dates(DECEMBER) == []


def test_only_open_cases_with_a_provisional_date_are_recomputed():
    overrides: dict[str, bool] = {}
    run, due_later = accepted(overrides)
    run2, firm = accepted(overrides, matter="000131128000", day=dt.date(2026, 12, 1))
    assert run2.eng.case(firm).due_provisional is False
    overrides["2027-01-09"] = True
    assert run2.eng.due_dates(DECEMBER) == []  # its one case was never provisional
    run("conclude", DECEMBER, case=due_later, approved=True)
    assert run.eng.due_dates(DECEMBER) == []  # concluded: its date no longer matters


def test_the_reason_names_the_published_year_or_says_the_date_stays_provisional():
    class Lit:
        def __init__(self, due: dt.date, provisional: bool) -> None:
            self.due, self.provisional = due, provisional

    assert reason_of("2026-12-31", Lit(dt.date(2027, 1, 5), False)).startswith("2026、2027 年节假日安排已发布")
    assert "暂定" in reason_of("2027-01-12", Lit(dt.date(2027, 1, 13), True))


def test_the_service_recomputes_at_start_with_an_event_the_store_keeps(tmp_path):
    overrides: dict[str, bool] = {}
    clock, cases, number = accepted_in_december(tmp_path, overrides)
    assert cases.case(number).due_provisional is True
    cases.store.close()
    clock.now += 10 * 86400  # Thursday 31 December, after an upgrade that knows 2027
    overrides.update({"2027-01-04": False, "2027-01-05": False, "2027-01-09": True})
    again = service(tmp_path, clock, overrides)
    c = again.case(number)
    assert (c.due, c.due_provisional) == ("2027-01-13", False)
    stored = [e for e in again.store.events_of_cases(0) if e.type == cev.DUE_CHANGED]
    assert [(e.data["previous_due"], e.data["due"]) for e in stored] == [("2027-01-12", "2027-01-13")]
    assert again.store._query("SELECT due FROM cases WHERE number = ?", [number]) == [("2027-01-13",)]
    again.store.close()
    assert service(tmp_path, clock, overrides).recompute_due_dates() == 0  # recomputed once, not at each start


def test_a_date_brought_forward_relights_the_case_at_start(tmp_path):
    overrides: dict[str, bool] = {}
    clock, cases, number = accepted_in_december(tmp_path, overrides)
    seq = cases.store.last_seq()
    cases.store.close()
    clock.now += 22 * 86400  # Tuesday 12 January 2027: due today, on the provisional date
    overrides["2027-01-09"] = True  # the worked Saturday brings the date to Monday 11 January
    again = service(tmp_path, clock, overrides)
    after = [(e.type, e.data.get("due"), e.data.get("light")) for e in again.store.events_of_cases(seq)]
    assert after[:2] == [(cev.DUE_CHANGED, "2027-01-11", None), (cev.LIGHT, "2027-01-11", "red")]
    assert again.case(number).light_reason.startswith("已超期 1 个工作日")
    again.store.close()
