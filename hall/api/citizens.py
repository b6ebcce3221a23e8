"""The hall API of the citizen screens (kiosk, dispenser): service guides, announcements, a
citizen's tickets and appointments by ID number, a ticket's progress, appointment check-in (by
code, ID number or the booker's mobile number).

An ID number or a mobile number comes in a request body only (never a URL), is checked, hashed
with the hall's identity key and dropped: answers carry its masked form, nothing stores or logs
the number.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Header, Response

from hall import api_models as m
from hall.api import views
from hall.api.common import API, ApiContext
from hall.api.operators import operator_store
from hall.auth import AuthError, Principal
from hall.config import HallConfig
from hall.domain.appointments import Appointment, choose, mask_code, parse_code
from hall.domain.errors import InvalidCommand, NotFound, QueueError
from hall.domain.events import iso_utc
from hall.guides import Announcements, Guides
from hall.identity import Identity
from hall.phone_guesses import PhoneGuesses
from hall.service import HallService
from hall.wire import AppointmentsCopy, IssueAnswer
from sync.reference import ReferenceStore

log = logging.getLogger(__name__)


class Unroutable(QueueError):
    status = 409
    code = "unroutable"


def ticket_answer(result: dict[str, Any], config: HallConfig, identity: Identity) -> dict[str, Any]:
    """The answer of a ticket issued (or found again): with the hall and the ticket's follow link."""
    result["hall"] = {"id": config.hall.id, "name": config.hall.name}
    result["follow_path"] = identity.follow_path(result["ticket"]["id"])
    IssueAnswer.read(result, "the hall's ticket answer")  # what the screens read: checked before it leaves
    return result


@dataclass(frozen=True)
class Found:
    """The appointments of what a citizen showed today, and how to name what was looked for."""

    matches: tuple[Appointment, ...]
    looked_for: str
    fields: dict[str, str] = field(default_factory=dict)  # a ticket's holder fields, from an ID number
    phone_masked: str = ""

    def not_found(self, day: str) -> str:
        if self.phone_masked:
            return f"今天没有这个手机号的预约（{self.phone_masked}），请核对号码，或用预约核验码、身份证签到，或取普通号"
        return f"今天（{day}）本厅没有{self.looked_for} 的预约，请核对后再试，或取普通号"


