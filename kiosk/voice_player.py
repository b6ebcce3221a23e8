"""Plays the spoken calls of the hall display one after another, off the GUI thread.

``CallVoice.announce`` only queues the call and returns. From the event loop the next call's
WAV is built by ``kiosk.models.voice.call_audio`` on the thread pool, written to a private temp
directory, and played with ``QSoundEffect``. Without an audio output (a display whose HDMI
screen is off, or CI under ``QT_QPA_PLATFORM=offscreen``), when muted, or when the call
cannot be built, the sound is dropped but ``call_started`` and ``call_finished`` are still
emitted, so a view that waits for them moves on.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Property, QObject, QRunnable, QThreadPool, QTimer, QUrl, Signal, Slot
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.models.broadcast import speech_audio
from kiosk.models.voice import VoiceError, call_clips, clips_audio, prompt_clips, wav_seconds

log = logging.getLogger(__name__)
SPEECH = "speech:"  # a clip list of one item "speech:<text>" is spoken by espeak-ng from the text



@dataclass
class _Call:
    serial: int
    number: str
    window: int
    clips: list[str]
    effect: QSoundEffect | None = None  # or what effect_factory makes
    path: Path | None = None
    playing: bool = False


class _Builder(QObject):
    """Carries a built call from a pool thread back to the GUI thread."""

    built = Signal(int, str, float, str)  # serial, WAV path, seconds, error ("" when built)


class _BuildJob(QRunnable):
    def __init__(self, builder: _Builder, call: _Call, voice_dir: Path | None, path: Path) -> None:
        super().__init__()
        self._builder = builder
        self._serial, self._clips = call.serial, list(call.clips)
        self._voice_dir = voice_dir
        self._path = path

    def run(self) -> None:
        try:
            if len(self._clips) == 1 and self._clips[0].startswith(SPEECH):
                data = speech_audio(self._clips[0].removeprefix(SPEECH))
            else:
                data = clips_audio(self._clips, self._voice_dir)
            self._path.write_bytes(data)
            result = (str(self._path), wav_seconds(data), "")
        except (VoiceError, ValueError, OSError) as exc:
            result = ("", 0.0, str(exc) or type(exc).__name__)
        try:
            self._builder.built.emit(self._serial, *result)
        except RuntimeError:  # the player was deleted while this call was being built
            pass


class CallVoice(QObject):
    """A queue of spoken calls ("请 A017 号到 3 号窗口办理业务", twice) played in order.

    ``audio`` forces the use of an audio output (True) or its absence (False); by default
    each call looks for one, so a screen plugged in later is used. ``history`` holds the clip
    sequences of the last ``history_size`` calls started, sounded or not. ``effect_factory``
    makes the player of one call (``QSoundEffect(parent)`` unless a test gives a fake with
    its ``setSource``, ``play``, ``stop``, ``isPlaying``, ``status`` and two signals).
    """

    #: Time allowed beyond a call's own length before it counts as stuck and is ended.
    watchdog_margin = 5.0

    call_started = Signal(str, int)
    call_finished = Signal(str, int)
    muted_changed = Signal(bool)

    def __init__(
        self,
        voice_dir: str | Path | None = None,
        parent: QObject | None = None,
        *,
        audio: bool | None = None,
        history_size: int = 20,
        effect_factory: Callable[[QObject], QSoundEffect] = QSoundEffect,
    ) -> None:
        super().__init__(parent)
        self._voice_dir = Path(voice_dir) if voice_dir is not None else None
        self._audio = audio
        self._effect_factory = effect_factory
        self._muted = False
        self._queue: deque[tuple[str, int, list[str] | None]] = deque()
        self._history: deque[list[str]] = deque(maxlen=history_size)
        self._current: _Call | None = None
        self._serial = 0
        self._scheduled = False
        self._silent_logged = False
        self._temp_dir: Path | None = None
        self._builder = _Builder(self)
        self._builder.built.connect(self.on_builder_built)
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self.on_watchdog_timeout)

    # -- public ---------------------------------------------------------------------------

    def announce(self, number: str, window_number: int) -> None:
        """Queue a call; it plays after the calls before it. Returns at once."""
        self._queue.append((number, window_number, None))
        self._schedule()

    def prompt(self, name: str) -> None:
        """Queue a spoken prompt of elder mode (kiosk.models.voice.PROMPTS); its signals carry
        ("prompt:<name>", 0). An unknown prompt is a ValueError at once."""
        self._queue.append((f"prompt:{name}", 0, prompt_clips(name)))
        self._schedule()

    def say(self, text: str) -> None:
        """Queue any text (the operators' urgent broadcast), spoken by espeak-ng when its turn
        comes; its signals carry ("broadcast", 0)."""
        self._queue.append(("broadcast", 0, [SPEECH + text]))
        self._schedule()

    @property
    def history(self) -> list[list[str]]:
        """Clip sequences of the last calls started, oldest first."""
        return list(self._history)

    @property
    def pending(self) -> int:
        """Calls queued and not yet started."""
        return len(self._queue)

    def is_muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        """Muting stops the call being played; the queue goes on without sound."""
        if muted == self._muted:
            return
        self._muted = muted
        self.muted_changed.emit(muted)
        if muted and self._current is not None and self._current.effect is not None:
            self._finish()

    muted = Property(bool, is_muted, set_muted, notify=muted_changed)

    def close(self) -> None:
        """Drop queued calls, stop the current one and delete the temp directory."""
        self._queue.clear()
        self._finish()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    # -- slots ----------------------------------------------------------------------------

    @Slot(int, str, float, str)
    def on_builder_built(self, serial: int, path: str, seconds: float, error: str) -> None:
        call = self._current
        if call is None or call.serial != serial:
            if path:
                Path(path).unlink(missing_ok=True)
            return
        self.call_started.emit(call.number, call.window)
        if error:
            log.warning("call %s to window %s has no sound: %s", call.number, call.window, error)
        if error or self._muted:
            self._finish()
            return
        call.path = Path(path)
        call.effect = self._effect_factory(self)
        call.effect.playingChanged.connect(self.on_effect_playing_changed)
        call.effect.statusChanged.connect(self.on_effect_status_changed)
        call.effect.setSource(QUrl.fromLocalFile(path))
        call.effect.play()
        self._watchdog.start(round((seconds + self.watchdog_margin) * 1000))

    @Slot()
    def on_effect_playing_changed(self) -> None:
        call = self._current
        if call is None or call.effect is None:
            return
        if call.effect.isPlaying():
            call.playing = True
        elif call.playing:
            self._finish()

    @Slot()
    def on_effect_status_changed(self) -> None:
        call = self._current
        if call is None or call.effect is None:
            return
        if call.effect.status() == QSoundEffect.Status.Error:
            log.warning("call %s to window %s could not be played", call.number, call.window)
            self._finish()

    @Slot()
    def on_watchdog_timeout(self) -> None:
        if self._current is not None:
            log.warning("call %s to window %s did not end in time; stopped",
                        self._current.number, self._current.window)
            self._finish()

    # -- internals --------------------------------------------------------------------------

    def _schedule(self) -> None:
        if not self._scheduled and self._current is None and self._queue:
            self._scheduled = True
            QTimer.singleShot(0, self, self._start_next)

    def _start_next(self) -> None:
        self._scheduled = False
        if self._current is not None or not self._queue:
            return
        number, window, clips = self._queue.popleft()
        self._serial += 1
        if clips is None:
            try:
                clips = call_clips(number, window)
            except ValueError as exc:
                log.warning("call %r to window %r has no sound: %s", number, window, exc)
                clips = []
        call = _Call(self._serial, number, window, clips)
        self._current = call
        if clips:
            self._history.append(clips)
        if not clips or self._muted or not self._has_output():
            self.call_started.emit(number, window)
            self._finish()
            return
        path = self._private_dir() / f"call-{call.serial}.wav"
        QThreadPool.globalInstance().start(_BuildJob(self._builder, call, self._voice_dir, path))

    def _finish(self) -> None:
        call, self._current = self._current, None
        if call is None:
            return
        self._watchdog.stop()
        if call.effect is not None:
            call.effect.playingChanged.disconnect(self.on_effect_playing_changed)
            call.effect.statusChanged.disconnect(self.on_effect_status_changed)
            call.effect.stop()
            call.effect.deleteLater()
        if call.path is not None:
            call.path.unlink(missing_ok=True)
        self.call_finished.emit(call.number, call.window)
        self._schedule()

    def _has_output(self) -> bool:
        found = self._audio if self._audio is not None else bool(QMediaDevices.audioOutputs())
        if not found and not self._silent_logged:
            log.info("no audio output: calls are announced without sound")
        self._silent_logged = not found
        return found

    def _private_dir(self) -> Path:
        if self._temp_dir is None:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="yiciban-voice-"))
            weakref.finalize(self, shutil.rmtree, self._temp_dir, ignore_errors=True)
        return self._temp_dir
