"""The hall API of a case's pages (材料影像): the kiosk uploads what its document camera
captured, the window's staff look at it, and the kiosk hands in a 补正.

`POST /cases/{number}/pages?material=…` takes one material's PDF as the raw body
(`Content-Type: application/pdf`), from a kiosk only, while the case is in 预审 or 补正; it is
kept sealed (`hall.case_pages`) and carried to the platform by `case.pages` records. Staff of
the case's window (or any window, for a kiosk's 预审 no window has taken yet) and supervisors
list and open them. `POST /cases/{number}/supplement` is the citizen's 补正 at the kiosk: the ID
number the case was filed under, and the materials the notice listed, each with pages uploaded;
the case goes back to its window as 预审.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import Field

from hall import api_models as m
from hall.api.cases import API, CaseDesk, may_see
from hall.api.common import ApiContext, ApiError
from hall.auth import AuthError, Principal
from hall.case_pages import MAX_BYTES, SIGNATURE, PagesRefused, check_pdf
from hall.cases.errors import CaseNotFound, InvalidCase
from hall.cases.model import CaseRec

log = logging.getLogger(__name__)

PAGES_PATH = r"^/api/v1/cases/[^/]+/pages$"  # the one path whose body may be larger than the hall's limit
UPLOAD_LIMIT = MAX_BYTES + 4096


class SupplementBody(m.Body):
    id_number: str | None = Field(default=None, min_length=1, max_length=32, repr=False,
                                  description="the ID number the case was filed under (the card swiped at the kiosk)")
    signed: str | None = Field(default=None, min_length=1, max_length=80,
                               description="or the signed reference of the case's notice (its QR: /c/<signed>)")
    materials: list[str] = Field(min_length=1, max_length=60, description="the materials brought, by name")


def router(ctx: ApiContext) -> APIRouter:
    """The pages' routes, on the hall's case service and its page store."""
    cases, pages = ctx.cases, ctx.pages
    desk = CaseDesk(ctx.config, cases, ctx.identity)
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["cases"])

    def materials_of(c: CaseRec) -> list[str]:
        matter = cases.engine.matters.get(c.matter)
        return [d.name for d in matter.materials] if matter else list(c.materials)

    @api.post("/cases/{number}/pages", status_code=201, openapi_extra={"requestBody": {
        "required": True, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
        responses={413: m.ERRORS[422], 415: m.ERRORS[422], 409: m.ERRORS[409]})
    async def upload(number: str, request: Request, material: str = Query(min_length=1, max_length=200),
                     who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """One material's captured pages as one PDF (raw body, at most 8 MB and 20 pages), from
        the kiosk, while the case is in 预审 or 补正; `申请人签名` for the applicant's signature.
        Kept sealed until the platform has it."""
        if who.role != "kiosk":
            raise AuthError(403, f"{who.role} 不能上传材料影像（only the self-service kiosk）")
        c = cases.case(number)
        body = await request.body()
        try:
            count = check_pdf(request.headers.get("content-type"), body)
            rec = pages.add(c, material.strip(), body, count, who.id, [*materials_of(c), SIGNATURE])
        except PagesRefused as exc:
            raise ApiError(exc.status, exc.code, exc.message, case=number) from None
        return {"case": number, "pages": rec.to_dict()}

    @api.get("/cases/{number}/pages")
    async def listing(number: str, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """The pages uploaded for a case, material by material; `held` is false once the platform
        acknowledged them and the hall wiped its copy."""
        c = cases.case(number)
        if not may_see(who, c):
            raise AuthError(403, f"{who.role} 不能查看这个办件的材料影像")
        return {"case": number, "pages": [p.to_dict() for p in pages.of_case(number)]}

    @api.get("/cases/{number}/pages/{item}", response_class=Response,
             responses={200: {"content": {"application/pdf": {}}, "description": "one material's pages"},
                        410: m.ERRORS[404]})
    def one(number: str, item: str, who: Principal = Depends(ctx.principal)) -> Response:
        """One material's PDF while the hall holds it; 410 once the platform has it."""
        c = cases.case(number)
        if not may_see(who, c):
            raise AuthError(403, f"{who.role} 不能查看这个办件的材料影像")
        try:
            pdf = pages.pdf(number, item)
        except KeyError:
            raise ApiError(404, "not_found", f"办件 {number} 没有编号为 {item[:40]} 的材料影像") from None
        if pdf is None:
            raise ApiError(410, "gone", f"这份材料影像已送达平台，本厅已删除（请在平台查看办件 {number}）")
        return Response(pdf, media_type="application/pdf",
                        headers={"Cache-Control": "no-store", "Content-Disposition": f'inline; filename="{item}.pdf"'})

    @api.post("/cases/{number}/supplement", responses={409: m.ERRORS[409], 422: m.ERRORS[422]})
    async def supplement(number: str, body: SupplementBody, who: Principal = Depends(ctx.principal),
                         idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """补正 at the kiosk: every material the notice listed, each with pages uploaded;
        the case goes back to its window as 预审."""
        if who.role != "kiosk":
            raise AuthError(403, f"{who.role} 不能在自助终端提交补正（staff: POST /cases/{{number}}/materials）")
        c = cases.case(number)
        if (body.id_number is None) == (body.signed is None):
            raise InvalidCase("补正须给出申请时的身份证号（id_number）或通知书二维码（signed）中的一个",
                              field="id_number")
        if body.signed is not None:
            if desk.verify(body.signed) != c.id:
                raise CaseNotFound("通知书二维码不是这个办件的", case=number)
        elif c.applicant.person is None or c.applicant.person.holder != ctx.identity.holder(body.id_number or ""):
            raise CaseNotFound("没有这个办件号，或它不是以这个身份证号申请的", case=number)
        uploaded = {p.material for p in pages.of_case(number)}
        lacking = [n for n in body.materials if n not in uploaded]
        if lacking:
            raise InvalidCase(f"补正材料还没有上传影像：{'、'.join(lacking)}", field="materials", missing=",".join(lacking))
        out = desk.run("supplement", {"case": number, "materials": list(body.materials)}, who, idempotency_key)
        log.info("case %s: 补正 brought at kiosk %s", number, who.id)
        return {**out, "case": desk.citizen_view(cases.case(number))}

    return api

