"""The puller: keeps the node's reference copy fresh, one dataset at a time.

A pull asks for the changes after the version held, with its ETag (a 304 costs nothing),
follows the cursor through the pages into staging, and applies them in one transaction.
When the platform cannot be reached the copy stays as it was and is served with its age.
"""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable

from sync.protocol import NotModified, PlatformClient, SyncError
from sync.reference import DATASETS, ReferenceStore, ReferenceStoreError

log = logging.getLogger(__name__)

MAX_PAGES = 10_000  # a runaway upstream cannot keep a pull going forever


class Puller:
    def __init__(self, client: PlatformClient, store: ReferenceStore, *,
                 datasets: Iterable[str] = DATASETS, interval: float = 300.0,
                 retry_max: float = 300.0, rng: random.Random | None = None) -> None:
        self.client, self.store = client, store
        self.datasets = tuple(datasets)
        self.interval, self.retry_max = interval, retry_max
        self.rng = rng or random.Random()
        self.failures = 0
        self.last_error: str | None = None
        self.stopping = threading.Event()

    def pull(self, dataset: str) -> int | None:
        """Brings one dataset up to date; returns the number of changes applied (None: unchanged)."""
        meta = self.store.meta(dataset)
        try:
            page = self.client.pull(dataset, meta.version, etag=meta.etag)
        except NotModified:
            self.store.touch(dataset)
            return None
        self.store.begin(dataset)
        pages = 1
        while True:
            self.store.stage(dataset, page.changes)
            if not page.next_cursor:
                break
            pages += 1
            if pages > MAX_PAGES:
                raise SyncError(f"{dataset}: more than {MAX_PAGES} pages")
            page = self.client.pull(dataset, meta.version, cursor=page.next_cursor)
        count = self.store.apply(dataset, page.version, page.etag)
        if count:
            log.info("reference %s: %d changes applied, now version %d", dataset, count, page.version)
        return count

    def pull_all(self) -> bool:
        """Every dataset once; False if any failed (the others are still applied)."""
        failed = []
        for dataset in self.datasets:
            if self.stopping.is_set():
                break
            try:
                self.pull(dataset)
            except (SyncError, ReferenceStoreError) as exc:
                failed.append(dataset)
                self.last_error = f"{dataset}: {exc}"
        if not failed:
            if self.failures:
                log.info("reference data refreshed again after %d failed rounds", self.failures)
            self.failures, self.last_error = 0, None
            return True
        self.failures += 1
        # one line when it starts failing, then one in twenty: an outage must not flood the journal
        level = logging.WARNING if self.failures == 1 else logging.INFO if self.failures % 20 == 0 else logging.DEBUG
        log.log(level, "cannot refresh reference data (%s): %s; the local copy is served",
                ", ".join(failed), self.last_error)
        return False

    def next_wait(self) -> float:
        if not self.failures:
            return self.interval
        return min(self.retry_max, self.interval, 2.0 ** self.failures) * (0.5 + 0.5 * self.rng.random())

    def run(self, sleep: Callable[[float], bool] | None = None) -> None:
        wait = sleep or self.stopping.wait
        while not self.stopping.is_set():
            try:
                self.pull_all()
            except Exception:
                log.exception("reference pull failed")
                self.failures += 1
            if wait(self.next_wait()):
                return

    def stop(self) -> None:
        self.stopping.set()


