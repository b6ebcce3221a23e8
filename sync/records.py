"""The records a node sends: their types, and the checks every hop applies to an item.

An item is what travels in a push batch (docs/sync-protocol.md): a client-generated UUID
`key`, the sender's sequence number `seq`, a `type`, the time the sender `created` it (the
sender's clock, informational only: clocks disagree, order comes from `seq`), a JSON
`payload`, and `personal` data kept apart from it (identity: encrypted at rest on a node,
never logged). The hall forwarding a device's item adds `origin` and `origin_seq`.

`check_item` returns the reason an item is invalid, or None. The hall and the platform use
the same checks, so an invalid record is refused at its first hop.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

QUEUE_EVENT = "queue.event"
RATING = "rating"
APPLICATION = "application"
DEVICE_HEALTH = "device.health"
OPERATOR_CHANGE = "operator.change"
CASE_EVENT = "case.event"
CASE_LIGHTS = "case.lights"  # a day change's light changes, many cases to a record
FOLLOWUP_EVENT = "followup.event"  # a 差评 follow-up's change, with the follow-up after it
HALL_HEALTH = "hall.health"  # the hall's health when it changed: each device's and screen's state and why
CASE_PAGES = "case.pages"  # a part of one material's captured pages (a PDF cut into parts), personal data

MAX_ITEM_BYTES = 256 * 1024
MAX_TEXT = 200
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MATTER_CODE = re.compile(r"\d{12}")
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def is_key(value: Any) -> bool:
    """A canonical lowercase UUID, as `str(uuid.uuid4())` writes it."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def _queue_event(payload: dict[str, Any], personal: Any) -> str | None:
    if not isinstance(payload.get("seq"), int) or isinstance(payload.get("seq"), bool):
        return "queue.event payload needs an integer seq"
    if not isinstance(payload.get("type"), str) or not payload["type"]:
        return "queue.event payload needs the event type"
    if not isinstance(payload.get("data"), dict):
        return "queue.event payload needs a data object"
    return None


def _case_event(payload: dict[str, Any], personal: Any) -> str | None:
    reason = _queue_event(payload, personal)
    if reason:
        return reason.replace("queue.event", "case.event")
    if not payload["type"].startswith("case."):
        return "case.event payload type must be a case event (case.*)"
    case = payload.get("case")
    if not isinstance(case, dict) or not isinstance(case.get("number"), str) or not case["number"]:
        return "case.event payload needs the case with its number"
    if not isinstance(case.get("state"), str):
        return "case.event payload needs the case's state"
    return None


def _case_lights(payload: dict[str, Any], personal: Any) -> str | None:
    changes = payload.get("changes")
    if not isinstance(changes, list) or not changes:
        return "case.lights payload needs its changes"
    for change in changes:
        if not (isinstance(change, dict) and isinstance(change.get("case"), str)
                and change.get("light") in ("green", "yellow", "red") and isinstance(change.get("seq"), int)):
            return "each case.lights change needs the case number, its seq and its light (green/yellow/red)"
    return None


def _followup_event(payload: dict[str, Any], personal: Any) -> str | None:
    fu = payload.get("followup")
    if personal is not None:
        return "followup.event carries no personal data"
    if not isinstance(fu, dict) or not isinstance(fu.get("id"), str) or not isinstance(fu.get("state"), str):
        return "followup.event payload needs the follow-up with its id and state"
    if not str(payload.get("type", "")).startswith("followup."):
        return "followup.event payload type must be a follow-up event (followup.*)"
    reason = _queue_event(payload, personal)
    return None if reason is None else reason.replace("queue.event", "followup.event")


def _rating(payload: dict[str, Any], personal: Any) -> str | None:
    level = payload.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        return "rating level must be a whole number from 1 (非常不满意) to 5 (非常满意)"
    reasons = payload.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) and r.strip() for r in reasons):
        return "rating reasons must be a list of texts"
    text = payload.get("text", "")
    if not isinstance(text, str):
        return "rating text must be a text"
    if level <= 2 and not (reasons or text.strip()):
        return "a 差评 (level 1 or 2) needs a reason, picked or typed"
    for name in ("ticket", "case", "window", "staff", "matter", "channel"):
        value = payload.get(name)
        if value is not None and not (isinstance(value, str) and 0 < len(value) <= MAX_TEXT):
            return f"rating {name} must be a text of at most {MAX_TEXT} characters"
    return None


def _application(payload: dict[str, Any], personal: Any) -> str | None:
    matter = payload.get("matter")
    if not isinstance(matter, str) or not _MATTER_CODE.fullmatch(matter):
        return "application needs the 12-digit code of its matter"
    if not isinstance(personal, dict) or not personal:
        return "application needs the applicant's identity in personal"
    return None


