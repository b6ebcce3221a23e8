"""The reading loop every scanner kind shares, over a `Link` that reconnects.

A subclass opens its session (`_open`) and reads one short chunk from it (`_read_chunk`),
returning what became of it: scans and rejected lines. An unplug (`DeviceUnavailable` from the
chunk read) drops the session; the next `read()` reconnects with the link's backoff, so a
scanner pulled out and plugged back in keeps delivering without the caller doing anything.
Rejected lines are logged (the reason, never the content), counted and passed to `on_rejected`;
they are never delivered as scans.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from drivers.errors import DeviceUnavailable
from drivers.link import Link, Session, StatusCallback
from drivers.scanner.scan import Rejected, Scan
from drivers.status import DeviceStatus

log = logging.getLogger(__name__)

S = TypeVar("S", bound=Session)
RejectedCallback = Callable[[Rejected], None]


class LinkedScanner(Generic[S]):
    kind = "scanner"

    def __init__(
        self,
        device: str,
        *,
        backoff: tuple[float, float] = (0.2, 5.0),
        clock: Callable[[], float] = time.time,
        on_status: StatusCallback | None = None,
        on_rejected: RejectedCallback | None = None,
    ) -> None:
        self.device = device
        self.clock = clock
        self.on_rejected = on_rejected
        self.link: Link[S] = Link(
            device, self.kind, self._open, lambda _session: self._details(),
            backoff=backoff, on_status=on_status,
        )
        self.rejected = 0
        self._pending: deque[Scan] = deque()
        self._closed = threading.Event()

    # -- for subclasses

    def _open(self) -> S:
        raise NotImplementedError

    def _read_chunk(self, session: S) -> list[Scan | Rejected]:
        """One short read (a fraction of a second at most); `DeviceUnavailable` on unplug."""
        raise NotImplementedError

    def _details(self) -> dict[str, Any]:
        return {}

    # -- use

    @property
    def status(self) -> DeviceStatus:
        return self.link.status

    @property
    def connected(self) -> bool:
        return self.link.session is not None

    def connect(self) -> bool:
        """One connect attempt now (without waiting); True when connected."""
        if self.link.session is None:
            self.link.step()
        return self.link.session is not None

    def read(self, timeout: float | None = None) -> Scan | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self._pending:
                return self._pending.popleft()
            remaining = None if deadline is None else deadline - time.monotonic()
            if self._closed.is_set() or (remaining is not None and remaining <= 0):
                return None
            if self.link.session is None:
                delay = self.link.step()
                if self.link.session is None:
                    self._closed.wait(delay if remaining is None else min(delay, remaining))
                    continue
            try:
                items = self.link.use(self._read_chunk)
            except DeviceUnavailable as exc:
                log.warning("%s %s lost: %s", self.kind, self.device, exc.message)
                continue
            self._take(items)

    def _take(self, items: list[Scan | Rejected]) -> None:
        for item in items:
            if isinstance(item, Scan):
                self._pending.append(item)
                continue
            self.rejected += 1
            # the content is not logged: a scanned code may carry an ID number or a name
            log.warning("%s %s rejected a line: %s", self.kind, self.device, item.reason)
            if self.on_rejected is not None:
                try:
                    self.on_rejected(item)
                except Exception:
                    log.exception("rejected-line callback of %s failed", self.device)

    def scans(self, stop: threading.Event | None = None) -> Iterator[Scan]:
        while not self._closed.is_set() and (stop is None or not stop.is_set()):
            scan = self.read(0.2)
            if scan is not None:
                yield scan

    def run(self, on_scan: Callable[[Scan], None], stop: threading.Event) -> None:
        """Calls `on_scan` for every scan until `stop` is set (on a thread of the caller's choosing)."""
        for scan in self.scans(stop):
            on_scan(scan)

    def close(self) -> None:
        self._closed.set()
        self.link.close()

    def __enter__(self) -> LinkedScanner[S]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