class CitizenDesk:
    """What the routes share: the hall's appointments of today and how a ticket is found for one."""

    def __init__(self, config: HallConfig, service: HallService, reference: ReferenceStore,
                 identity: Identity, guides: Guides) -> None:
        self.config, self.service, self.reference = config, service, reference
        self.identity, self.guides = identity, guides
        self.tz = ZoneInfo(config.hall.timezone)
        self.grace = config.policy.appointment_grace_minutes
        self.queue_names = {q.id: q.name for q in config.queues}
        self.phone_guesses = PhoneGuesses()
        self.queue_names_en = {q.id: q.name_en for q in config.queues}
        self.matter_names_en = {x.code: x.name_en for x in config.matters}

    def today(self) -> tuple[float, str]:
        now = self.service.clock()
        return now, self.service.engine.day_of(now)

    def appointments(self, day: str) -> list[Appointment]:
        """This hall's appointments on `day`, from the platform's reference copy."""
        found = []
        for item in self.reference.appointments([day]):
            if item.get("node") == self.config.node_id:
                a = Appointment.from_item(item)
                if a is not None:
                    found.append(a)
        return found

    def queue_of(self, a: Appointment) -> str | None:
        if a.queue in self.queue_names:
            return a.queue
        guide = self.guides.get(a.matter) if a.matter else None
        return guide["queue"] if guide else None

    def appointment_view(self, a: Appointment, now: float) -> dict[str, Any]:
        guide = self.guides.get(a.matter) if a.matter else None
        queue = self.queue_of(a)
        ticket = self.service.state.ticket_of_appointment(a.id)
        return {
            "id": a.id, "date": a.date, "slot_start": a.slot_start, "slot_end": a.slot_end,
            "matter": a.matter, "matter_name": guide["name"] if guide else None,
            "matter_name_en": self.matter_name_en(a.matter, guide),
            "queue": queue, "queue_name": self.queue_names.get(queue) if queue else None,
            "queue_name_en": self.queue_names_en.get(queue) or None if queue else None,
            "admission": a.admission(now, self.tz, self.grace).value,
            "checked_in": ticket is not None,
            "ticket": ticket.id if ticket else None,
            "ticket_number": ticket.number if ticket else None,
        }

    def matter_name_en(self, matter: str | None, guide: dict[str, Any] | None) -> str | None:
        """The matter's English name for English screens: the guide's, else the hall's own matter's."""
        if not matter:
            return None
        return str((guide or {}).get("name_en") or self.matter_names_en.get(matter) or "") or None

    def offline_copy(self) -> dict[str, Any]:
        """Today's appointments as a kiosk keeps them for check-ins while the hall is away: code,
        slot, queue and matter, and the holder only as its day tag (hall.identity.day_tag)."""
        now, day = self.today()
        found = []
        for a in self.appointments(day):
            view = self.appointment_view(a, now)
            if view["queue"] is None:
                continue  # not queued in this hall: the kiosk sends the citizen to the desk as the hall would
            del view["admission"]
            view["code"] = a.code
            view["holder_tag"] = self.identity.day_tag(a.holder, day) if a.holder else None
            found.append(view)
        answer = {"day": day, "grace_minutes": float(self.grace), "appointments": found}
        AppointmentsCopy.read(answer, "the kiosk's copy of today's appointments")  # checked before it leaves
        return answer

    def offline_check_in(self, appointment: str, queue: str, issued_at: float) -> dict[str, Any]:
        """What a ticket printed at a kiosk's check-in while the hall was away needs of its
        appointment (issue_leased's `appointment`, slot and holder): it must be one of today's,
        queued where the number was leased, and open for check-in when the ticket was printed."""
        day = self.service.engine.day_of(issued_at)
        a = next((x for x in self.appointments(day) if x.id == appointment), None)
        if a is None:
            raise NotFound(f"{day} 本厅没有预约 {appointment!r}：离线签到的票不能入队", appointment=appointment,
                           day=day)
        if self.queue_of(a) != queue:
            raise InvalidCommand(f"预约 {appointment} 在队列 {self.queue_of(a)} 办理，离线票的号段属于 {queue}",
                                 field="appointment", appointment=appointment)
        state = a.admission(issued_at, self.tz, self.grace)
        if state.value != "open":
            raise InvalidCommand(f"离线签到的时间 {iso_utc(issued_at)} 不在预约 {a.date} {a.slot_start}–{a.slot_end}"
                                 f" 可签到的时段内（{state.value}）：终端的时钟可能跳变了", field="issued_at",
                                 appointment=appointment, admission=state.value)
        start, end = a.slot(self.tz)
        return {"appointment": a.id, "slot_start": start, "slot_end": end, "holder": a.holder}

    def check_in(self, body: m.CheckInBody, caller: str,
                 idempotency_key: str | None = None) -> tuple[dict[str, Any], bool]:
        """Checks in today's appointment found by code, ID number or phone, for `caller` (the
        device or staff member asking: whose wrong phone numbers are counted)."""
        ways = [w for w in (body.code, body.id_number, body.phone) if w is not None]
        if len(ways) != 1:
            raise InvalidCommand("请给出预约核验码（code）、身份证号（id_number）或手机号（phone）中的一个",
                                 field="code")
        now, day = self.today()
        found = self._find(body, caller, now, day)
        state = self.service.state
        a = choose(found.matches, now, self.tz, self.grace, lambda id: state.ticket_of_appointment(id) is not None)
        if a is None:
            raise NotFound(found.not_found(day), looked_for=found.looked_for, day=day)
        if state.ticket_of_appointment(a.id) is None:
            a.check_admission(now, self.tz, self.grace)
        queue = self.queue_of(a)
        if queue is None:
            raise Unroutable("该预约的事项不在本厅排队办理，请到咨询服务台", appointment=a.id)
        fields = found.fields or ({"holder": a.holder} if a.holder else {})
        start, end = a.slot(self.tz)
        params = {"queue": queue, "priority": "appointment", "channel": "appointment",
                  "slot_start": start, "slot_end": end, **fields}
        result, issued = self.service.check_in(a.id, params, idempotency_key)
        if issued:
            log.info("appointment %s checked in: %s", a.id, result["ticket"]["number"])
        answer = ticket_answer(result, self.config, self.identity)
        answer["appointment"] = self.appointment_view(a, now)
        answer["already_checked_in"] = not issued
        answer["appointments_today"] = len(found.matches)
        if found.phone_masked:
            answer["phone_masked"] = found.phone_masked
        return answer, issued

    def _find(self, body: m.CheckInBody, caller: str, now: float, day: str) -> Found:
        """Today's appointments of what the citizen showed; a wrong phone number counts against `caller`."""
        if body.code is not None:
            code = parse_code(body.code)
            return Found(tuple(a for a in self.appointments(day) if a.code == code), f"核验码 {mask_code(code)}")
        if body.id_number is not None:
            fields = self.identity.ticket_fields(self.identity.checked(body.id_number))
            return Found(tuple(a for a in self.appointments(day) if a.holder == fields["holder"]),
                         f"身份证号 {fields['id_masked']}", fields)
        phone = self.identity.phone_fields(body.phone or "")  # a malformed number is no guess: not counted
        self.phone_guesses.admit(caller, phone["phone_hash"], now)
        matches = tuple(a for a in self.appointments(day) if a.phone_hash == phone["phone_hash"])
        self.phone_guesses.settle(caller, phone["phone_hash"], now, found=bool(matches))
        return Found(matches, f"手机号 {phone['phone_masked']}", phone_masked=phone["phone_masked"])

    def lookup(self, id_number: str) -> dict[str, Any]:
        number = self.identity.checked(id_number)
        fields = self.identity.ticket_fields(number)
        now, day = self.today()
        tickets = [{**t, "follow_path": self.identity.follow_path(t["id"])}
                   for t in self.service.tickets_of(fields["holder"])]
        mine = sorted((a for a in self.appointments(day) if a.holder == fields["holder"]),
                      key=lambda a: (a.slot_start, a.id))
        return {"day": day, "id_masked": fields["id_masked"], "tickets": tickets,
                "appointments": [self.appointment_view(a, now) for a in mine]}


