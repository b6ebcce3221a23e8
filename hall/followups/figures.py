"""The supervisors' figures over any range of hall days: arrivals, waits, service level,
no-shows and satisfaction per window, staff member, matter and queue; the monthly window
ranking; the follow-ups' 回访率 and 整改率; and the cases' on-time share and open lights.

The queue's figures come from the hall's event log only (never from mutable rows): one narrow
SQL read of the five event types that matter, folded in one pass. A rating an upheld appeal
took out (申诉成立) is left out of satisfaction.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hall.domain import events as ev
from hall.store import HallStore

PERIODS = ("day", "week", "month", "quarter")
_TYPES = (ev.TICKET_ISSUED, ev.TICKET_CALLED, ev.SERVICE_FINISHED, ev.TICKET_NO_SHOW, ev.TICKET_RATED)
# one JSON parse per row at most (SQLite before 3.45 parses again for every json_extract): each
# type extracts what it needs, several paths at once as a JSON array; the (day, seq) index gives
# the rows in order without a sort
_READ = ("SELECT ts, type, ticket, window, CASE type"
         " WHEN 'ticket.issued' THEN json_extract(data, '$.queue')"
         " WHEN 'ticket.called' THEN json_extract(data, '$.staff')"
         " WHEN 'service.finished' THEN json_extract(data, '$.staff', '$.matter')"
         " WHEN 'ticket.rated' THEN json_extract(data, '$.queue', '$.staff', '$.matter', '$.level') END"
         " FROM events INDEXED BY events_day"
         f" WHERE day >= ? AND day <= ? AND type IN ({','.join('?' * len(_TYPES))}) ORDER BY day, seq")


def period(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the day, week (Monday first), month or quarter holding `day`."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    else:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {kind!r}")
    months = 1 if kind == "month" else 3
    nxt = start.replace(year=start.year + (start.month + months - 1) // 12, month=(start.month + months - 1) % 12 + 1)
    return start, nxt - dt.timedelta(days=1)


@dataclass
class Agg:
    arrivals: int = 0
    calls: int = 0
    served: int = 0
    no_shows: int = 0
    wait_sum: float = 0.0
    wait_max: float = 0.0
    over_target: int = 0
    ratings: int = 0
    good: int = 0
    bad: int = 0

    def waits(self, count: int, total: float, longest: float, over: int) -> None:
        """`count` waits adding up to `total` seconds, the longest `longest`, `over` of them over target."""
        self.calls += count
        self.wait_sum += total
        self.wait_max = max(self.wait_max, longest)
        self.over_target += over

    def rated(self, level: int, count: int = 1) -> None:
        self.ratings += count
        self.good += count if level >= 4 else 0
        self.bad += count if level <= 2 else 0

    def report(self) -> dict[str, Any]:
        return {"arrivals": self.arrivals, "calls": self.calls, "served": self.served, "no_shows": self.no_shows,
                "avg_wait_s": round(self.wait_sum / self.calls, 1) if self.calls else None,
                "max_wait_s": round(self.wait_max, 1),
                "service_level": round(1 - self.over_target / self.calls, 4) if self.calls else None,
                "ratings": self.ratings, "good": self.good, "bad": self.bad,
                "satisfaction": round(self.good / self.ratings, 4) if self.ratings else None}


Row = tuple[float, str, str | None, str | None, str | None]


def read_rows(store: HallStore, first: dt.date, last: dt.date) -> list[Row]:
    with store.lock:
        return store.conn.execute(_READ, [first.isoformat(), last.isoformat(), *_TYPES]).fetchall()


def collect_range(store: HallStore, first: dt.date, last: dt.date, target_s: float) -> Groups:
    """`collect` over the days' rows as SQLite gives them, without a list of them all in between."""
    with store.lock:
        return collect(store.conn.execute(_READ, [first.isoformat(), last.isoformat(), *_TYPES]), target_s)


def without(store: HallStore, g: Groups, first: dt.date, last: dt.date, excluded: frozenset[str]) -> Groups:
    """`g` less the ratings of `excluded` tickets given in the days (an upheld appeal's)."""
    if not excluded:
        return g
    with store.lock:
        rows = store.conn.execute(
            "SELECT window, json_extract(data, '$.queue', '$.staff', '$.matter', '$.level') FROM events"
            " WHERE type = ? AND ticket IN (SELECT value FROM json_each(?)) AND day >= ? AND day <= ?",
            [ev.TICKET_RATED, json.dumps(sorted(excluded)), first.isoformat(), last.isoformat()]).fetchall()
    # a Counter's sum keeps only what stays above zero: a group all of whose ratings were taken out goes
    return g.merge(Groups(rated=Counter({tuple(k): -n for k, n in Counter(rows).items()})))


@dataclass
class Groups:
    """A range's rows counted per finest group: what `fold` adds up, and what two ranges of days
    add up to when merged (a ticket's issue, call and service fall on one hall day)."""

    arrivals: Counter = field(default_factory=Counter)  # queue
    waits: dict = field(default_factory=dict)  # (queue, window, staff) -> [count, sum, max, over]
    served: Counter = field(default_factory=Counter)  # (queue, window, [staff, matter] as text)
    no_shows: Counter = field(default_factory=Counter)  # (queue, window)
    rated: Counter = field(default_factory=Counter)  # (window, [queue, staff, matter, level] as text)

    def merge(self, other: Groups) -> Groups:
        """This and `other` in a new `Groups` (neither is changed)."""
        out = Groups(self.arrivals + other.arrivals, {k: list(v) for k, v in self.waits.items()},
                     self.served + other.served, self.no_shows + other.no_shows, self.rated + other.rated)
        for key, (n, total, longest, over) in other.waits.items():
            acc = out.waits.setdefault(key, [0, 0.0, 0.0, 0])
            acc[0], acc[1], acc[2], acc[3] = acc[0] + n, acc[1] + total, max(acc[2], longest), acc[3] + over
        return out


