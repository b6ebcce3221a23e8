"""The screen's contactless reader (PC/SC): a social-security card (社会保障卡) placed on it is read once.

`watched` emits a `SocialCard` per placement: the reader, the card's ATR and UID and, when the
device settings give an APDU script that reads the holder's number, that number, but only if
it is a valid ID number (the social-security number of a resident is the ID number). A card
that yields none identifies nobody: `id_number` is None and the screens say so.

Settings (`device_settings["contactless"]`):

- `reader`: a reader name or its start, when the URL (`pcsc://NAME`) does not give one;
- `script`: the APDU steps, as the driver parses them (`"00A4040007A0000000031010"`,
  `"00B0850000 -> 9000|6282"`, or tables with `apdu`, `expect`, `name`), or one string with the
  steps separated by `;` (from the command line);
- `number_step`: the name (or 1-based number) of the step whose answer holds the number, the
  last step by default; `number_tag`: the tag (hex) of the number in that answer, read as
  simple TLV (one byte of tag, one of length), or none to take the whole answer as ASCII.

Nothing read is logged: a card's number and holder are personal.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drivers.contactless.model import simple_tlv
from drivers.errors import DeviceFault
from drivers.registry import make_link
from ground.privacy import is_valid_id_number
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

KIND = "contactless"
GONE = ("no-card", "card-removed")


@dataclass(frozen=True, repr=False)
class SocialCard:
    reader: str
    atr: bytes
    uid: bytes | None = None
    id_number: str | None = None  # a valid ID number read by the script, else None

    def __repr__(self) -> str:  # never the number
        return f"SocialCard({self.reader!r}, ATR {len(self.atr)} bytes, UID {'yes' if self.uid else 'no'}, " \
               f"number {'read' if self.id_number else 'none'})"

    __str__ = __repr__


class NumberScript:
    """The configured script, and how to find the holder's number in what it read."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        from drivers.contactless.model import ApduScript

        steps = settings.get("script")
        if isinstance(steps, str):
            steps = [s.strip() for s in steps.split(";") if s.strip()]
        self.script = ApduScript.parse("card number", steps) if steps else None
        self.step = settings.get("number_step")
        tag = settings.get("number_tag")
        self.tag = int(str(tag), 16) if tag not in (None, "") else None

    def _answer(self, result: Any) -> bytes:
        if self.step is None:
            return result.steps[-1].data if result.steps else b""
        if str(self.step).isdigit():
            index = int(self.step) - 1
            return result.steps[index].data if 0 <= index < len(result.steps) else b""
        return result.data(str(self.step))

    def number(self, result: Any) -> str | None:
        """The valid ID number in a script's result, or None."""
        if not result.ok:
            return None
        try:
            data = self._answer(result)
        except (KeyError, ValueError):
            return None
        if self.tag is not None:
            data = simple_tlv(data).get(self.tag, b"")
        try:
            text = data.decode("ascii").strip().upper()
        except UnicodeDecodeError:
            return None
        return text if is_valid_id_number(text) else None


class CardWatch:
    """`watch(reader)` for a `DeviceWorker`: a `SocialCard` once per placement, otherwise None."""

    def __init__(self, number: NumberScript) -> None:
        self.number = number
        self.present = False
        self.events: int | None = None  # pcscd's event count when the card on the reader was read
        self.again = threading.Event()  # set from the screen's thread: read the card lying there

    def rearm(self) -> None:
        """The next look reads the card on the reader even if it was read before and never lifted."""
        self.again.set()

    def __call__(self, reader: Any) -> SocialCard | None:
        if self.again.is_set():
            self.again.clear()
            self.present = False
        seen = reader.card_present()
        if self.present:
            if seen is not None and (seen.events is None or seen.events == self.events):
                return None  # the card already read, still there
            self.present = False  # lifted, or lifted and another laid down between two looks
            if seen is None:
                return None
        if seen is None:
            return None
        try:
            info = reader.read_card()
            found = None
            if self.number.script is not None:
                found = self.number.number(reader.run_script(self.number.script))
        except DeviceFault as exc:
            if exc.code in GONE:
                return None  # taken away while being read: read again when it is placed again
            raise
        self.present, self.events = True, seen.events
        log.info("card read on %s: %s", info.reader, "a valid number" if found else "no usable number")
        return SocialCard(info.reader, info.atr, info.uid, found)


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The reader on its own thread, reading each placed card once (`drivers.contactless.make_link`)."""
    number = NumberScript(settings)  # a malformed script is refused now, with its reason
    interval = float(settings.get("watch_interval", 0.3))
    return DeviceWorker(make_link(KIND, name, url, settings), watch=CardWatch(number), watch_interval=interval)
