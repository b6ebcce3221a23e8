"""Leases of ticket numbers: what lets a dispenser go on issuing while the hall PC is down.

The hall grants each dispenser a block of a queue's numbers for the day ahead of need
(``grant_lease``). Blocks are cut from the top of the day's numbers downwards (A970–A999, then
A940–A969 ...), so the hall's own numbering still starts at A001 and an offline ticket reads as
one; the hall's issue steps over every block (``HallState.leased``), and a block that would reach
down to the numbers already issued goes above everything instead (A1000 on). So no two blocks
overlap and no number of a block is ever issued by anyone else. The block is kept in reserve
while the hall answers; when it does not, the dispenser issues from the block on its own, and
once the hall is back it hands those tickets in (``issue_leased``), each with the time it was
printed, so the ticket takes its place in line by that time whichever dispenser reports first.

Both are decisions in the engine's shape: they check the state, return the events that follow,
and change nothing. ``lease.granted`` is folded by ``HallState``; the hall's store also keeps a
row per lease, where a trigger refuses any overlap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hall.domain import events as ev
from hall.domain.engine import Draft, QueueEngine
from hall.domain.errors import InvalidCommand, NotFound, QueueError
from hall.domain.model import Priority, TicketState
from hall.domain.numbers import LAST_SERIAL, NumbersUsedUp, ticket_number

MAX_LEASE = 500  # numbers in one block: a morning of a busy queue at one dispenser
FUTURE_SLACK = 120.0  # seconds a dispenser's clock may run ahead of the hall's


class LeaseConflict(QueueError):
    """A lease that is not the caller's, or a number it does not hold, or one handed in twice (409)."""

    code = "lease_conflict"


class StaleLease(LeaseConflict):
    """A lease of another hall day: its numbers belong to that day only."""

    code = "stale_lease"


class HandedInAlready(LeaseConflict):
    """A number already in today's line (handed in before, its answer lost): it will be called."""


class CheckedInAlready(LeaseConflict):
    """An appointment a kiosk checked in while the hall was away, already checked in with another ticket."""

    code = "already_checked_in"


