"""The record of offline tickets the hall refused for good at hand-in, folded from the hall's event
log (`refusal.recorded`, `refusal.handled`): a restart rebuilds it, like the follow-ups.

While the hall PC was away a dispenser or a kiosk printed a ticket from its lease; handed in, the
hall may refuse it for good, and the citizen holding it sits in the hall with a number nobody will
call. Each such refusal is recorded once (one per lease and number, however often the device
retries) so the floor staff see it, find the citizen, give them a ticket that will be called and
mark it handled with a note.

Only a refusal of the ticket itself counts (`refused_for_good`): what the device printed cannot
join the line, and sending it again changes nothing. These are the queue errors raised by the
decision on the ticket (`hall.leases.issue_leased` and the offline check-in's checks):

- 404 `not_found`: the lease is not one of today's, or the appointment is not (cancelled, unknown);
- 409 `stale_lease`: the lease, or the time the ticket was printed, belongs to another day;
- 409 `lease_conflict`: another device's lease, or a number outside the lease; but not a number
  already in today's line (`HandedInAlready`: that ticket was handed in before, it will be called);
- 409 `already_checked_in`: the appointment was checked in already with another ticket;
- 422 `invalid`: the number is not one of the lease's queue, the ticket was printed after the
  hall's time, outside the appointment's slot, or for an appointment of another queue.

Not counted, since no ticket was judged: 401/403 (the caller is not a lease holder, or not
signed in: the device's trouble, not the citizen's), 422 from a malformed body (request
validation, a time without zone: no device prints such a ticket), 422 `idempotency_conflict`
(the device reused a key), 400 (a bad Idempotency-Key), 503 and other server errors (retried).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from hall.domain.errors import QueueError
from hall.domain.events import Event, iso_utc
from hall.leases import HandedInAlready

PREFIX = "refusal."
RECORDED = "refusal.recorded"
HANDLED = "refusal.handled"
MAX_NOTE = 100  # characters of a handled note: "已补发 A031，已请群众到 3 号窗口" fits many times
DEVICE_KINDS = {"dispenser": "取号机", "kiosk": "自助终端"}
COUNTED = frozenset({"not_found", "stale_lease", "lease_conflict", "already_checked_in", "invalid"})

# what the staff console says of each refusal: the citizen's situation, not the device's code
_PLAIN = {
    "stale_lease": "号票属于其他日期的号段（如昨天打印的号），不能进入今天的队列",
    "lease_conflict": "号码不属于打印它的设备的号段",
    "already_checked_in": "该预约已在大厅签到并取过号，这张离线号票作废",
    "not_found": "大厅找不到这张号票的号段或预约（号段不是今天的，或预约已取消）",
    "invalid": "号码或打印时间与号段不符",
}
_PLAIN_FIELD = {
    "number": "号码不是该号段所属队列的号",
    "issued_at": "打印时间不对：不在预约可签到的时段内，或晚于大厅时间（设备时钟可能不准）",
    "appointment": "预约不在这个号段的队列办理",
    "slot_start": "离线签到的号票缺少预约时段",
}


def refused_for_good(exc: BaseException) -> bool:
    """Whether a refusal of a hand-in leaves a citizen with a ticket that will never be called."""
    return isinstance(exc, QueueError) and exc.code in COUNTED and not isinstance(exc, HandedInAlready)


def refusal_id(lease: str, number: str) -> str:
    """One refusal per printed ticket: the same lease and number, retried, is the same refusal."""
    return "rf-" + hashlib.sha256(f"{lease}\n{number}".encode()).hexdigest()[:16]


def plain_reason(code: str, field: str | None) -> str:
    """Why the ticket was refused, in the words the floor staff use."""
    if code == "invalid" and field in _PLAIN_FIELD:
        return _PLAIN_FIELD[field]
    return _PLAIN.get(code, "大厅拒收了这张离线号票")


@dataclass(frozen=True)
class Refusal:
    """One offline ticket refused for good at hand-in, and, once handled, who handled it and how."""

    id: str
    day: str  # the hall day it was refused on
    device: str
    kind: str  # dispenser or kiosk
    lease: str
    number: str
    queue: str
    printed_at: float
    appointment: str | None  # a kiosk's check-in: the appointment's id only
    status: int
    code: str
    field: str | None  # the field an `invalid` refusal named
    message: str  # as the device was answered
    refused_at: float
    handled_at: float | None = None
    handled_by: str | None = None
    note: str = ""

    @property
    def is_open(self) -> bool:
        return self.handled_at is None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out.update(printed_at_iso=iso_utc(self.printed_at), refused_at_iso=iso_utc(self.refused_at),
                   handled_at_iso=None if self.handled_at is None else iso_utc(self.handled_at),
                   device_kind=DEVICE_KINDS.get(self.kind, self.kind), reason=plain_reason(self.code, self.field),
                   open=self.is_open)
        return out


def recorded_data(r: Refusal) -> dict[str, Any]:
    """The data of a `refusal.recorded` event (its day and time are the event's)."""
    return {"refusal": r.id, "device": r.device, "kind": r.kind, "lease": r.lease, "number": r.number,
            "queue": r.queue, "printed_at": r.printed_at, "appointment": r.appointment, "status": r.status,
            "code": r.code, "field": r.field, "message": r.message}


@dataclass
class Ledger:
    """Every refusal recorded, by id, in the order recorded."""

    items: dict[str, Refusal] = field(default_factory=dict)

    def apply(self, e: Event) -> None:
        d = e.data
        if e.type == RECORDED:
            self.items[d["refusal"]] = Refusal(
                d["refusal"], e.day, d["device"], d["kind"], d["lease"], d["number"], d["queue"],
                float(d["printed_at"]), d.get("appointment"), int(d["status"]), d["code"], d.get("field"),
                d["message"], e.ts)
        elif e.type == HANDLED:
            rec = self.items[d["refusal"]]
            self.items[rec.id] = replace(rec, handled_at=e.ts, handled_by=d["by"], note=d["note"])

    def of_day(self, day: str) -> list[Refusal]:
        return [r for r in self.items.values() if r.day == day]
