"""The hall's health, read and sent: the states of its devices, the screens' heartbeats, the disk
under its data and its sync backlog, put together by `hall.health`, and a `hall.health` record
for the platform whenever the picture changes (and once an hour while it does not), so a
county sees which hall is unwell without asking each one.
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ground.version import installed
from hall import health
from hall.config import HallConfig
from hall.store import HallStore
from sync import records
from sync.node import SyncNode
from sync.outbox import InvalidRecord, write

log = logging.getLogger(__name__)
CHECK_EVERY = 60.0  # seconds between looks at the picture
SEND_AT_LEAST = 3600.0  # an unchanged picture is sent again after this long


class HallHealth:
    def __init__(self, config: HallConfig, data_dir: Path, store: HallStore, sync: SyncNode,
                 peripherals: Any, clock: Callable[[], float] = time.time) -> None:
        self.config, self.data_dir, self.store, self.sync = config, Path(data_dir), store, sync
        self.peripherals = peripherals  # hall.peripherals.HallPeripherals
        self.clock = clock
        self.book = health.HeartbeatBook(clock)
        self.started = clock()
        self._sent: tuple[tuple[str, str, str], ...] | None = None
        self._sent_at = 0.0

    def screens(self) -> list[tuple[str, str]]:
        """The screens the hall has a token for (each should send heartbeats); not a pad token
        of a window whose evaluation pad is on the hall's RS-485 bus (that pad is the bus's)."""
        bus = self.peripherals.bus_pad_windows() if self.peripherals is not None else set()
        return [(d.id, d.role) for d in self.config.devices
                if d.role in health.SCREEN_ROLES and not (d.role == "pad" and d.window in bus)]

    def report(self) -> dict[str, Any]:
        now = self.clock()
        usage = shutil.disk_usage(self.data_dir)
        with self.store.lock:
            backlog = self.sync.status(self.store.conn)
        devices = self.peripherals.device_states() if self.peripherals is not None else []
        out = health.report(hall=self.config.hall.id, now=now, version=installed(),
                            hall_devices=devices, screens=self.screens(), beats=self.book.latest(),
                            disk=(usage.free, usage.total), sync=backlog)
        out["started"] = self.started
        return out

    def record_if_changed(self) -> bool:
        """Adds a `hall.health` record when an item's state changed since the last one (or an
        hour has passed); says in the log what turned bad. True when a record was written."""
        full = self.report()
        verdicts = health.verdicts(full)
        now = self.clock()
        if verdicts == self._sent and now - self._sent_at < SEND_AT_LEAST:
            return False
        before = dict(((a, i), s) for a, i, s in self._sent or ())
        for item in full["items"]:
            if item["state"] != health.OK and before.get((item["area"], item["id"])) != item["state"]:
                log.warning("health: %s %s is %s: %s", item["area"], item["id"], item["state"], item["reason"])
        try:
            with write(self.store.conn, self.store.lock) as conn:
                self.sync.outbox.add(conn, records.HALL_HEALTH, health.summary(full))
        except InvalidRecord as exc:  # a bug in the summary: said, and the hall goes on
            log.error("health record refused: %s", exc)
            return False
        self._sent, self._sent_at = verdicts, now
        return True

    async def watch(self, every: float = CHECK_EVERY) -> None:
        """Looks every `every` seconds until cancelled (on a worker thread: it reads the disk)."""
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.record_if_changed)
            except Exception:
                log.exception("health check failed; trying again in %.0f s", every)
