"""Records the offline tickets the hall refused for good, and their handling by the floor staff,
under the hall's lock: each change is an event of the hall's log (so the record survives a restart
with the rest of the day, and reaches the staff consoles on the event stream), folded by the
ledger (`hall.refused.ledger`). The refusals stay in the hall: no platform needs them."""
from __future__ import annotations

import logging

from hall.domain.engine import Draft
from hall.domain.errors import IllegalTransition, NotFound, QueueError
from hall.domain.events import Event, iso_utc
from hall.refused import ledger as rl
from hall.refused.ledger import Ledger, Refusal
from hall.service import HallService
from hall.store import _event

log = logging.getLogger(__name__)


class RefusalDesk:
    def __init__(self, hall: HallService, names: dict[str, str] | None = None) -> None:
        """`names`: the staff's names by id, for the refusal of a second handling."""
        self.hall = hall
        self.store = hall.store
        self.names = dict(names or {})
        with hall.lock:
            self.ledger = self._load()

    def _load(self) -> Ledger:
        ledger = Ledger()
        with self.store.lock:
            rows = self.store.conn.execute(
                "SELECT seq, ts, day, type, data FROM events WHERE type >= 'refusal.' AND type < 'refusal/'"
                " ORDER BY seq").fetchall()
        for row in rows:
            ledger.apply(_event(row))
        log.info("refused offline tickets loaded: %d, %d open", len(ledger.items),
                 sum(r.is_open for r in ledger.items.values()))
        return ledger

    # -- recording

    def record(self, device: str, kind: str, lease: str, number: str, printed_at: float,
               appointment: str | None, exc: QueueError) -> Refusal | None:
        """Records `exc`, the hall's answer to a hand-in, when it refuses the ticket for good: once
        per lease and number. Returns the refusal (the one recorded before, for a retry), or None
        when `exc` is no refusal of the ticket itself."""
        if not rl.refused_for_good(exc):
            return None
        ident = rl.refusal_id(lease, number)
        field = exc.details.get("field")
        with self.hall.lock:
            known = self.ledger.items.get(ident)
            if known is not None:
                return known
            now = self.hall.clock()
            refusal = Refusal(ident, self.hall.engine.current_day(now), device, kind, lease, number,
                              self._queue_of(lease, number), printed_at, appointment, exc.status, exc.code,
                              None if field is None else str(field), exc.message, now)
            self._commit(Draft(rl.RECORDED, rl.recorded_data(refusal)), now)
        log.warning("offline ticket %s of %s %s refused for good (%s); recorded as %s for the floor staff",
                    number, kind, device, exc.code, ident)
        return self.ledger.items[ident]

    def _queue_of(self, lease: str, number: str) -> str:
        """The lease's queue; for a lease the hall does not hold today, the queue of the number's prefix."""
        held = self.hall.state.leases.get(lease)
        if held is not None:
            return str(held["queue"])
        prefix = number.rstrip("0123456789")
        return next((q.id for q in self.hall.setup.queues if q.prefix == prefix), "")

    # -- handling

    def handle(self, ident: str, by: str, note: str) -> Refusal:
        """Marks a refusal handled by `by` (the citizen was found and given a ticket), with `note`
        (checked by the caller: short, not blank, no ID number). Refused when unknown or handled."""
        with self.hall.lock:
            rec = self.ledger.items.get(ident)
            if rec is None:
                raise NotFound(f"没有被拒收的离线号票 {ident!r}", refusal=ident)
            if not rec.is_open:
                by_whom = self.names.get(rec.handled_by or "", rec.handled_by)
                raise IllegalTransition(
                    f"{rec.number} 已于 {iso_utc(rec.handled_at or 0)} 由 {by_whom} 处理（{rec.note}）",
                    refusal=ident, handled_by=rec.handled_by or "")
            self._commit(Draft(rl.HANDLED, {"refusal": ident, "number": rec.number, "by": by, "note": note}),
                         self.hall.clock())
            return self.ledger.items[ident]

    # -- reading

    def of_day(self, day: str) -> list[Refusal]:
        with self.hall.lock:
            return sorted(self.ledger.of_day(day), key=lambda r: r.refused_at)

    def _commit(self, draft: Draft, now: float) -> list[Event]:
        self.hall._start_day(now)
        events = self.hall._stamp([draft], now)
        try:
            for e in events:
                self.ledger.apply(e)
                self.hall.engine.state.apply(e)  # the hall's sequence moves on
            self.store.append(events)
        except Exception:
            # what is in memory must be what is stored: go back to the stored truth
            self.hall.engine.state = self.hall._load_state()
            self.ledger = self._load()
            raise
        self.hall._publish(events)
        return events