def fold(rows: Iterable[Row], target_s: float, excluded: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The queue's figures from the rows `read_rows` gives, in one pass. `excluded`: tickets whose
    rating an upheld appeal took out."""
    return totals(collect(rows, target_s, excluded))


def collect(rows: Iterable[Row], target_s: float, excluded: frozenset[str] = frozenset()) -> Groups:
    """The rows counted per finest group, with one dict update a row (a wait by queue, window and
    staff; a service by queue, window and staff-and-matter as the row holds them; a rating by window
    and its fields as one text); `totals` adds the groups, a few hundred in a month, up."""
    g = Groups()
    arrivals, served, no_shows, rated, waits = g.arrivals, g.served, g.no_shows, g.rated, g.waits
    queue_of: dict[str, str | None] = {}
    issued_at: dict[str, float] = {}
    called, issued, finished = ev.TICKET_CALLED, ev.TICKET_ISSUED, ev.SERVICE_FINISHED
    rated_kind, no_show = ev.TICKET_RATED, ev.TICKET_NO_SHOW
    for ts, kind, ticket, window, extra in rows:
        if kind == called:
            since = issued_at.pop(ticket, None)  # the first call ends the wait
            if since is not None:
                wait = ts - since
                key = (queue_of.get(ticket), window, extra)
                acc = waits.get(key)
                if acc is None:
                    waits[key] = [1, wait, wait, int(wait > target_s)]
                else:
                    acc[0] += 1
                    acc[1] += wait
                    if wait > acc[2]:
                        acc[2] = wait
                    acc[3] += wait > target_s
        elif kind == issued:
            queue_of[ticket], issued_at[ticket] = extra, ts
            arrivals[extra] += 1
        elif kind == finished:
            served[(queue_of.get(ticket), window, extra)] += 1
        elif kind == rated_kind:
            if ticket not in excluded:
                rated[(window, extra)] += 1
        elif kind == no_show:
            no_shows[(queue_of.get(ticket), window)] += 1
    return g


def totals(g: Groups) -> dict[str, Any]:
    """The finest groups added up: the hall's total and each window's, staff member's, matter's, queue's."""
    arrivals, waits, served, no_shows, rated = g.arrivals, g.waits, g.served, g.no_shows, g.rated
    total = Agg()
    by_queue: dict[str | None, Agg] = defaultdict(Agg)
    by_window: dict[str | None, Agg] = defaultdict(Agg)
    by_staff: dict[str | None, Agg] = defaultdict(Agg)
    by_matter: dict[str | None, Agg] = defaultdict(Agg)
    loads = json.loads
    for queue, n in arrivals.items():
        total.arrivals += n
        by_queue[queue].arrivals += n
    for (queue, window, staff), acc in waits.items():
        for a in (total, by_queue[queue], by_window[window], by_staff[staff]):
            a.waits(*acc)
    for (queue, window, extra), n in served.items():
        staff, matter = loads(extra)
        for a in (total, by_queue[queue], by_window[window], by_staff[staff], by_matter[matter]):
            a.served += n
    for (queue, window), n in no_shows.items():
        for a in (total, by_queue[queue], by_window[window]):
            a.no_shows += n
    for (window, extra), n in rated.items():
        if n <= 0:
            continue  # every rating of the group taken out by an upheld appeal
        queue, staff, matter, level = loads(extra)
        for a in (total, by_queue[queue], by_window[window], by_staff[staff], by_matter[matter]):
            a.rated(level, n)
    groups = {"window": by_window, "staff": by_staff, "matter": by_matter, "queue": by_queue}
    return {"total": total.report(),
            **{dim: {k or "-": a.report() for k, a in sorted(g.items(), key=lambda kv: kv[0] or "-")}
               for dim, g in groups.items()}}


def ranking(by_window: Mapping[str, Mapping[str, Any]], windows: Iterable[str]) -> list[dict[str, Any]]:
    """The month's window ranking: satisfaction first, then fewer 差评, then more served.
    A window without ratings ranks after those with."""
    rows = [(w, by_window.get(w, {})) for w in windows]

    def key(item: tuple[str, Mapping[str, Any]]) -> tuple:
        w, r = item
        sat = r.get("satisfaction")
        return (sat is None, -(sat or 0), r.get("bad", 0), -r.get("served", 0), w)

    out = []
    for rank, (w, r) in enumerate(sorted(rows, key=key), start=1):
        out.append({"rank": rank, "window": w, "satisfaction": r.get("satisfaction"), "ratings": r.get("ratings", 0),
                    "bad": r.get("bad", 0), "served": r.get("served", 0)})
    return out


def last_of(ranked: list[dict[str, Any]]) -> str | None:
    """The window ranked last among those that were rated at all; none when fewer than two were
    rated (the only window rated is not last of anything)."""
    rated = [r for r in ranked if r["ratings"]]
    return rated[-1]["window"] if len(rated) > 1 else None


def flag_twice_last(this: list[dict[str, Any]], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ranking with `last_twice` set on a window ranked last this month and the month before."""
    now, before = last_of(this), last_of(previous)
    return [{**r, "last": r["window"] == now, "last_twice": r["window"] == now and now == before and now is not None}
            for r in this]


def previous_month(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)
