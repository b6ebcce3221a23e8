"""The operators' urgent broadcast on the screens (hall event `hall.broadcast`): what is shown,
until when, and its speech, made offline by espeak-ng's Mandarin voice from the text itself
(any text: it cannot be built from the call voice's clips). Every screen shows it: the shell
asks the hall's board for one already on when it starts, then follows the event stream. Qt-free."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.models.voice import VoiceError

if TYPE_CHECKING:
    from hall.wire import StreamEvent

EVENT = "hall.broadcast"
MAX_TEXT = 200  # the hall refuses longer ones (hall/operators/rules.py)
MAX_TEXT_EN = 3 * MAX_TEXT  # its English may be this long (rules.EN)
SPEECH_VOICE = "cmn"
SPEECH_SECONDS = 60  # espeak-ng is given this long to speak a broadcast into a file


@dataclass(frozen=True)
class Broadcast:
    text: str  # empty: the operators ended the broadcast
    until: float  # seconds since the epoch, by the hall's clock
    by: str = ""
    text_en: str = ""  # the operators' English, if they gave one

    def shown_at(self, hall_now: float) -> bool:
        return bool(self.text) and hall_now < self.until

    def text_for(self, language: str) -> str:
        """The English on an English screen when the operators gave it, the Chinese otherwise."""
        return self.text_en if language == "en" and self.text_en else self.text


def _english(d: Mapping[str, Any]) -> str:
    """A broadcast's English, or "" (none given, or a hall from before broadcasts had English)."""
    text_en = d.get("text_en")
    return text_en[:MAX_TEXT_EN] if isinstance(text_en, str) else ""


def from_event(event: StreamEvent) -> Broadcast | None:
    """The broadcast an event carries, or None for any other event (or a malformed one)."""
    if event.type != EVENT:
        return None
    d = event.data
    text, until = d.get("text"), d.get("until")
    if not isinstance(text, str) or not isinstance(until, int | float) or isinstance(until, bool):
        return None
    return Broadcast(text[:MAX_TEXT], float(until), str(d.get("by", "")), _english(d))


def from_board(answer: Mapping[str, Any]) -> Broadcast | None:
    """The broadcast on when the hall's `GET /board` answered (its `broadcast`), or None."""
    b = answer.get("broadcast") if isinstance(answer, Mapping) else None
    if not isinstance(b, Mapping) or not isinstance(b.get("text"), str):
        return None
    until = b.get("until")
    if not isinstance(until, int | float) or isinstance(until, bool):
        return None
    return Broadcast(b["text"][:MAX_TEXT], float(until), text_en=_english(b))


class HallTime:
    """The hall's clock as a screen knows it: its own clock, set right by the hall's `now` each
    time the hall says it (a broadcast's end is on the hall's clock, and this machine's may be off)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.offset = 0.0

    def learn(self, hall_now: Any) -> None:
        if isinstance(hall_now, int | float) and not isinstance(hall_now, bool):
            self.offset = float(hall_now) - self.clock()

    def now(self) -> float:
        return self.clock() + self.offset


def speech_audio(text: str, espeak: str = "espeak-ng") -> bytes:
    """The text spoken as a WAV file's bytes; VoiceError when espeak-ng is missing or fails."""
    program = shutil.which(espeak)
    if program is None:
        raise VoiceError(f"{espeak} is not installed: the broadcast is shown without sound")
    with tempfile.TemporaryDirectory(prefix="yiciban-broadcast-") as tmp:
        out = Path(tmp) / "broadcast.wav"
        try:
            subprocess.run([program, "-v", SPEECH_VOICE, "-w", str(out), "--", text[:MAX_TEXT]],
                           check=True, capture_output=True, timeout=SPEECH_SECONDS)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise VoiceError(f"espeak-ng could not speak the broadcast: {exc}") from None
        return out.read_bytes()
