"""The supervisors' dashboard for a range of days: the queue's figures, the cases', the
follow-ups', and the monthly window ranking, each with the names a supervisor reads.

A hall day that is over is folded once into per-day groups kept in the hall's store
(`daystore`); a range is built from those stored days and today's events read afresh, so a
supervisor reloading the month, or the first after a restart, reads only today's rows."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from hall.followups import daystore as ds
from hall.followups import figures as fg
from hall.followups import register as rg
from hall.followups import stats as fs
from hall.followups.model import FollowupRec


class Dashboard:
    def __init__(self, config: Any, store: Any, followups: Any, cases: Any = None) -> None:
        """`followups`: the FollowupService; `cases`: the CaseService when the hall keeps cases."""
        self.config, self.store, self.followups, self.cases = config, store, followups, cases
        self.target_s = config.setup().policy.service_level_minutes * 60
        self.names = {
            "window": {w.id: w.name if w.name.startswith(str(w.number)) else f"{w.number}号 {w.name}"
                       for w in config.windows},
            "staff": {s.id: s.name for s in config.staff},
            "queue": {q.id: q.name for q in config.queues},
            "matter": {m.code: m.name for m in config.matters},
        }

    def _excluded(self) -> frozenset[str]:
        return frozenset(f.ticket for f in self.followups.listing() if not f.counted)

    def queue_figures(self, first: dt.date, last: dt.date) -> dict[str, Any]:
        """The queue's figures: the days before today from their stored folds (a day not stored
        yet, or stored from other events, is folded and stored first), today's read afresh."""
        today = self.followups.today()
        groups = fg.Groups()
        closed = min(last, today - dt.timedelta(days=1))
        if first <= closed:
            groups = groups.merge(ds.past_groups(self.store, first, closed, self.target_s))
        if last >= today:
            groups = groups.merge(fg.collect_range(self.store, max(first, today), last, self.target_s))
        return fg.totals(fg.without(self.store, groups, first, last, self._excluded()))

    def build(self, first: dt.date, last: dt.date) -> dict[str, Any]:
        if last < first:
            raise ValueError(f"the range ends ({last}) before it starts ({first})")
        figures = self.queue_figures(first, last)
        month = first.replace(day=1)
        whole_month = (first, last) == fg.period("month", month)
        return {
            "from": first.isoformat(), "to": last.isoformat(), "names": self.names,
            "target_wait_s": self.target_s, **figures,
            "followups": self.followup_figures(first, last),
            "cases": self.case_figures(first, last),
            "ranking": self.ranking(month, figures["window"] if whole_month else None),
        }

    def followup_figures(self, first: dt.date, last: dt.date) -> dict[str, Any]:
        recs: list[FollowupRec] = [f for f in self.followups.listing() if first <= f.opened_day <= last]
        return {"total": fs.figures(recs), "window": fs.by(recs, lambda f: f.window),
                "staff": fs.by(recs, lambda f: f.staff), "department": fs.by(recs, lambda f: f.department)}

    def register(self, first: dt.date, last: dt.date) -> list[list[Any]]:
        """The period's 差评 one by one, as the export's 差评明细 sheet (rg.HEADER)."""
        recs = [f for f in self.followups.listing() if first <= f.opened_day <= last]
        return rg.register_rows(recs, self.names, zoneinfo.ZoneInfo(self.config.hall.timezone))

    def case_figures(self, first: dt.date, last: dt.date) -> dict[str, Any] | None:
        if self.cases is None:
            return None
        lo, hi = first.isoformat(), last.isoformat()
        created = concluded = on_time = 0
        by_window: dict[str, dict[str, int]] = {}
        lights = {"green": 0, "yellow": 0, "red": 0}
        for c in self.cases.listing():
            w = by_window.setdefault(c.window or "-", {"created": 0, "concluded": 0, "on_time": 0})
            if lo <= c.created_day <= hi:
                created += 1
                w["created"] += 1
            if c.concluded_day is not None and lo <= c.concluded_day <= hi:
                concluded += 1
                on_time += bool(c.on_time)
                w["concluded"] += 1
                w["on_time"] += bool(c.on_time)
            if c.is_open and c.light in lights:
                lights[c.light] += 1
        return {"created": created, "concluded": concluded, "on_time": on_time,
                "on_time_rate": fs.rate(on_time, concluded), "open_by_light": lights, "window": by_window}

    def ranking(self, month: dt.date, by_window: dict[str, Any] | None = None) -> dict[str, Any]:
        """The month's window ranking, a window ranked last this month and the one before flagged.
        `by_window`: the month's window figures when the caller has them already."""
        windows = [w.id for w in self.config.windows]
        before = fg.previous_month(month)
        if by_window is None:
            by_window = self.queue_figures(*fg.period("month", month))["window"]
        this = fg.ranking(by_window, windows)
        prev = fg.ranking(self.queue_figures(*fg.period("month", before))["window"], windows)
        return {"month": month.strftime("%Y-%m"), "previous": before.strftime("%Y-%m"),
                "windows": fg.flag_twice_last(this, prev)}
