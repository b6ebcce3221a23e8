"""Admission to the platform's storage: a few writes at a time, the rest waiting in arrival order.

Two hundred halls pushing at once used to mean forty pushes each holding a database transaction
on two cores while the rest waited in the server's thread pool, unordered: half the pushes were
answered within a second or two but one in a hundred waited past the relay's 10 s and was sent
again while the platform was still storing it. Here only `writers` pushes store at once; the
others wait, first come first served, without holding a thread or a connection, and one that has
not started within `wait_seconds` is answered at once 503 `storage_busy` with a Retry-After spread
over the time the queue needs to drain, so the halls do not all come back in the same second.
The relay keeps its rows on a 503 and sends them again: nothing is lost, nothing stored twice.

`Admission` is the pure part (the caller says what time it is); `Gate` runs it on the event loop.
"""
from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)

MAX_WAITING = 10_000  # pushes waiting at once: more than a city's halls, a guard against a flood
RETRY_AFTER_MAX = 60  # seconds: the longest Retry-After the platform asks for
T = TypeVar("T")


@dataclass(frozen=True)
class AdmissionSettings:
    """`writers` pushes store at once; a push that waited `wait_seconds` without starting is refused."""

    writers: int
    wait_seconds: float


class Busy(Exception):
    """A write could not start within the deadline: answer 503 with `retry_after` seconds."""

    def __init__(self, retry_after: int, waited: float) -> None:
        super().__init__(f"the platform's storage is busy: this push waited {waited:.1f} s without starting; "
                         f"send it again in {retry_after} s")
        self.retry_after, self.waited = retry_after, waited


class Admission:
    """Who may write now. Tickets are admitted in the order they arrived; one still waiting past
    its deadline is never admitted (it is `late`), so a free slot goes to a push still in time."""

    def __init__(self, settings: AdmissionSettings) -> None:
        self.settings = settings
        self.running = 0
        self.waiting: OrderedDict[int, float] = OrderedDict()  # ticket -> when it arrived, oldest first
        self._next = 0

    def arrive(self, now: float) -> tuple[int, bool]:
        """A new write: its ticket, and whether it may start at once (a free slot, nobody ahead)."""
        ticket, self._next = self._next, self._next + 1
        if self.running < self.settings.writers and not self.waiting:
            self.running += 1
            return ticket, True
        self.waiting[ticket] = now
        return ticket, False

    def deadline(self, ticket: int) -> float:
        return self.waiting[ticket] + self.settings.wait_seconds

    def leave(self, ticket: int) -> bool:
        """A waiting ticket gives up (its deadline passed, or its caller went away). False if it
        was not waiting: it was admitted (or refused) first, and the caller must act on that."""
        return self.waiting.pop(ticket, None) is not None

    def done(self, now: float) -> tuple[list[int], list[int]]:
        """A write finished: the tickets admitted into the free slot(s), in arrival order, and
        the tickets found waiting past their deadline on the way, refused."""
        self.running -= 1
        admitted, late = [], []
        while self.waiting and self.running < self.settings.writers:
            ticket, arrived = self.waiting.popitem(last=False)
            if now >= arrived + self.settings.wait_seconds:
                late.append(ticket)
                continue
            self.running += 1
            admitted.append(ticket)
        return admitted, late


def retry_after(waiting: int, writers: int, service_seconds: float, roll: float) -> int:
    """Seconds a refused push is asked to wait: a whole second at least, spread at random
    (`roll` in [0, 1)) over the time the pushes still waiting need to be stored, so the halls
    refused together come back over that time rather than all in the same second."""
    drain = waiting * max(service_seconds, 0.0) / max(writers, 1)
    window = min(max(math.ceil(drain), 1), RETRY_AFTER_MAX - 1)
    return 1 + min(int(roll * (window + 1)), window)


class Gate:
    """`Admission` on the event loop: `await gate.run(write)` waits its turn without holding a
    thread, or raises `Busy`. The counts are for the admin's stats."""

    def __init__(self, settings: AdmissionSettings, clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.settings, self.clock, self.rng = settings, clock, rng or random.Random()
        self.admission = Admission(settings)
        self.turns: dict[int, asyncio.Future[bool]] = {}
        self.service = 0.05  # seconds a write takes, a moving average (the first guess is a small push's)
        self.admitted = self.refused = 0
        self._last_warning = -math.inf

    async def run(self, write: Callable[[], Awaitable[T]]) -> T:
        """Waits its turn (or raises `Busy`), then awaits `write()`. The slot is held until the
        write is done, even if the caller goes away meanwhile (its thread keeps writing)."""
        arrived = self.clock()
        if len(self.admission.waiting) >= MAX_WAITING:
            raise self._refuse(arrived)
        ticket, now = self.admission.arrive(arrived)
        if not now:
            await self._wait(ticket, arrived)
        self.admitted += 1
        started = self.clock()
        try:
            task = asyncio.ensure_future(write())
        except BaseException:
            self._finish(started)
            raise
        task.add_done_callback(lambda done: self._finish(started, done))
        return await asyncio.shield(task)

    async def _wait(self, ticket: int, arrived: float) -> None:
        turn: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.turns[ticket] = turn
        try:
            admitted = await asyncio.wait_for(asyncio.shield(turn), self.admission.deadline(ticket) - arrived)
        except TimeoutError:
            if self.admission.leave(ticket):
                raise self._refuse(arrived) from None
            admitted = turn.result()  # admitted or refused as the deadline struck
        except asyncio.CancelledError:  # the hall hung up while waiting
            if not self.admission.leave(ticket) and turn.done() and turn.result():
                self._finish(self.clock())  # admitted as it left: the slot goes to the next
            raise
        finally:
            self.turns.pop(ticket, None)
        if not admitted:
            raise self._refuse(arrived)

    def _finish(self, started: float, done: asyncio.Future[Any] | None = None) -> None:
        if done is not None and not done.cancelled():
            done.exception()  # seen here, so a write whose caller went away does not warn unread
        now = self.clock()
        self.service += 0.1 * (now - started - self.service)
        admitted, late = self.admission.done(now)
        for ticket, answer in [(t, True) for t in admitted] + [(t, False) for t in late]:
            turn = self.turns.get(ticket)
            if turn is not None and not turn.done():
                turn.set_result(answer)

    def _refuse(self, arrived: float) -> Busy:
        self.refused += 1
        now = self.clock()
        busy = Busy(retry_after(len(self.admission.waiting), self.settings.writers, self.service,
                                self.rng.random()), now - arrived)
        if now - self._last_warning >= 60:
            self._last_warning = now
            log.warning("pushes are waiting over %.1f s to be stored (%d waiting, %d writers): answering "
                        "503 storage_busy with Retry-After; %d refused so far",
                        self.settings.wait_seconds, len(self.admission.waiting), self.settings.writers,
                        self.refused)
        return busy

    def stats(self) -> dict[str, Any]:
        return {"writers": self.settings.writers, "wait_seconds": self.settings.wait_seconds,
                "storing": self.admission.running, "waiting": len(self.admission.waiting),
                "admitted": self.admitted, "refused": self.refused,
                "write_seconds": round(self.service, 4)}
