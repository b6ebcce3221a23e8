"""A screen whose machine clock is more than a minute off the hall's says so in its log, once,
and again when the clocks agree (a real HTTP server on loopback plays the hall's clock)."""
from __future__ import annotations

import logging

from kiosk.hall_link import HallLink
from kiosk.workers import Jobs
from tests.unit.test_clock import hall_clock  # noqa: F401 - the fixture


def test_the_link_tells_when_this_clock_is_off_the_halls_and_when_it_is_back(qtbot, hall_clock, caplog):  # noqa: F811
    url, hall = hall_clock
    jobs = Jobs()
    link = HallLink(url, "token", jobs)
    said: list[str] = []
    link.clock_skew_changed.connect(said.append)
    caplog.set_level(logging.INFO, logger="kiosk.hall_link")
    try:
        link.on_health_timeout()
        qtbot.waitUntil(lambda: link.online is True and not link._checking, timeout=10000)
        assert said == [] and link.clock_note is None  # the clocks agree: nothing to say
        hall.ahead = 8 * 3600.0  # a machine left in UTC with its clock set to Beijing time's digits
        link.on_health_timeout()
        qtbot.waitUntil(lambda: bool(said), timeout=10000)
        assert said[0].startswith("this machine's clock is 8.0 h behind the hall's")
        assert link.clock_note == said[0]
        link.on_health_timeout()  # still off: said once, not every few seconds
        qtbot.waitUntil(lambda: not link._checking, timeout=10000)
        hall.ahead = 0.0
        link.on_health_timeout()
        qtbot.waitUntil(lambda: len(said) == 2, timeout=10000)
        assert said[1] == "" and link.clock_note is None
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "clock" in r.getMessage()]
        assert len(warnings) == 1
        assert "agrees with the hall's again" in caplog.text
    finally:
        link.stop()
        qtbot.wait(50)  # answers already queued reach the link while it and its jobs still exist
