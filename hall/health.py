"""The hall's health at a glance: what a supervisor or the county's IT person needs to see which
device or screen is unwell, and why, without walking the hall.

It gathers each peripheral's state on the hall PC (connecting since when, the last error), each
screen's last heartbeat (its version, its devices, its clock against the hall's), the versions,
the disk under the hall's data and the sync backlog, and judges each: `ok`, `warning` (look
soon) or `error` (something does not work now), with a sentence saying why.

Pure: the caller hands in the states, heartbeats, disk figures and sync status it read, and the
time. `HeartbeatBook` keeps the screens' latest heartbeats in memory (a restarted hall has heard
from every screen again within one heartbeat interval).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ground.clocks import SKEW_LIMIT_S

OK, WARNING, ERROR = "ok", "warning", "error"
RANK = {OK: 0, WARNING: 1, ERROR: 2}
HEARTBEAT_SECONDS = 30.0  # how often a screen says it is alive (kiosk.hall_link)
STALE_AFTER = 3 * HEARTBEAT_SECONDS  # no heartbeat for this long: the screen is unwell
SKEW_WARNING_S = 5.0  # a screen's clock off by more: its times drift from the board's
DISK_WARNING = (2 * 1024**3, 0.10)  # free bytes, or share of the disk, below which to warn
DISK_ERROR = (256 * 1024**2, 0.01)
SYNC_WARNING_S = 15 * 60.0  # the oldest record waiting this long for the platform: look
SYNC_ERROR_S = 6 * 3600.0
CONNECTING_GRACE_S = 30.0  # a device connecting for longer is unwell, whatever it is waiting for
SCREEN_ROLES = ("dispenser", "kiosk", "display", "pad")  # the devices that send heartbeats (the screens)


@dataclass(frozen=True)
class Heartbeat:
    device: str  # the screen's id (its token's)
    role: str
    received: float  # the hall's clock when it arrived (seconds since the epoch)
    clock: float  # the screen's clock as it sent it
    version: str = ""
    devices: tuple[Mapping[str, Any], ...] = ()  # its peripherals: device, kind, state, reason, for_seconds
    disk_free: int | None = None
    disk_total: int | None = None

    @property
    def skew(self) -> float:
        """Seconds the screen's clock is ahead of the hall's (negative: behind)."""
        return self.clock - self.received


class HeartbeatBook:
    """The latest heartbeat of each screen, from any thread."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._beats: dict[str, Heartbeat] = {}

    def beat(self, device: str, role: str, body: Mapping[str, Any]) -> Heartbeat:
        devices = tuple(dict(d) for d in body.get("devices") or ())
        beat = Heartbeat(device, role, self.clock(), float(body["clock"]), str(body.get("version") or ""),
                         devices, body.get("disk_free"), body.get("disk_total"))
        with self._lock:
            self._beats[device] = beat
        return beat

    def latest(self) -> dict[str, Heartbeat]:
        with self._lock:
            return dict(self._beats)


@dataclass(frozen=True)
class Item:
    """One thing judged: a device, a screen, the disk, the clock of one screen, the sync backlog."""

    area: str  # peripheral | screen | disk | sync | version
    id: str
    state: str  # ok | warning | error
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area, "id": self.id, "state": self.state, "reason": self.reason,
                "details": dict(self.details)}


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def device_item(where: str, device: Mapping[str, Any], now: float) -> Item:
    """A peripheral's state judged: ready is ok; connecting within its first half minute (a
    start-up) a warning, then an error like disconnected; a fault (paper out) an error. A
    screen's device is named with its screen (`kiosk-1/receipt_printer`): screens share names."""
    state = str(device.get("state", "unknown"))
    for_s = max(0.0, float(device.get("for_seconds") or 0.0))
    reason = str(device.get("reason") or "")
    details = {"kind": device.get("kind", ""), "host": where, "device_state": state,
               "since": now - for_s, "for_seconds": round(for_s, 1), **dict(device.get("details") or {})}
    name = str(device["device"]) if where == "hall" else f"{where}/{device['device']}"
    if state == "ready":
        return Item("peripheral", name, OK, reason or "ready", details)
    verdict = WARNING if state == "connecting" and for_s < CONNECTING_GRACE_S else ERROR
    said = f"{state} for {_span(for_s)}" + (f": {reason}" if reason else "")
    return Item("peripheral", name, verdict, said, details)


