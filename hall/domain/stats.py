"""Statistics of a hall day, folded from its events only (never from mutable rows).

Qmatic-style measures: arrivals, calls, served, no-shows, waits (average, maximum, share over a
target), service times, and per window and staff member the time spent serving, idle, in
wrap-up (after a service until the next call) and paused. Every wait is one *leg*: from
joining a queue (issue or transfer) to being called.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hall.domain import events as ev

ACTIVITIES = ("idle", "calling", "serving", "wrapup", "paused")


@dataclass
class QueueStats:
    arrivals: int = 0
    calls: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    transfers_in: int = 0
    transfers_out: int = 0
    waits: list[float] = field(default_factory=list)
    service_times: list[float] = field(default_factory=list)


@dataclass
class Activity:
    """Seconds spent in each activity, plus what is going on now."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ACTIVITIES, 0.0))
    served: int = 0
    ratings: dict[str, int] = field(default_factory=dict)  # level "1".."5" -> count
    current: str | None = None  # None: closed
    since: float = 0.0

    def switch(self, activity: str | None, ts: float) -> None:
        if self.current is not None:
            self.seconds[self.current] += max(0.0, ts - self.since)
        self.current = activity
        self.since = ts

    def totals(self, now: float) -> dict[str, float]:
        out = dict(self.seconds)
        if self.current is not None:
            out[self.current] += max(0.0, now - self.since)
        return out


