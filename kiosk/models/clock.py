"""The hall's time on the screens: every clock a citizen sees shows the hall's zone, not the
machine's.

A screen's machine may be left in UTC (or any zone) while the hall board, the follow page and
the printed ticket show the hall's time: the screens read the zone from the hall's description
(`timezone`, from `[hall] timezone` in its config) and, until the hall has answered, use the
config's default, Asia/Shanghai. A machine whose own clock is more than a minute off the
hall's is told apart too (`ground.clocks.skew_note`, from `HallClient.clock_skew`): its times
would be wrong even in the right zone.
Qt-free.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Asia/Shanghai"  # hall.config's default for [hall] timezone


def hall_zone(hall: Mapping[str, Any] | None) -> dt.tzinfo:
    """The hall's zone; its config's default when the hall has not said (or named no real zone)."""
    name = str((hall or {}).get("timezone") or DEFAULT_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("the hall's time zone %r is unknown here; showing %s", name, DEFAULT_ZONE)
        return ZoneInfo(DEFAULT_ZONE)


def hall_now(hall: Mapping[str, Any] | None, now: float | None = None) -> dt.datetime:
    """The time at the hall: this machine's clock (`now`, seconds since the epoch) in its zone."""
    return dt.datetime.fromtimestamp(time.time() if now is None else now, hall_zone(hall))


def hall_today(hall: Mapping[str, Any] | None, now: float | None = None) -> dt.date:
    """The hall's date, which is not the machine's around midnight when their zones differ."""
    return hall_now(hall, now).date()


def header_text(hall: Mapping[str, Any] | None, now: float | None = None) -> str:
    """The shell's header clock: month-day and hour:minute at the hall."""
    return hall_now(hall, now).strftime("%m-%d %H:%M")
