"""Past hall days' queue figures, folded once and kept in the hall's store.

A hall day that is over no longer changes, so its events are folded once into their finest
groups (`figures.Groups`) and stored as rows of `day_groups`, keyed by day and grouping keys;
a range of days is then built from those few hundred rows a day instead of its tens of
thousands of events, and a restarted hall does not read its month's log again.

Each stored day keeps what it was folded from: the day's event count and last seq (an event
that lands on the day later, a late sync or a clock set back, makes them differ), the fold's
rules' version (`VERSION`, raised whenever `figures.collect` counts differently) and the wait
target. A day whose fold no longer matches is folded again the first time it is needed.

Ratings are stored as given: an upheld appeal (申诉成立) that takes one out later is applied
when a range is built (`figures.without`), so a stored day never needs it.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from hall.followups import figures as fg
from hall.store import HallStore

VERSION = 1  # raise when figures.collect groups or counts differently: every stored day is folded again

_KEYS = {"arrivals": 1, "waits": 3, "served": 3, "no_shows": 2, "rated": 2}


def event_stamps(store: HallStore, first: dt.date, last: dt.date) -> dict[str, tuple[int, int]]:
    """Each day's event count and last seq, for the days of the range that have events."""
    with store.lock:
        rows = store.conn.execute("SELECT day, count(*), max(seq) FROM events INDEXED BY events_day"
                                  " WHERE day >= ? AND day <= ? GROUP BY day",
                                  [first.isoformat(), last.isoformat()]).fetchall()
    return {day: (n, top) for day, n, top in rows}


def stored_stamps(store: HallStore, first: dt.date, last: dt.date, target_s: float) -> dict[str, tuple[int, int]]:
    """The stored days' event count and last seq, for days folded by these rules and this target."""
    with store.lock:
        rows = store.conn.execute("SELECT day, events, last_seq FROM day_folds WHERE day >= ? AND day <= ?"
                                  " AND version = ? AND target_s = ?",
                                  [first.isoformat(), last.isoformat(), VERSION, target_s]).fetchall()
    return {day: (n, top) for day, n, top in rows}


def to_rows(g: fg.Groups) -> list[tuple]:
    """A day's groups as `day_groups` rows: (kind, k1, k2, k3, n, total, longest, over)."""
    rows: list[tuple] = [("arrivals", q, None, None, n, None, None, None) for q, n in g.arrivals.items()]
    rows += [("waits", *key, n, total, longest, over) for key, (n, total, longest, over) in g.waits.items()]
    rows += [("served", *key, n, None, None, None) for key, n in g.served.items()]
    rows += [("no_shows", *key, None, n, None, None, None) for key, n in g.no_shows.items()]
    rows += [("rated", *key, None, n, None, None, None) for key, n in g.rated.items()]
    return rows


def from_rows(rows: list[tuple]) -> fg.Groups:
    """The groups of the `day_groups` rows (any number of days), added up."""
    g = fg.Groups()
    counters: dict[str, Counter] = {"arrivals": g.arrivals, "served": g.served, "no_shows": g.no_shows,
                                    "rated": g.rated}
    waits = g.waits
    for kind, k1, k2, k3, n, total, longest, over in rows:
        width = _KEYS.get(kind)
        if width is None:
            raise ValueError(f"a stored day group of an unknown kind {kind!r}")
        if kind == "arrivals":
            g.arrivals[k1] += n
        elif kind == "waits":
            acc = waits.get((k1, k2, k3))
            if acc is None:
                waits[(k1, k2, k3)] = [n, total, longest, over]
            else:
                acc[0], acc[1], acc[2], acc[3] = acc[0] + n, acc[1] + total, max(acc[2], longest), acc[3] + over
        else:
            counters[kind][(k1, k2, k3)[:width]] += n
    return g


def fold_day(store: HallStore, day: str, stamp: tuple[int, int], target_s: float) -> None:
    """Fold one past day's events and store its groups in place of any stored before."""
    date = dt.date.fromisoformat(day)
    groups = fg.collect_range(store, date, date, target_s)
    store.replace_day_fold(day, (VERSION, target_s, *stamp), to_rows(groups))


def past_groups(store: HallStore, first: dt.date, last: dt.date, target_s: float) -> fg.Groups:
    """The range's groups (every day of it over) from the stored days, folding and storing first
    any day not stored yet or stored from other events, rules or target. Ratings as given."""
    have = event_stamps(store, first, last)
    stored = stored_stamps(store, first, last, target_s)
    for day, stamp in have.items():
        if stored.get(day) != stamp:
            fold_day(store, day, stamp, target_s)
    with store.lock:
        rows = store.conn.execute(
            "SELECT g.kind, g.k1, g.k2, g.k3, g.n, g.total, g.longest, g.over FROM day_groups g"
            " JOIN day_folds f ON f.day = g.day WHERE g.day >= ? AND g.day <= ? AND f.version = ?"
            " AND f.target_s = ?", [first.isoformat(), last.isoformat(), VERSION, target_s]).fetchall()
    return from_rows(rows)
