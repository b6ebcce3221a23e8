"""The hall's case service: the case engine over the hall's own event log, under the hall's lock.

Case events take the next numbers of the hall's one sequence and commit in one transaction with
their case rows, the outbox rows and an idempotent response. A day change recomputes the light
of every case on the clock. If the store fails, cases are rebuilt from what was stored.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hall.case_config import CaseConfig
from hall.cases import events as cev
from hall.cases.engine import CaseEngine
from hall.cases.model import (
    PROVISION_LABEL,
    STATE_LABEL,
    CasePolicy,
    CaseRec,
    MaterialDef,
    MatterDef,
    Provision,
)
from hall.cases.state import CaseBook
from hall.domain import events as ev
from hall.domain.errors import QueueError
from hall.service import HallService, IdempotencyConflict, _hash
from sync import records
from sync.reference import CALENDAR, CASE_UPDATES

log = logging.getLogger(__name__)


def matters_of(config: Any) -> dict[str, MatterDef]:
    """The hall's matters as cases need them: code, limits and the materials checklist."""
    out = {}
    for m in config.matters:
        promised = m.promised_days if m.promised_days is not None else (m.legal_days or 0)
        out[m.code] = MatterDef(
            code=m.code, name=m.name, department=m.department, promised_days=promised,
            legal_days=m.legal_days,
            materials=tuple(MaterialDef(x.name, x.form, x.required, x.note) for x in m.materials),
        )
    return out


def policy_of(cases: CaseConfig, area: str) -> CasePolicy:
    return CasePolicy(number_pattern=cases.number_pattern, area=area,
                      yellow_working_days=cases.yellow_working_days,
                      correction_working_days=cases.correction_working_days)


_PERSONAL = ("applicant", "agent")  # what a case.event record carries apart from its payload
LIGHTS_PER_RECORD = 500  # light changes of a day change in one case.lights record (< 256 KiB)
_LIGHT_FIELDS = ("case", "light", "previous", "reason", "due", "provisional", "source")
_UPDATES = {"step_started": "start_step", "step_finished": "finish_step", "concluded": "conclude"}


