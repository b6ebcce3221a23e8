"""The spoken call of the hall display, built offline from short WAV clips.

A call such as ticket "A017" to window 3 is said as 请 A017 号到 3 号窗口办理业务, twice,
after a chime. Every word is a clip in ``assets/voice/`` made at build time by
``kiosk.voice_build`` with espeak-ng's ``cmn-latn-pinyin`` voice; at call time the clips are
only concatenated, so no speech engine runs on the kiosk.

How numbers are read:

- ticket digits one by one, as Chinese halls do: 0 is ``ling2`` and 1 is ``yao1`` (幺, never
  confused with 7 ``qi1``), 2 is ``er4``; "A017" is A 零幺七.
- window numbers as numbers, 1 to 99: 3 三, 10 十, 12 十二, 20 二十, 99 九十九
  (clips ``n1``..``n9`` and ``shi``; 1 is ``yi1`` here).
- prefix letters by espeak-ng's letter names for this voice, the English letter as a Chinese
  speaker says it (A ``ei``, B ``bi``, W "double-u").

This module is pure Python: the Qt player is ``kiosk.voice_player``.
"""
from __future__ import annotations

import io
import logging
import re
import wave
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


#: Sample format of every clip: mono, 16-bit, this rate.
RATE = 16000
CHANNELS = 1
SAMPLE_WIDTH = 2

#: Silence between two clips of a call, and the length of the "pause" clip between repeats.
GAP_SECONDS = 0.05
PAUSE_SECONDS = 0.8

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TICKET_DIGITS = ("ling2", "yao1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")
_NUMBERS = ("yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3")

#: Clips spoken by espeak-ng: name -> pinyin with tone numbers (letters as plain capitals).
SPOKEN: dict[str, str] = {
    **{f"d{i}": text for i, text in enumerate(_TICKET_DIGITS)},
    **{f"n{i}": text for i, text in enumerate(_NUMBERS, start=1)},
    "shi": "shi2",
    **{letter: letter for letter in LETTERS},
    "qing": "qing3",
    "hao": "hao4",
    "dao": "dao4",
    "chuangkou": "chuang1 kou3",
    "banli": "ban4 li3 ye4 wu4",
}

#: Spoken prompts of elder mode (适老化): prompt -> pinyin. Clip names are ``prompt_<prompt>``.
PROMPTS: dict[str, str] = {
    "choose": "qing3 xuan3 ze2 nin2 yao4 ban4 li3 de5 ye4 wu4",  # 请选择您要办理的业务
    "swipe_card": "qing3 ba3 shen1 fen4 zheng4 fang4 zai4 du2 ka3 qu1",  # 请把身份证放在读卡区
    "take_ticket": "qing3 qu3 zou3 nin2 de5 pai2 dui4 ping2 tiao2",  # 请取走您的排队凭条
    "take_card": "qing3 qu3 zou3 nin2 de5 zheng4 jian4",  # 请取走您的证件
    "scan_code": "qing3 ba3 er4 wei2 ma3 dui4 zhun3 sao3 ma3 kou3",  # 请把二维码对准扫码口
    "rate": "qing3 nin2 wei4 ben3 ci4 fu2 wu4 ping2 jia4",  # 请您为本次服务评价
    "thanks": "xie4 xie4 nin2 de5 ping2 jia4",  # 谢谢您的评价
    "printing": "zheng4 zai4 da3 yin4 qing3 shao1 hou4",  # 正在打印，请稍候
}
SPOKEN.update({f"prompt_{name}": text for name, text in PROMPTS.items()})

#: Clips made by ``kiosk.voice_build`` itself: name -> what they are.
SYNTHESISED: dict[str, str] = {
    "chime": "<two-tone chime>",
    "pause": f"<silence {PAUSE_SECONDS} s>",
}

#: Every clip in ``assets/voice/``: name -> text (``<name>.wav``).
CLIPS: dict[str, str] = {**SPOKEN, **SYNTHESISED}

TICKET_RE = re.compile(r"[A-Z]{0,2}[0-9]{1,5}")
MAX_WINDOW = 99


class VoiceError(Exception):
    """A clip is missing or not in the format of the others."""


class MissingClipError(VoiceError):
    """A clip file named by a call is not in the voice directory."""


class ClipFormatError(VoiceError):
    """A clip is not a 16-bit mono WAV, or its rate differs from the others."""


def ticket_clips(number: str) -> list[str]:
    """Clip names for a ticket number: each prefix letter, then each digit ("d0".."d9").

    The number is 0 to 2 capital letters and 1 to 5 digits, as the hall issues them
    ("A017", "AB012", "017"); anything else raises ValueError.
    """
    if not isinstance(number, str) or not TICKET_RE.fullmatch(number):
        raise ValueError(
            f"ticket number {number!r} is not 0-2 capital letters and 1-5 digits, like 'A017'"
        )
    return [ch if ch.isalpha() else f"d{ch}" for ch in number]


def window_clips(window_number: int) -> list[str]:
    """Clip names for a window number 1-99 read as a number: 3 -> n3, 12 -> shi n2, 20 -> n2 shi.

    Raises ValueError outside 1-99 or for a non-integer (bool included).
    """
    if (
        not isinstance(window_number, int)
        or isinstance(window_number, bool)
        or not 1 <= window_number <= MAX_WINDOW
    ):
        raise ValueError(f"window number {window_number!r} is not an integer from 1 to {MAX_WINDOW}")
    tens, ones = divmod(window_number, 10)
    clips: list[str] = []
    if tens:
        clips += ["shi"] if tens == 1 else [f"n{tens}", "shi"]
    if ones:
        clips.append(f"n{ones}")
    return clips


