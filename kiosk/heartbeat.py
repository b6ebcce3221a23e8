"""What a screen tells the hall every half minute (`POST /api/v1/health/heartbeat`): that it is
alive, its clock (the hall compares it with its own), the version it runs, the state of each of
its devices with why and for how long, and the disk under its data. The hall's health page and
`yiciban doctor --hall` show it. Qt-free: `kiosk.hall_link` sends what `body` builds.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from drivers.status import DeviceStatus
from ground.paths import DATA_DIR_ENV, PACKAGED_DATA_DIR
from ground.version import installed

HEARTBEAT_MS = 30_000  # the hall's hall.health.HEARTBEAT_SECONDS
SOON_MS = 3_000  # after a device changed state: soon, once for a burst of changes
MAX_DEVICES = 32  # the hall takes no more in one heartbeat
MAX_REASON = 300


def data_disk() -> Path:
    """Where this screen keeps its data (the disk to watch): $YICIBAN_DATA_DIR, the packaged
    place, else the home directory; the nearest folder of it that exists."""
    explicit = os.environ.get(DATA_DIR_ENV, "").strip()
    path = Path(explicit).expanduser() if explicit else PACKAGED_DATA_DIR
    if not explicit and not path.exists():
        path = Path.home()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def device_row(status: DeviceStatus, now: float) -> dict[str, Any]:
    """One device as the hall takes it: the status's `since` is on this machine's monotonic
    clock, so what travels is how long it has been in that state."""
    return {"device": status.device[:64], "kind": status.kind[:32], "state": status.state.value,
            "reason": status.reason[:MAX_REASON], "for_seconds": max(0.0, round(now - status.since, 1))}


def body(states: Mapping[str, DeviceStatus], *, wall: Callable[[], float] = time.time,
         monotonic: Callable[[], float] = time.monotonic, disk: Path | None = None) -> dict[str, Any]:
    now = monotonic()
    out: dict[str, Any] = {"clock": wall(), "version": installed(),
                           "devices": [device_row(s, now) for s in list(states.values())[:MAX_DEVICES]]}
    try:
        usage = shutil.disk_usage(disk or data_disk())
    except OSError:  # no disk figures this time; the rest still says the screen is alive
        return out
    out["disk_free"], out["disk_total"] = usage.free, usage.total
    return out
