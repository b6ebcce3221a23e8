"""The guide catalogue's fixed terms in English: a material's form and a matter's kind.

A material's form (原件, 复印件, 原件+复印件, 原件验收复印件, 电子) and a matter's kind (行政许可 …)
are a closed list the catalogue defines (hall.config_matters), not a hall's own words: their
English is fixed here, the same for every hall, so neither an English screen nor an English
notice shows them in Chinese, and a hall file need not repeat them. A term outside the list
stays as given.

Pure Python, no Qt: the kiosk's screens and the hall's printed notices share it.
"""
from __future__ import annotations

FORM_EN = {
    "原件": "original",
    "复印件": "copy",
    "原件验收复印件": "original shown, copy kept",
    "电子": "electronic",
}

KIND_EN = {
    "行政许可": "Administrative licensing",
    "行政确认": "Administrative confirmation",
    "行政给付": "Administrative benefits",
    "行政征收": "Administrative levies",
    "行政裁决": "Administrative rulings",
    "行政奖励": "Administrative awards",
    "行政检查": "Administrative inspections",
    "其他行政权力": "Other administrative powers",
    "公共服务": "Public services",
}


def form_words(form: str, language: str) -> list[str]:
    """The forms a material is brought in (原件+复印件: two), each in `language`; in English the
    first capitalised, as it starts a line."""
    parts = [p for p in form.split("+") if p] or [form]
    if language != "en":
        return parts
    words = [FORM_EN.get(p, p) for p in parts]
    return [words[0][:1].upper() + words[0][1:], *words[1:]]


def kind_word(kind: str, language: str) -> str:
    """A matter's kind in `language`."""
    return KIND_EN.get(kind, kind) if language == "en" else kind
