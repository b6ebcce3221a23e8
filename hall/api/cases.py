"""The hall API of cases (办件): staff at a window create and decide them, supervisors see all,
citizens follow their own, devices see what their screen needs.

A window's staff open a case for the ticket they are serving; the kiosk submits one for 预审.
ID numbers and names come in request bodies only, are checked, kept as keyed hash and masked
form, and dropped. A citizen finds a case by its number with the ID number it was filed
under, or by the signed reference printed on its notices (`/c/<number>.<sig>`).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import Field

from ground import privacy
from ground.privacy import mask_name
from hall import api_models as m
from hall.api.case_views import CaseLookupAnswer, CitizenCase
from hall.api.common import ApiContext, refuse_id_numbers
from hall.auth import AuthError, Principal
from hall.case_english import with_english
from hall.case_notices import case_notice
from hall.case_service import CaseService
from hall.cases.engine import RATABLE
from hall.cases.errors import CaseNotFound, InvalidCase
from hall.cases.model import STATE_LABEL, Applicant, CaseRec, Channel, Person
from hall.config import HallConfig
from hall.domain.model import TicketState
from hall.identity import Identity

log = logging.getLogger(__name__)

API = "/api/v1"
PUBLIC = "/public/cases/{signed}"
RATING = "/public/cases/{signed}/rating"
PAGE = "/c/{signed}"
CASE_PATHS = frozenset({PUBLIC, RATING, PAGE})
WEB_DIR = Path(__file__).resolve().parents[1] / "web"
SIG_PREFIX = "case:"  # a case's signature is not a ticket's, even for the same characters
_PHONE = re.compile(r"1\d{10}")
_NO_STORE = {"Cache-Control": "no-store"}
Provided = Literal["original", "copy", "licence", "image", "missing"]


class PersonBody(m.Body):
    id_number: str = Field(min_length=1, max_length=32, repr=False)
    name: str = Field(default="", max_length=64, repr=False)


class ApplicantBody(m.Body):
    """A person (`id_number`, `name`), the person whose card the served ticket was drawn with
    (`from_ticket`), or an organisation (`credit_code`, `org_name`)."""

    from_ticket: bool = Field(default=False, description="the ID card swiped for the ticket the window serves")
    id_number: str | None = Field(default=None, min_length=1, max_length=32, repr=False)
    name: str = Field(default="", max_length=64, repr=False)
    credit_code: str | None = Field(default=None, min_length=1, max_length=32)
    org_name: str = Field(default="", max_length=200)


class CreateBody(m.Body):
    matter: str = Field(min_length=1, max_length=64, description="the matter's unified code")
    applicant: ApplicantBody
    agent: PersonBody | None = Field(default=None, description="代办人, when someone applies for another")
    phone: str = Field(default="", max_length=20, repr=False, description="contact mobile; kept masked")
    channel: Literal["window", "kiosk", "village", "phone"] | None = Field(
        default=None, description="`kiosk` from a self-service terminal (its default and only one); "
                                  "`window` (the default), `village` or `phone` from staff")
    window: str | None = Field(default=None, max_length=64, description="the window accepting it")
    department: str | None = Field(default=None, max_length=100,
                                   description="handling department, when not the matter's own (同城通办)")
    materials: dict[str, Provided] = Field(default_factory=dict, max_length=60)
    applies: list[str] = Field(default_factory=list, max_length=60,
                               description="conditional materials whose condition applies")


class MaterialsBody(m.Body):
    materials: dict[str, Provided] = Field(default_factory=dict, max_length=60)
    applies: list[str] | None = Field(default=None, max_length=60)


class WindowBody(m.Body):
    window: str | None = Field(default=None, max_length=64)


class CorrectionItem(m.Body):
    material: str = Field(min_length=1, max_length=200)
    reason: str = Field(default="", max_length=200)


class CorrectionBody(WindowBody):
    items: list[CorrectionItem] = Field(default_factory=list, max_length=60,
                                        description="non-conforming materials; missing ones are added")
    deadline_days: int | None = Field(default=None, ge=1, le=60)


class RefusalBody(WindowBody):
    reason: str = Field(min_length=1, max_length=500)
    redirect: str = Field(default="", max_length=200, description="where to apply instead")


class StepBody(m.Body):
    step: str = Field(min_length=1, max_length=50)
    limit_days: int | None = Field(default=None, ge=0, le=365)


class ConclusionBody(m.Body):
    approved: bool
    note: str = Field(default="", max_length=500)


class DeliveryBody(m.Body):
    method: Literal["pickup", "post"]
    proof: Literal["id_card", "notice_qr"] | None = None
    address: str = Field(default="", max_length=200, repr=False, description="postal address; kept masked")
    tracking: str = Field(default="", max_length=40)


class CaseLookupBody(m.Body):
    id_number: str = Field(min_length=1, max_length=32, repr=False)
    number: str | None = Field(default=None, min_length=1, max_length=40,
                               description="the case number; without it, every case of the ID number")


def may_see(who: Principal, c: CaseRec) -> bool:
    """Supervisors see every case; staff those of their windows and a kiosk's 预审 no window has taken."""
    if who.may_manage():
        return True
    return who.role == "staff" and (c.window in who.windows or (c.window is None and c.channel is Channel.KIOSK))


