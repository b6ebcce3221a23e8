"""The public follow page of a ticket: the QR printed on it opens `/t/<ticket>.<sig>` on the
citizen's phone, without a login.

`sig` is the first 10 characters of base32(HMAC-SHA256(identity key, ticket)), so only the
holder of the printed ticket has the address; a wrong signature is a 404, like an unknown
ticket. The page refreshes from `/public/tickets/<ticket>.<sig>`, which carries no personal
data, and once the service is finished offers the 好差评 form (channel "qr"), under the
rules of the rating endpoint (one rating per visit; 差评 need a reason).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from hall import api_models as m
from hall.api.common import ApiContext
from hall.api.ratings import Ratings
from hall.domain import events as ev
from hall.domain.engine import STATE_LABEL
from hall.domain.errors import NotFound
from hall.domain.model import TicketState

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
PAGE = "/t/{signed}"
STATUS = "/public/tickets/{signed}"
RATING = "/public/tickets/{signed}/rating"
FOLLOW_PATHS = frozenset({PAGE, STATUS, RATING})
CALLED_STATES = frozenset({TicketState.CALLED.value, TicketState.SERVING.value})
_NO_STORE = {"Cache-Control": "no-store"}


def router(ctx: ApiContext) -> APIRouter:
    config, service, identity = ctx.config, ctx.service, ctx.identity
    public = APIRouter(tags=["public"], responses={
        404: m.ERRORS[404], 409: m.ERRORS[409], 413: m.ERRORS[413], 422: m.ERRORS[422]})
    queue_names = {q.id: q.name for q in config.queues}
    queue_names_en = {q.id: q.name_en for q in config.queues}
    window_names_en = {w.id: w.name_en for w in config.windows}
    bad_reasons, bad_reasons_en = list(config.evaluation.bad_reasons), config.evaluation.reasons_en()
    ratings = Ratings(ctx)

    def ticket_of(signed: str) -> str:
        ticket = identity.verify(signed)
        if ticket is None:
            raise NotFound("没有这张票，或链接不完整：请重新扫描票上的二维码")
        return ticket

    def view(ticket: str) -> dict[str, Any]:
        """What anyone holding the printed ticket may see: no identity, no staff."""
        p = service.progress(ticket)
        state = p["state"]
        called = state in CALLED_STATES
        return {
            "number": p["number"],
            "queue_name": p.get("queue_name") or queue_names.get(p["queue"], p["queue"]),
            "queue_name_en": queue_names_en.get(p["queue"], ""),  # what an English screen shows
            "state": state,
            "state_label": STATE_LABEL[TicketState(state)],
            "people_ahead": p["people_ahead"],
            "estimated_wait_minutes": p["estimated_wait_minutes"],
            "window_number": p.get("window_number") if called else None,
            "window_name": p.get("window_name") if called else None,
            "window_name_en": window_names_en.get(p.get("window") or "", "") if called else None,
            "day": p["day"],
            "rated": p["rated"],
            "may_rate": p["may_rate"],
            "bad_reasons": bad_reasons if p["may_rate"] else [],
            "bad_reasons_en": bad_reasons_en if p["may_rate"] else [],
            "hall": {"name": config.hall.name, "name_en": config.hall.name_en},
            "updated_at": ev.iso_utc(service.clock()),
        }

    @public.get(PAGE, include_in_schema=False)
    async def page(signed: str) -> FileResponse:
        # a wrong link gets the same page with 404: it says so in words, and shows nothing
        status = 200 if identity.verify(signed) is not None else 404
        return FileResponse(WEB_DIR / "follow.html", status_code=status, headers={"Cache-Control": "no-cache"})

    @public.get(STATUS)
    async def status(signed: str) -> JSONResponse:
        """A ticket's number, queue, state, people ahead, estimated wait and window when called."""
        return JSONResponse(view(ticket_of(signed)), headers=_NO_STORE)

    @public.post(RATING)
    async def rate(signed: str, body: m.PublicRatingBody) -> JSONResponse:
        """好差评 of a finished visit from the ticket's QR, once (一次一评)."""
        ticket = ticket_of(signed)
        ratings.rate(None, signed, body, "qr")
        return JSONResponse(view(ticket), headers=_NO_STORE)

    return public
