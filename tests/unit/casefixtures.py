"""A small set of matters and helpers for case tests, built in code."""
from __future__ import annotations

import datetime as dt
import hashlib

from hall.cases.engine import CaseEngine
from hall.cases.model import Applicant, CasePolicy, MaterialDef, MatterDef, Person
from hall.domain.events import Event
from sync.workdays import WorkCalendar

LICENCE = MatterDef(
    code="000131128000", name="个体工商户设立登记", department="县市场监管局", promised_days=5, legal_days=15,
    materials=(
        MaterialDef("个体工商户登记申请书", "原件"),
        MaterialDef("经营者身份证明", "原件+复印件"),
        MaterialDef("经营场所使用证明", "复印件"),
        MaterialDef("委托书", "原件", required=False, note="委托他人代办时"),
    ),
)
INSTANT = MatterDef(
    code="000131024000", name="食品经营许可变更", department="县市场监管局", promised_days=0,
    materials=(MaterialDef("变更申请书", "原件"),),
)
LONG = MatterDef(
    code="370117036000", name="建设工程规划许可", department="县住建局", promised_days=15,
    materials=(MaterialDef("申请表", "原件"),),
)
MATTERS = {m.code: m for m in (LICENCE, INSTANT, LONG)}
ALL_GIVEN = {"个体工商户登记申请书": "original", "经营者身份证明": "original", "经营场所使用证明": "copy"}
MONDAY = dt.date(2026, 11, 23)


def person(n: int = 1) -> Applicant:
    holder = hashlib.sha256(f"holder-{n}".encode()).hexdigest()
    return Applicant(person=Person(holder, "110105********002X", "张*"))


def calendar() -> WorkCalendar:
    return WorkCalendar()


def engine(**policy: object) -> CaseEngine:
    return CaseEngine(MATTERS, CasePolicy(area="370829", **policy), calendar())


class Runner:
    """Decides with the engine and applies the events as the service would (no store)."""

    def __init__(self, eng: CaseEngine) -> None:
        self.eng = eng
        self.seq = 0

    def __call__(self, command: str, day: dt.date, **params: object) -> list[Event]:
        return self.apply(getattr(self.eng, command)(day, **params), day)

    def apply(self, drafts: list, day: dt.date) -> list[Event]:
        events = []
        for d in drafts:
            self.seq += 1
            e = Event(self.seq, 0.0, day.isoformat(), d.type, d.data)
            self.eng.book.apply(e)
            events.append(e)
        return events
