"""What the platform's admin may publish in each reference dataset, checked before it is.

`check(dataset, item)` returns (scope, id) for a valid item or raises InvalidItem. Appointments
are addressed to one node (their scope); the other datasets are for every node.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sync.reference import ANNOUNCEMENTS, APPOINTMENTS, CALENDAR, CASE_UPDATES, CATALOG

_CODE = re.compile(r"\d{12}")
_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_CHECK_IN_CODE = re.compile(r"[A-Za-z0-9_-]{8,16}")
_HOLDER = re.compile(r"[0-9a-f]{64}")
_MASKED_PHONE = re.compile(r"1[0-9]{2}\*{4}[0-9]{4}")
# what an identity is never published as: the hall matches a citizen by `holder` alone
_RAW_IDENTITY = ("id_number", "id_card", "idcard", "identity")
# nor a mobile number: the hall matches the booker's by `phone_hash`, shows `phone_masked`
_RAW_PHONE = ("phone", "mobile", "phone_number", "mobile_number", "tel", "telephone")


class InvalidItem(ValueError):
    pass


def _text(item: dict[str, Any], name: str, required: bool = True, limit: int = 20000) -> None:
    value = item.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidItem(f"{name} must be a non-empty text of at most {limit} characters")


def _date(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    try:
        return dt.date.fromisoformat(value).isoformat() if isinstance(value, str) and len(value) == 10 else ""
    except ValueError:
        return ""


def _id(item: dict[str, Any]) -> str:
    value = item.get("id")
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidItem("id must be 1-64 letters, digits, '_', '.', ':' or '-'")
    return value


def _catalog(item: dict[str, Any]) -> tuple[str, str]:
    code = item.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise InvalidItem("code must be the matter's 12-digit 基本编码")
    _text(item, "name", limit=200)
    for name in ("promised_days", "legal_days"):
        days = item.get(name)
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 365):
            raise InvalidItem(f"{name} must be a whole number of working days from 0 to 365")
    return "", code


def _announcement(item: dict[str, Any]) -> tuple[str, str]:
    ident = _id(item)
    _text(item, "title", limit=200)
    _text(item, "body")
    for name in ("valid_from", "valid_until", "published"):
        if item.get(name) is not None and not _date(item, name):
            raise InvalidItem(f"{name} must be an ISO date (YYYY-MM-DD) when given")
    if item.get("valid_from") and item.get("valid_until") and item["valid_until"] < item["valid_from"]:
        raise InvalidItem("valid_until must not be before valid_from")
    return "", ident


def _appointment(item: dict[str, Any]) -> tuple[str, str]:
    ident = _id(item)
    node = item.get("node")
    if not isinstance(node, str) or not _ID.fullmatch(node):
        raise InvalidItem("node must be the id of the hall the appointment is at")
    if not _date(item, "date"):
        raise InvalidItem("date must be an ISO date (YYYY-MM-DD)")
    for name in ("slot_start", "slot_end"):
        if not isinstance(item.get(name), str) or not _TIME.fullmatch(item[name]):
            raise InvalidItem(f"{name} must be a time HH:MM")
    if item["slot_end"] <= item["slot_start"]:
        raise InvalidItem("slot_end must be after slot_start")
    if not (isinstance(item.get("matter"), str) or isinstance(item.get("queue"), str)):
        raise InvalidItem("an appointment names its matter or its queue")
    code = item.get("code")
    if code is not None and not (isinstance(code, str) and _CHECK_IN_CODE.fullmatch(code)):
        raise InvalidItem("code (the check-in code) must be 8-16 letters, digits, '_' or '-'")
    holder = item.get("holder")
    if holder is not None and not (isinstance(holder, str) and _HOLDER.fullmatch(holder)):
        raise InvalidItem("holder must be the keyed hash of the ID number with the hall's identity key "
                          "(64 lowercase hex digits), never the number")
    for name in _RAW_IDENTITY:
        if name in item:
            raise InvalidItem(f"an appointment must not carry {name}: publish holder, its keyed hash")
    _booker_phone(item)
    return node, ident


def _booker_phone(item: dict[str, Any]) -> None:
    """The booker's mobile number, as its keyed hash and its masked form only."""
    phone_hash, masked = item.get("phone_hash"), item.get("phone_masked")
    if phone_hash is not None and not (isinstance(phone_hash, str) and _HOLDER.fullmatch(phone_hash)):
        raise InvalidItem("phone_hash must be the keyed hash of the booker's 11-digit mobile number with the "
                          "hall's identity key (64 lowercase hex digits), never the number")
    if masked is not None and not (isinstance(masked, str) and _MASKED_PHONE.fullmatch(masked)):
        raise InvalidItem("phone_masked must be the masked mobile number, 138****5678")
    if masked is not None and phone_hash is None:
        raise InvalidItem("phone_masked comes with phone_hash, the number's keyed hash")
    for name in _RAW_PHONE:
        if name in item:
            raise InvalidItem(f"an appointment must not carry {name}: publish phone_hash, its keyed hash, "
                              "and phone_masked")


def _calendar(item: dict[str, Any]) -> tuple[str, str]:
    day = _date(item, "date")
    if not day:
        raise InvalidItem("date must be an ISO date (YYYY-MM-DD)")
    if not isinstance(item.get("workday"), bool):
        raise InvalidItem("workday must be true (a working day, e.g. 调休) or false (a holiday)")
    _text(item, "name", required=False, limit=100)
    return "", day


_CASE_ACTIONS = ("step_started", "step_finished", "concluded")


def _case_update(item: dict[str, Any]) -> tuple[str, str]:
    """A back office moving a case on: a step started or finished, or the case concluded."""
    ident = _id(item)
    node = item.get("node")
    if not isinstance(node, str) or not _ID.fullmatch(node):
        raise InvalidItem("node must be the id of the hall that holds the case")
    _text(item, "case", limit=40)
    action = item.get("action")
    if action not in _CASE_ACTIONS:
        raise InvalidItem(f"action must be one of: {', '.join(_CASE_ACTIONS)}")
    if action == "step_started":
        _text(item, "step", limit=50)
    if action == "concluded" and not isinstance(item.get("approved"), bool):
        raise InvalidItem("a concluded case says whether it was approved (approved: true/false)")
    _text(item, "note", required=False, limit=500)
    return node, ident


_CHECKS = {CATALOG: _catalog, ANNOUNCEMENTS: _announcement, APPOINTMENTS: _appointment,
           CALENDAR: _calendar, CASE_UPDATES: _case_update}


def check(dataset: str, item: Any) -> tuple[str, str]:
    if not isinstance(item, dict):
        raise InvalidItem("an item must be a JSON object")
    return _CHECKS[dataset](item)
