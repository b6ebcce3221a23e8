"""What a device may push through the hall, and how each pushed record is judged.

A device pushes only its role's record types (`ROLE_TYPES`; the hall's own queue events come
from the hall alone). Each record's payload must match its type's schema (`PAYLOADS`: known
fields only, typed, bounded), must name only the pushing device and its own window, and no
text in it may hold anything like an ID number: personal data travels in `personal` only,
where the outbox seals it. A pushed rating is not stored as it came: it is a rating of a
ticket, and takes the rating endpoint's own path (`hall.api.ratings`), so the same rules hold
and the platform hears of it once, as the hall's `ticket.rated` event.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from hall import api_models as m
from hall.api.common import ApiContext, ApiError, refuse_id_numbers
from hall.api.ratings import Ratings
from hall.auth import AuthError, Principal
from hall.domain.errors import QueueError
from sync import records
from sync.protocol import ACCEPTED, DUPLICATE, REJECTED, ItemResult

ROLE_TYPES: dict[str, frozenset[str]] = {
    "pad": frozenset({records.RATING, records.DEVICE_HEALTH}),
    "kiosk": frozenset({records.APPLICATION, records.RATING, records.DEVICE_HEALTH}),
    "dispenser": frozenset({records.RATING, records.DEVICE_HEALTH}),
    "keypad": frozenset({records.DEVICE_HEALTH}),
    "operator": frozenset({records.DEVICE_HEALTH}),
}
PUSHERS = frozenset(ROLE_TYPES)

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RatingPayload(Payload):
    ticket: str = Field(min_length=1, max_length=120, description="the ticket's id (a pad) or signed reference")
    level: StrictInt = Field(ge=1, le=5)
    reasons: list[m.Reason] = Field(default_factory=list, max_length=10)
    text: str = Field(default="", max_length=500)
    channel: Literal["pad", "kiosk", "keypad"] = "pad"


class ApplicationPayload(Payload):
    matter: str = Field(pattern=r"^\d{12}$")
    window: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    materials: list[str] = Field(default_factory=list, max_length=50)
    note: str = Field(default="", max_length=500)


class DeviceHealthPayload(Payload):
    device: str = Code
    status: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    detail: str = Field(default="", max_length=200)


class Applicant(Payload):
    """An application's `personal` part: sealed in the outbox, never stored in the clear."""

    name: str | None = Field(default=None, min_length=1, max_length=64)
    id_number: str = Field(min_length=15, max_length=18)
    phone: str | None = Field(default=None, max_length=20)


PAYLOADS: dict[str, type[Payload]] = {
    records.RATING: RatingPayload,
    records.APPLICATION: ApplicationPayload,
    records.DEVICE_HEALTH: DeviceHealthPayload,
}
PERSONAL: dict[str, type[Payload]] = {records.APPLICATION: Applicant}  # other types carry none


class Refused(Exception):
    """Why one pushed item is refused (in words, never with its values)."""


def judge(who: Principal, item: Any) -> Payload:
    """The item's payload, checked for `who`; raises Refused with the reason."""
    reason = records.check_item(item)
    if reason:
        raise Refused(reason)
    kind = item["type"]
    allowed = ROLE_TYPES.get(who.role, frozenset())
    if kind not in allowed:
        raise Refused(f"a {who.role} may push only {', '.join(sorted(allowed)) or 'nothing'}, not {kind}")
    payload = _valid(PAYLOADS.get(kind), item["payload"], "payload", kind)
    personal_model = PERSONAL.get(kind)
    if personal_model is None and item.get("personal"):
        raise Refused(f"a {kind} record carries no personal data")
    if personal_model is not None:
        _valid(personal_model, item.get("personal"), "personal", kind)
    for where, text in _texts(item["payload"], "payload"):
        try:
            refuse_id_numbers(where, text)
        except ApiError as exc:
            raise Refused(exc.message) from None
    device = getattr(payload, "device", None)
    if device is not None and device != who.id:
        raise Refused(f"payload.device: {who.id} reports only on itself")
    window = getattr(payload, "window", None)
    if window is not None and who.windows and window not in who.windows:
        raise Refused(f"payload.window: {who.id} records only for its own window")
    return payload


def _valid(model: type[Payload] | None, data: Any, where: str, kind: str) -> Payload:
    if model is None:
        raise Refused(f"the hall takes no pushed {kind} records")
    try:
        return model.model_validate(data, strict=False)
    except ValidationError as exc:  # where and what, never the values (they may be personal)
        problems = [f"{where}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
        raise Refused(f"not a {kind} record: " + "; ".join(problems)) from None


def _texts(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, f"{where}.{i}")


class PushDesk:
    """Takes a device's batch: ratings through the rating path, other records into the outbox."""

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.ratings = Ratings(ctx)

    def receive(self, who: Principal, items: list[Any]) -> list[ItemResult]:
        results: list[ItemResult | None] = [None] * len(items)
        stored: list[tuple[int, Any]] = []
        for i, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            key = key if isinstance(key, str) else ""
            try:
                payload = judge(who, item)
            except Refused as exc:
                results[i] = ItemResult(key, REJECTED, str(exc))
                continue
            if isinstance(payload, RatingPayload):
                results[i] = self._rate(who, key, payload)
            else:
                stored.append((i, item))
        if stored:
            got: list[ItemResult] = []
            receive: Callable[..., Any] = self.ctx.sync.receive
            self.ctx.store.append([], also=lambda conn, _events: got.extend(
                receive(conn, [item for _, item in stored], who.id)))
            for (i, _), result in zip(stored, got, strict=True):
                results[i] = result
        return [r for r in results if r is not None]

    def _rate(self, who: Principal, key: str, payload: RatingPayload) -> ItemResult:
        body = m.PublicRatingBody(level=payload.level, reasons=payload.reasons, text=payload.text)
        before = self.ctx.service.last_seq
        try:
            self.ratings.rate(who, payload.ticket, body, payload.channel, f"push:{key}")
        except (QueueError, AuthError, ApiError) as exc:
            return ItemResult(key, REJECTED, exc.message)
        # an answer kept under this key, and no new event: the device sent the rating again
        return ItemResult(key, ACCEPTED if self.ctx.service.last_seq > before else DUPLICATE)
