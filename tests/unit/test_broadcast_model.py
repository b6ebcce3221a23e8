"""The urgent broadcast as the screens read it from the event stream, and its speech made by
espeak-ng (the real program, as the call voice's clips are)."""
from __future__ import annotations

import shutil

import pytest

from hall.wire import StreamEvent
from kiosk.models import broadcast
from kiosk.models.voice import read_wav, wav_seconds

EVENT = {"seq": 7, "type": "hall.broadcast", "data": {"text": "消防演练，请听从工作人员指引", "until": 1000.0,
                                                     "by": "op1"}}


def test_a_broadcast_event_is_shown_until_it_ends():
    b = broadcast.from_event(StreamEvent.read(EVENT))
    assert b == broadcast.Broadcast("消防演练，请听从工作人员指引", 1000.0, "op1")
    assert b.shown_at(999.0) and not b.shown_at(1000.0)
    ended = broadcast.from_event(StreamEvent.read({"seq": 8, "type": "hall.broadcast", "data": {"text": "", "until": 500.0}}))
    assert ended is not None and not ended.shown_at(0.0)
    assert broadcast.from_event(StreamEvent.read({"seq": 8, "type": "ticket.called", "data": {}})) is None
    assert broadcast.from_event(StreamEvent.read({"seq": 8, "type": "hall.broadcast", "data": {"text": 3, "until": 1.0}})) is None


def test_an_english_screen_shows_the_operators_english_when_they_gave_one():
    data = {**EVENT["data"], "text_en": "Fire drill: please follow the staff"}
    b = broadcast.from_event(StreamEvent.read({**EVENT, "data": data}))
    assert b is not None and b.text_for("en") == "Fire drill: please follow the staff"
    assert b.text_for("zh") == "消防演练，请听从工作人员指引"
    plain = broadcast.from_event(StreamEvent.read(EVENT))  # a hall from before broadcasts had English
    assert plain is not None and plain.text_en == "" and plain.text_for("en") == "消防演练，请听从工作人员指引"
    on = broadcast.from_board({"broadcast": {"text": "演练", "text_en": "Drill", "until": 5.0}})
    assert on == broadcast.Broadcast("演练", 5.0, text_en="Drill")
    odd = broadcast.from_board({"broadcast": {"text": "演练", "text_en": 42, "until": 5.0}})
    assert odd is not None and odd.text_for("en") == "演练"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_broadcast_is_spoken_offline_into_a_wav():
    data = broadcast.speech_audio(EVENT["data"]["text"])
    rate, frames = read_wav(data)
    assert rate > 8000 and len(frames) > 0
    assert 1.0 < wav_seconds(data) < 30.0  # a sentence, not silence and not a runaway


def test_a_missing_espeak_is_a_clear_voice_error():
    with pytest.raises(broadcast.VoiceError, match="not installed"):
        broadcast.speech_audio("请注意", espeak="no-such-espeak-program")