class CaseService:
    def __init__(self, hall: HallService, matters: Mapping[str, MatterDef], policy: CasePolicy,
                 calendar: Any, sync: Any = None, node: str = "") -> None:
        """`sync`: the hall's sync node, whose outbox takes the case records and whose reference
        copy brings the back offices' case updates addressed to `node`."""
        self.hall = hall
        self.store = hall.store
        self.engine = CaseEngine(matters, policy, calendar, self._load())
        self.outbox = sync.outbox if sync is not None else None
        self.reference = sync.reference if sync is not None else None
        self.node = node
        self._refused_updates: set[str] = set()
        hall.subscribe(self._on_hall_events)
        self.recompute_due_dates()  # a restart after a package upgrade may know a new year
        self.refresh_lights()
        if self.reference is not None:
            self.reference.listen(CASE_UPDATES, self.apply_platform_updates)
            self.reference.listen(CALENDAR, self.recompute_due_dates)
            self.apply_platform_updates()

    @classmethod
    def for_hall(cls, config: Any, hall: HallService, sync: Any) -> CaseService:
        """The case service of a hall config, on the hall's working-day calendar (the platform's first)."""
        return cls(hall, matters_of(config), policy_of(config.cases, config.hall.area_code),
                   sync.calendar, sync, config.node_id)

    def _load(self) -> CaseBook:
        """The latest case snapshot, and the case events after it."""
        snap = self.store.last_case_snapshot()
        book = CaseBook.from_dict(snap[1]) if snap else CaseBook()
        events = self.store.events_of_cases(book.last_seq)
        for e in events:
            book.apply(e)
        log.info("cases loaded: %d cases, seq %d (%d events replayed)", len(book.cases), book.last_seq, len(events))
        return book

    @property
    def book(self) -> CaseBook:
        return self.engine.book

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.hall.engine.day_of(self.hall.clock()))

    # -- commands

    def execute(self, command: str, params: dict[str, Any] | None = None, *,
                idempotency_key: str | None = None) -> dict[str, Any]:
        """Runs one case command (`create`, `accept`, ...); returns the case's view after it."""
        params = dict(params or {})
        with self.hall.lock:
            request_hash = ""
            if idempotency_key:
                request_hash = _hash("case." + command, {k: _plain(v) for k, v in params.items()})
                prior = self.store.idempotent_response(idempotency_key)
                if prior is not None:
                    scope, prior_hash, _status, response = prior
                    if scope != "case." + command or prior_hash != request_hash:
                        raise IdempotencyConflict(
                            "这个幂等键已用于另一个请求（Idempotency-Key reused with a different request）",
                            key=idempotency_key)
                    return response
            now = self.hall.clock()
            self.hall._start_day(now)
            day = self.today()
            drafts = getattr(self.engine, command)(day, **params)
            number = drafts[0].data["case"]
            events = self._commit(drafts, now, lambda: self.engine.lights(day, [number]),
                                  idempotency=(idempotency_key, "case." + command, request_hash)
                                  if idempotency_key else None,
                                  result=lambda: self.view(self.book.cases[number]))
        return {"seq": events[-1].seq, "events": [e.type for e in events], "case": self.view(self.book.cases[number])}

    def refresh_lights(self) -> int:
        """Recomputes every light on the clock; stores one event per change. Returns how many."""
        with self.hall.lock:
            now = self.hall.clock()
            drafts = self.engine.lights(self.today())
            if drafts:
                self._commit(drafts, now)
                log.info("case lights: %d changed", len(drafts))
            return len(drafts)

    def recompute_due_dates(self) -> int:
        """Recomputes every open case's provisional due date on the calendar as it is now: one
        `case.due_changed` per date moved or made firm, then the lights of those cases. Returns
        how many due dates changed."""
        with self.hall.lock:
            now = self.hall.clock()
            day = self.today()
            drafts = self.engine.due_dates(day)
            if drafts:
                numbers = [d.data["case"] for d in drafts]
                self._commit(drafts, now, lambda: self.engine.lights(day, numbers))
                log.info("case due dates: %d recomputed on the calendar", len(drafts))
            return len(drafts)

    def apply_platform_updates(self) -> int:
        """Applies the back offices' case updates (步骤, 办结) not applied yet, in id order.
        One the case's state does not allow is logged once and left."""
        if self.reference is None:
            return 0
        done = 0
        for item in self.reference.items(CASE_UPDATES):
            ident = item.get("id")
            if item.get("node") != self.node or ident in self.book.updates or ident in self._refused_updates:
                continue
            params: dict[str, Any] = {"case": item.get("case"), "source": "platform", "update": ident}
            if item.get("action") == "step_started":
                params.update(step=item.get("step", ""), limit_days=item.get("limit_days"))
            elif item.get("action") == "concluded":
                params.update(approved=bool(item.get("approved")), note=item.get("note") or "")
            try:
                self.execute(_UPDATES[item["action"]], params)
                done += 1
            except (QueueError, KeyError, TypeError) as exc:
                self._refused_updates.add(ident)
                log.warning("case update %s from the platform not applied: %s", ident, getattr(exc, "message", exc))
        return done

    def _on_hall_events(self, events: list[ev.Event]) -> None:
        if any(e.type == ev.DAY_STARTED for e in events):
            self.refresh_lights()
            self.snapshot()

    def snapshot(self) -> None:
        """Stores the cases as they are, so a restart replays only the events after (each new day)."""
        with self.hall.lock:
            if self.book.last_seq:
                self.store.add_case_snapshot(self.book.last_seq, self.book.to_dict())

    def _commit(self, drafts, now: float, more=None, idempotency=None, result=None) -> list[ev.Event]:
        events = self.hall._stamp(drafts, now)
        try:
            self._apply(events)
            if more is not None:
                extra = self.hall._stamp(more(), now)  # numbered after `events`, already applied
                self._apply(extra)
                events += extra
            idem = None
            if idempotency is not None:
                key, scope, request_hash = idempotency
                body = {"seq": events[-1].seq, "events": [e.type for e in events], "case": result()}
                idem = (key, scope, request_hash, 200, body)
            self.store.append(events, idempotency=idem, also=self._rows)
        except Exception:
            # what is in memory must be what is stored: go back to the stored truth
            self.hall.engine.state = self.hall._load_state()
            self.engine.book = self._load()
            raise
        self.hall._publish(events)
        return events

    def _apply(self, events: list[ev.Event]) -> None:
        for e in events:
            self.book.apply(e)
            self.hall.engine.state.apply(e)

    def _rows(self, conn: Any, events: list[ev.Event]) -> None:
        """The case rows, and the outbox rows, in the events' transaction."""
        touched: dict[str, int] = {}
        for e in events:
            touched[e.data["case"]] = e.seq
            if e.type == cev.CREATED:
                c = self.book.cases[e.data["case"]]
                holder = c.applicant.person.holder if c.applicant.person else None
                conn.execute("INSERT INTO cases (number, year, serial, matter, holder, state, light, due, seq)"
                             " VALUES (?,?,?,?,?,?,?,?,?)",
                             (c.id, c.year, c.serial, c.matter, holder, c.state.value, None, None, e.seq))
        conn.executemany("UPDATE cases SET state = ?, light = ?, due = ?, seq = ? WHERE number = ?",
                         [(c.state.value, c.light, c.due, seq, c.id)
                          for c, seq in ((self.book.cases[n], s) for n, s in touched.items())])
        if self.outbox is None:
            return
        refresh = len(events) > 1 and all(e.type == cev.LIGHT for e in events)
        lights = events if refresh else []
        for start in range(0, len(lights), LIGHTS_PER_RECORD):  # a day change: its lights in batches
            chunk = lights[start:start + LIGHTS_PER_RECORD]
            self.outbox.add(conn, records.CASE_LIGHTS, {"day": chunk[0].day, "changes": [
                {"seq": e.seq, **{k: e.data[k] for k in _LIGHT_FIELDS}} for e in chunk]})
        for e in [] if refresh else events:
            data = {k: v for k, v in e.data.items() if k not in _PERSONAL}
            personal = {k: e.data[k] for k in _PERSONAL if e.data.get(k)}
            payload = {**e.to_dict(), "data": data, "case": _summary(self.book.cases[e.data["case"]])}
            self.outbox.add(conn, records.CASE_EVENT, payload, personal=personal or None)

    # -- reading

    def case(self, number: str) -> CaseRec:
        with self.hall.lock:
            return self.engine.case(number)

    def of_holder(self, holder: str) -> list[CaseRec]:
        with self.hall.lock:
            return sorted((c for c in self.book.cases.values()
                           if c.applicant.person is not None and c.applicant.person.holder == holder),
                          key=lambda c: c.created_at, reverse=True)

    def of_ticket(self, ticket: str) -> list[CaseRec]:
        """The cases opened during the visit of `ticket` (a 好差评 of that visit names them)."""
        with self.hall.lock:
            return sorted((c for c in self.book.cases.values() if c.ticket == ticket), key=lambda c: c.id)

    def listing(self, states: Iterable[str] | None = None, window: str | None = None) -> list[CaseRec]:
        wanted = set(states) if states else None
        with self.hall.lock:
            return [c for c in self.book.cases.values()
                    if (wanted is None or c.state.value in wanted) and (window is None or c.window == window)]

    def dates(self, code: str) -> dict[str, Any]:
        """Today's promised date and 补正 deadline for a matter, as a decision today would set them."""
        day = self.today()
        return {"day": day.isoformat(), **self.engine.dates(day, code)}

    def stats(self) -> dict[str, Any]:
        with self.hall.lock:
            return self.book.stats_view()

    def view(self, c: CaseRec) -> dict[str, Any]:
        """Everything a staff screen shows of a case (personal data masked)."""
        m = self.engine.matters.get(c.matter)
        materials = []
        for d in (m.materials if m else ()):
            given = c.materials.get(d.name)
            materials.append({
                "name": d.name, "form": d.form, "required": d.required, "condition": d.note,
                "applies": d.required or d.name in c.applies,
                "provision": given.value if given else None,
                "provision_label": PROVISION_LABEL[given] if given else "",
            })
        return {
            "number": c.id, "year": c.year, "serial": c.serial,
            "matter": c.matter, "matter_name": c.matter_name, "department": c.department,
            "state": c.state.value, "state_label": STATE_LABEL[c.state],
            "applicant": _applicant(c), "agent": _masked(c.agent.to_dict()) if c.agent else None,
            "phone_masked": c.phone_masked, "channel": c.channel.value, "ticket": c.ticket,
            "window": c.window, "staff": c.staff, "created_at": ev.iso_utc(c.created_at),
            "created_day": c.created_day, "materials": materials, "missing": self.engine.missing(c),
            "promised_days": c.promised_days, "legal_days": m.legal_days if m else None,
            "accepted_day": c.accepted_day, "due": c.due, "due_provisional": c.due_provisional,
            "due_source": c.due_source, "light": c.light, "light_reason": c.light_reason,
            "correction": c.correction, "refusal": c.refusal, "steps": [s.to_dict() for s in c.steps],
            "concluded_day": c.concluded_day, "approved": c.approved, "on_time": c.on_time,
            "delivery": c.delivery, "from_platform": c.from_platform,
        }


def _summary(c: CaseRec) -> dict[str, Any]:
    """What the platform keeps of a case beside each of its events (no personal data)."""
    return {"number": c.id, "matter": c.matter, "matter_name": c.matter_name, "department": c.department,
            "state": c.state.value, "light": c.light, "due": c.due, "due_provisional": c.due_provisional,
            "accepted_day": c.accepted_day, "concluded_day": c.concluded_day, "approved": c.approved,
            "on_time": c.on_time, "window": c.window, "staff": c.staff, "channel": c.channel.value,
            "applicant_kind": c.applicant.kind, "agent": c.agent is not None}


def _applicant(c: CaseRec) -> dict[str, Any]:
    return _masked(c.applicant.to_dict())


def _masked(person: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person.items() if k != "holder"}  # the keyed hash is for matching only


def _plain(value: Any) -> Any:
    """Request values as JSON for the idempotency hash (dataclasses by their fields)."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Provision):
        return value.value
    return value