def router(ctx: ApiContext) -> APIRouter:
    config, service, guides, principal = ctx.config, ctx.service, ctx.guides, ctx.principal
    api = APIRouter(prefix=API, dependencies=[Depends(principal)], responses=m.ERRORS)
    desk = CitizenDesk(config, service, ctx.sync.reference, ctx.identity, guides)
    announcements = Announcements(config, ctx.sync.reference, service.clock, operator_store(ctx).notices)

    def at_a_desk(who: Principal) -> None:
        if not who.may_issue():
            raise AuthError(403, f"{who.role} 不能查询或签到（only ticket desks and staff）")

    @api.get("/guides", tags=["guides"])
    async def guide_list() -> dict[str, Any]:
        """Every service guide of the hall: `source` says whether the platform's catalog is in it,
        `age_seconds` how long since the platform last confirmed that copy."""
        return guides.listing()

    @api.get("/guides/{code}", tags=["guides"])
    async def guide(code: str) -> dict[str, Any]:
        found = guides.get(code)
        if found is None:
            raise NotFound(f"本厅没有事项 {code!r} 的办事指南", matter=code)
        return found

    @api.get("/announcements", tags=["guides"])
    async def announcement_list() -> dict[str, Any]:
        """The announcements valid today (the hall's day), newest first."""
        return announcements.current(desk.today()[1])

    @api.post("/lookup", tags=["citizens"])
    async def lookup(body: m.LookupBody, who: Principal = Depends(principal)) -> dict[str, Any]:
        """A citizen's tickets and appointments of today, by ID number (POST: never in a URL)."""
        at_a_desk(who)
        return views.for_role(desk.lookup(body.id_number), who.role)

    @api.get("/tickets/{ticket_id}/progress", tags=["tickets"])
    async def progress(ticket_id: str, who: Principal = Depends(principal)) -> dict[str, Any]:
        """The ticket, its people ahead and estimated wait, and whether it was rated (`may_rate`:
        finished today and not rated yet)."""
        return views.for_role(service.progress(ticket_id), who.role)

    @api.get("/appointments/today", tags=["appointments"], responses={200: {"model": AppointmentsCopy}})
    async def appointments_today(who: Principal = Depends(principal)) -> dict[str, Any]:
        """Today's appointments as a kiosk keeps them to check citizens in while the hall is away:
        each with its code, slot, queue and matter (Chinese and English names) and whether it is
        checked in; the holder only as `holder_tag`, its keyed hash re-keyed for the day. Kiosks only."""
        if who.role != "kiosk":
            raise AuthError(403, f"{who.role} 不保存预约副本（only a kiosk checks in while the hall is away）")
        return desk.offline_copy()

    @api.post("/appointments/check-in", tags=["appointments"], status_code=201,
              responses={200: {"description": "checked in before: the same ticket"},
                         429: {"description": "too many phone numbers without an appointment from this "
                                              "caller (Retry-After says when to try again)",
                               "content": m.ERROR_CONTENT}})
    async def check_in(body: m.CheckInBody, response: Response, who: Principal = Depends(principal),
                       idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """Checks in today's appointment found by its code (or the QR's link), by ID number or by the
        booker's mobile number, and issues its ticket (priority appointment, in its slot). Checking in
        again gives the same ticket. Of several appointments today, the one open now (else the next)
        is checked in; `appointments_today` says how many there are. A caller that typed too many
        phone numbers without an appointment is refused for a while (429, Retry-After). A kiosk whose
        request got no answer names its Idempotency-Key when it hands in the check-in it then made
        offline (`unanswered_key`): the ticket issued here, if any, gives way to that one."""
        at_a_desk(who)
        answer, issued = desk.check_in(body, f"{who.kind}/{who.id}", ctx.scoped(who, idempotency_key))
        if not issued:
            response.status_code = 200
        return views.for_role(answer, who.role)

    return api
