"""What one citizen's visit to a screen holds, and its wiping.

Raw identity (a card just read), scanned codes and typed entries live here, in memory, for
one session only. `wipe()` drops them all: the idle timeout, the home button and a finished
flow call it. Nothing in here is ever logged.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hall.wire import Ticket


@dataclass
class Session:
    started: float = field(default_factory=time.monotonic)
    identity: Any | None = None  # a drivers.idcard.card.IdCard, held for this visit only
    scans: list[str] = field(default_factory=list)
    entries: dict[str, str] = field(default_factory=dict)
    ticket: Ticket | None = None
    card_read: bool = False  # a card identified the citizen in this visit (`hold`)
    # called by `wipe` when the visit that ends had a card read: the screen reminds the citizen
    # to take it if it still lies on the reader
    card_visit_ended: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:  # never show the contents, even in a traceback
        return f"<Session since {self.started:.0f}: {'identity, ' if self.identity else ''}" \
               f"{len(self.scans)} scans, {len(self.entries)} entries>"

    @property
    def empty(self) -> bool:
        return self.identity is None and not self.scans and not self.entries and self.ticket is None

    def hold(self, card: Any) -> None:
        """The card that identifies the citizen for this visit."""
        self.identity = card
        self.card_read = True

    def wipe(self, *, visit_ends: bool = True) -> None:
        """Forgets everything; `visit_ends` False when the citizen goes straight on to another
        flow (the card read stays noted, for the reminder when the visit does end)."""
        had_card = self.card_read and visit_ends
        self.card_read = self.card_read and not visit_ends
        self.identity = None
        self.scans.clear()
        self.entries.clear()
        self.ticket = None
        self.started = time.monotonic()
        if had_card and self.card_visit_ended is not None:
            self.card_visit_ended()
