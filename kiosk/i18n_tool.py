"""Keeping the translations current: `yiciban i18n update` and `yiciban i18n check`.

`update` runs Qt's lupdate over kiosk/ (every `tr()` string, Chinese source) into
assets/i18n/yiciban_en.ts, keeping existing translations and dropping obsolete ones, then
lrelease into yiciban_en.qm. Translators edit the .ts (Qt Linguist, or any XML editor).
`check` fails when a string in the code is missing from the .ts, a message is untranslated,
or the .qm is not what lrelease makes of the .ts.
"""
from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "kiosk"
I18N = REPO / "assets" / "i18n"
LANGUAGES = ("en",)


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / f"pyside6-{name}"
    found = str(local) if local.exists() else shutil.which(f"pyside6-{name}")
    if not found:
        raise FileNotFoundError(f"pyside6-{name} not found (it comes with PySide6-Essentials)")
    return found


def sources() -> list[str]:
    return sorted(str(p) for p in SOURCES.rglob("*.py") if p.name != "i18n_tool.py")


def ts_path(language: str) -> Path:
    return I18N / f"yiciban_{language}.ts"


def qm_path(language: str) -> Path:
    return I18N / f"yiciban_{language}.qm"


def lupdate(ts: Path, language: str) -> None:
    subprocess.run([_tool("lupdate"), *sources(), "-source-language", "zh_CN", "-target-language", language,
                    "-locations", "none", "-no-obsolete", "-ts", str(ts)],
                   check=True, capture_output=True, text=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True,
                   capture_output=True, text=True)


def messages(ts: Path) -> dict[tuple[str, str], str | None]:
    """(context, source) -> translation (None when unfinished or empty)."""
    found: dict[tuple[str, str], str | None] = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            t = message.find("translation")
            forms = [] if t is None else [f.text or "" for f in t.iter("numerusform")]
            text = " | ".join(forms) if message.get("numerus") == "yes" else (t.text if t is not None else None)
            done = (t is not None and t.get("type") not in ("unfinished", "obsolete", "vanished") and text
                    and all(forms))  # a plural message needs each of its forms
            found[(name, message.findtext("source") or "")] = text if done else None
    return found


def update(language: str = "en") -> Path:
    I18N.mkdir(parents=True, exist_ok=True)
    ts = ts_path(language)
    lupdate(ts, language)
    lrelease(ts, qm_path(language))
    return ts


def check(language: str = "en") -> list[str]:
    ts, qm = ts_path(language), qm_path(language)
    if not ts.exists():
        return [f"{ts} is missing: run `yiciban i18n update`"]
    problems: list[str] = []
    committed = messages(ts)
    with tempfile.TemporaryDirectory() as tmp:
        fresh_ts = Path(tmp) / ts.name
        shutil.copy(ts, fresh_ts)
        lupdate(fresh_ts, language)
        fresh = messages(fresh_ts)
        for key in sorted(set(fresh) - set(committed)):
            problems.append(f"not in {ts.name}: [{key[0]}] {key[1]!r} (run `yiciban i18n update`)")
        for key in sorted(set(committed) - set(fresh)):
            problems.append(f"obsolete in {ts.name}: [{key[0]}] {key[1]!r} (run `yiciban i18n update`)")
        for key, text in sorted(committed.items()):
            if text is None and key in fresh:
                problems.append(f"untranslated in {ts.name}: [{key[0]}] {key[1]!r}")
        fresh_qm = Path(tmp) / qm.name
        lrelease(ts, fresh_qm)
        if not qm.exists() or qm.read_bytes() != fresh_qm.read_bytes():
            problems.append(f"{qm.name} is not the release of {ts.name} (run `yiciban i18n update`)")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban i18n", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("update", "check"))
    args = parser.parse_args(argv)
    if args.action == "update":
        for language in LANGUAGES:
            path = update(language)
            missing = [k for k, v in messages(path).items() if v is None]
            sys.stdout.write(f"{path}: {len(messages(path))} messages, {len(missing)} untranslated\n")
        return 0
    problems = [p for language in LANGUAGES for p in check(language)]
    for problem in problems:
        sys.stdout.write(problem + "\n")
    return 1 if problems else 0