def _case_pages(payload: dict[str, Any], personal: Any) -> str | None:
    for name in ("case", "material"):
        if not (isinstance(payload.get(name), str) and 0 < len(payload[name]) <= MAX_TEXT):
            return f"case.pages needs {name}, a text of at most {MAX_TEXT} characters"
    if not (isinstance(payload.get("pages_id"), str) and re.fullmatch(r"[0-9a-f]{32}", payload["pages_id"])):
        return "case.pages needs pages_id, 32 hex digits"
    part, parts = payload.get("part"), payload.get("parts")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (part, parts)) or not 1 <= part <= parts:
        return "case.pages needs part and parts, whole numbers with 1 <= part <= parts"
    if not (isinstance(personal, dict) and isinstance(personal.get("pdf"), str) and personal["pdf"]):
        return "case.pages needs its part of the PDF (base64) in personal.pdf"
    return None


def _device_health(payload: dict[str, Any], personal: Any) -> str | None:
    if not isinstance(payload.get("device"), str) or not _NAME.fullmatch(payload["device"]):
        return "device.health needs the device id"
    if not isinstance(payload.get("status"), str) or not payload["status"]:
        return "device.health needs a status"
    return None


def _hall_health(payload: dict[str, Any], personal: Any) -> str | None:
    if personal is not None:
        return "hall.health carries no personal data"
    if payload.get("state") not in ("ok", "warning", "error"):
        return "hall.health needs its state: ok, warning or error"
    items = payload.get("items")
    if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("id"), str) and i.get("state") in ("ok", "warning", "error")
            for i in items):
        return "hall.health needs its items, each with an id and a state (ok, warning or error)"
    return None


def _operator_change(payload: dict[str, Any], personal: Any) -> str | None:
    for name in ("who", "action", "target"):
        value = payload.get(name)
        if not (isinstance(value, str) and 0 < len(value) <= MAX_TEXT):
            return f"operator.change needs {name}, a text of at most {MAX_TEXT} characters"
    if not isinstance(payload.get("at"), int | float) or isinstance(payload.get("at"), bool):
        return "operator.change needs at, when it was made (seconds since the epoch)"
    for name in ("before", "after"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"operator.change {name} must be an object or null"
    return None


CHECKS: dict[str, Callable[[dict[str, Any], Any], str | None]] = {
    QUEUE_EVENT: _queue_event,
    RATING: _rating,
    APPLICATION: _application,
    DEVICE_HEALTH: _device_health,
    HALL_HEALTH: _hall_health,
    OPERATOR_CHANGE: _operator_change,
    CASE_EVENT: _case_event,
    CASE_LIGHTS: _case_lights,
    FOLLOWUP_EVENT: _followup_event,
    CASE_PAGES: _case_pages,
}
TYPES = frozenset(CHECKS)


def check_item(item: Any, payload_text: str | None = None) -> str | None:
    """Why `item` (a decoded push item) is invalid, or None when every hop may store it.

    `payload_text` is the payload as `dumps` writes it, when the caller has it already.
    """
    if not isinstance(item, dict):
        return "an item must be a JSON object"
    if not is_key(item.get("key")):
        return "key must be a lowercase UUID (8-4-4-4-12 hex digits)"
    seq = item.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**63:
        return "seq must be a whole number >= 0"
    created = item.get("created")
    if not isinstance(created, int | float) or isinstance(created, bool) or created != created:
        return "created must be a number (seconds since the epoch)"
    kind = item.get("type")
    if kind not in CHECKS:
        return f"unknown record type {str(kind)[:40]!r} (known: {', '.join(sorted(TYPES))})"
    payload = item.get("payload")
    if not isinstance(payload, dict):
        return "payload must be a JSON object"
    personal = item.get("personal")
    if personal is not None and not isinstance(personal, dict):
        return "personal must be a JSON object or null"
    origin = item.get("origin")
    if origin is not None and not (isinstance(origin, str) and _NAME.fullmatch(origin)):
        return "origin must be a device id"
    origin_seq = item.get("origin_seq")
    if origin_seq is not None and (not isinstance(origin_seq, int) or isinstance(origin_seq, bool)):
        return "origin_seq must be a whole number"
    text = dumps(payload) if payload_text is None else payload_text
    size = len(text.encode()) + (len(dumps(personal).encode()) if personal else 0)
    if size > MAX_ITEM_BYTES:
        return f"record over {MAX_ITEM_BYTES} bytes"
    return CHECKS[kind](payload, personal)


def dumps(value: Any) -> str:
    """The one JSON form records are stored and sent in: compact, UTF-8 text kept as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
