"""Build the voice clips of ``kiosk.models.voice.CLIPS`` into ``assets/voice/``.

Spoken clips come from espeak-ng (voice ``cmn-latn-pinyin``), resampled with sox to one rate
and trimmed of espeak's leading and trailing silence; the chime and the pause are made here
with ``wave`` and ``math``. A ``manifest.json`` beside them records each clip's text and the
espeak-ng version. Output is deterministic, so a rebuild with the same espeak-ng rewrites
nothing.

Regenerate after changing ``CLIPS`` with ``yiciban voice build`` (which calls ``main``), or
``python -m kiosk.voice_build --out assets/voice``. Needs the ``espeak-ng`` and ``sox``
packages; sox only when ``rate`` differs from espeak-ng's own 22050 Hz.
"""
from __future__ import annotations

import argparse
import array
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kiosk.models.voice import (
    CLIPS,
    PAUSE_SECONDS,
    RATE,
    SAMPLE_WIDTH,
    SPOKEN,
    VoiceError,
    frames_to_wav,
    read_wav,
    silence_wav,
)

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "assets" / "voice"
VOICE = "cmn-latn-pinyin"
#: espeak-ng words per minute; a little under its 175 default so single syllables stay clear.
SPEED = 150
MANIFEST = "manifest.json"
#: Samples quieter than this (about -45 dBFS) count as silence when trimming.
SILENCE_THRESHOLD = 180
LEAD_SECONDS = 0.01
TAIL_SECONDS = 0.04
_TIMEOUT = 30


class BuildError(Exception):
    """A clip could not be made."""


class ToolMissingError(BuildError):
    """espeak-ng or sox is not installed."""


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissingError(
            f"{name} was not found on PATH; install it with `apt-get install {package}`."
        )
    return found


def _run(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildError(f"{cmd[0]} failed to run: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BuildError(f"{' '.join(cmd)} exited with {done.returncode}: {detail}")
    return done.stdout


def espeak_version(espeak: str) -> str:
    """The version espeak-ng reports, like "1.51"."""
    out = _run([espeak, "--version"])
    match = re.search(r"text-to-speech:\s*(\S+)", out)
    return match.group(1) if match else out.strip()


def trim_silence(frames: bytes, rate: int) -> bytes:
    """Mono 16-bit samples without the silence around the sound, keeping a short margin."""
    samples = array.array("h", frames)
    loud = [i for i, value in enumerate(samples) if abs(value) > SILENCE_THRESHOLD]
    if not loud:
        return b""
    start = max(0, loud[0] - round(LEAD_SECONDS * rate))
    end = min(len(samples), loud[-1] + 1 + round(TAIL_SECONDS * rate))
    return samples[start:end].tobytes()


def chime_frames(rate: int = RATE) -> bytes:
    """A two-tone ding-dong (E5 then C5, bell-like decay), about 1.2 s, peak at 40 % of full scale."""
    length = round(1.2 * rate)
    mix = [0.0] * length
    for start, freq in ((0.0, 659.25), (0.45, 523.25)):
        offset = round(start * rate)
        for i in range(length - offset):
            t = i / rate
            envelope = min(1.0, t / 0.005) * math.exp(-t / 0.3)
            tone = math.sin(2 * math.pi * freq * t) + 0.35 * math.sin(4 * math.pi * freq * t)
            mix[offset + i] += envelope * tone
    # fade the last 50 ms so the clip ends on zero
    fade = round(0.05 * rate)
    for i in range(fade):
        mix[length - fade + i] *= (fade - 1 - i) / fade
    scale = 0.4 * 32767 / max(abs(v) for v in mix)
    return array.array("h", (round(v * scale) for v in mix)).tobytes()


def speak(text: str, rate: int, espeak: str, sox: str | None, work: Path) -> bytes:
    """One espeak-ng clip as a mono 16-bit WAV at ``rate``, trimmed of silence."""
    raw = work / "espeak.wav"
    _run([espeak, "-v", VOICE, "-s", str(SPEED), "-w", str(raw), text])
    native, frames = read_wav(raw)
    if native != rate:
        if sox is None:
            raise ToolMissingError(f"sox is needed to resample {native} Hz to {rate} Hz.")
        resampled = work / "sox.wav"
        # -3 dB: resampling overshoots espeak-ng's near-full-scale peaks into clipping.
        # -D (no dither) keeps the output the same on every build.
        _run([sox, "-D", "-V1", str(raw), "-b", "16", str(resampled), "gain", "-3", "rate", str(rate)])
        _, frames = read_wav(resampled)
    trimmed = trim_silence(frames, rate)
    if not trimmed:
        raise BuildError(f"espeak-ng produced only silence for {text!r}.")
    return frames_to_wav(trimmed, rate)


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _remove_stale(out_dir: Path) -> None:
    """Delete clips an older manifest listed that CLIPS no longer has (and nothing else)."""
    manifest = out_dir / MANIFEST
    try:
        old = json.loads(manifest.read_text(encoding="utf-8")).get("clips", {})
    except (OSError, ValueError, AttributeError):
        return
    for name in set(old) - set(CLIPS):
        stale = out_dir / f"{name}.wav"
        if stale.is_file():
            log.info("removing voice clip %s, no longer in CLIPS", stale)
            stale.unlink()


def build(out_dir: str | Path, espeak: str = "espeak-ng", rate: int = RATE) -> list[Path]:
    """Make every clip of CLIPS as ``<name>.wav`` in ``out_dir``, and its ``manifest.json``.

    Returns the paths of the clips (in CLIPS order) followed by the manifest. Raises
    ToolMissingError when espeak-ng (or sox, needed for a rate other than 22050 Hz) is
    absent, BuildError when a clip cannot be made.
    """
    out = Path(out_dir)
    espeak_path = _tool(espeak, "espeak-ng")
    sox = shutil.which("sox")
    version = espeak_version(espeak_path)
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    clips: dict[str, bytes] = {
        "chime": frames_to_wav(chime_frames(rate), rate),
        "pause": silence_wav(PAUSE_SECONDS, rate),
    }
    with tempfile.TemporaryDirectory(prefix="yiciban-voice-build-") as work:
        for name, text in SPOKEN.items():
            clips[name] = speak(text, rate, espeak_path, sox, Path(work))
    paths: list[Path] = []
    for name in CLIPS:
        path = out / f"{name}.wav"
        _write_if_changed(path, clips[name])
        paths.append(path)
    manifest = {
        "voice": VOICE,
        "espeak_ng": version,
        "speed": SPEED,
        "rate": rate,
        "channels": 1,
        "sample_width": SAMPLE_WIDTH,
        "clips": CLIPS,
    }
    manifest_path = out / MANIFEST
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    _write_if_changed(manifest_path, text.encode("utf-8"))
    paths.append(manifest_path)
    log.info("built %d voice clips in %s with espeak-ng %s", len(CLIPS), out, version)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``yiciban voice build [--out DIR] [--espeak PROGRAM]``; 0 when built, 2 without tools."""
    parser = argparse.ArgumentParser(
        prog="yiciban voice build",
        description="Generate the call-voice clips of the hall display with espeak-ng.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--espeak", default="espeak-ng", help="espeak-ng program")
    args = parser.parse_args(argv)
    try:
        paths = build(args.out, espeak=args.espeak)
    except ToolMissingError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except (BuildError, VoiceError, OSError) as exc:
        sys.stderr.write(f"voice build failed: {exc}\n")
        return 1
    size = sum(p.stat().st_size for p in paths)
    sys.stdout.write(f"{len(paths) - 1} clips, {size / 1024:.0f} KiB, in {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
