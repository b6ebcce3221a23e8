"""Reading the ledger's events and the ratings from the hall's store: the follow-ups fold from
the hall's one event log, so they need no table of their own (the `events_type` index finds them)."""
from __future__ import annotations

from hall.domain import events as ev
from hall.domain.events import Event
from hall.store import HallStore, _event

_COLUMNS = "seq, ts, day, type, data"


def followup_events(store: HallStore) -> list[Event]:
    """Every follow-up event, in order."""
    with store.lock:
        rows = store.conn.execute(f"SELECT {_COLUMNS} FROM events WHERE type >= 'followup.' AND type < 'followup/'"
                                  " ORDER BY seq").fetchall()
    return [_event(r) for r in rows]


def bad_ratings(store: HallStore) -> list[Event]:
    """Every 差评 (level 1-2) in the log, in order: what the ledger must hold a follow-up for."""
    with store.lock:
        rows = store.conn.execute(
            f"SELECT {_COLUMNS} FROM events WHERE type = ? AND json_extract(data, '$.level') <= 2 ORDER BY seq",
            [ev.TICKET_RATED]).fetchall()
    return [_event(r) for r in rows]
