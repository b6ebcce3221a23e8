"""What the kiosk last heard from the hall about a ticket or a case, to answer a progress lookup
with while the hall is away, marked with when it was heard. Qt-free.

Only answers the hall gave this kiosk are kept: a ticket by its id, a case by the signed path of
its notice's QR (what a citizen scans again). In memory only, and a bounded number of them: a
case's answer carries masked personal data, which a restart should not keep, and a kiosk left
running for weeks stays the same size. An ID card's lookup is not kept by card: its tickets are
kept by their ids.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LIMIT = 2000  # answers kept, the oldest forgotten first
MAX_AGE = 24 * 3600.0  # a day-old answer says nothing of today's queue


@dataclass(frozen=True)
class Known:
    answer: dict[str, Any]
    at: float  # when the hall gave it (seconds since the epoch)


class LastKnown:
    def __init__(self, clock: Callable[[], float] = time.time, limit: int = LIMIT) -> None:
        self.clock, self.limit = clock, limit
        self._known: OrderedDict[tuple[str, str], Known] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, kind: str, key: str, answer: dict[str, Any]) -> None:
        """Keeps the hall's `answer` about a ticket or a case (`kind`), replacing an older one."""
        if not key:
            return
        with self._lock:
            self._known.pop((kind, key), None)
            self._known[(kind, key)] = Known(dict(answer), self.clock())
            while len(self._known) > self.limit:
                self._known.popitem(last=False)

    def recall(self, kind: str, key: str) -> Known | None:
        """The last answer about it, unless none was heard or it is more than a day old."""
        with self._lock:
            known = self._known.get((kind, key))
        if known is None or self.clock() - known.at > MAX_AGE:
            return None
        return known
