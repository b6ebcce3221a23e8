"""The ledger's service: opens a follow-up for every 差评 as it is stored, runs the follow-up
commands under the hall's lock, keeps the lights on the clock, and writes each change to the
hall's event log and, in the same transaction, to the sync outbox as a `followup.event` record.

A 差评 stored while the hall stopped before its follow-up was written (a crash between the two
commits) is found again at start: every 差评 in the log without a follow-up gets one.
"""
from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from typing import Any

from hall.domain import events as ev
from hall.domain.engine import Draft
from hall.followups import ledger as fl
from hall.followups.config import FollowupConfig
from hall.followups.engine import Actor, FollowupEngine
from hall.followups.ledger import Ledger
from hall.followups.model import FollowupRec
from hall.followups.store import bad_ratings, followup_events
from hall.followups.views import followup_view
from hall.service import HallService
from sync import records

log = logging.getLogger(__name__)

COMMANDS = ("verify", "rectified", "decide_appeal", "feedback", "close")


class FollowupService:
    def __init__(self, hall: HallService, config: FollowupConfig, calendar: Any, zone: str = "Asia/Shanghai",
                 sync: Any = None) -> None:
        self.hall = hall
        self.store = hall.store
        self.outbox = sync.outbox if sync is not None else None
        self.engine = FollowupEngine(config.deadlines(), config.owners(), config.default_owner(), calendar,
                                     self._load(), zoneinfo.ZoneInfo(zone))
        hall.subscribe(self._on_hall_events)
        with hall.lock:
            self._reconcile()
            self.refresh_lights()

    @classmethod
    def for_hall(cls, config: Any, hall: HallService, sync: Any) -> FollowupService:
        return cls(hall, config.followups, sync.calendar, config.hall.timezone, sync)

    def _load(self) -> Ledger:
        ledger = Ledger()
        for e in followup_events(self.store):
            ledger.apply(e)
        log.info("follow-ups loaded: %d", len(ledger.items))
        return ledger

    @property
    def ledger(self) -> Ledger:
        return self.engine.ledger

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.hall.engine.day_of(self.hall.clock()))

    def _reconcile(self) -> None:
        drafts = [d for e in bad_ratings(self.store) for d in self.engine.open(e.data, e.ts, e.day)]
        if drafts:
            log.warning("%d 差评 without a follow-up found; opening them now", len(drafts))
            self._commit(drafts, self.hall.clock(), with_lights=True)

    # -- commands

    def execute(self, command: str, ident: str, who: Actor, params: dict[str, Any]) -> FollowupRec:
        """Runs one command (`verify`, `rectified`, `decide_appeal`, `feedback`, `close`) for `who`."""
        if command not in COMMANDS:
            raise ValueError(f"no follow-up command {command!r}")
        with self.hall.lock:
            now = self.hall.clock()
            self.hall._start_day(now)
            extra = {"now": now} if command in ("feedback", "verify") else {}
            drafts = getattr(self.engine, command)(ident, who, **params, **extra)
            self._commit(drafts, now, with_lights=True)
            return self.ledger.items[ident]

    def refresh_lights(self) -> int:
        """Recomputes every open follow-up's light; one event per change. Returns how many."""
        with self.hall.lock:
            now = self.hall.clock()
            drafts = self.engine.lights(now, self.today())
            if drafts:
                self._commit(drafts, now)
            return len(drafts)

    def _on_hall_events(self, events: list[ev.Event]) -> None:
        if events and events[0].type.startswith(fl.PREFIX):
            return
        drafts = [d for e in events if e.type == ev.TICKET_RATED for d in self.engine.open(e.data, e.ts, e.day)]
        if drafts:
            self._commit(drafts, events[-1].ts, with_lights=True)
        if any(e.type == ev.DAY_STARTED for e in events):
            self.refresh_lights()

    def _commit(self, drafts: list[Draft], now: float, with_lights: bool = False) -> list[ev.Event]:
        with self.hall.lock:
            events = self.hall._stamp(drafts, now)
            try:
                self._apply(events)
                if with_lights:  # the light of what just changed, numbered after it
                    touched = list(dict.fromkeys(d.data["followup"] for d in drafts))
                    more = self.hall._stamp(self.engine.lights(now, self.today(), only=touched), now)
                    self._apply(more)
                    events += more
                self.store.append(events, also=self._outbox_rows)
            except Exception:
                # what is in memory must be what is stored: go back to the stored truth
                self.hall.engine.state = self.hall._load_state()
                self.engine.ledger = self._load()
                raise
            self.hall._publish(events)
        return events

    def _apply(self, events: list[ev.Event]) -> None:
        for e in events:
            self.ledger.apply(e)
            self.hall.engine.state.apply(e)

    def _outbox_rows(self, conn: Any, events: list[ev.Event]) -> None:
        if self.outbox is None:
            return
        for e in events:
            rec = self.ledger.items[e.data["followup"]]
            self.outbox.add(conn, records.FOLLOWUP_EVENT, {**e.to_dict(), "followup": followup_view(rec)})

    # -- reading

    def get(self, ident: str) -> FollowupRec:
        with self.hall.lock:
            return self.engine.get(ident)

    def listing(self) -> list[FollowupRec]:
        with self.hall.lock:
            return sorted(self.ledger.items.values(), key=lambda f: f.opened_ts, reverse=True)
