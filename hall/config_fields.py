"""The hall configuration's field types, with readable expectations: the message of each
ValueError is the "expected" text a `ConfigIssue` shows. Every section of the file (hall.config,
hall.config_matters) is built from these."""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

_ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_USERNAME_RE = re.compile(r"[a-z][a-z0-9_.-]{1,31}")
_PREFIX_RE = re.compile(r"[A-Z]{1,2}")
_AREA_RE = re.compile(r"[1-9]\d{5}")
_MATTER_CODE_RE = re.compile(r"\d{12}")
_RATIO_RE = re.compile(r"\s*(\d+)\s*:\s*(\d+)\s*")
_MAX_RATIO = 20


def _check_id(value: str) -> str:
    if not _ID_RE.fullmatch(value):
        raise ValueError("an id of lowercase letters, digits, '-' or '_' (at most 40 characters)")
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("a non-empty text")
    return value.strip()


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("an IANA time zone name such as 'Asia/Shanghai'") from None
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, AfterValidator(_check_text)]
TimeZone = Annotated[str, AfterValidator(_check_timezone)]


class _Section(BaseModel):
    # TOML values carry their own types, so no string is silently turned into a number.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
