"""Finding a service guide (办事指南) on the kiosk: by Hanzi, pinyin, initials or matter code.

A citizen at the terminal types on an on-screen keyboard, so the index answers what such a
keyboard produces:

- Hanzi: a substring of the matter name (``护照``); of the department or queue at a lower rank;
- pinyin initials of consecutive characters anywhere in the name (``gtgsh`` → 个体工商户…);
- full pinyin, or any mix of whole syllables and initials (``budong``, ``bdongc``),
  case-insensitive, ignoring spaces and apostrophes, full-width letters accepted;
- digits: a prefix of the 12-digit 基本编码;
- English: a piece of the English name (``passport``, ``real estate``), for an English screen;
- Hanzi picked from the candidate bar, then more pinyin (``不动`` + ``c``): guides whose name
  holds the Hanzi, found further by the pinyin typed after them.

`candidates(query)` gives the Hanzi a pinyin query spells in the guides' names (``budong`` →
不动, ``bu`` → 不, 补, 部), for a candidate bar like an input method's: a citizen who cannot
spell a whole name picks the characters instead.

Polyphonic characters: every reading is indexed (行 xing/hang/heng, 重 zhong/chong), so a
citizen who reads a character another way still finds the matter, but a match through the
reading the phrase calls for (行政 xing, 银行 hang, 重新 chong) ranks above one through another
reading. ü may be typed as ``v`` or ``u``.

Ranking, best first: exact name (or code), name (or code) prefix, pinyin from the first
character, pinyin further in, pinyin through an unusual reading, Hanzi substring of the name,
department or queue. Ties keep the order the guides were given in (the hall's own order).

Pure Python, no Qt: the kiosk view calls ``search`` on each key press, tests run anywhere.
"""

from __future__ import annotations

import logging
import re
import string
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)


def _pinyin(text: str) -> list[list[str]]:
    """Every reading of each character (pypinyin's dictionaries load on the first call: ~0.2 s,
    which a screen spends after it has painted, on the job pool)."""
    from pypinyin import Style, pinyin

    return pinyin(text, style=Style.TONE, heteronym=True, errors="ignore")

Syllables = tuple[tuple[str, ...], ...]  # per character: its readings, lowercase, no tones

# Rank tiers: a guide is listed once, at the best tier it reaches.
EXACT, PREFIX, PINYIN_PREFIX, PINYIN_ANYWHERE, PINYIN_OTHER_READING, SUBSTRING, RELATED = range(7)
ENGLISH_FIELDS = ("name_en", "department_en", "queue_name_en")

_SEPARATORS = str.maketrans("", "", " \t\r\n'’·-_")
_KEYS = frozenset(string.ascii_lowercase + string.digits)
_LONGEST_READING = 6  # "zhuang": no text of n characters spells more than 6n letters


def normalize(text: str) -> str:
    """The form queries and fields are compared in: NFKC (full-width → ASCII), lowercase,
    no spaces or apostrophes ("Bu Dong", "ｂｕｄｏｎｇ" and "budong" are one query)."""
    return unicodedata.normalize("NFKC", text).lower().translate(_SEPARATORS)