@dataclass(frozen=True)
class Lease:
    """One block of a queue's numbers for one dispenser on one hall day."""

    id: str
    dispenser: str
    queue: str
    day: str
    first: int
    last: int
    prefix: str
    digits: int
    granted_at: float

    def holds(self, serial: int) -> bool:
        return self.first <= serial <= self.last

    def to_dict(self) -> dict[str, Any]:
        return {"lease": self.id, "dispenser": self.dispenser, "queue": self.queue, "day": self.day,
                "first": self.first, "last": self.last, "prefix": self.prefix, "digits": self.digits,
                "granted_at": self.granted_at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Lease:
        try:
            return cls(str(d["lease"]), str(d["dispenser"]), str(d["queue"]), str(d["day"]),
                       int(d["first"]), int(d["last"]), str(d["prefix"]), int(d["digits"]),
                       float(d["granted_at"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a lease: {exc!r} in {sorted(d)}") from None


def leases_of(engine: QueueEngine, dispenser: str | None = None) -> list[Lease]:
    """Today's leases (of one dispenser), in the order they were granted."""
    found = (Lease.from_dict(d) for d in engine.state.leases.values())
    return [x for x in found if dispenser is None or x.dispenser == dispenser]


def grant_lease(engine: QueueEngine, now: float, dispenser: str, queue: str, size: int) -> list[Draft]:
    """A new block of `size` numbers of `queue` for `dispenser`, after every number given so far."""
    q = engine._queue(queue)
    if not dispenser.strip():
        raise InvalidCommand("租约需要取号机编号（dispenser）", field="dispenser")
    if not 1 <= int(size) <= MAX_LEASE:
        raise InvalidCommand(f"租约号段须为 1 到 {MAX_LEASE} 个号，不是 {size}", field="size")
    first, last = _block(engine, q.id, int(size))
    if first > LAST_SERIAL:
        end = f"{q.prefix}{LAST_SERIAL}"
        raise NumbersUsedUp(f"{q.name}今日号码已发完（最后一号 {end}），无法再分配离线号段", last=end)
    day = engine.current_day(now)  # a clock set back across midnight: still the hall's day
    lease = Lease(f"{day.replace('-', '')}-{dispenser}-{q.id}-{first}", dispenser, q.id, day, first,
                  min(LAST_SERIAL, last), q.prefix, engine.setup.policy.ticket_digits, now)
    return [Draft(ev.LEASE_GRANTED, lease.to_dict())]


def _block(engine: QueueEngine, queue: str, size: int) -> tuple[int, int]:
    """Where the next block of `queue` goes: just below the lowest block (the first one at the top
    of the hall's digits), or above everything when that would reach the numbers issued already."""
    issued = engine.state.counters.get(queue, 0)
    blocks = engine.state.leased(queue)
    top = min((first for first, _ in blocks), default=10 ** engine.setup.policy.ticket_digits)
    if top - size > issued:
        return top - size, top - 1
    above = max([issued, *(last for _, last in blocks)]) + 1
    return above, above + size - 1


def issue_leased(
    engine: QueueEngine,
    now: float,
    dispenser: str,
    lease: str,
    number: str,
    issued_at: float,
    priority: Priority = Priority.NORMAL,
    replaces: str | None = None,
    appointment: str | None = None,
    slot_start: float | None = None,
    slot_end: float | None = None,
    holder: str | None = None,
) -> list[Draft]:
    """A ticket a dispenser printed from its lease while the hall was away, handed in now.

    It keeps the number and the time it was printed: it waits in line from then on. `replaces`
    is a ticket the hall issued for the same tap whose answer never reached the dispenser (the
    hall went down after storing it): nobody holds it, so it is cancelled with the same event.
    A kiosk's check-in made while the hall was away names its `appointment` (with its slot and
    holder, as the hall found them): the appointment is checked in at the time it was printed,
    once; one checked in already (at the hall, or by another kiosk) is refused, naming its ticket."""
    held = engine.state.leases.get(lease)
    if held is None:
        day = lease.split("-", 1)[0]
        if len(day) == 8 and day.isdigit() and day != (engine.state.day or "").replace("-", ""):
            raise StaleLease(f"租约 {lease} 属于 {day[:4]}-{day[4:6]}-{day[6:]}，大厅今天是 {engine.state.day}："
                             "其他日期的离线票不能进入今天的队列", lease=lease, day=engine.state.day)
        raise NotFound(f"今天没有租约 {lease!r}", lease=lease)
    granted = Lease.from_dict(held)
    if granted.dispenser != dispenser:
        raise LeaseConflict(f"租约 {lease} 属于 {granted.dispenser}，不是 {dispenser} 的号段",
                            lease=lease, dispenser=dispenser)
    serial = _serial(granted, number)
    if not granted.holds(serial):
        raise LeaseConflict(f"{number} 不在租约 {lease} 的号段 {granted.first}–{granted.last} 内",
                            lease=lease, number=number)
    if ev.hall_day(issued_at, engine.tz) != granted.day:
        raise StaleLease(f"离线票的取号时间 {ev.iso_utc(issued_at)} 不在租约的日期 {granted.day} 内"
                         "（取号机的时钟跨过了午夜？）", lease=lease, issued_at=issued_at)
    if issued_at > now + FUTURE_SLACK:
        raise InvalidCommand(f"离线票的取号时间 {ev.iso_utc(issued_at)} 晚于大厅时间 {ev.iso_utc(now)}"
                             "：取号机的时钟走快了", field="issued_at")
    ticket = f"{granted.day.replace('-', '')}-{number}"
    if ticket in engine.state.tickets:
        raise HandedInAlready(f"{number} 已在今天的队列中", ticket=ticket, lease=lease)
    data = {"ticket": ticket, "number": number, "serial": serial, "queue": granted.queue,
            "priority": Priority(priority).value, "channel": "dispenser", "issued_at": issued_at,
            "lease": lease, "dispenser": dispenser}
    ghost = engine.state.tickets.get(replaces) if replaces else None
    if appointment is not None:
        data.update(_checked_in_offline(engine, appointment, number, slot_start, slot_end, holder, ghost))
    drafts = []
    if ghost is not None and ghost.state is TicketState.WAITING:
        drafts = engine.cancel(now, ghost.id, f"取号机未收到回答，已离线打印 {number} 代替")
    return [*drafts, Draft(ev.TICKET_ISSUED, data)]


def _checked_in_offline(engine: QueueEngine, appointment: str, number: str, slot_start: float | None,
                        slot_end: float | None, holder: str | None, ghost: Any) -> dict[str, Any]:
    """What a ticket printed at an offline check-in carries of its appointment; refuses a second one,
    unless the first is the `ghost` of the kiosk's own check-in whose answer never came (still waiting:
    nobody holds it, and it is cancelled for this one)."""
    prior = engine.state.ticket_of_appointment(appointment)
    if prior is not None and not (prior is ghost and prior.state is TicketState.WAITING):
        raise CheckedInAlready(f"预约 {appointment} 已签到，票号 {prior.number}：离线打印的 {number} 不再入队",
                               appointment=appointment, ticket=prior.id, number=prior.number)
    if slot_start is None or slot_end is None or slot_end < slot_start:
        raise InvalidCommand("离线签到的票需要预约时段（slot_start 与 slot_end）", field="slot_start")
    data: dict[str, Any] = {"priority": Priority.APPOINTMENT.value, "channel": "appointment",
                            "appointment": appointment, "slot_start": slot_start, "slot_end": slot_end}
    if holder is not None:
        data["holder"] = holder
    return data


def _serial(lease: Lease, number: str) -> int:
    """The serial of a printed number of the lease's queue (A017 → 17), written as the hall writes it."""
    digits = number[len(lease.prefix):]
    serial = int(digits) if number.startswith(lease.prefix) and digits.isdigit() else 0
    if not 1 <= serial <= LAST_SERIAL or ticket_number(lease.prefix, serial, lease.digits) != number:
        raise InvalidCommand(f"{number!r} 不是 {lease.queue} 的票号（如 {ticket_number(lease.prefix, lease.first, lease.digits)}）",
                             field="number")
    return serial
