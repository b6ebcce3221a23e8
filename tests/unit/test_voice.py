"""The call voice: clip sequences, WAV concatenation, and the clips shipped in assets/voice."""
from __future__ import annotations

import array
import io
import json
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from kiosk import voice_build
from kiosk.models.voice import (
    CLIPS,
    LETTERS,
    PAUSE_SECONDS,
    RATE,
    SPOKEN,
    ClipFormatError,
    MissingClipError,
    call_audio,
    call_clips,
    concat_wav,
    frames_to_wav,
    read_wav,
    silence_wav,
    voice_dir_default,
    wav_seconds,
    window_clips,
)

VOICE_DIR = voice_dir_default()

SENTENCE_A017_3 = [
    "qing", "A", "d0", "d1", "d7", "hao", "dao", "n3", "hao", "chuangkou", "banli",
]


def sentence(ticket: list[str], window: list[str]) -> list[str]:
    return ["qing", *ticket, "hao", "dao", *window, "hao", "chuangkou", "banli"]


def samples(values: list[int]) -> bytes:
    return array.array("h", values).tobytes()


def wav(values: list[int], rate: int = RATE, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(array.array("h", values).tobytes() if width == 2 else bytes(values))
    return buf.getvalue()


# -- sequences ------------------------------------------------------------------------------


def test_call_clips_a017_to_window_3_twice_with_one_chime_and_a_pause_between():
    assert call_clips("A017", 3) == ["chime", *SENTENCE_A017_3, "pause", *SENTENCE_A017_3]


@pytest.mark.parametrize(
    ("number", "window", "expected"),
    [
        ("AB012", 10, sentence(["A", "B", "d0", "d1", "d2"], ["shi"])),
        ("017", 11, sentence(["d0", "d1", "d7"], ["shi", "n1"])),
        ("Z90", 20, sentence(["Z", "d9", "d0"], ["n2", "shi"])),
        ("K12345", 99, sentence(["K", "d1", "d2", "d3", "d4", "d5"], ["n9", "shi", "n9"])),
        ("W1", 1, sentence(["W", "d1"], ["n1"])),
        ("C8", 12, sentence(["C", "d8"], ["shi", "n2"])),
        ("0", 35, sentence(["d0"], ["n3", "shi", "n5"])),
    ],
)
def test_call_clips_once(number, window, expected):
    assert call_clips(number, window, repeat=1) == ["chime", *expected]


def test_call_clips_repeat_three_times_has_two_pauses():
    clips = call_clips("A017", 3, repeat=3)
    assert clips == ["chime", *SENTENCE_A017_3, "pause", *SENTENCE_A017_3, "pause",
                     *SENTENCE_A017_3]


def _read_number(clips: list[str]) -> int:
    """Decode window clips the way a listener does: [n]shi[n] or n."""
    digit = {f"n{i}": i for i in range(1, 10)}
    if "shi" not in clips:
        (only,) = clips
        return digit[only]
    at = clips.index("shi")
    tens = digit[clips[0]] if at == 1 else 1
    ones = digit[clips[at + 1]] if at + 1 < len(clips) else 0
    return 10 * tens + ones


def test_window_clips_read_every_window_1_to_99_as_its_number():
    for window in range(1, 100):
        assert _read_number(window_clips(window)) == window, window


@pytest.mark.parametrize(
    ("number", "window", "message"),
    [
        ("", 3, "ticket number ''"),
        ("a017", 3, "ticket number 'a017'"),
        ("A", 3, "ticket number 'A'"),
        ("ABC1", 3, "ticket number 'ABC1'"),
        ("A123456", 3, "ticket number 'A123456'"),
        ("A 017", 3, "ticket number 'A 017'"),
        ("A017\n", 3, "ticket number 'A017\\n'"),
        ("A１7", 3, "ticket number 'A１7'"),
        (17, 3, "ticket number 17"),
        ("A017", 0, "window number 0 is not an integer from 1 to 99"),
        ("A017", 100, "window number 100"),
        ("A017", -3, "window number -3"),
        ("A017", True, "window number True"),
        ("A017", 3.0, "window number 3.0"),
        ("A017", "3", "window number '3'"),
    ],
)
def test_call_clips_rejects_bad_input_naming_the_value(number, window, message):
    with pytest.raises(ValueError) as caught:
        call_clips(number, window)
    assert message in str(caught.value)


@pytest.mark.parametrize("repeat", [0, -1, True, 1.5])
def test_call_clips_rejects_bad_repeat(repeat):
    with pytest.raises(ValueError, match="repeat"):
        call_clips("A017", 3, repeat=repeat)


def test_clips_has_every_clip_a_call_or_prompt_can_name_and_no_other():
    from kiosk.models.voice import PROMPTS, prompt_clips

    named: set[str] = {clip for prompt in PROMPTS for clip in prompt_clips(prompt)}
    for window in range(1, 100):
        for letter in LETTERS:
            named.update(call_clips(f"{letter}01234", window))
            named.update(call_clips(f"{letter}{letter}56789", window))
        named.update(call_clips("9", window))
    assert named - set(CLIPS) == set(), "clips a call or prompt names that CLIPS lacks"
    assert set(CLIPS) - named == set(), "clips no call or prompt uses"


# -- WAV handling ---------------------------------------------------------------------------


def test_concat_wav_joins_frames_with_the_gap_between_parts_only():
    out = concat_wav([wav([1, 2]), wav([3]), wav([4, 5])], gap=2 / RATE)
    rate, frames = read_wav(out)
    assert rate == RATE
    assert frames == samples([1, 2, 0, 0, 3, 0, 0, 4, 5])


def test_concat_wav_takes_paths_and_bytes(tmp_path):
    first = tmp_path / "first.wav"
    first.write_bytes(wav([7, 8], rate=8000))
    out = concat_wav([first, str(first), wav([9], rate=8000)])
    assert read_wav(out) == (8000, samples([7, 8, 7, 8, 9]))


def test_concat_wav_rejects_another_rate_naming_both(tmp_path):
    odd = tmp_path / "odd.wav"
    odd.write_bytes(wav([1], rate=22050))
    with pytest.raises(ClipFormatError, match=r"odd\.wav is at 22050 Hz but the first part is at 16000"):
        concat_wav([wav([1]), odd])


@pytest.mark.parametrize(
    ("part", "message"),
    [
        (wav([1, 2], channels=2), "2 channel"),
        (wav([128, 129], width=1), "8 bits"),
        (b"RIFF nonsense", "not a PCM WAV"),
    ],
)
def test_concat_wav_rejects_other_formats(part, message):
    with pytest.raises(ClipFormatError, match=message):
        concat_wav([wav([1]), part])


def test_concat_wav_needs_parts_and_a_non_negative_gap():
    with pytest.raises(ValueError, match="no WAV parts"):
        concat_wav([])
    with pytest.raises(ValueError, match="gap"):
        concat_wav([wav([1])], gap=-0.1)


def test_silence_wav_is_zero_samples_of_that_length():
    assert read_wav(silence_wav(0.01, rate=8000)) == (8000, bytes(160))
    assert wav_seconds(silence_wav(0.25)) == 0.25


def _fake_voice_dir(path: Path) -> dict[int, str]:
    """Every clip as one sample whose value is its index; returns value -> clip name."""
    names = dict(enumerate(CLIPS, start=1))
    for value, name in names.items():
        (path / f"{name}.wav").write_bytes(wav([value]))
    return names


def test_call_audio_plays_the_clips_of_call_clips_in_order(tmp_path):
    names = _fake_voice_dir(tmp_path)
    rate, frames = read_wav(call_audio("AB012", 10, tmp_path, gap=0.0))
    played = [names[value] for value in array.array("h", frames)]
    assert rate == RATE
    assert played == call_clips("AB012", 10)


def test_call_audio_names_a_missing_clip_and_its_directory(tmp_path):
    _fake_voice_dir(tmp_path)
    (tmp_path / "d7.wav").unlink()
    with pytest.raises(MissingClipError) as caught:
        call_audio("A017", 3, tmp_path)
    assert "'d7'" in str(caught.value)
    assert str(tmp_path) in str(caught.value)


# -- the clips in assets/voice --------------------------------------------------------------


def _manifest() -> dict:
    return json.loads((VOICE_DIR / "manifest.json").read_text(encoding="utf-8"))


def test_assets_manifest_lists_exactly_clips_in_one_format():
    manifest = _manifest()
    assert manifest["clips"] == CLIPS
    assert (manifest["rate"], manifest["channels"], manifest["sample_width"]) == (RATE, 1, 2)
    on_disk = {p.stem for p in VOICE_DIR.glob("*.wav")}
    assert on_disk == set(CLIPS)


@pytest.mark.parametrize("name", list(CLIPS))
def test_assets_clip_is_mono_16_bit_and_sounds_for_a_plausible_time(name):
    rate, frames = read_wav(VOICE_DIR / f"{name}.wav")
    values = array.array("h", frames)
    seconds = len(values) / rate
    peak = max(map(abs, values))
    rms = (sum(v * v for v in values) / len(values)) ** 0.5
    assert rate == RATE
    if name == "pause":
        assert (peak, seconds) == (0, PAUSE_SECONDS)
    elif name == "chime":
        assert 0.8 <= seconds <= 2.0 and peak > 8000 and rms > 1000
    else:
        max_seconds = 0.4 * len(SPOKEN[name].split()) + 0.4
        assert 0.15 <= seconds <= max_seconds, seconds
        assert peak > 4000 and rms > 500, (peak, rms)


def test_assets_whole_call_lasts_the_sum_of_its_clips():
    data = call_audio("A017", 3)
    clip_seconds = sum(wav_seconds((VOICE_DIR / f"{n}.wav").read_bytes())
                       for n in call_clips("A017", 3))
    gaps = (len(call_clips("A017", 3)) - 1) * 0.05
    assert wav_seconds(data) == pytest.approx(clip_seconds + gaps, abs=1e-3)
    assert 8 <= wav_seconds(data) <= 20
    with wave.open(io.BytesIO(data)) as decoded:
        assert (decoded.getnchannels(), decoded.getsampwidth(), decoded.getframerate()) == (1, 2, RATE)


# -- building -------------------------------------------------------------------------------


def test_chime_is_deterministic_and_ends_on_silence():
    frames = voice_build.chime_frames(8000)
    values = array.array("h", frames)
    assert frames == voice_build.chime_frames(8000)
    assert len(values) == round(1.2 * 8000)
    assert max(map(abs, values)) == round(0.4 * 32767)
    assert values[-1] == 0


def test_trim_silence_keeps_a_short_margin():
    quiet, loud = [0] * 1000, [5000] * 10
    trimmed = array.array("h", voice_build.trim_silence(samples(quiet + loud + quiet), 1000))
    assert list(trimmed) == [0] * 10 + loud + [0] * 40
    assert voice_build.trim_silence(samples(quiet), 1000) == b""


def test_missing_espeak_is_one_sentence_and_exit_2(tmp_path, capsys):
    assert voice_build.main(["--out", str(tmp_path), "--espeak", "no-such-espeak-ng"]) == 2
    err = capsys.readouterr().err
    assert err == ("no-such-espeak-ng was not found on PATH; "
                   "install it with `apt-get install espeak-ng`.\n")
    assert list(tmp_path.iterdir()) == []


def _espeak_matches_manifest() -> bool:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        return False
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    return f"text-to-speech: {_manifest()['espeak_ng']} " in out


@pytest.mark.skipif(not _espeak_matches_manifest(),
                    reason="needs espeak-ng of the manifest's version, and sox")
def test_build_reproduces_the_shipped_clips_and_drops_stale_ones(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"clips": {"old": "lao3"}}))
    (tmp_path / "old.wav").write_bytes(wav([1]))
    (tmp_path / "keep.wav").write_bytes(wav([1]))
    paths = voice_build.build(tmp_path)
    assert paths == [tmp_path / f"{n}.wav" for n in CLIPS] + [tmp_path / "manifest.json"]
    assert not (tmp_path / "old.wav").exists()
    assert (tmp_path / "keep.wav").exists()
    stale = [p.name for p in paths if p.read_bytes() != (VOICE_DIR / p.name).read_bytes()]
    assert stale == [], "assets/voice is out of date: run `yiciban voice build`"
    mtimes = [p.stat().st_mtime_ns for p in paths]
    voice_build.build(tmp_path)
    assert [p.stat().st_mtime_ns for p in paths] == mtimes


def test_frames_to_wav_round_trips():
    assert read_wav(frames_to_wav(samples([1, -1, 32767]), 11025)) == (11025, samples([1, -1, 32767]))
