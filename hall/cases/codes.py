"""Codes a case carries: the unified social credit code's check character (GB 32100-2015)
and the case number, unique per hall and year, in the hall's configured pattern.
"""
from __future__ import annotations

import re
import string

from hall.cases.errors import InvalidCase

# GB 32100: 31 characters, without I, O, S, V, Z
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CHARS)}


def credit_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code from its first 17."""
    if len(first17) != 17 or any(c not in _CREDIT_VALUE for c in first17):
        raise ValueError("a credit code's check character needs 17 characters of 0-9 and A-Y without I O S V Z")
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def check_credit_code(code: str) -> str:
    """The code itself when valid; otherwise `InvalidCase` saying what is wrong with it."""
    if len(code) != 18:
        raise InvalidCase(f"统一社会信用代码须为 18 位，收到 {len(code)} 位", field="credit_code")
    bad = [c for c in code if c not in _CREDIT_VALUE]
    if bad:
        raise InvalidCase(f"统一社会信用代码含有不允许的字符 {bad[0]!r}（不用 I O S V Z）", field="credit_code")
    expected = credit_check_char(code[:17])
    if code[17] != expected:
        raise InvalidCase(f"统一社会信用代码校验位错误：末位应为 {expected}", field="credit_code")
    return code


_FIELDS = {"area", "year", "serial"}


def check_number_pattern(pattern: str) -> str:
    """A case-number pattern: `{year}` and `{serial...}` required, `{area}` allowed, digits only
    around them, so that every number is unique per year and can be read aloud."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"case number pattern {pattern!r}: {exc}") from exc
    names = [name for _, name, _, _ in parts if name is not None]
    unknown = set(names) - _FIELDS
    if unknown:
        raise ValueError(f"case number pattern {pattern!r}: unknown field {sorted(unknown)[0]!r} "
                         "(use {area}, {year}, {serial})")
    if "year" not in names or "serial" not in names:
        raise ValueError(f"case number pattern {pattern!r} needs {{year}} and {{serial}}")
    literal = "".join(text for text, _, _, _ in parts)
    if literal and not re.fullmatch(r"[0-9A-Z-]*", literal):
        raise ValueError(f"case number pattern {pattern!r}: only digits, capitals and '-' between fields")
    return pattern


def case_number(pattern: str, area: str, year: int, serial: int) -> str:
    return pattern.format(area=area, year=year, serial=serial)


def speakable(number: str) -> str:
    """The number as staff read it aloud: digits in groups of four (3708 2920 2600 0001)."""
    digits = number.replace("-", "")
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
