"""The event hub: every committed event reaches every WebSocket subscriber once, in order.

A command never waits for the broadcast. Publishing appends the event (serialised once) to a
ring buffer and wakes the subscribers; each subscriber's own task sends what it has not sent
yet. A subscriber that reconnects with its last sequence number, or falls behind the ring,
is served from the store first. So no display misses or repeats a call.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hall.domain.events import Event
from hall.store import HallStore

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]


class EventHub:
    def __init__(self, store: HallStore, head: int, ring_size: int = 4096) -> None:
        self.store = store
        # recent events, contiguous in seq: a subscriber's next event is found by arithmetic
        self.ring: list[tuple[int, str]] = []
        self.ring_size = ring_size
        self.head = head
        self.loop: asyncio.AbstractEventLoop | None = None
        self._changed: asyncio.Future[None] | None = None
        self.subscribers = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._changed = loop.create_future()

    def publish(self, events: list[Event]) -> None:
        """Called after commit, from any thread; returns at once."""
        self.publish_json([(e.seq, e.to_json()) for e in events])

    def publish_json(self, items: list[tuple[int, str]]) -> None:
        """`publish` for events already serialised: (seq, JSON) in order, from any thread."""
        loop = self.loop
        if loop is None:
            self._append(items)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._append(items)
        else:
            loop.call_soon_threadsafe(self._append, items)

    def _append(self, items: list[tuple[int, str]]) -> None:
        if self.ring and items[0][0] != self.ring[-1][0] + 1:
            self.ring.clear()  # not contiguous (cannot happen with one writer): start the ring anew
        self.ring.extend(items)
        if len(self.ring) > 2 * self.ring_size:
            del self.ring[: len(self.ring) - self.ring_size]
        self.head = items[-1][0]
        fut = self._changed
        if fut is not None and self.loop is not None:
            self._changed = self.loop.create_future()
            if not fut.done():
                fut.set_result(None)

    def _pending(self, cursor: int) -> list[tuple[int, str]]:
        """What a subscriber at `cursor` has not had yet, from the ring or, if too old, the store."""
        if cursor >= self.head:
            return []
        if self.ring and self.ring[0][0] <= cursor + 1:
            return self.ring[cursor + 1 - self.ring[0][0]:]
        events = self.store.events_after(cursor, 1000)
        return [(e.seq, e.to_json()) for e in events]

    async def stream(self, send: Send, after: int | None, heartbeat: float = 15.0) -> None:
        """Sends events after `after` (None: from now on) until the connection fails."""
        assert self._changed is not None, "hub not bound to a loop"
        cursor = self.head if after is None else max(0, after)
        self.subscribers += 1
        try:
            if cursor > self.head:
                # the client has seen more than this hall holds (its data was reset): say so now
                await send(f'{{"type":"heartbeat","head":{self.head}}}')
            while True:
                batch = self._pending(cursor)
                if batch:
                    for seq, text in batch:
                        await send(text)
                        cursor = seq
                    continue
                try:
                    await asyncio.wait_for(asyncio.shield(self._changed), heartbeat)
                except TimeoutError:
                    await send(f'{{"type":"heartbeat","head":{self.head}}}')
        finally:
            self.subscribers -= 1
