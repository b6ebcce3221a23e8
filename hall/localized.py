"""The hall's own data in English, as a screen or a notice shows it: each `key` by its `key_en`.

The hall file gives English beside every name and text (`name_en`, `department_en`,
`steps_en`, a material's `note_en`, ...; hall.config_english). A screen of the kiosk, or the
printed one-time notice (hall.notices.guide), reads the one dict this returns with the keys it
always reads, whatever the language; where the hall gave no English the Chinese stays, so
nothing is ever blank.
"""
from __future__ import annotations

from typing import Any

SUFFIX = "_en"


def localized(item: dict[str, Any], language: str) -> dict[str, Any]:
    """`item` with every `key` that has a non-empty `key_en` taking that English, on an English
    screen; lists of dicts are localized too. A list (`steps`) takes its English list only when
    the two pair one for one. In Chinese, `item` itself."""
    if language != "en":
        return item
    out = dict(item)
    for key, value in item.items():
        if key.endswith(SUFFIX):
            continue
        english = item.get(key + SUFFIX)
        if isinstance(value, str) and isinstance(english, str) and english.strip():
            out[key] = english
        elif isinstance(value, list):
            if isinstance(english, list) and len(english) == len(value) and all(english):
                out[key] = list(english)
            else:
                out[key] = [localized(v, language) if isinstance(v, dict) else v for v in value]
    return out
