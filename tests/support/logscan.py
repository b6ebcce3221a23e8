"""Scan log text for personal data that escaped masking.

End-to-end tests run a real server, then pass its log file through
`find_personal_data` with the names they used; the result must be empty. The scan finds
digit runs on its own (it does not reuse the redaction pattern it checks), and judges a
run with the validators of `ground.privacy`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ground.privacy import is_valid_id_number, is_valid_old_id_number

# Maximal runs of digits, with an optional trailing check character X.
_RUN = re.compile(r"[0-9０-９]+[XxＸｘ]?")


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[str]:
    """Every unmasked valid ID number and every given full name found in `text`.

    Each finding is listed once, in order of first appearance. A run of digits counts
    only as a whole (a 20-digit order number holds no ID number); names shorter than two
    characters are not looked for.
    """
    found: dict[str, int] = {}
    for match in _RUN.finditer(text):
        run = match.group(0)
        if is_valid_id_number(run) or is_valid_old_id_number(run):
            found.setdefault(run, match.start())
    for name in names:
        name = name.strip()
        if len(name) < 2:
            continue
        at = text.find(name)
        if at >= 0:
            found.setdefault(name, at)
    return sorted(found, key=found.__getitem__)
