"""Identity numbers, names and mobile numbers: validate, mask, hash for matching, redact from
free text.

The resident identity number follows GB 11643-1999: six digits of region, eight of
birth date, three of sequence, one check character (ISO 7064 MOD 11-2, "X" for 10).
First-generation cards carry a 15-digit number (two-digit year, no check character).

A mainland mobile number is 11 digits starting with 1 (13812345678, masked 138****5678).

Stored data keeps a keyed hash (to match a returning citizen) and a masked form (to show
and print); `redact` is what the log filter applies so that neither an ID number nor a
name held in memory reaches a log line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "SensitiveNames", "id_check_digit", "is_mobile_number", "is_valid_id_number", "is_valid_old_id_number",
    "keyed_hash", "mask_id", "mask_name", "mask_phone", "normalise_phone", "redact", "sensitive_names",
]


# Numbers typed through a Chinese input method may come in full-width forms.
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")

_DIGIT = "[0-9０-９]"
# An 18-character number (17 digits and a digit or X) or a 15-digit one, neither part of
# a longer run of digits. Candidates are then checked, so a random 18-digit run is kept.
_ID_CANDIDATE = re.compile(
    rf"(?<!{_DIGIT})(?:{_DIGIT}{{17}}[0-9０-９XxＸｘ]|{_DIGIT}{{15}})(?!{_DIGIT})"
)
# A cheap first look: most log lines hold no run of 15 digits, and searching for one
# costs about a third of running the full pattern.
_LONG_RUN = re.compile(f"{_DIGIT}{{15}}")
_LATIN = re.compile(r"[A-Za-z]")


def _normalise(value: str) -> str:
    return value.strip().translate(_FULLWIDTH).upper()


def _is_date(yyyymmdd: str) -> bool:
    try:
        dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return True


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def id_check_digit(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character from an ID number's first 17 digits.

    Full-width digits (typed through a Chinese input method) count as their ASCII forms.
    """
    first17 = first17.translate(_FULLWIDTH)
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError("an ID number's check character needs exactly 17 digits")
    return _CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def mask_id(number: str) -> str:
    """440304********0011; another length keeps 2 + 2 characters; 4 or fewer are all masked."""
    number = number.strip()
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:].upper()
    if len(number) <= 4:
        return "*" * len(number)
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***, JOHN SMITH -> J*** S****."""
    name = name.strip()
    if not name:
        return ""
    if _LATIN.search(name):
        return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
    return "*" if len(name) == 1 else name[0] + "*" * (len(name) - 1)


def is_valid_id_number(s: object) -> bool:
    """True for an 18-character ID number with a real birth date and a matching check character."""
    if not isinstance(s, str):
        return False
    number = _normalise(s)
    if len(number) != 18 or not number.isascii():
        return False
    body, check = number[:17], number[17]
    if not body.isdigit() or not (check.isdigit() or check == "X"):
        return False
    return _is_date(number[6:14]) and id_check_digit(body) == check


def is_valid_old_id_number(s: object) -> bool:
    """True for a 15-digit first-generation ID number whose birth date (19YYMMDD) is real."""
    if not isinstance(s, str):
        return False
    number = _normalise(s)
    if len(number) != 15 or not (number.isascii() and number.isdigit()):
        return False
    return _is_date("19" + number[6:12])


_MOBILE = re.compile(r"1[0-9]{10}")
_PHONE_SEPARATORS = str.maketrans("", "", " -\u3000")


def normalise_phone(value: str) -> str:
    """A phone number as typed or printed (全角 digits, spaces or '-' between groups, a leading
    +86) made plain; what is left may still not be a mobile number."""
    plain = value.strip().translate(_FULLWIDTH).translate(_PHONE_SEPARATORS)
    return plain[3:] if plain.startswith("+86") else plain


def is_mobile_number(s: object) -> bool:
    """True for a plain mainland mobile number: 11 ASCII digits, the first a 1."""
    return isinstance(s, str) and _MOBILE.fullmatch(s) is not None


def mask_phone(number: str) -> str:
    """13812345678 -> 138****5678: the first three and the last four digits of a mobile number."""
    if not is_mobile_number(number):
        raise ValueError("mask_phone takes a plain 11-digit mobile number")
    return number[:3] + "****" + number[-4:]


def keyed_hash(value: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of a normalised ID number (or plain mobile number): matches a citizen
    without storing the number."""
    if not key:
        raise ValueError("keyed_hash needs a non-empty key")
    return hmac.new(key, _normalise(value).encode(), hashlib.sha256).hexdigest()


class SensitiveNames:
    """Full names held in memory right now (e.g. read from an ID card for a kiosk session).

    Adding counts: a name stays registered until it has been discarded as many times as it
    was added, so two sessions holding the same name don't unmask each other. Names of one
    character are ignored (masking every occurrence of a single character would wreck the
    logs and protect nobody).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._pattern: re.Pattern[str] | None = None

    def add(self, name: str) -> None:
        name = name.strip()
        if len(name) < 2:
            return
        with self._lock:
            self._counts[name] += 1
            if self._counts[name] == 1:
                self._pattern = self._compile()

    def discard(self, name: str) -> None:
        name = name.strip()
        with self._lock:
            if name not in self._counts:
                return
            self._counts[name] -= 1
            if self._counts[name] <= 0:
                del self._counts[name]
                self._pattern = self._compile()

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._pattern = None

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        """Register `name` for the duration of a block."""
        self.add(name)
        try:
            yield
        finally:
            self.discard(name)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return isinstance(name, str) and name.strip() in self._counts

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled pattern of all registered names, or None when there are none."""
        return self._pattern

    def _compile(self) -> re.Pattern[str] | None:
        if not self._counts:
            return None
        # Longest first, so 欧阳娜娜 is masked whole rather than as 欧阳 + 娜娜.
        names = sorted(self._counts, key=lambda n: (-len(n), n))
        parts = []
        for name in names:
            escaped = re.escape(name)
            # A Latin name must stand as a word of its own; Chinese text has no spaces.
            if _LATIN.search(name):
                escaped = rf"(?<![A-Za-z]){escaped}(?![A-Za-z])"
            parts.append(escaped)
        return re.compile("|".join(parts))


sensitive_names = SensitiveNames()
"""The process-wide registry that `redact` (and so the log filter) uses by default."""


def _mask_id_match(match: re.Match[str]) -> str:
    number = match.group(0)
    if is_valid_id_number(number) or is_valid_old_id_number(number):
        return mask_id(number)
    return number


def _mask_name_match(match: re.Match[str]) -> str:
    return mask_name(match.group(0))


def redact(text: str, names: SensitiveNames | None = None) -> str:
    """Mask every valid ID number and every registered name in free text."""
    if not text:
        return text
    if _LONG_RUN.search(text):
        text = _ID_CANDIDATE.sub(_mask_id_match, text)
    pattern = (sensitive_names if names is None else names).pattern()
    if pattern is not None:
        text = pattern.sub(_mask_name_match, text)
    return text
