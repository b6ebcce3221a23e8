"""What the citizen screens read: service guides (办事指南) and announcements (政务公开).

The hall's own `[[matters]]` are its guides. The platform's catalog, once the hall holds a
copy, is the authority: a platform item replaces the hall's guide of the same code, and a
matter the hall has no guide for is added. A platform item is used only when it routes to a
queue of this hall: the queue it names, or, naming none, the queue of the hall's own guide
for that code. Announcements come from three sources: the hall's operators (the console, kind
通知公告 or 政策解读), the hall's `[[announcements]]` and the platform's, each shown on the days it
is valid (inclusive; no date: no limit on that side). They are listed newest start first; on the
same start, the operators' before the others, then by id (descending).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from hall.config import HallConfig
from sync.reference import ANNOUNCEMENTS, CATALOG, ReferenceStore


def initials(name: str) -> str:
    """The pinyin initials a window's staff type to find a matter: 个体工商户设立登记 → gtgshsldj."""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


class Guides:
    def __init__(self, config: HallConfig, reference: ReferenceStore,
                 clock: Callable[[], float] = time.time) -> None:
        self.config, self.reference, self.clock = config, reference, clock
        self.queue_names = {q.id: q.name for q in config.queues}
        self.queue_names_en = {q.id: q.name_en for q in config.queues}  # what an English screen shows
        self._cache: tuple[int, list[dict[str, Any]], dict[str, dict[str, Any]]] | None = None

    def _own(self) -> list[dict[str, Any]]:
        return [{**m.model_dump(), "queue_name": self.queue_names[m.queue],
                 "queue_name_en": self.queue_names_en[m.queue], "source": "hall"}
                for m in self.config.matters]

    def _merged(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        version = self.reference.meta(CATALOG).version
        if self._cache is None or self._cache[0] != version:
            guides = {g["code"]: g for g in self._own()}
            added = []
            for item in self.reference.items(CATALOG) if version else []:
                code = item.get("code")
                own = guides.get(code)
                queue = item.get("queue") or (own["queue"] if own else None)
                if not (isinstance(code, str) and isinstance(queue, str) and queue in self.queue_names):
                    continue
                guide = {**item, "queue": queue, "queue_name": self.queue_names[queue],
                         "queue_name_en": self.queue_names_en[queue], "source": "platform",
                         "self_service": bool(own and own.get("self_service"))}  # the hall's own mark
                if own is None:
                    added.append(code)
                guides[code] = guide
            order = [m.code for m in self.config.matters] + sorted(added)
            listing = [{**guides[code], "initials": initials(str(guides[code].get("name", "")))} for code in order]
            guides = {g["code"]: g for g in listing}
            self._cache = (version, listing, guides)
        return self._cache[1], self._cache[2]

    def listing(self) -> dict[str, Any]:
        guides, _ = self._merged()
        return {"guides": guides, **_freshness(self.reference, CATALOG, self.clock())}

    def get(self, code: str) -> dict[str, Any] | None:
        return self._merged()[1].get(code)


class Announcements:
    def __init__(self, config: HallConfig, reference: ReferenceStore,
                 clock: Callable[[], float] = time.time,
                 operators: Callable[[], Iterable[Any]] = tuple) -> None:
        self.config, self.reference, self.clock = config, reference, clock
        self.operators = operators  # the operators' notices (hall.operators.rules.Notice)

    def current(self, day: str) -> dict[str, Any]:
        """Those valid on `day` (the hall day, ISO date), newest first."""
        found = [{"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "title_en": n.title_en,
                  "body_en": n.body_en, "valid_from": n.start,
                  "valid_until": n.expiry, "published": None, "source": "operators"} for n in self.operators()]
        for a in self.config.announcements:
            found.append({"id": a.id, "kind": "notice", "title": a.title, "body": a.body,
                          "title_en": a.title_en, "body_en": a.body_en,
                          "valid_from": a.valid_from.isoformat() if a.valid_from else None,
                          "valid_until": a.valid_until.isoformat() if a.valid_until else None,
                          "published": None, "source": "hall"})
        for item in self.reference.items(ANNOUNCEMENTS):
            found.append({"id": str(item.get("id")), "kind": "notice", "title": item.get("title"),
                          "body": item.get("body"),
                          "valid_from": _date(item.get("valid_from")),
                          "valid_until": _date(item.get("valid_until")),
                          "published": _date(item.get("published")), "source": "platform"})
        today = [a for a in found
                 if (a["valid_from"] or day) <= day <= (a["valid_until"] or day)]
        today.sort(key=lambda a: (a["valid_from"] or a["published"] or "", a["source"] == "operators", a["id"]),
                   reverse=True)
        return {"announcements": today, "day": day, **_freshness(self.reference, ANNOUNCEMENTS, self.clock())}


def _date(value: Any) -> str | None:
    """An ISO date of an item, or None (an item from another platform may carry anything)."""
    return value if isinstance(value, str) and len(value) == 10 and value[4] == "-" else None


def _freshness(reference: ReferenceStore, dataset: str, now: float) -> dict[str, Any]:
    """Where the list comes from and, for the platform's copy, how long since it was confirmed."""
    meta = reference.meta(dataset)
    if not meta.version:
        return {"source": "hall", "age_seconds": None}
    age = None if meta.checked_at is None else round(max(now - meta.checked_at, 0.0), 1)
    return {"source": "platform", "age_seconds": age}
