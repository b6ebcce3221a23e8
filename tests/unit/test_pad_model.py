"""What the evaluation pad knows of its window, from the snapshot and the events: no Qt, no hall."""
from __future__ import annotations

import itertools

from hall.wire import StreamEvent
from kiosk.models.pad import Service, WindowWatch

MATTER = "000131128000"  # 个体工商户设立登记
_SEQ = itertools.count(1)


def event(fields: dict) -> StreamEvent:
    """An event as the stream delivers it, with the next sequence number."""
    return StreamEvent.read({"seq": next(_SEQ), **fields})


def test_window_watch_follows_its_window_and_returns_each_finished_service():
    watch = WindowWatch("w1")
    watch.load_snapshot({"windows": [{"id": "w1", "state": "open", "staff": "s1", "ticket": None}],
                         "queues": [{"id": "general", "next": ["A001"], "next_ids": ["t1"]}]})
    assert (watch.state, watch.staff) == ("open", "s1")
    events = [
        {"type": "ticket.issued", "data": {"ticket": "t2", "number": "B001", "queue": "property"}},
        {"type": "ticket.called", "data": {"ticket": "t1", "number": "A001", "window": "w1", "staff": "s1"}},
        {"type": "ticket.called", "data": {"ticket": "t2", "number": "B001", "window": "w2", "staff": "s2"}},
        {"type": "service.started", "data": {"ticket": "t1", "window": "w1", "staff": "s1"}},
        {"type": "service.finished", "data": {"ticket": "t2", "window": "w2", "staff": "s2"}},
    ]
    assert [watch.apply(event(e)) for e in events] == [None] * 5
    assert watch.ticket["state"] == "serving"
    done = watch.apply(event({"type": "service.finished", "ts": 10.0,
                              "data": {"ticket": "t1", "window": "w1", "staff": "s1", "matter": MATTER}}))
    assert done == Service(ticket="t1", window="w1", number="A001", staff="s1", matter=MATTER,
                           queue="general", at=10.0)
    assert watch.ticket is None
    watch.apply(event({"type": "window.closed", "data": {"window": "w1"}}))
    assert (watch.state, watch.staff) == ("closed", None)
    watch.apply(event({"type": "ticket.rated", "data": {"ticket": "t1", "window": "w1"}}))
    assert "t1" in watch.rated
    watch.apply(event({"type": "day.started", "data": {"day": "2026-01-02"}}))
    assert watch.rated == set() and watch.ticket is None
