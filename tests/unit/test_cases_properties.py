"""Random command sequences against the case service: no illegal state is ever reached, numbers
never repeat, a refused command changes nothing, and what is stored replays to what is in memory."""
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from hall.case_service import CaseService
from hall.cases.model import CasePolicy, CaseState
from hall.domain.errors import QueueError
from hall.service import HallService
from hall.store import HallStore
from tests.unit.casefixtures import MATTERS, calendar, person
from tests.unit.hallfixtures import FakeClock, at, small_hall

S = CaseState
NEXT = {
    S.PRESUBMITTED: {S.PRESUBMITTED, S.ACCEPTED, S.CORRECTION, S.REFUSED},
    S.CORRECTION: {S.CORRECTION, S.ACCEPTED, S.REFUSED},
    S.ACCEPTED: {S.ACCEPTED, S.HANDLING, S.CONCLUDED},
    S.HANDLING: {S.HANDLING, S.CONCLUDED},
    S.CONCLUDED: {S.CONCLUDED, S.DELIVERED},
    S.DELIVERED: {S.DELIVERED, S.CLOSED},
    S.REFUSED: {S.REFUSED},
    S.CLOSED: {S.CLOSED},
}
MATERIAL_NAMES = [m.name for matter in MATTERS.values() for m in matter.materials] + ["结婚证"]
PROVISIONS = ["original", "copy", "licence", "image", "missing", "fax"]
COMMANDS = st.sampled_from([
    ("accept", {}),
    ("request_correction", {}),
    ("refuse", {"reason": "不属于本机关职权范围"}),
    ("start_step", {"step": "审查", "limit_days": 1}),
    ("start_step", {"step": "鉴定"}),
    ("finish_step", {}),
    ("conclude", {"approved": True}),
    ("deliver", {"method": "pickup", "proof": "id_card"}),
    ("deliver", {"method": "post", "address_masked": "济宁市****", "tracking": "SF1"}),
    ("close", {}),
])


class CaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="yiciban-cases-"))
        self.clock = FakeClock(at(9, day=2))
        self.svc = self._open()
        self.numbers: list[str] = []

    def _open(self) -> CaseService:
        hall = HallService(small_hall(), HallStore(self.dir / "hall.db"), clock=self.clock)
        return CaseService(hall, MATTERS, CasePolicy(area="370829"), calendar())

    def teardown(self) -> None:
        self.svc.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, command: str, params: dict) -> None:
        number = params.get("case")
        before = self.svc.case(number).state if number else None
        seq = self.svc.store.last_seq()
        try:
            out = self.svc.execute(command, params)
        except QueueError:
            assert self.svc.store.last_seq() == seq
            if number:
                assert self.svc.case(number).state is before
            return
        if command == "create":
            assert out["case"]["number"] not in self.numbers
            self.numbers.append(out["case"]["number"])
        else:
            assert self.svc.case(number).state in NEXT[before]

    @rule(matter=st.sampled_from(sorted(MATTERS)),
          given=st.dictionaries(st.sampled_from(MATERIAL_NAMES), st.sampled_from(PROVISIONS), max_size=4))
    def create(self, matter, given):
        self._run("create", {"matter": matter, "applicant": person(len(self.numbers)), "channel": "window",
                             "materials": given})

    @rule(data=st.data(), given=st.dictionaries(st.sampled_from(MATERIAL_NAMES), st.sampled_from(PROVISIONS),
                                                max_size=3))
    def materials(self, data, given):
        if self.numbers:
            self._run("update_materials", {"case": data.draw(st.sampled_from(self.numbers)), "materials": given})

    @rule(data=st.data(), command=COMMANDS)
    def command(self, data, command):
        if self.numbers:
            name, params = command
            self._run(name, {**params, "case": data.draw(st.sampled_from(self.numbers))})

    @rule(days=st.integers(1, 12))
    def days_pass(self, days):
        self.clock.advance(days * 86400)
        self.svc.hall.tick()

    @rule()
    def restart(self):
        views = {n: self.svc.view(self.svc.case(n)) for n in self.numbers}
        self.svc.store.close()
        self.svc = self._open()
        assert {n: self.svc.view(self.svc.case(n)) for n in self.numbers} == views

    @invariant()
    def numbers_are_unique_and_stored(self):
        rows = self.svc.store._query("SELECT number FROM cases")
        assert sorted(r[0] for r in rows) == sorted(self.numbers) == sorted(self.svc.book.cases)
        assert self.svc.hall.last_seq == self.svc.store.last_seq()

    @invariant()
    def lights_only_on_the_clock(self):
        for c in self.svc.book.cases.values():
            if c.state in (S.ACCEPTED, S.HANDLING):
                assert c.light in ("green", "yellow", "red") and c.due is not None
            if c.state in (S.PRESUBMITTED, S.CORRECTION, S.REFUSED):
                assert c.accepted_day is None


CaseMachine.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
TestCaseMachine = CaseMachine.TestCase
