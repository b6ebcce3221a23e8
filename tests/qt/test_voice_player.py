"""CallVoice: calls queue up, play in order off the GUI thread, and always signal."""
from __future__ import annotations

import array
import io
import wave
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtMultimedia import QSoundEffect

from kiosk.models.voice import CLIPS, call_audio, call_clips
from kiosk.voice_player import CallVoice


class FakeEffect(QObject):
    """Plays for a few milliseconds of event loop (or forever), keeping what it was given."""

    playingChanged = Signal()
    statusChanged = Signal()
    played: list[bytes] = []
    ends = True

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._playing = False
        self.stopped = False

    def setSource(self, url) -> None:
        FakeEffect.played.append(Path(url.toLocalFile()).read_bytes())

    def play(self) -> None:
        self._playing = True
        self.playingChanged.emit()
        if self.ends:
            QTimer.singleShot(5, self, self._end)

    def _end(self) -> None:
        self._playing = False
        self.playingChanged.emit()

    def stop(self) -> None:
        self.stopped = True
        if self._playing:
            self._end()

    def isPlaying(self) -> bool:
        return self._playing

    def status(self) -> QSoundEffect.Status:
        return QSoundEffect.Status.Ready


class EndlessEffect(FakeEffect):
    ends = False


@pytest.fixture(autouse=True)
def _reset_fakes():
    FakeEffect.played = []


def _tiny_voice_dir(path: Path) -> Path:
    """Every clip as one sample, so a whole call lasts a few milliseconds."""
    for name in CLIPS:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes(array.array("h", [1000]).tobytes())
        (path / f"{name}.wav").write_bytes(buf.getvalue())
    return path


@pytest.fixture
def make_voice(qtbot):
    made: list[CallVoice] = []

    def make(**kwargs) -> tuple[CallVoice, list[tuple[str, str, int]]]:
        voice = CallVoice(**kwargs)
        events: list[tuple[str, str, int]] = []
        voice.call_started.connect(lambda n, w: events.append(("started", n, w)))
        voice.call_finished.connect(lambda n, w: events.append(("finished", n, w)))
        made.append(voice)
        return voice, events

    yield make
    for voice in made:
        voice.close()


def _last_is(number: str, window: int):
    return lambda n, w: (n, w) == (number, window)


def test_two_calls_play_in_order_and_announce_returns_at_once(qtbot, make_voice):
    voice, events = make_voice(audio=False)
    with qtbot.waitSignal(voice.call_finished, check_params_cb=_last_is("B002", 12)):
        voice.announce("A017", 3)
        voice.announce("B002", 12)
        assert (events, voice.pending) == ([], 2)
    assert events == [
        ("started", "A017", 3), ("finished", "A017", 3),
        ("started", "B002", 12), ("finished", "B002", 12),
    ]
    assert voice.history == [call_clips("A017", 3), call_clips("B002", 12)]
    assert voice.pending == 0


def test_calls_are_built_on_the_pool_and_still_finish_without_an_audio_device(qtbot, make_voice):
    # Forcing audio builds each WAV on the thread pool and hands it to QSoundEffect; with no
    # device (offscreen CI) the effect fails and the call ends; with one it plays (~14 s).
    voice, events = make_voice(audio=True)
    with qtbot.waitSignal(voice.call_finished, timeout=60_000,
                          check_params_cb=_last_is("AB012", 10)):
        voice.announce("017", 1)
        voice.announce("AB012", 10)
        assert events == []
    assert [e[0] for e in events] == ["started", "finished", "started", "finished"]
    assert voice.history == [call_clips("017", 1), call_clips("AB012", 10)]


def test_a_call_that_cannot_be_built_still_signals_and_the_queue_goes_on(
    qtbot, make_voice, tmp_path
):
    voice, events = make_voice(voice_dir=tmp_path, audio=True)  # no clips in tmp_path
    with qtbot.waitSignal(voice.call_finished, check_params_cb=_last_is("A001", 1)):
        voice.announce("not a ticket", 3)
        voice.announce("A017", 100)
        voice.announce("A001", 1)
    assert events == [
        ("started", "not a ticket", 3), ("finished", "not a ticket", 3),
        ("started", "A017", 100), ("finished", "A017", 100),
        ("started", "A001", 1), ("finished", "A001", 1),
    ]
    assert voice.history == [call_clips("A001", 1)]


