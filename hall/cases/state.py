"""Cases folded from their events, with their statistics. `apply` is the only thing that changes them."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from hall.cases import events as cev
from hall.cases.model import (
    CLOCK_STATES,
    Applicant,
    CaseRec,
    CaseState,
    Channel,
    Person,
    Provision,
    Step,
)
from hall.domain.events import Event

TALLIES = ("accepted", "correction", "refused")
# enum members by value: a dict lookup, where calling the enum costs a few microseconds per material
_PROVISION = {p.value: p for p in Provision}
_STATE = {s.value: s for s in CaseState}


@dataclass
class CaseStats:
    """Accepted, 补正 and 不予受理 per matter and per window; concluded and on time."""

    by_matter: dict[str, dict[str, int]] = field(default_factory=dict)
    by_window: dict[str, dict[str, int]] = field(default_factory=dict)
    concluded: int = 0
    on_time: int = 0
    light_changes: int = 0

    def count(self, what: str, matter: str, window: str | None) -> None:
        self.by_matter.setdefault(matter, dict.fromkeys(TALLIES, 0))[what] += 1
        self.by_window.setdefault(window or "-", dict.fromkeys(TALLIES, 0))[what] += 1

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.concluded, 4) if self.concluded else None


@dataclass
class CaseBook:
    last_seq: int = 0
    cases: dict[str, CaseRec] = field(default_factory=dict)
    serials: dict[int, int] = field(default_factory=dict)  # year -> last serial given
    stats: CaseStats = field(default_factory=CaseStats)
    updates: set[str] = field(default_factory=set)  # the platform's case updates applied

    def apply(self, e: Event) -> None:
        handler = _HANDLERS.get(e.type)
        if handler is None:
            raise ValueError(f"unknown case event type {e.type!r} at seq {e.seq}")
        handler(self, e)
        if e.data.get("update"):
            self.updates.add(e.data["update"])
        self.last_seq = e.seq

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values: what a case snapshot stores (cases load from it, then later events)."""
        return {"last_seq": self.last_seq, "cases": [asdict(c) for c in self.cases.values()],
                "serials": {str(y): n for y, n in self.serials.items()}, "stats": asdict(self.stats),
                "updates": sorted(self.updates)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CaseBook:
        return cls(last_seq=d["last_seq"], cases={c["id"]: _case(c) for c in d["cases"]},
                   serials={int(y): n for y, n in d["serials"].items()}, stats=CaseStats(**d["stats"]),
                   updates=set(d["updates"]))

    def open_by_light(self) -> dict[str, int]:
        out = {"green": 0, "yellow": 0, "red": 0}
        for c in self.cases.values():
            if c.state in CLOCK_STATES and c.light in out:
                out[c.light] += 1
        return out

    def stats_view(self) -> dict[str, Any]:
        s = self.stats
        by_state: dict[str, int] = {}
        for c in self.cases.values():
            by_state[c.state.value] = by_state.get(c.state.value, 0) + 1
        return {"by_matter": s.by_matter, "by_window": s.by_window, "concluded": s.concluded,
                "on_time": s.on_time, "on_time_rate": s.on_time_rate, "open_by_light": self.open_by_light(),
                "by_state": by_state, "light_changes": s.light_changes}


def _person(d: dict[str, Any] | None) -> Person | None:
    return Person(d["holder"], d["id_masked"], d.get("name_masked", "")) if d else None


def _case(d: dict[str, Any]) -> CaseRec:
    a = d["applicant"]
    return CaseRec(**{
        **d, "applicant": Applicant(_person(a["person"]), a["credit_code"], a["org_name"]),
        "agent": _person(d["agent"]), "channel": Channel(d["channel"]), "state": _STATE[d["state"]],
        "materials": {k: _PROVISION[v] for k, v in d["materials"].items()}, "applies": tuple(d["applies"]),
        "steps": [Step(**st) for st in d["steps"]]})


def _created(b: CaseBook, e: Event) -> None:
    d = e.data
    agent = d.get("agent")
    b.cases[d["case"]] = CaseRec(
        id=d["case"], serial=d["serial"], year=d["year"], matter=d["matter"], matter_name=d["matter_name"],
        department=d["department"], applicant=Applicant.from_dict(d["applicant"]),
        channel=Channel(d["channel"]), created_at=e.ts, created_day=e.day,
        agent=Person(agent["holder"], agent["id_masked"], agent.get("name_masked", "")) if agent else None,
        phone_masked=d.get("phone_masked", ""), ticket=d.get("from_ticket"), window=d.get("window"),
        staff=d.get("staff"), materials={k: _PROVISION[v] for k, v in d["materials"].items()},
        applies=tuple(d.get("applies", ())), promised_days=d["promised_days"],
    )
    b.serials[d["year"]] = max(b.serials.get(d["year"], 0), d["serial"])


def _materials(b: CaseBook, e: Event) -> None:
    c = b.cases[e.data["case"]]
    c.materials = {k: _PROVISION[v] for k, v in e.data["materials"].items()}
    c.applies = tuple(e.data.get("applies", ()))


def _decided(b: CaseBook, e: Event, state: CaseState, tally: str) -> CaseRec:
    """A window's decision on an application: 受理, 补正 or 不予受理."""
    c = b.cases[e.data["case"]]
    c.state = state
    c.staff, c.window = e.data.get("staff"), e.data.get("window")
    b.stats.count(tally, c.matter, c.window)
    return c


def _accepted(b: CaseBook, e: Event) -> None:
    d = e.data
    c = _decided(b, e, CaseState.ACCEPTED, "accepted")
    c.accepted_day, c.due, c.due_provisional, c.due_source = d["day"], d["due"], d["provisional"], d["source"]
    c.correction = None


def _correction(b: CaseBook, e: Event) -> None:
    d = e.data
    _decided(b, e, CaseState.CORRECTION, "correction").correction = {
        "items": d["items"], "deadline": d["deadline"], "day": d["day"]}


def _supplemented(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    c.state = CaseState.PRESUBMITTED
    c.materials = {k: _PROVISION[v] for k, v in d["materials"].items()}
    c.correction = {**(c.correction or {}), "supplied": d["supplied"], "supplied_day": d["day"]}


def _refused(b: CaseBook, e: Event) -> None:
    d = e.data
    _decided(b, e, CaseState.REFUSED, "refused").refusal = {
        "reason": d["reason"], "redirect": d.get("redirect", ""), "day": d["day"]}


def _step_started(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    c.state = CaseState.HANDLING
    c.steps.append(Step(d["step"], d["day"], d.get("limit_days")))
    c.from_platform = d.get("source") == "platform"


def _step_finished(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    for i, s in enumerate(c.steps):
        if s.finished is None:
            c.steps[i] = Step(s.name, s.started, s.limit_days, d["day"])
    c.from_platform = d.get("source") == "platform"


def _concluded(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    c.state = CaseState.CONCLUDED
    c.concluded_day, c.approved, c.on_time = d["day"], d["approved"], d["on_time"]
    c.from_platform = d.get("source") == "platform"
    b.stats.concluded += 1
    b.stats.on_time += 1 if d["on_time"] else 0


def _delivered(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    c.state = CaseState.DELIVERED
    c.delivery = {k: v for k, v in d.items() if k != "case"}


def _closed(b: CaseBook, e: Event) -> None:
    b.cases[e.data["case"]].state = CaseState.CLOSED


def _light(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    if c.light != d["light"]:
        b.stats.light_changes += 1
    c.light, c.light_reason = d["light"], d["reason"]
    c.due, c.due_provisional, c.due_source = d["due"], d["provisional"], d["source"]


def _due_changed(b: CaseBook, e: Event) -> None:
    d = e.data
    c = b.cases[d["case"]]
    c.due, c.due_provisional, c.due_source = d["due"], d["provisional"], d["source"]


def _rated(b: CaseBook, e: Event) -> None:
    d = e.data
    b.cases[d["case"]].rating = {k: d[k] for k in ("level", "reasons", "channel", "day")}


_HANDLERS: dict[str, Callable[[CaseBook, Event], None]] = {
    cev.CREATED: _created,
    cev.MATERIALS_UPDATED: _materials,
    cev.ACCEPTED: _accepted,
    cev.CORRECTION_REQUESTED: _correction,
    cev.REFUSED: _refused,
    cev.SUPPLEMENTED: _supplemented,
    cev.STEP_STARTED: _step_started,
    cev.STEP_FINISHED: _step_finished,
    cev.CONCLUDED: _concluded,
    cev.DELIVERED: _delivered,
    cev.CLOSED: _closed,
    cev.LIGHT: _light,
    cev.RATED: _rated,
    cev.DUE_CHANGED: _due_changed,
}
