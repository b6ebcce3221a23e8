"""The hall's opening rules at work: whether a ticket is issued now, and what the screens say.

`HallHours` reads the hall's time off the service's clock (plus an offset: `yiciban demo
--hall-time 12:05` starts the hall's day at lunch whatever the real time), asks the working-day
calendar which days are holidays, and counts today's walk-in tickets of a queue in the queue
state. The queue service asks it before every issue, under its lock, so two dispensers cannot
both take the last ticket of a quota.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from hall import hours as h
from hall.domain.model import Priority
from hall.domain.state import HallState

ALWAYS_OPEN = {"state": h.OPEN, "always_open": True, "day_kind": h.OPEN, "extended": False, "reason": "",
               "reason_en": "", "periods": [], "closes_at": None, "opens_at": None, "opens_text": "",
               "opens_text_en": ""}


def admission_kind(role: str, priority: str, channel: str) -> str:
    """How an issue is held to the rules: staff at the counter, an appointment (a booked slot),
    or a walk-in (a dispenser, a kiosk)."""
    if role in ("staff", "supervisor"):  # a device's word "counter" is not a staff member's
        return h.COUNTER
    if priority == Priority.APPOINTMENT.value:
        return h.APPOINTMENT
    return h.WALK_IN


def walk_ins(state: HallState, prefix: str) -> int:
    """Today's tickets numbered in the queue of `prefix` (transferred away or not) that count
    against its quota: all but appointments, which were booked against slots of their own."""
    return sum(1 for t in state.tickets.values()
               if t.number.rstrip("0123456789") == prefix and t.priority is not Priority.APPOINTMENT)


class HallHours:
    """The rules (None: the hall issues at any hour), the calendar, the zone and the offset of
    the hall's time from the clock the queue uses."""

    def __init__(self, rules: h.OpeningRules | None, zone: str, is_workday: h.IsWorkday,
                 prefixes: dict[str, str], offset: float = 0.0) -> None:
        self.rules, self.tz, self.is_workday = rules, ZoneInfo(zone), is_workday
        self.prefixes, self.offset = prefixes, offset

    def at(self, now: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(now + self.offset, self.tz)

    def check(self, now: float, queue: str, kind: str, state: HallState) -> None:
        """Raises `hours.NotIssuing` when a ticket of `kind` for `queue` is not issued at `now`."""
        if self.rules is None or queue not in self.prefixes:
            return  # an unknown queue is the engine's to refuse
        issued = walk_ins(state, self.prefixes[queue])
        refused = h.refusal(self.rules, self.at(now), self.is_workday, kind, queue, issued)
        if refused is not None:
            raise refused

    def view(self, now: float, state: HallState) -> dict[str, Any]:
        """The hall's state now for the screens: open or not, until or from when, and each
        queue's issuing state and the walk-in tickets left of its quota."""
        if self.rules is None:
            queues = {q: {"issuing": True, "reason": None, "text": "", "text_en": "", "left": None}
                      for q in self.prefixes}
            return {**ALWAYS_OPEN, "at": self.at(now).isoformat(timespec="seconds"), "queues": queues}
        at = self.at(now)
        out: dict[str, Any] = {**h.status(self.rules, at, self.is_workday).as_dict(), "always_open": False}
        queues = {}
        for queue, prefix in self.prefixes.items():
            issued = walk_ins(state, prefix)
            refused = h.refusal(self.rules, at, self.is_workday, h.WALK_IN, queue, issued)
            quota = self.rules.limit(queue).daily_quota
            queues[queue] = {
                "issuing": refused is None,
                "reason": None if refused is None else refused.details["reason"],
                "text": "" if refused is None else refused.message,
                "text_en": "" if refused is None else refused.details["text_en"],
                "left": None if quota is None else max(0, quota - issued),
            }
        out["queues"] = queues
        return out


def hall_time_offset(text: str, zone: str, now: float) -> float:
    """Seconds from `now` to the hall time `text` ('12:05' today, or '2026-10-01 10:00'), in
    the hall's zone: `yiciban demo --hall-time` runs the hall's hours from there on.
    Raises ValueError saying what was expected."""
    tz = ZoneInfo(zone)
    today = dt.datetime.fromtimestamp(now, tz)
    cleaned = text.strip().replace("T", " ")
    try:
        if " " in cleaned:
            target = dt.datetime.fromisoformat(cleaned).replace(tzinfo=tz)
        else:
            clock = dt.time.fromisoformat(cleaned if len(cleaned) > 4 else cleaned.zfill(5))
            target = dt.datetime.combine(today.date(), clock, tz)
    except ValueError:
        raise ValueError(f"a hall time 'HH:MM' (today) or 'YYYY-MM-DD HH:MM', not {text!r}") from None
    return target.timestamp() - now


def hall_hours(config: Any, is_workday: Callable[[dt.date], bool], offset: float = 0.0,
               always_open: bool = False) -> HallHours:
    """The hours of a validated HallConfig; `always_open` (the demo's default) ignores them."""
    rules = None if always_open or config.opening is None else config.opening.rules()
    return HallHours(rules, config.hall.timezone, is_workday, {q.id: q.prefix for q in config.queues}, offset)