@dataclass
class DayStats:
    day: str | None = None
    queues: dict[str, QueueStats] = field(default_factory=dict)
    windows: dict[str, Activity] = field(default_factory=dict)
    staff: dict[str, Activity] = field(default_factory=dict)
    # per ticket: queue, since when it waits (None when not waiting), window, staff
    _tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    _window_staff: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_events(cls, events: list[ev.Event]) -> DayStats:
        """A recount: the statistics of a day from its events alone."""
        stats = cls()
        for e in events:
            stats.apply(e)
        return stats

    def _queue(self, qid: str) -> QueueStats:
        q = self.queues.get(qid)
        if q is None:
            q = self.queues[qid] = QueueStats()
        return q

    def _switch(self, window: str, activity: str | None, ts: float) -> None:
        self.windows.setdefault(window, Activity()).switch(activity, ts)
        staff = self._window_staff.get(window)
        if staff:
            self.staff.setdefault(staff, Activity()).switch(activity, ts)

    def apply(self, e: ev.Event) -> None:
        d = e.data
        t = e.type
        if t == ev.DAY_STARTED:
            self.day = d["day"]
            self.queues, self.windows, self.staff = {}, {}, {}
            self._tickets, self._window_staff = {}, {}
            for wid, w in d.get("windows", {}).items():
                self._window_staff[wid] = w.get("staff")
                activity = {"open": "idle", "paused": "paused"}.get(w["state"])
                if activity:
                    self._switch(wid, activity, e.ts)
            return
        if t == ev.TICKET_ISSUED:
            self._queue(d["queue"]).arrivals += 1
            # a ticket printed from a lease while the hall was away has waited since it was printed
            self._tickets[d["ticket"]] = {"queue": d["queue"], "waiting_since": d.get("issued_at", e.ts)}
            return
        if t in (ev.WINDOW_OPENED, ev.WINDOW_RESUMED, ev.WINDOW_PAUSED, ev.WINDOW_CLOSED):
            window = d["window"]
            if t == ev.WINDOW_OPENED:
                self._switch(window, None, e.ts)  # close the previous staff member's interval
                self._window_staff[window] = d.get("staff")
            activity = {ev.WINDOW_PAUSED: "paused", ev.WINDOW_CLOSED: None}.get(t, "idle")
            self._switch(window, activity, e.ts)
            if t == ev.WINDOW_CLOSED:
                self._window_staff[window] = None
            return
        info = self._tickets.get(d.get("ticket", ""))
        if info is None:
            return
        q = self._queue(info["queue"])
        if t == ev.TICKET_CALLED:
            if info["waiting_since"] is not None:
                q.calls += 1
                q.waits.append(max(0.0, e.ts - info["waiting_since"]))
                info["waiting_since"] = None
            info["window"] = d["window"]
            info["called"] = e.ts
            self._switch(d["window"], "calling", e.ts)
        elif t == ev.SERVICE_STARTED:
            # a window that only presses "finish" (a keypad has no start key) serves from the call
            info["started"] = info.get("called", e.ts) if d.get("implicit") else e.ts
            self._switch(d["window"], "serving", e.ts)
        elif t == ev.SERVICE_FINISHED:
            q.served += 1
            q.service_times.append(max(0.0, e.ts - info.get("started", e.ts)))
            window = d["window"]
            self.windows.setdefault(window, Activity()).served += 1
            staff = self._window_staff.get(window)
            if staff:
                self.staff.setdefault(staff, Activity()).served += 1
            self._switch(window, "wrapup", e.ts)
        elif t == ev.TICKET_NO_SHOW:
            q.no_show += 1
            self._switch(d["window"], "idle", e.ts)
        elif t == ev.TICKET_TRANSFERRED:
            q.transfers_out += 1
            self._queue(d["to_queue"]).transfers_in += 1
            if info.get("window") and d.get("window") == info["window"]:
                self._switch(info["window"], "idle", e.ts)
            info.update(queue=d["to_queue"], waiting_since=e.ts, window=None)
        elif t == ev.TICKET_RATED:
            level = str(d["level"])
            for who, table in ((d.get("window"), self.windows), (d.get("staff"), self.staff)):
                if who:
                    ratings = table.setdefault(who, Activity()).ratings
                    ratings[level] = ratings.get(level, 0) + 1
        elif t == ev.TICKET_CANCELLED:
            q.cancelled += 1
            if d.get("window"):
                self._switch(d["window"], "idle", e.ts)
            info["waiting_since"] = None

    # -- reports

    def report(self, now: float, target_seconds: float) -> dict[str, Any]:
        queues = {qid: _queue_report(q, target_seconds) for qid, q in sorted(self.queues.items())}
        total = QueueStats()
        for q in self.queues.values():
            for name in ("arrivals", "calls", "served", "no_show", "cancelled", "transfers_in", "transfers_out"):
                setattr(total, name, getattr(total, name) + getattr(q, name))
            total.waits.extend(q.waits)
            total.service_times.extend(q.service_times)
        return {
            "day": self.day,
            "target_wait_seconds": target_seconds,
            "total": _queue_report(total, target_seconds),
            "queues": queues,
            "windows": {w: _activity_report(a, now) for w, a in sorted(self.windows.items())},
            "staff": {s: _activity_report(a, now) for s, a in sorted(self.staff.items())},
        }

    def mean_service_seconds(self, queue: str) -> float | None:
        q = self.queues.get(queue)
        if q is None or len(q.service_times) < 3:
            return None
        recent = q.service_times[-20:]
        return sum(recent) / len(recent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "queues": {k: vars(v) for k, v in self.queues.items()},
            "windows": {k: vars(v) for k, v in self.windows.items()},
            "staff": {k: vars(v) for k, v in self.staff.items()},
            "tickets": self._tickets,
            "window_staff": self._window_staff,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DayStats:
        s = cls(day=d["day"])
        s.queues = {k: QueueStats(**v) for k, v in d["queues"].items()}
        s.windows = {k: Activity(**v) for k, v in d["windows"].items()}
        s.staff = {k: Activity(**v) for k, v in d["staff"].items()}
        s._tickets = d["tickets"]
        s._window_staff = d["window_staff"]
        return s


def _queue_report(q: QueueStats, target: float) -> dict[str, Any]:
    n = len(q.waits)
    over = sum(1 for w in q.waits if w > target)
    ended = q.served + q.no_show
    return {
        "arrivals": q.arrivals,
        "calls": q.calls,
        "served": q.served,
        "no_show": q.no_show,
        "no_show_pct": round(100.0 * q.no_show / ended, 1) if ended else 0.0,
        "cancelled": q.cancelled,
        "transfers_in": q.transfers_in,
        "transfers_out": q.transfers_out,
        "avg_wait_seconds": round(sum(q.waits) / n, 1) if n else None,
        "max_wait_seconds": round(max(q.waits), 1) if n else None,
        "waits_over_target": over,
        "over_target_pct": round(100.0 * over / n, 1) if n else 0.0,
        "service_level_pct": round(100.0 * (n - over) / n, 1) if n else None,
        "avg_service_seconds": (
            round(sum(q.service_times) / len(q.service_times), 1) if q.service_times else None
        ),
    }


def _activity_report(a: Activity, now: float) -> dict[str, Any]:
    totals = a.totals(now)
    rated = sum(a.ratings.values())
    return {
        "served": a.served,
        "now": a.current or "closed",
        "ratings": rated,
        "rating_avg": round(sum(int(k) * n for k, n in a.ratings.items()) / rated, 2) if rated else None,
        "bad_ratings": a.ratings.get("1", 0) + a.ratings.get("2", 0),  # 差评
        **{f"{k}_seconds": round(v, 1) for k, v in totals.items()},
    }
