"""English for every name and text a screen shows: what a hall file lacks, said before it goes live.

An English screen shows a hall's own data (matters, departments, guide values and time-limit
texts, windows, 差评 reasons, announcements) from the `*_en` field beside each Chinese one. A
matter's legal basis is English too (`basis_en`): the titles of laws have English titles, and
an English reader cannot read 《…》, so they are texts to translate, not proper names to keep. A missing English field
is not an error (the screen then shows the Chinese, and many halls start that way) but a
warning of `yiciban config check`; a list of English that does not match its Chinese list one
for one (steps, 差评 reasons) is an error, since the screens pair them by position.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

HallConfig = Any  # a validated hall.config.HallConfig (hall.config imports this module)
Issue = tuple[tuple[str | int, ...], str, str]
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class EnglishGap:
    path: Path  # where the English belongs, as in error messages: ("matters", 3, "name_en")
    chinese: str  # what an English screen shows instead

    def __str__(self) -> str:
        where = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in self.path).replace(".[", "[")
        shown = self.chinese if len(self.chinese) <= 24 else self.chinese[:23] + "…"
        return f"warning: {where}: no English (an English screen shows {shown!r})"


def _pairs(cfg: HallConfig) -> Iterator[tuple[Path, str, str]]:
    """(path of the English field, the Chinese text, the English text) for every single text."""
    hall = cfg.hall
    for key in ("name", "phone", "address", "hours"):
        yield ("hall", f"{key}_en"), getattr(hall, key), getattr(hall, f"{key}_en")
    for i, q in enumerate(cfg.queues):
        yield ("queues", i, "name_en"), q.name, q.name_en
    for i, w in enumerate(cfg.windows):
        yield ("windows", i, "name_en"), w.name, w.name_en
    for i, m in enumerate(cfg.matters):
        for key in ("name", "department", "fee", "online", "conditions", "legal_limit_text",
                    "promised_limit_text", "basis", "notes"):
            yield ("matters", i, f"{key}_en"), getattr(m, key), getattr(m, f"{key}_en")
        for j, material in enumerate(m.materials):
            yield ("matters", i, "materials", j, "name_en"), material.name, material.name_en
            yield ("matters", i, "materials", j, "note_en"), material.note, material.note_en
    for i, a in enumerate(cfg.announcements):
        yield ("announcements", i, "title_en"), a.title, a.title_en
        yield ("announcements", i, "body_en"), a.body, a.body_en


def _lists(cfg: HallConfig) -> Iterator[tuple[Path, list[str], list[str]]]:
    """(path of the English list, the Chinese list, the English list) for lists paired by position."""
    yield ("evaluation", "bad_reasons_en"), list(cfg.evaluation.bad_reasons), list(cfg.evaluation.bad_reasons_en)
    for i, m in enumerate(cfg.matters):
        yield ("matters", i, "steps_en"), list(m.steps), list(m.steps_en)


def english_gaps(cfg: HallConfig) -> list[EnglishGap]:
    """Every Chinese text of the hall file that has no English beside it."""
    gaps = [EnglishGap(path, zh) for path, zh, en in _pairs(cfg) if zh.strip() and not en.strip()]
    gaps += [EnglishGap(path, "、".join(zh)) for path, zh, en in _lists(cfg) if zh and not en]
    return gaps


def english_issues(cfg: HallConfig) -> Iterable[Issue]:
    """English lists that do not pair one for one with their Chinese lists (an error)."""
    for path, zh, en in _lists(cfg):
        if en and len(en) != len(zh):
            yield path, f"{len(zh)} English texts, one for each of {path[-1][:-3]} in the same order", \
                f"{len(en)}"
        for k, text in enumerate(en):
            if not text.strip():
                yield (*path, k), f"the English of {zh[k]!r}" if k < len(zh) else "a text", "nothing"
