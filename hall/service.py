"""The hall's queue service: the engine, its store and its subscribers, under one writer.

A command is decided by the engine, applied to the in-memory state, stored with its events in
one transaction (and with its idempotent response, if the caller gave a key), and only then
published. If the store fails, the state is rebuilt from what was stored, and the caller gets
the error: nothing is half-done.
"""
from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from hall.domain import events as ev
from hall.domain.engine import Draft, QueueEngine
from hall.domain.errors import InvalidCommand, NotFound, QueueError
from hall.domain.model import HallSetup, TicketState
from hall.domain.numbers import number_key
from hall.domain.state import HallState
from hall.leases import grant_lease, issue_leased
from hall.store import HallStore

log = logging.getLogger(__name__)

Subscriber = Callable[[list[ev.Event]], None]

# the engine's commands, by the name callers give: a name not in the table is an error, never
# whatever attribute of the engine happens to have that name
COMMANDS: dict[str, Callable[..., list[Draft]]] = {
    "issue": QueueEngine.issue,
    "cancel": QueueEngine.cancel,
    "transfer": QueueEngine.transfer,
    "rate": QueueEngine.rate,
    "call_next": QueueEngine.call_next,
    "call": QueueEngine.call,
    "recall": QueueEngine.recall,
    "no_show": QueueEngine.no_show,
    "start": QueueEngine.start,
    "finish": QueueEngine.finish,
    "open_window": QueueEngine.open_window,
    "pause": QueueEngine.pause,
    "resume": QueueEngine.resume,
    "close_window": QueueEngine.close_window,
    "broadcast": QueueEngine.broadcast,
    "board_changed": QueueEngine.board_changed,
    "grant_lease": grant_lease,
    "issue_leased": issue_leased,
}


class IdempotencyConflict(QueueError):
    status = 422
    code = "idempotency_conflict"