def _is_hanzi(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


_TONES: dict[str, str] = {}


def _toneless(reading: str) -> str:
    """Without tone marks, ü as v: "lǜ" → "lv". Cached: there are few distinct syllables."""
    plain = _TONES.get(reading)
    if plain is None:
        decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
        plain = _TONES[reading] = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain


def _clean(readings: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for reading in map(_toneless, readings):
        if reading.isascii() and reading.isalpha():
            out.append(reading)
            if "v" in reading:  # ü is typed as v, or as u by many (lv/lu, nv/nu)
                out.append(reading.replace("v", "u"))
    return tuple(dict.fromkeys(out))


def _units(text: str) -> Iterator[tuple[bool, str]]:
    """Runs of Hanzi (True, run) and single ASCII letters or digits (False, ch); the rest is
    dropped, so initials run across 、 and （ ）, which nobody types."""
    run: list[str] = []
    for ch in unicodedata.normalize("NFKC", text).lower():
        if _is_hanzi(ch):
            run.append(ch)
            continue
        if run:
            yield True, "".join(run)
            run = []
        if ch.isascii() and ch.isalnum():
            yield False, ch
    if run:
        yield True, "".join(run)


class _Readings:
    """Every reading of each character, looked up once per character for the whole index."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[str, ...]] = {}

    def of(self, ch: str) -> tuple[str, ...]:
        found = self.cache.get(ch)
        if found is None:
            result = _pinyin(ch)
            found = self.cache[ch] = _clean(result[0] if result else ())
        return found

    def syllables(self, text: str) -> Syllables:
        return tuple(readings for _, readings in self.spelled(text))

    def spelled(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """Each character that has a spelling, with its readings (an ASCII letter or digit reads
        as itself): what `syllables` holds, beside the characters it came from."""
        out: list[tuple[str, tuple[str, ...]]] = []
        for hanzi, unit in _units(text):
            if not hanzi:
                out.append((unit, (unit,)))
                continue
            out.extend((ch, r) for ch, r in zip(unit, map(self.of, unit), strict=True) if r)
        return out

    def usual(self, text: str) -> Syllables:
        """The readings the phrase calls for, aligned with ``syllables(text)``.

        pypinyin reads words in context (银行 hang, 行政 xing); a character outside any known
        word keeps all its readings. Slower than the per-character table, so it is computed
        only for guides a query matched.
        """
        out: list[tuple[str, ...]] = []
        for hanzi, unit in _units(text):
            if not hanzi:
                out.append((unit,))
                continue
            result = _pinyin(unit)
            context = [_clean(r) for r in result] if len(result) == len(unit) else []
            for i, ch in enumerate(unit):
                if self.of(ch):
                    out.append(context[i] if context and context[i] else self.of(ch))
        return tuple(out)


# A text's readings as one string, a block per character: 不动 → "/|bu|fou|fu/|dong/". A query
# becomes a regular expression over it (_spelling), so matching runs inside `re`, and the texts
# of all guides are joined by newlines to be scanned at once (_Lines).


def _encode(syl: Syllables) -> str:
    return "".join("/" + "".join("|" + r for r in readings) for readings in syl) + "/"


_NEXT_BLOCK = r"[^/\n]*/(?:\|[^|/\n]*)*?\|"  # rest of this character, a reading of the next


@lru_cache(maxsize=256)
def _spelling(query: str) -> re.Pattern[str]:
    """Characters in a row, each giving a non-empty prefix of one of its readings (a whole
    syllable, an initial or anything between), together spelling `query` (ASCII letters and
    digits, nothing for `re` to interpret)."""
    parts = [r"\|" + query[0]]
    parts.extend(f"(?:{c}|{_NEXT_BLOCK}{c})" for c in query[1:])
    return re.compile("".join(parts))


class _Lines:
    """Encoded texts of many guides joined by newlines; `scan` finds the guides that match."""

    def __init__(self, texts: Iterable[tuple[int, str]]) -> None:
        self.owners: list[int] = []  # the entry each line belongs to
        self.starts: list[int] = []
        self.first_ends: list[int] = []  # where each line's first character ends
        parts: list[str] = []
        offset = 0
        for owner, encoded in texts:
            self.owners.append(owner)
            self.starts.append(offset)
            self.first_ends.append(offset + encoded.find("/", 1))
            parts.append(encoded)
            offset += len(encoded) + 1
        self.text = "\n".join(parts)

    def scan(self, pattern: re.Pattern[str]) -> dict[int, bool]:
        """Entry → whether a match starts at its first character, for each entry matched."""
        hits: dict[int, bool] = {}
        pos = 0
        while (match := pattern.search(self.text, pos)) is not None:
            line = bisect_right(self.starts, match.start()) - 1
            owner = self.owners[line]
            hits[owner] = hits.get(owner, False) or match.start() < self.first_ends[line]
            pos = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return hits


def _common(reading: str, query: str, j: int) -> int:
    """How many leading letters of `reading` the query spells from position j."""
    k = 0
    while k < len(reading) and j + k < len(query) and reading[k] == query[j + k]:
        k += 1
    return k


def _next_keys(syl: Syllables, query: str, keys: set[str]) -> None:
    """Add every letter that, typed after `query`, still lets `syl` match as pinyin."""
    if not query:
        keys.update(r[0] for readings in syl for r in readings)
        return
    seen: set[tuple[int, int]] = set()

    def walk(i: int, j: int) -> None:
        if (i, j) in seen or i == len(syl):
            return
        seen.add((i, j))
        for reading in syl[i]:
            for take in range(_common(reading, query, j), 0, -1):
                if j + take < len(query):
                    walk(i + 1, j + take)
                    continue
                if take < len(reading):
                    keys.add(reading[take])
                if i + 1 < len(syl):
                    keys.update(r[0] for r in syl[i + 1])

    for start in range(len(syl)):
        walk(start, 0)


def _split_picked(q: str) -> tuple[str, str]:
    """A normalized query as (Hanzi picked, letters typed after them): ("不动", "c") for 不动c;
    ("", q) for a query that does not start with Hanzi, (q, "") for one that does not end in
    letters or digits."""
    cut = len(q)
    while cut and q[cut - 1].isascii() and q[cut - 1].isalnum():
        cut -= 1
    if cut == 0 or cut == len(q) or not all(_is_hanzi(ch) for ch in q[:cut]):
        return ("", q) if cut == 0 else (q, "")
    return q[:cut], q[cut:]


def _continues(syl: Syllables, chars: str, picked: str, pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` spells the characters right after an occurrence of `picked` in a text
    (its `syl` and spelled `chars`)."""
    encoded = _encode(syl)
    blocks = [i for i, c in enumerate(encoded) if c == "/"]  # blocks[k]: where character k starts
    at = chars.find(picked)
    while at != -1:
        k = at + len(picked)
        if k < len(syl):
            match = pattern.search(encoded, blocks[k])
            if match is not None and match.start() < blocks[k + 1]:
                return True
        at = chars.find(picked, at + 1)
    return False


def _following(text: str, prefix: str) -> Iterator[str]:
    """Characters that follow an occurrence of `prefix` in `text`."""
    at = text.find(prefix)
    while at != -1 and at + len(prefix) < len(text):
        yield text[at + len(prefix)]
        at = text.find(prefix, at + 1)


@dataclass(slots=True)
class _Entry:
    guide: dict[str, Any]
    name: str  # normalized
    code: str
    related: tuple[str, ...]  # department and queue, normalized
    syllables: tuple[Syllables, ...]  # of the name, then of each related text
    chars: tuple[str, ...] = ()  # each text's characters that have a spelling, beside syllables
    english: tuple[str, ...] = ()  # the English name, department and queue, normalized
    usual: str | None = field(default=None)  # the name's usual readings encoded, when needed


class GuideIndex:
    """The hall's service guides, searchable the way a kiosk keyboard types.

    `guides` are dicts shaped like ``MatterConfig.model_dump()`` (``name``, ``department``,
    ``code``, ``kind``; ``queue_name`` if present); results are those same dict objects.
    """

    def __init__(self, guides: Iterable[dict[str, Any]]) -> None:
        self._readings = _Readings()
        self._entries: list[_Entry] = []
        for guide in guides:
            texts = [str(guide.get(key) or "") for key in ("name", "department", "queue_name")]
            english = (normalize(str(guide.get(key) or "")) for key in ENGLISH_FIELDS)
            self._entries.append(
                _Entry(
                    guide=guide,
                    name=normalize(texts[0]),
                    code=str(guide.get("code", "")),
                    related=tuple(normalize(t) for t in texts[1:] if t),
                    syllables=tuple(self._readings.syllables(t) for t in texts if t),
                    chars=tuple("".join(ch for ch, _ in self._readings.spelled(t)) for t in texts if t),
                    english=tuple(t for t in english if t),
                )
            )
        entries = list(enumerate(self._entries))
        self._names = _Lines((i, _encode(e.syllables[0])) for i, e in entries if e.name)
        self._related = _Lines(
            (i, _encode(syl)) for i, e in entries for syl in e.syllables[1 if e.name else 0 :]
        )
        lengths = (len(syl) for e in self._entries for syl in e.syllables)
        self._spellable = _LONGEST_READING * max(lengths, default=0)
        log.debug("indexed %d guides, %d characters", len(self._entries), len(self._readings.cache))

    def __len__(self) -> int:
        return len(self._entries)

    # --- search --------------------------------------------------------------------------------

    def _usual_tier(self, entry: _Entry, pattern: re.Pattern[str]) -> int:
        if entry.usual is None:
            entry.usual = _encode(self._readings.usual(str(entry.guide.get("name", ""))))
        match = pattern.search(entry.usual)
        if match is None:
            return PINYIN_OTHER_READING
        return PINYIN_PREFIX if match.start() < entry.usual.find("/", 1) else PINYIN_ANYWHERE

    def _matches(self, q: str) -> list[tuple[int, int]]:
        """(tier, position) of every guide a normalized, non-empty query finds."""
        spelled = q.isascii() and q.isalnum()  # may be pinyin
        pattern = _spelling(q) if spelled and len(q) <= self._spellable else None
        by_name = self._names.scan(pattern) if pattern else {}
        by_related = self._related.scan(pattern) if pattern else {}
        digits = q.isdigit()
        found: list[tuple[int, int]] = []
        for position, e in enumerate(self._entries):
            if q == e.name or q == e.code:
                tier = EXACT
            elif e.name.startswith(q) or (digits and e.code.startswith(q)):
                tier = PREFIX
            elif pattern and position in by_name:
                tier = self._usual_tier(e, pattern)
            elif e.english and e.english[0].startswith(q):
                tier = PREFIX
            elif q in e.name or any(q in text for text in e.english):
                tier = SUBSTRING
            elif position in by_related or any(q in text for text in e.related):
                tier = RELATED
            else:
                continue
            found.append((tier, position))
        return found

    def _found(self, q: str) -> list[int]:
        """The positions of the guides a normalized, non-empty query finds, best first. Hanzi
        picked from the candidates and pinyin typed after them: the guides whose name holds
        the Hanzi, among those the pinyin finds."""
        picked, spelled = _split_picked(q)
        if picked and spelled:
            pattern = _spelling(spelled)
            return [p for _, p in sorted(self._matches(spelled))
                    if any(_continues(syl, chars, picked, pattern)
                           for syl, chars in zip(self._entries[p].syllables, self._entries[p].chars, strict=True))]
        return [p for _, p in sorted(self._matches(q))]

    def search(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """The guides matching `query`, best first; for an empty query, all in order."""
        q = normalize(query)
        limit = max(limit, 0)
        if not q:
            return [e.guide for e in self._entries[:limit]]
        return [self._entries[position].guide for position in self._found(q)[:limit]]

    def candidates(self, query: str, limit: int = 8) -> list[str]:
        """The Hanzi the pinyin at the end of `query` spells in the names found, as an input
        method would offer them, those of the best matches first; [] when it ends in no pinyin."""
        q = normalize(query)
        picked, spelled = _split_picked(q)
        if not spelled or not spelled.isalpha():
            return []
        pattern = _spelling(spelled)
        out: dict[str, None] = {}
        for position in self._found(q):
            entry = self._entries[position]
            for syllables, chars in zip(entry.syllables, entry.chars, strict=True):
                encoded = _encode(syllables)
                after = {at + len(picked) for at in range(len(chars)) if chars.startswith(picked, at)}
                for match in pattern.finditer(encoded):
                    first = encoded.count("/", 0, match.start()) - 1
                    last = encoded.count("/", 0, match.end() - 1) - 1
                    phrase = chars[first:last + 1]
                    if picked and first not in after:
                        continue  # after picked Hanzi, only what comes right after them
                    if phrase and all(_is_hanzi(ch) for ch in phrase):
                        out.setdefault(phrase)
            if len(out) >= limit:
                break
        return list(out)[:limit]

    def initials_keys(self, query: str) -> set[str]:
        """The keys a-z and 0-9 that, typed next, still find something: exactly the `c` for
        which ``search(query + c)`` is not empty. An on-screen keyboard dims the others."""
        q = normalize(query)
        if _split_picked(q)[0]:  # picked Hanzi (and pinyin after them): ask the search, key by key
            return {k for k in _KEYS if self._found(q + k)}
        spelled = not q or (q.isascii() and q.isalnum())
        # What does not match now matches nothing longer.
        positions = [p for _, p in self._matches(q)] if q else range(len(self._entries))
        keys: set[str] = set()
        for position in positions:
            entry = self._entries[position]
            for text in (entry.name, *entry.related, *entry.english):
                keys.update(_following(text, q))
            if not spelled:  # query + key is neither pinyin nor a code: only a substring
                continue
            for syl in entry.syllables:
                _next_keys(syl, q, keys)
            if (q.isdigit() or not q) and entry.code.startswith(q) and len(entry.code) > len(q):
                keys.add(entry.code[len(q)])
        return keys & _KEYS

    # --- browsing ------------------------------------------------------------------------------

    def departments(self) -> list[str]:
        """Departments in the order they first appear."""
        return list(dict.fromkeys(str(e.guide.get("department", "")) for e in self._entries))

    def by_department(self, name: str) -> list[dict[str, Any]]:
        return [e.guide for e in self._entries if e.guide.get("department") == name]

    def kinds(self) -> list[str]:
        """Matter kinds (行政许可, 公共服务 ...) in the order they first appear."""
        return list(dict.fromkeys(str(e.guide.get("kind", "")) for e in self._entries))

    def by_kind(self, kind: str) -> list[dict[str, Any]]:
        return [e.guide for e in self._entries if e.guide.get("kind") == kind]
