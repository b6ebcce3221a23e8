"""Scan what the programs wrote (logs, databases, printed text) for personal data that escaped.

End-to-end tests run real processes, then pass their logs through `find_personal_data` (text)
or a whole data directory through `scan_tree` (bytes: SQLite files, WAL, the printer's output)
with the names the simulators used; the result must be empty.

The scan does not reuse the redaction code it checks. An ID number is found by its own
pattern: six digits of area, a birth date (year 18xx to 20xx, month 01-12, day as two digits
01-31), three digits of sequence and a check character, not inside a longer run of digits; it
counts only if the date exists and the check character is right (GB 11643), so order numbers
and timestamps that happen to be 18 digits long are not reported. First-generation 15-digit
numbers (YYMMDD) are found the same way. Full-width digits count as digits. Names are looked
for as text, and in bytes as UTF-8 and as GB18030 (what the ticket printer and older Chinese
systems write).

A mainland mobile number is 1, then 3 to 9, then nine digits (13812345678), written plain or in
groups of 3-4-4 split by one space or '-' (138 1234 5678), standing alone: not next to a letter,
a digit or a '.' (so a hex hash, a check-in code such as QR13812345678, a longer case number, a
timestamp in milliseconds or a decimal fraction holds none). Its masked form (138****5678), ticket
numbers (A012), ticket ids (20261127-A012) and landlines (0537-1234567) are not mobile numbers.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_ID18 = re.compile(
    rf"(?<![0-9])[1-9][0-9]{{5}}(?P<y>(?:18|19|20)[0-9]{{2}})(?P<m>{_MONTH})(?P<d>{_DAY})"
    rf"[0-9]{{3}}[0-9Xx](?![0-9])"
)
_ID15 = re.compile(rf"(?<![0-9])[1-9][0-9]{{5}}(?P<y>[0-9]{{2}})(?P<m>{_MONTH})(?P<d>{_DAY})"
                   rf"[0-9]{{3}}(?![0-9])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


_MOBILE = re.compile(r"(?<![0-9A-Za-z.])1[3-9][0-9](?P<sep>[ -]?)[0-9]{4}(?P=sep)[0-9]{4}(?![0-9A-Za-z]|\.[0-9])")


def _real_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def check_character(first17: str) -> str:
    """GB 11643's check character of an ID number's first 17 digits (written out here on purpose)."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_numbers(text: str) -> list[tuple[int, str]]:
    """(position, number as written) of every real-looking ID number in ``text``."""
    plain = text.translate(_FULLWIDTH)  # same length: positions stay those of ``text``
    found = []
    for m in _ID18.finditer(plain):
        number = m.group(0).upper()
        if _real_date(m["y"], m["m"], m["d"]) and check_character(number[:17]) == number[17]:
            found.append((m.start(), text[m.start():m.end()]))
    for m in _ID15.finditer(plain):
        if _real_date("19" + m["y"], m["m"], m["d"]):
            found.append((m.start(), text[m.start():m.end()]))
    return found


def phone_numbers(text: str) -> list[tuple[int, str]]:
    """(position, number as written) of every mobile number in ``text``."""
    plain = text.translate(_FULLWIDTH)
    return [(m.start(), text[m.start():m.end()]) for m in _MOBILE.finditer(plain)]


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[str]:
    """Every unmasked valid ID number, every mobile number and every given full name found in `text`.

    Each finding is listed once, in order of first appearance. Names shorter than two
    characters are not looked for.
    """
    found: dict[str, int] = {}
    for at, number in id_numbers(text) + phone_numbers(text):
        found.setdefault(number, at)
    for name in _names(names):
        at = text.find(name)
        if at >= 0:
            found.setdefault(name, at)
    return sorted(found, key=found.__getitem__)


def find_personal_data_in_bytes(data: bytes, names: Iterable[str] = ()) -> list[str]:
    """The same for raw bytes: read as UTF-8 and as GB18030; names matched in both encodings."""
    found: dict[str, None] = {}
    for encoding in ("utf-8", "gb18030"):
        text = data.decode(encoding, errors="replace")
        for _, number in id_numbers(text) + phone_numbers(text):
            found.setdefault(number)
    for name in _names(names):
        encoding = next((e for e in ("utf-8", "gb18030") if name.encode(e) in data), None)
        if encoding is not None:
            found.setdefault(f"{name} ({encoding})")
    return list(found)


def scan_tree(directory: Path, names: Iterable[str] = ()) -> dict[str, list[str]]:
    """Findings per file (relative path) under ``directory``; files with none are left out."""
    names = list(names)
    findings = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            found = find_personal_data_in_bytes(path.read_bytes(), names)
            if found:
                findings[str(path.relative_to(directory))] = found
    return findings


def _names(names: Iterable[str]) -> list[str]:
    return [n for n in (name.strip() for name in names) if len(n) >= 2]