class HallService:
    def __init__(
        self,
        setup: HallSetup,
        store: HallStore,
        clock: Callable[[], float] = time.time,
        outbox: Callable[[Any, list[ev.Event]], None] | None = None,
        hours: Any = None,
    ) -> None:
        """`outbox(conn, events)` writes rows in the same transaction as the events (sync's outbox);
        `hours` (hall.opening.HallHours) refuses an issue when the hall is closed or the queue full."""
        self.setup = setup
        self.hours = hours
        self._clock_behind = False  # said once when the clock reads a day before the hall day
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.lock = threading.RLock()
        self.subscribers: list[Subscriber] = []
        self.engine = QueueEngine(setup, self._load_state())
        self.tick()

    # -- state from the store

    def _load_state(self) -> HallState:
        snap = self.store.last_snapshot()
        state = HallState.from_dict(snap[1]) if snap else HallState()
        replayed = 0
        for e in self.store.iter_events_after(state.last_seq):
            state.apply(e)
            replayed += 1
        log.info("hall state loaded: day %s, seq %d (%d events replayed)", state.day, state.last_seq, replayed)
        return state

    @property
    def state(self) -> HallState:
        return self.engine.state

    @property
    def last_seq(self) -> int:
        return self.engine.state.last_seq

    # -- commands

    def execute(
        self,
        command: str,
        params: dict[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        admit: str = "walk_in",
    ) -> dict[str, Any]:
        """Runs one engine command (`issue`, `call_next`, ...) and returns its result as JSON-ready data.
        An issue is held to the opening hours as `admit` says (hall.hours: walk_in, appointment, counter)."""
        params = dict(params or {})
        decide = COMMANDS.get(command)
        if decide is None:
            raise InvalidCommand(f"没有命令 {command!r}（one of: {', '.join(COMMANDS)}）", command=command)
        with self.lock:
            if idempotency_key:
                request_hash = _hash(command, params)
                prior = self.store.idempotent_response(idempotency_key)
                if prior is not None:
                    scope, prior_hash, _status, response = prior
                    if scope != command or prior_hash != request_hash:
                        raise IdempotencyConflict(
                            "这个幂等键已用于另一个请求（Idempotency-Key reused with a different request）",
                            key=idempotency_key,
                        )
                    return response
            now = self.clock()
            self._start_day(now)
            if command == "issue" and self.hours is not None:
                self.hours.check(now, str(params.get("queue")), admit, self.engine.state)
            drafts = decide(self.engine, now, **params)
            events = self._stamp(drafts, now)
            for e in events:
                self.engine.state.apply(e)
            result = self._result(command, events, now)
            idem = (idempotency_key, command, request_hash, 200, result) if idempotency_key else None
            self._store(events, idempotency=idem)
            # published under the lock, so subscribers see events in commit order whatever the thread
            self._publish(events)
        for e in events:
            if e.type == ev.TICKET_CALLED:
                log.info("%s called %s: %s", e.data["window"], e.data["number"], e.data["reason"]["text"])
        return result

    def _start_day(self, now: float) -> None:
        drafts = self.engine.start_day_if_needed(now)
        if not drafts:
            behind = self.engine.day_of(now) < (self.engine.state.day or "")
            if behind and not self._clock_behind:
                log.warning("the clock reads %s, before hall day %s: it was set back; the day and its "
                            "numbering go on (check the hall PC's time)", self.engine.day_of(now),
                            self.engine.state.day)
            self._clock_behind = behind
            return
        events = self._stamp(drafts, now)
        for e in events:
            self.engine.state.apply(e)
        snapshot = (events[-1].seq, events[-1].day, self.engine.state.to_dict())
        self._store(events, snapshot=snapshot)
        self._publish(events)
        log.info("hall day %s started; %d open tickets of %s expired",
                 events[0].day, len(drafts[0].data["expired"]), drafts[0].data["previous"])

    def _stamp(self, drafts: list[Draft], now: float) -> list[ev.Event]:
        day = self.engine.current_day(now)
        seq = self.engine.state.last_seq
        return [ev.Event(seq + i + 1, now, day, d.type, d.data) for i, d in enumerate(drafts)]

    def _store(self, events: list[ev.Event], **kw: Any) -> None:
        try:
            self.store.append(events, also=self.outbox, **kw)
        except Exception:
            # what is in memory must be what is stored: go back to the stored truth
            self.engine.state = self._load_state()
            raise

    def _result(self, command: str, events: list[ev.Event], now: float) -> dict[str, Any]:
        last = events[-1]
        out: dict[str, Any] = {"seq": last.seq, "events": [e.type for e in events]}
        ticket = last.data.get("ticket")
        if ticket and ticket in self.engine.state.tickets:
            out["ticket"] = self.engine.ticket_view(self.engine.state.tickets[ticket], now)
        if last.type == ev.TICKET_CALLED:
            out["reason"] = last.data["reason"]
        if last.type == ev.LEASE_GRANTED:
            out["lease"] = dict(last.data)
        window = last.data.get("window")
        if window:
            out["window"] = self.window_view(window)
        return out

    # -- subscribers (the WebSocket hub): called after commit, must not block

    def subscribe(self, fn: Subscriber) -> None:
        self.subscribers.append(fn)

    def _publish(self, events: list[ev.Event]) -> None:
        for fn in self.subscribers:
            try:
                fn(events)
            except Exception:
                log.exception("event subscriber failed")

    # -- views

    def tick(self) -> None:
        """Starts a new hall day when the clock has passed midnight, even with no command."""
        with self.lock:
            self._start_day(self.clock())

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        with self.lock:
            t = self.engine.state.tickets.get(ticket_id)
            if t is not None:
                return self.engine.ticket_view(t, self.clock())
            history = self.store.events_of_ticket(ticket_id)
        if not history:
            raise NotFound(f"没有票 {ticket_id!r}", ticket=ticket_id)
        first = history[0].data
        last = history[-1]
        state = {
            ev.SERVICE_FINISHED: TicketState.DONE,
            ev.TICKET_NO_SHOW: TicketState.NO_SHOW,
            ev.TICKET_CANCELLED: TicketState.CANCELLED,
        }.get(last.type, TicketState.EXPIRED)
        return {
            "id": ticket_id,
            "number": first["number"],
            "queue": last.data.get("to_queue", first["queue"]),
            "state": state.value,
            "issued_at": ev.iso_utc(history[0].ts),
            "day": history[0].day,
            "people_ahead": 0,
            "estimated_wait_minutes": 0,
        }

    def progress(self, ticket_id: str) -> dict[str, Any]:
        """A ticket's view, and whether it was rated and may still be (today's, finished, unrated)."""
        with self.lock:
            t = self.engine.state.tickets.get(ticket_id)
            if t is not None:
                view = self.engine.ticket_view(t, self.clock())
                rated = t.rating is not None
                return {**view, "rated": rated, "may_rate": t.state is TicketState.DONE and not rated}
        view = self.ticket(ticket_id)
        rated = any(e.type == ev.TICKET_RATED for e in self.store.events_of_ticket(ticket_id))
        return {**view, "rated": rated, "may_rate": False}

    def tickets_of(self, holder: str) -> list[dict[str, Any]]:
        """Today's tickets of one citizen, by the keyed hash of the ID number."""
        with self.lock:
            now = self.clock()
            return [self.engine.ticket_view(t, now) for t in self.engine.state.tickets_of_holder(holder)]

    def check_in(self, appointment: str, params: dict[str, Any],
                 idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
        """Issues the ticket of an appointment once: a second check-in answers with the same ticket.
        Returns the answer and whether a ticket was issued now (stored under `idempotency_key`)."""
        with self.lock:
            self._start_day(self.clock())
            prior = self.engine.state.ticket_of_appointment(appointment)
            if prior is not None:
                view = self.engine.ticket_view(prior, self.clock())
                return {"seq": self.last_seq, "events": [], "ticket": view}, False
            return self.execute("issue", {**params, "appointment": appointment}, admit="appointment",
                                idempotency_key=idempotency_key), True

    def window_view(self, window_id: str) -> dict[str, Any]:
        w = self.engine.windows[window_id]
        rec = self.engine.state.window(window_id)
        t = self.engine.state.tickets.get(rec.ticket) if rec.ticket else None
        return {
            "id": w.id,
            "number": w.number,
            "name": w.name,
            "queues": list(w.queues),
            "state": rec.state.value,
            "staff": rec.staff,
            "ticket": None if t is None else {
                "id": t.id, "number": t.number, "state": t.state.value, "queue": t.queue,
                "priority": t.priority.value, "recalls": t.recalls,
            },
        }

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            st = self.engine.state
            waiting = st.waiting()
            queues = []
            for q in self.setup.queues:
                mine = sorted((t for t in waiting if t.queue == q.id),
                              key=lambda t: (t.order_at, number_key(t.number)))
                queues.append({
                    "id": q.id, "prefix": q.prefix, "name": q.name, "name_en": q.name_en,
                    "waiting": len(mine),
                    "next": [t.number for t in mine[:5]],
                    "next_ids": [t.id for t in mine[:5]],
                    "longest_wait_seconds": round(now - mine[0].order_at, 1) if mine else 0,
                    "open_windows": sum(
                        1 for w in self.setup.windows
                        if q.id in w.queues and st.window(w.id).state.value == "open"
                    ),
                })
            calls = sorted(
                (t for t in st.tickets.values() if t.last_call_at is not None and t.window),
                key=lambda t: t.last_call_at, reverse=True,
            )[:10]
            return {
                "seq": st.last_seq,
                "day": st.day,
                "now": ev.iso_utc(now),
                "queues": queues,
                "windows": [self.window_view(w.id) for w in self.setup.windows],
                "recent_calls": [
                    {"ticket": t.id, "number": t.number, "window": t.window,
                     "window_number": self.engine.windows[t.window].number,
                     "state": t.state.value, "at": ev.iso_utc(t.last_call_at)}
                    for t in calls
                ],
            }

    def stats(self, day: str | None = None) -> dict[str, Any]:
        target = self.setup.policy.service_level_minutes * 60
        with self.lock:
            now = self.clock()
            if day is None or day == self.engine.state.day:
                return self.engine.state.stats.report(now, target)
            events = self.store.events_of_day(day)
        from hall.domain.stats import DayStats

        end = events[-1].ts if events else now
        return DayStats.from_events(events).report(end, target)


def _hash(command: str, params: dict[str, Any]) -> str:
    raw = json.dumps([command, params], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()