def screen_items(expected: Sequence[tuple[str, str]], beats: Mapping[str, Heartbeat], now: float,
                 hall_version: str) -> list[Item]:
    """Each screen the hall has a token for: heard lately or not, its clock, its version, and
    the devices it drives."""
    items: list[Item] = []
    for device, role in expected:
        beat = beats.get(device)
        if beat is None:
            items.append(Item("screen", device, WARNING, "no heartbeat since the hall started",
                              {"role": role}))
            continue
        age = now - beat.received
        details = {"role": role, "last_heartbeat": beat.received, "age_seconds": round(age, 1),
                   "version": beat.version, "skew_seconds": round(beat.skew, 1)}
        if age > STALE_AFTER:
            items.append(Item("screen", device, ERROR, f"no heartbeat for {_span(age)}", details))
        else:
            items.append(Item("screen", device, OK, "alive", details))
        items.append(clock_item(device, beat.skew))
        if beat.version and beat.version != hall_version:
            items.append(Item("version", device, WARNING,
                              f"runs {beat.version}, the hall runs {hall_version}: upgrade one of them",
                              {"version": beat.version, "hall_version": hall_version}))
        items += [device_item(device, d, beat.received) for d in beat.devices]
        if beat.disk_free is not None and beat.disk_total:
            items.append(disk_item(device, beat.disk_free, beat.disk_total))
    return items


def clock_item(device: str, skew: float) -> Item:
    way = "ahead of" if skew > 0 else "behind"
    details = {"skew_seconds": round(skew, 1)}
    if abs(skew) > SKEW_LIMIT_S:
        return Item("clock", device, ERROR, f"clock {_span(skew)} {way} the hall's: set its time (NTP)", details)
    if abs(skew) > SKEW_WARNING_S:
        return Item("clock", device, WARNING, f"clock {_span(skew)} {way} the hall's", details)
    return Item("clock", device, OK, "clock agrees with the hall's", details)


def disk_item(where: str, free: int, total: int) -> Item:
    share = free / total if total else 0.0
    details = {"free_bytes": free, "total_bytes": total, "free_share": round(share, 3)}
    said = f"{free / 1024**3:.1f} GiB free of {total / 1024**3:.1f} GiB ({share:.0%})"
    if free < DISK_ERROR[0] or share < DISK_ERROR[1]:
        return Item("disk", where, ERROR, f"disk almost full: {said}", details)
    if free < DISK_WARNING[0] or share < DISK_WARNING[1]:
        return Item("disk", where, WARNING, f"disk filling: {said}", details)
    return Item("disk", where, OK, said, details)


def sync_item(status: Mapping[str, Any], now: float) -> Item:
    """The records waiting for the platform: how many, the oldest's age, the relay's last error."""
    pending, dead = int(status.get("pending", 0)), int(status.get("dead", 0))
    oldest = status.get("oldest_pending") or {}
    age = float(oldest.get("age_seconds") or 0.0)
    relay = status.get("relay") or {}
    details = {"pending": pending, "dead": dead, "oldest_age_seconds": round(age, 1),
               "upstream": status.get("upstream"), "last_error": relay.get("last_error")}
    records = f"{pending} record" + ("" if pending == 1 else "s")
    if not status.get("upstream"):
        return Item("sync", "platform", WARNING if pending else OK,
                    f"no platform configured: {records} kept until one is", details)
    said = f"{records} waiting" + (f", the oldest for {_span(age)}" if pending else "")
    if relay.get("consecutive_failures") and relay.get("last_error"):
        said += f"; last error: {relay['last_error']}"
    if dead:
        said += f"; {dead} set aside"
    if age > SYNC_ERROR_S:
        return Item("sync", "platform", ERROR, said, details)
    if age > SYNC_WARNING_S or dead:
        return Item("sync", "platform", WARNING, said, details)
    return Item("sync", "platform", OK, said, details)


def report(*, hall: str, now: float, version: str, hall_devices: Iterable[Mapping[str, Any]],
           screens: Sequence[tuple[str, str]], beats: Mapping[str, Heartbeat],
           disk: tuple[int, int], sync: Mapping[str, Any]) -> dict[str, Any]:
    """The whole picture: every item, the worst state, and the problems as sentences."""
    items = [device_item("hall", d, now) for d in hall_devices]
    items += screen_items(screens, beats, now, version)
    items.append(disk_item("hall", *disk))
    items.append(sync_item(sync, now))
    worst = max((i.state for i in items), key=RANK.__getitem__, default=OK)
    problems = [f"{i.id}: {i.reason}" for i in sorted(items, key=lambda i: -RANK[i.state]) if i.state != OK]
    return {"hall": hall, "time": now, "state": worst, "version": version, "problems": problems,
            "items": [i.as_dict() for i in items]}


def summary(full: Mapping[str, Any]) -> dict[str, Any]:
    """What the platform is sent: the verdict and each item's state and reason (no details)."""
    return {"hall": full["hall"], "state": full["state"], "version": full["version"],
            "problems": list(full["problems"])[:50],
            "items": [{"area": i["area"], "id": i["id"], "state": i["state"], "reason": i["reason"][:200]}
                      for i in full["items"]][:200]}


def verdicts(full: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """Each item's state, to tell whether the picture changed since it was last sent."""
    return tuple((i["area"], i["id"], i["state"]) for i in full["items"])
