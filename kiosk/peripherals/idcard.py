"""The screen's ID card reader (SAM protocol): a `DeviceWorker` that reads a placed card once.

`CardWatch` runs on the reader's thread every `watch_interval` seconds. While no card is
known to be on the reader it tries find → select → read; a card read is emitted once through
`watched` (an `IdCard`). While that card stays, only FIND is asked, never another read. The
card counts as gone once FIND stops finding it; the next card placed, or the same one placed
again, is read again.

A screen that asks for a card (a flow opened that wants one) re-arms the watch: a card that was
read on the home screen, or in the last citizen's visit, and never lifted, is read again: the
citizen who laid the card down first and chose the flow after needs not lift it.

Readers that answer FIND only once per placement (a card, once read, must be lifted and put
back before it is found again) need nothing special: FIND fails at once, the card counts as
gone, and nothing is read until it is placed again. A card found but not readable is reported
once as a `CardProblem`, and not retried until it is placed again.

No IdCard is logged: its repr masks the name and the numbers anyway.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.errors import DeviceFault
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

NO_CARD = ("no_card", "lift_card")
READER_FAULTS = ("sam_self_test_failed", "sam_unauthorised", "unauthorised")  # the reader's, not the card's


@dataclass(frozen=True)
class CardProblem:
    """A card was found but could not be read; `code` is the reader's (`read_failed` ...)."""

    code: str


class CardWatch:
    """`watch(reader)` for a `DeviceWorker`: an `IdCard` once per placement, a `CardProblem`
    once when a placed card cannot be read, otherwise None."""

    def __init__(self) -> None:
        self.present = False  # a card was read (or failed) and has not been lifted since
        self.reads = 0
        self.again = threading.Event()  # set from the screen's thread: read the card lying there

    def rearm(self) -> None:
        """The next look reads the card on the reader even if it was read before and never lifted."""
        self.again.set()

    def __call__(self, reader: Any) -> Any:
        if self.again.is_set():
            self.again.clear()
            self.present = False
        if self.present:
            if not self._still_there(reader):
                self.present = False
            return None
        try:
            card = reader.read_card()
        except DeviceFault as exc:
            if exc.code in NO_CARD:
                return None
            if exc.code in READER_FAULTS:  # the status row says so; no card is to blame
                raise
            self.present = True
            log.info("ID card found but not read: %s", exc.code or "fault")
            return CardProblem(exc.code or "read_failed")
        self.present = True
        self.reads += 1
        return card

    @staticmethod
    def _still_there(reader: Any) -> bool:
        from drivers.idcard import codec
        from drivers.idcard.codec import Command

        response = reader.transact(Command.FIND)
        return response.sw3 in (codec.SW3_CARD_FOUND, codec.SW3_OK)


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The reader at `url` (a serial device or pty, socket://host:port) on its own thread.
    Settings: baudrate, command_timeout, read_timeout, `watch_interval` (seconds, default 0.3)."""
    from drivers.registry import make_link

    settings = dict(settings)
    interval = float(settings.pop("watch_interval", 0.3))
    return DeviceWorker(make_link("idcard", name, url, settings), watch=CardWatch(), watch_interval=interval)