def mask_phone(phone: str) -> str:
    digits = phone.replace(" ", "").replace("-", "")
    if not _PHONE.fullmatch(digits):
        raise InvalidCase("联系电话须为 11 位手机号", field="phone")
    return privacy.mask_phone(digits)


def mask_address(address: str) -> str:
    """What a case keeps of a postal address: the first six characters (province, city)."""
    address = address.strip()
    return address[:6] + "****" if address else ""


class CaseDesk:
    """What the routes share: who may do what to a case, and the views each caller gets."""

    def __init__(self, config: HallConfig, cases: CaseService, identity: Identity) -> None:
        self.config, self.cases, self.identity = config, cases, identity

    def sign(self, number: str) -> str:
        return f"{number}.{self.identity.sign(SIG_PREFIX + number)}"

    def verify(self, signed: str) -> str:
        number, dot, sig = signed.upper().rpartition(".")
        if not dot or self.sign(number) != f"{number}.{sig}":
            raise CaseNotFound("没有这个办件，或链接不完整：请重新扫描通知书上的二维码")
        return number

    def person(self, body: PersonBody | ApplicantBody) -> Person:
        fields = self.identity.ticket_fields(body.id_number or "")
        return Person(fields["holder"], fields["id_masked"], mask_name(body.name) if body.name else "")

    def applicant(self, body: ApplicantBody, ticket: str | None) -> Applicant:
        if [body.from_ticket, body.id_number is not None, body.credit_code is not None].count(True) != 1:
            raise InvalidCase("申请人须给出身份证号（id_number）、统一社会信用代码（credit_code）"
                              "或取号时刷的身份证（from_ticket）中的一个", field="applicant")
        if body.from_ticket:
            rec = self.cases.hall.state.tickets.get(ticket) if ticket else None
            if rec is None or rec.holder is None or rec.id_masked is None:
                raise InvalidCase("正在办理的票取号时没有刷身份证：请输入申请人的身份证号", field="applicant")
            return Applicant(person=Person(rec.holder, rec.id_masked, mask_name(body.name) if body.name else ""))
        if body.credit_code is not None:
            return Applicant(credit_code=body.credit_code.strip().upper(), org_name=body.org_name.strip())
        return Applicant(person=self.person(body))

    def acting_window(self, who: Principal, window: str | None, case: CaseRec | None = None) -> str | None:
        """The window a staff member acts for: theirs, named or the case's; supervisors act anywhere."""
        window = window or (case.window if case else None)
        if who.may_manage():
            return window
        if who.role != "staff":
            raise AuthError(403, f"{who.role} 不能办理办件（only staff and supervisors）")
        if window is None and len(who.windows) == 1:
            window = next(iter(who.windows))
        if window is None or not who.may_operate(window):
            raise AuthError(403, f"{who.id} 不在窗口 {window or '（未指定）'} 办理")
        return window

    def serving_ticket(self, window: str | None, required: bool) -> str | None:
        """The ticket the window is serving; staff must be serving one, a supervisor need not."""
        rec = self.cases.hall.state.window(window) if window else None
        ticket = self.cases.hall.state.tickets.get(rec.ticket) if rec and rec.ticket else None
        if ticket is None or ticket.state is not TicketState.SERVING:
            if required:
                raise InvalidCase(f"窗口 {window} 没有正在办理的票：请先叫号并开始办理", field="window")
            return None
        return ticket.id

    def create_params(self, body: CreateBody, who: Principal) -> dict[str, Any]:
        if who.role == "kiosk":
            if body.channel not in (None, "kiosk"):
                raise AuthError(403, "自助终端只能提交预审（channel: kiosk）")
            channel, window, ticket = "kiosk", None, None
        else:
            if body.channel == "kiosk":
                raise AuthError(403, f"{who.role} 不能以自助终端的渠道提交（channel: kiosk is the kiosk's own）")
            channel = body.channel or "window"
            window = self.acting_window(who, body.window)
            ticket = self.serving_ticket(window, required=who.role == "staff")
        return {
            "matter": body.matter, "applicant": self.applicant(body.applicant, ticket),
            "channel": channel, "materials": dict(body.materials), "applies": list(body.applies),
            "agent": self.person(body.agent) if body.agent else None,
            "phone_masked": mask_phone(body.phone) if body.phone else "",
            "ticket": ticket, "window": window, "staff": who.id if who.kind == "staff" else None,
            "department": body.department,
        }

    def citizen_view(self, c: CaseRec) -> dict[str, Any]:
        """What the citizen sees (kiosk 办件进度, phone): no staff, no hash."""
        hall = self.config.hall
        delivery = c.delivery or {}
        return with_english({
            "number": c.id, "matter": c.matter, "matter_name": c.matter_name, "department": c.department,
            "state": c.state.value, "state_label": STATE_LABEL[c.state], "light": c.light,
            "due": c.due, "due_provisional": c.due_provisional, "accepted_day": c.accepted_day,
            "missing": self.cases.engine.missing(c), "correction": c.correction, "refusal": c.refusal,
            "steps": [{"name": s.name, "started": s.started, "finished": s.finished, "pauses": s.pauses}
                      for s in c.steps],
            "approved": c.approved, "concluded_day": c.concluded_day,
            "delivery": {"method": delivery.get("method"), "tracking": delivery.get("tracking"),
                         "day": delivery.get("day")} if delivery else None,
            "pickup": {"address": hall.address, "hours": hall.hours, "phone": hall.phone},
            "hall": {"name": hall.name, "name_en": hall.name_en},
            "follow_path": "/c/" + self.sign(c.id),
            "rated": c.rating is not None, "rating_level": c.rating["level"] if c.rating else None,
            "may_rate": c.rating is None and c.state in RATABLE,
            "bad_reasons": list(self.config.evaluation.bad_reasons),
        }, self.config)

    def staff_view(self, c: CaseRec) -> dict[str, Any]:
        return {**self.cases.view(c), "follow_path": "/c/" + self.sign(c.id)}


    # -- carrying out a command: who acts for which window, the key scoped to the caller

    def run(self, command: str, params: dict[str, Any], who: Principal, key: str | None) -> dict[str, Any]:
        if key is not None and not 0 < len(key) <= 128:
            raise InvalidCase("Idempotency-Key must be 1 to 128 characters", field="Idempotency-Key")
        scoped = f"{who.kind}:{who.id}:{key}" if key else None
        out = self.cases.execute(command, params, idempotency_key=scoped)
        out["case"]["follow_path"] = "/c/" + self.sign(out["case"]["number"])
        return out

    def decide(self, command: str, number: str, who: Principal, window: str | None, key: str | None,
               **params: Any) -> dict[str, Any]:
        """A window's decision (受理, 补正, 不予受理): made for the window the caller acts for."""
        acting = self.acting_window(who, window, self.cases.case(number))
        staff = who.id if who.kind == "staff" else None
        return self.run(command, {"case": number, "staff": staff, "window": acting, **params}, who, key)

    def handle(self, command: str, number: str, who: Principal, key: str | None, **params: Any) -> dict[str, Any]:
        self.acting_window(who, None, self.cases.case(number))
        return self.run(command, {"case": number, "staff": who.id if who.kind == "staff" else None, **params},
                        who, key)