def test_muted_calls_are_recorded_and_signalled(qtbot, make_voice):
    voice, events = make_voice(audio=True)
    with qtbot.waitSignal(voice.muted_changed) as changed:
        voice.muted = True
    assert changed.args == [True]
    assert voice.muted is True
    with qtbot.waitSignal(voice.call_finished):
        voice.announce("C005", 7)
    assert events == [("started", "C005", 7), ("finished", "C005", 7)]
    assert voice.history == [call_clips("C005", 7)]


def test_history_keeps_the_last_calls_only(qtbot, make_voice):
    voice, _ = make_voice(audio=False, history_size=2)
    with qtbot.waitSignal(voice.call_finished, check_params_cb=_last_is("A003", 3)):
        for i in (1, 2, 3):
            voice.announce(f"A00{i}", i)
    assert voice.history == [call_clips("A002", 2), call_clips("A003", 3)]


def test_a_call_announced_after_the_queue_emptied_plays_too(qtbot, make_voice):
    voice, events = make_voice(audio=False)
    with qtbot.waitSignal(voice.call_finished):
        voice.announce("A001", 1)
    with qtbot.waitSignal(voice.call_finished):
        voice.announce("A002", 2)
    assert [e for e in events if e[0] == "finished"] == [("finished", "A001", 1),
                                                         ("finished", "A002", 2)]


def test_each_call_plays_its_whole_wav_then_finishes(qtbot, make_voice):
    voice, events = make_voice(audio=True, effect_factory=FakeEffect)
    with qtbot.waitSignal(voice.call_finished, check_params_cb=_last_is("B002", 12)):
        voice.announce("A017", 3)
        voice.announce("B002", 12)
    assert FakeEffect.played == [call_audio("A017", 3), call_audio("B002", 12)]
    assert events == [
        ("started", "A017", 3), ("finished", "A017", 3),
        ("started", "B002", 12), ("finished", "B002", 12),
    ]


def test_a_call_that_never_ends_is_stopped_by_the_watchdog(qtbot, make_voice, tmp_path):
    voice, events = make_voice(voice_dir=_tiny_voice_dir(tmp_path), audio=True,
                               effect_factory=EndlessEffect)
    voice.watchdog_margin = 0.05  # the call itself lasts its 23 gaps of 50 ms
    with qtbot.waitSignal(voice.call_finished, timeout=10_000):
        voice.announce("A001", 1)
    assert events == [("started", "A001", 1), ("finished", "A001", 1)]
    assert len(FakeEffect.played) == 1


def test_muting_stops_the_call_being_played(qtbot, make_voice, tmp_path):
    voice, events = make_voice(voice_dir=_tiny_voice_dir(tmp_path), audio=True,
                               effect_factory=EndlessEffect)
    with qtbot.waitSignal(voice.call_started):
        voice.announce("A001", 1)
    assert events == [("started", "A001", 1)]
    with qtbot.waitSignal(voice.call_finished):
        voice.muted = True
    assert events == [("started", "A001", 1), ("finished", "A001", 1)]


def test_prompts_of_elder_mode_queue_behind_calls_with_their_own_clips(qtbot):
    from kiosk.voice_player import CallVoice

    voice = CallVoice(audio=False)
    with qtbot.waitSignal(voice.call_finished, timeout=3000,
                          check_params_cb=lambda number, window: number == "prompt:thanks"):
        voice.announce("A017", 3)
        voice.prompt("thanks")
    assert voice.history[-1] == ["prompt_thanks"]
    assert voice.history[-2][:2] == ["chime", "qing"]


def test_an_unknown_prompt_is_refused_at_once(qtbot):
    import pytest

    from kiosk.voice_player import CallVoice

    with pytest.raises(ValueError, match="no spoken prompt 'hello'"):
        CallVoice(audio=False).prompt("hello")
