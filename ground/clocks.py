"""Whether a machine's clock and time zone agree with the hall's, said the same way everywhere.

The hall's time is its configured zone (`[hall] timezone`) on the hall server's clock. A screen
or server machine left in another zone, or whose clock is off, writes logs and shows times that
do not match the board, the printed tickets and the platform. The screens (`kiosk.models.clock`),
the hall's `/health` and `yiciban doctor --hall` all use these notes. Pure: no I/O but reading
this machine's zone.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SKEW_LIMIT_S = 60.0
_HALF_YEAR = dt.timedelta(days=182)  # a zone with summer time differs in one half of the year


def skew_note(skew: float | None) -> str | None:
    """What to say when this machine's clock is more than a minute off the hall's (`skew`:
    seconds it is behind; negative, ahead), else None."""
    if skew is None or abs(skew) <= SKEW_LIMIT_S:
        return None
    way = "behind" if skew > 0 else "ahead of"
    return (f"this machine's clock is {_span(abs(skew))} {way} the hall's: "
            "set its time (NTP) so tickets, calls and logs agree")


def machine_zone_name() -> str:
    """This machine's time zone as its owner would set it: `$TZ`, else the zone /etc/localtime
    links to, else the abbreviation the C library gives (UTC, CST)."""
    if os.environ.get("TZ"):
        return os.environ["TZ"].lstrip(":")
    with_link = Path("/etc/localtime")
    if with_link.is_symlink():
        target = str(with_link.resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    return dt.datetime.now().astimezone().tzname() or "unknown"


def zone_note(hall_zone: str, now: float | None = None, local: dt.tzinfo | None = None,
              who: str = "this machine") -> str | None:
    """What to say when this machine's zone (`local`, by default its own) reads another time
    than the hall's zone now or half a year from now, else None. An unknown hall zone is said.
    `who`: the machine as the reader knows it ("the hall server")."""
    try:
        hall = ZoneInfo(hall_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"the hall's time zone {hall_zone!r} is unknown on {who} (tzdata missing?)"
    at = dt.datetime.fromtimestamp(time.time() if now is None else now, dt.UTC)
    for moment in (at, at + _HALF_YEAR):
        here = moment.astimezone(local).utcoffset()  # None: this machine's zone
        there = moment.astimezone(hall).utcoffset()
        if here != there:
            name = machine_zone_name() if local is None else str(local)
            return (f"{who}'s time zone ({name}, {_offset(here)}) is not the hall's "
                    f"({hall_zone}, {_offset(there)}): its logs and own clock read other times than "
                    f"the board and the tickets; set it with `timedatectl set-timezone {hall_zone}`")
    return None


def _offset(offset: dt.timedelta | None) -> str:
    minutes = round((offset or dt.timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _span(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{seconds / 3600:.1f} h"