def case_router(config: HallConfig, cases: CaseService, identity: Identity,
                principal: Callable[..., Any]) -> APIRouter:
    """The case endpoints under /api/v1, and the public one a notice's QR opens."""
    desk = CaseDesk(config, cases, identity)
    api = APIRouter(prefix=API, dependencies=[Depends(principal)], responses=m.ERRORS, tags=["cases"])
    _commands(api, desk, principal)
    _reads(api, desk, principal)
    public = APIRouter(tags=["public"], responses={404: m.ERRORS[404]})

    @public.get(PUBLIC, responses={200: {"model": CitizenCase}})
    async def follow(signed: str) -> JSONResponse:
        """A case by the signed reference on its notices: what the citizen's phone shows."""
        return JSONResponse(desk.citizen_view(cases.case(desk.verify(signed))), headers=_NO_STORE)

    @public.post(RATING, responses={200: {"model": CitizenCase}, 409: m.ERRORS[409], 422: m.ERRORS[422]})
    async def rate(signed: str, body: m.PublicRatingBody) -> JSONResponse:
        """好差评 of the case from its notice's QR, once (一事一评), after 办结 or 不予受理."""
        number = desk.verify(signed)
        unknown = [r for r in body.reasons if r not in config.evaluation.bad_reasons]
        if unknown:
            raise InvalidCase(f"reasons: 不在本厅的差评原因中：{'、'.join(unknown)}", field="reasons")
        refuse_id_numbers("text", body.text)
        cases.execute("rate", {"case": number, "level": body.level, "reasons": list(body.reasons),
                               "text": body.text, "channel": "qr"})
        return JSONResponse(desk.citizen_view(cases.case(number)), headers=_NO_STORE)

    @public.get(PAGE, include_in_schema=False)
    async def page(signed: str) -> FileResponse:
        # a wrong link gets the same page with 404: it says so in words, and shows nothing
        try:
            desk.verify(signed)
            status = 200
        except CaseNotFound:
            status = 404
        return FileResponse(WEB_DIR / "case.html", status_code=status, headers={"Cache-Control": "no-cache"})

    router = APIRouter()
    router.include_router(api)
    router.include_router(public)
    return router


