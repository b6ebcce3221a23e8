"""A service guide as a citizen reads it: what to bring, where to go, how long it takes, what it
costs and how many trips it needs, before the fine print.

A guide's data is written for the catalogue (an office's name, working-day limits, a fee
sentence, a visits count beside an online-service phrase, notes with item codes). `reading`
turns it into answers: the materials split into those everyone brings and those only some
need; the days as 即办 or a number; whether the visit can be skipped because the whole matter
is done online (then "1 visit" is not put beside "全程网办" as if both held); and the notes
without the catalogue's item codes or its "跑动次数" bookkeeping, which mean nothing at a
counter. The words are the screen's (translated there); this module only decides.

Pure Python, no Qt.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hall.localized import localized

_CODE_RUN = re.compile(r"\d{8,}")  # an item or matter code: nobody is asked to read one
_BOOKKEEPING = ("跑动次数", "事项编码", "基本编码", "实施编码", "业务办理项")
_CLAUSE = re.compile(r"[^；;。\n]+[；;。]?")
# a promised-time text that says no more than its number (即办: 0 days; 7工作日: 7)
_SAID_BY_THE_NUMBER = re.compile(r"即办|当场办结|当场办理|\d+\s*个?工作日")


@dataclass(frozen=True)
class Material:
    name: str
    form: str  # 原件, 复印件, 原件+复印件, 电子 ...
    count: int
    note: str = ""
    waivable: bool = False  # 容缺: may follow later


@dataclass(frozen=True)
class Reading:
    name: str
    queue: str  # the ticket to take
    office: str  # the department that decides
    days: int | None  # promised working days (0: 即办), None when the guide does not say
    days_note: str  # what the number cannot say ("洛阳新建商品房买卖1工作日")
    fee: str
    free: bool
    visits: int | None  # trips to the hall; None when the whole matter can be done online instead
    online: str  # how it can be done online, as the guide says ("" when not at all)
    fully_online: bool
    bring: tuple[Material, ...] = ()  # everyone brings these
    maybe: tuple[Material, ...] = ()  # only in the cases their note says
    conditions: str = ""
    steps: tuple[str, ...] = ()
    notes: str = ""
    basis: str = ""


def fully_online(online: str) -> bool:
    """Whether the guide says the whole matter can be done online (全程网办, not 非全程网办)."""
    return "全程网办" in online and "非全程网办" not in online


def plain_notes(text: str) -> str:
    """The notes without the clauses that carry catalogue codes or visit bookkeeping."""
    kept = [c.strip() for c in _CLAUSE.findall(text or "")
            if c.strip() and not _CODE_RUN.search(c) and not any(w in c for w in _BOOKKEEPING)]
    return "".join(kept)


def _material(m: Mapping[str, Any], shown: Mapping[str, Any]) -> Material:
    """One material: its words from `shown` (the screen's language), what it is from `m`."""
    note = str(m.get("note") or "")
    return Material(name=str(shown.get("name", "")), form=str(m.get("form", "")), count=int(m.get("count") or 1),
                    note=str(shown.get("note") or ""), waivable=bool(m.get("waivable")) or "容缺" in note)


def _days_note(guide: Mapping[str, Any], shown: Mapping[str, Any], days: Any) -> str:
    """What the promised-time text adds to the number of days, in the screen's language: nothing
    when the Chinese says only the number (即办, 7工作日), whatever its English says."""
    promised = str(guide.get("promised_limit_text") or "").strip()
    if days is not None and _SAID_BY_THE_NUMBER.fullmatch(promised):
        return ""
    return str(shown.get("promised_limit_text") or "")


def reading(guide: Mapping[str, Any], language: str = "zh") -> Reading:
    """The guide as a citizen reads it, in `language`: the words are the hall's own English on
    an English screen (hall.localized); what the guide means (free, fully online, 容缺)
    is read from its Chinese, which is what the catalogue defines."""
    shown = localized(dict(guide), language)
    raw = list(guide.get("materials") or [])
    materials = [_material(m, s) for m, s in zip(raw, shown.get("materials") or raw, strict=True)]
    online = str(guide.get("online") or "")
    fee = str(guide.get("fee") or "").strip()
    days = guide.get("promised_days")
    if days is None:
        days = guide.get("legal_days")
    visits = guide.get("visits")
    return Reading(
        name=str(shown.get("name", "")),
        queue=str(shown.get("queue_name") or ""),
        office=str(shown.get("department") or ""),
        days=None if days is None else int(days),
        days_note=_days_note(guide, shown, days),
        fee=str(shown.get("fee") or "").strip(),
        free=fee in ("", "不收费", "免费", "免收"),
        visits=None if visits is None else int(visits),
        online=str(shown.get("online") or ""),
        fully_online=fully_online(online),
        bring=tuple(m for m, r in zip(materials, raw, strict=True) if r.get("required", True)),
        maybe=tuple(m for m, r in zip(materials, raw, strict=True) if not r.get("required", True)),
        conditions=str(shown.get("conditions") or ""),
        steps=tuple(str(s) for s in shown.get("steps") or []),
        notes=plain_notes(str(shown.get("notes") or "")),
        basis=str(shown.get("basis") or ""),
    )