def call_clips(number: str, window_number: int, repeat: int = 2) -> list[str]:
    """The clip names of one call, in playing order.

    One chime, then the sentence 请 <ticket> 号到 <window> 号窗口办理业务 ``repeat`` times
    with a "pause" clip between repetitions (none after the last)::

        chime | qing <letters> <d-digits> hao dao <window> hao chuangkou banli | pause | ...

    so ("A017", 3) gives ``["chime", "qing", "A", "d0", "d1", "d7", "hao", "dao", "n3",
    "hao", "chuangkou", "banli", "pause", "qing", "A", "d0", "d1", "d7", "hao", "dao", "n3",
    "hao", "chuangkou", "banli"]``. Bad input raises ValueError naming the value.
    """
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise ValueError(f"repeat {repeat!r} is not a positive integer")
    sentence = [
        "qing", *ticket_clips(number), "hao", "dao", *window_clips(window_number),
        "hao", "chuangkou", "banli",
    ]
    clips = ["chime"]
    for i in range(repeat):
        if i:
            clips.append("pause")
        clips += sentence
    return clips


def silence_wav(seconds: float, rate: int = RATE) -> bytes:
    """A mono 16-bit WAV of digital silence."""
    return frames_to_wav(b"\0" * (SAMPLE_WIDTH * round(seconds * rate)), rate)


def frames_to_wav(frames: bytes, rate: int = RATE) -> bytes:
    """Wrap mono 16-bit little-endian samples in a WAV header."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(rate)
        out.writeframes(frames)
    return buf.getvalue()


def read_wav(part: str | Path | bytes) -> tuple[int, bytes]:
    """(rate, frames) of a mono 16-bit PCM WAV given as a path or as bytes.

    Raises ClipFormatError for anything else, naming the part.
    """
    label = f"{len(part)}-byte WAV" if isinstance(part, bytes) else str(part)
    source = io.BytesIO(part) if isinstance(part, bytes) else str(part)
    try:
        with wave.open(source, "rb") as clip:
            channels, width, rate = clip.getnchannels(), clip.getsampwidth(), clip.getframerate()
            frames = clip.readframes(clip.getnframes())
    except (wave.Error, EOFError) as exc:
        raise ClipFormatError(f"{label} is not a PCM WAV file: {exc}") from exc
    if channels != CHANNELS or width != SAMPLE_WIDTH:
        raise ClipFormatError(
            f"{label} has {channels} channel(s) of {8 * width} bits; clips must be mono 16-bit"
        )
    return rate, frames


def concat_wav(parts: Iterable[str | Path | bytes], gap: float = 0.0) -> bytes:
    """One WAV made of mono 16-bit WAV parts (paths or bytes) of one rate, in order.

    ``gap`` seconds of silence go between parts (not before the first or after the last).
    Parts of another format or rate raise ClipFormatError; no part at all is a ValueError.
    """
    if gap < 0:
        raise ValueError(f"gap {gap!r} is negative")
    rate: int | None = None
    chunks: list[bytes] = []
    silence = b""
    for part in parts:
        part_rate, frames = read_wav(part)
        if rate is None:
            rate = part_rate
            silence = b"\0" * (SAMPLE_WIDTH * round(gap * rate))
        elif part_rate != rate:
            label = "a WAV given as bytes" if isinstance(part, bytes) else str(part)
            raise ClipFormatError(
                f"{label} is at {part_rate} Hz but the first part is at {rate} Hz; "
                "rebuild the clips at one rate"
            )
        else:
            chunks.append(silence)
        chunks.append(frames)
    if rate is None:
        raise ValueError("no WAV parts to concatenate")
    return frames_to_wav(b"".join(chunks), rate)


def clip_path(name: str, voice_dir: str | Path | None = None) -> Path:
    """The file of clip ``name``; MissingClipError names the clip and the directory if absent."""
    directory = Path(voice_dir) if voice_dir is not None else voice_dir_default()
    path = directory / f"{name}.wav"
    if not path.is_file():
        raise MissingClipError(
            f"voice clip {name!r} is missing from {directory} (expected {path.name}); "
            "regenerate the clips with `yiciban voice build`"
        )
    return path


def call_audio(
    number: str,
    window_number: int,
    voice_dir: str | Path | None = None,
    *,
    repeat: int = 2,
    gap: float = GAP_SECONDS,
) -> bytes:
    """The whole call (see ``call_clips``) as one WAV, from the clips in ``voice_dir``.

    ``voice_dir`` defaults to the repository's ``assets/voice``. Raises ValueError for bad
    input, MissingClipError for a missing clip, ClipFormatError for a clip of another format.
    """
    return clips_audio(call_clips(number, window_number, repeat), voice_dir, gap=gap)


def prompt_clips(prompt: str) -> list[str]:
    """The clips of an elder-mode prompt; an unknown prompt is a ValueError naming the known ones."""
    if prompt not in PROMPTS:
        raise ValueError(f"no spoken prompt {prompt!r} (known: {', '.join(PROMPTS)})")
    return [f"prompt_{prompt}"]


def clips_audio(names: list[str], voice_dir: str | Path | None = None, *, gap: float = GAP_SECONDS) -> bytes:
    """Any clip sequence (a call, a prompt) as one WAV."""
    return concat_wav([clip_path(name, voice_dir) for name in names], gap=gap)


def wav_seconds(data: bytes) -> float:
    """Duration of a mono 16-bit WAV given as bytes."""
    rate, frames = read_wav(data)
    return len(frames) / (SAMPLE_WIDTH * rate)


def voice_dir_default() -> Path:
    """assets/voice of this install (a checkout's own, or the packaged one)."""
    from ground.paths import assets_dir

    return assets_dir() / "voice"