def _commands(api: APIRouter, desk: CaseDesk, principal: Callable[..., Any]) -> None:
    run, decide, handle = desk.run, desk.decide, desk.handle

    @api.post("/cases", status_code=201)
    async def create(body: CreateBody, who: Principal = Depends(principal),
                     idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """A new case in 预审 with its number, for the ticket the staff member's window is serving
        (a kiosk submits with channel `kiosk`). Materials are checked against the matter's checklist."""
        out = run("create", desk.create_params(body, who), who, idempotency_key)
        log.info("case %s opened for matter %s at %s", out["case"]["number"], body.matter, body.window or who.id)
        return out

    @api.post("/cases/{number}/materials")
    async def materials(number: str, body: MaterialsBody, who: Principal = Depends(principal),
                        idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        return handle("update_materials", number, who, idempotency_key, materials=dict(body.materials),
                      applies=body.applies)

    @api.post("/cases/{number}/accept")
    async def accept(number: str, body: WindowBody | None = None, who: Principal = Depends(principal),
                     idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """受理: refused (422) while a required material is missing; the due date in `due`."""
        return decide("accept", number, who, (body or WindowBody()).window, idempotency_key)

    @api.post("/cases/{number}/correction")
    async def correction(number: str, body: CorrectionBody, who: Principal = Depends(principal),
                         idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """补正: every missing material, plus those named non-conforming, told at once, with a deadline."""
        return decide("request_correction", number, who, body.window, idempotency_key,
                      items=[i.model_dump() for i in body.items], deadline_days=body.deadline_days)

    @api.post("/cases/{number}/refusal")
    async def refusal(number: str, body: RefusalBody, who: Principal = Depends(principal),
                      idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """不予受理, with the reason and where to apply instead."""
        return decide("refuse", number, who, body.window, idempotency_key, reason=body.reason,
                      redirect=body.redirect)

    @api.post("/cases/{number}/steps")
    async def step(number: str, body: StepBody, who: Principal = Depends(principal),
                   idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """Starts a step; 听证, 检验, 检测, 鉴定 and 专家评审 pause the clock until finished."""
        return handle("start_step", number, who, idempotency_key, step=body.step, limit_days=body.limit_days)

    @api.post("/cases/{number}/steps/finish")
    async def finish_step(number: str, who: Principal = Depends(principal),
                          idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        return handle("finish_step", number, who, idempotency_key)

    @api.post("/cases/{number}/conclusion")
    async def conclude(number: str, body: ConclusionBody, who: Principal = Depends(principal),
                       idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """办结, approved or not; `on_time` says whether it met the due date."""
        return handle("conclude", number, who, idempotency_key, approved=body.approved, note=body.note)

    @api.post("/cases/{number}/delivery")
    async def deliver(number: str, body: DeliveryBody, who: Principal = Depends(principal),
                      idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """出件: picked up against the ID card or the notice's QR, or sent by free post."""
        return handle("deliver", number, who, idempotency_key, method=body.method, proof=body.proof,
                      address_masked=mask_address(body.address), tracking=body.tracking)

    @api.post("/cases/{number}/close")
    async def close(number: str, who: Principal = Depends(principal),
                    idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        return handle("close", number, who, idempotency_key)



def _reads(api: APIRouter, desk: CaseDesk, principal: Callable[..., Any]) -> None:
    cases, identity = desk.cases, desk.identity

    @api.get("/cases")
    async def listing(state: str | None = None, light: Literal["green", "yellow", "red"] | None = None,
                      who: Principal = Depends(principal)) -> dict[str, Any]:
        """Cases, newest first: a supervisor sees all, staff those of their windows (`state`:
        comma-separated states; `light`: one light)."""
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能查看办件列表")
        found = cases.listing(state.split(",") if state else None)
        if not who.may_manage():
            found = [c for c in found if may_see(who, c)]
        if light:
            found = [c for c in found if c.light == light]
        found.sort(key=lambda c: c.created_at, reverse=True)
        return {"cases": [desk.staff_view(c) for c in found[:500]], "total": len(found)}

    @api.get("/cases/stats")
    async def stats(who: Principal = Depends(principal)) -> dict[str, Any]:
        """Accepted, 补正 and 不予受理 per matter and window; on-time rate; open cases by light."""
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能查看办件统计")
        return {"day": cases.today().isoformat(), **cases.stats()}

    @api.get("/cases/dates")
    async def dates(matter: str = Query(min_length=1, max_length=64, description="the matter's unified code"),
                    who: Principal = Depends(principal)) -> dict[str, Any]:
        """The dates a decision today would set for `matter`, for the window to tell the applicant
        before deciding: `due` if accepted (即办: today), `correction_deadline` if 补正 is asked."""
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能查看办件的承诺日期")
        return cases.dates(matter)

    @api.get("/cases/{number}")
    async def one(number: str, who: Principal = Depends(principal)) -> dict[str, Any]:
        c = cases.case(number)
        if may_see(who, c):
            return desk.staff_view(c)
        raise AuthError(403, f"{who.role} 不能查看这个办件的详情（citizens: POST /cases/lookup）")

    @api.get("/cases/{number}/notice", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}, "description": "the notice, A4 PDF"}})
    def notice(number: str, request: Request, who: Principal = Depends(principal)) -> Response:
        """The notice the case's state calls for (受理, 补正, 不予受理, 办结/领取) as A4 PDF, to print
        and hand over; its QR opens the case's follow page. A case in 预审 has none yet (409)."""
        c = cases.case(number)
        if not may_see(who, c):
            raise AuthError(403, f"{who.role} 不能打印这个办件的通知书")
        root = desk.config.hall.public_url or str(request.base_url)
        built = case_notice(c, desk.config, root.rstrip("/") + "/c/" + desk.sign(c.id), cases.hall.clock(),
                            {s.id: s.name for s in desk.config.staff})
        # the PDF library is imported at the first notice printed, not at every start of the hall
        from hall.notices.render import case_notice_pdf

        return Response(case_notice_pdf(built), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{c.id}-{built.kind}.pdf"'})

    @api.post("/cases/lookup", response_model=None, responses={200: {"model": CaseLookupAnswer}})
    async def lookup(body: CaseLookupBody, who: Principal = Depends(principal)) -> dict[str, Any]:
        """A citizen's cases by ID number (kiosk 办件进度), or one case by its number and the ID
        number it was filed under. A number under another ID is a 404, as an unknown one."""
        if not who.may_issue():
            raise AuthError(403, f"{who.role} 不能查询办件（only citizen desks and staff）")
        holder = identity.holder(body.id_number)
        mine = cases.of_holder(holder)
        if body.number is not None:
            mine = [c for c in mine if c.id == body.number.strip()]
            if not mine:
                raise CaseNotFound("没有这个办件号，或它不是以这个身份证号申请的", case=body.number)
        return {"day": cases.today().isoformat(), "cases": [desk.citizen_view(c) for c in mine]}


def router(ctx: ApiContext) -> APIRouter:
    """The cases' routes, on the hall's case service."""
    return case_router(ctx.config, ctx.cases, ctx.identity, ctx.principal)
