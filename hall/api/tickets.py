"""Tickets: issue (by queue or matter, optionally for an ID card's holder), read, cancel, rate
(好差评) and transfer. Staff act only on tickets their window may touch; managers on all."""
from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Depends, Header

from hall import api_models as m
from hall.api import views
from hall.api.citizens import ticket_answer
from hall.api.common import API, ApiContext, ApiError, refuse_id_numbers
from hall.api.ratings import Ratings
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound
from hall.opening import admission_kind

SLOT_REACH = 24 * 3600  # seconds between now and an appointment slot's start or end, at most


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["tickets"])
    service, principal = ctx.service, ctx.principal
    ratings = Ratings(ctx)

    @api.post("/tickets", status_code=201)
    async def issue(body: m.IssueBody, who: Principal = Depends(principal),
                    idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not who.may_issue():
            raise AuthError(403, f"{who.role} 不能取号")
        queue = body.queue
        if body.matter is not None:
            matter = ctx.guides.get(body.matter)
            if matter is None:
                raise NotFound(f"没有事项 {body.matter!r}", matter=body.matter)
            if queue is not None and queue != matter["queue"]:
                raise ApiError(422, "invalid", f"事项 {matter['name']} 在 {matter['queue']} 办理，不在 {queue}")
            queue = matter["queue"]
        if queue is None:
            raise ApiError(422, "invalid", "queue or matter is required")
        params: dict[str, Any] = {"queue": queue, "priority": body.priority, "channel": body.channel}
        params.update(_slot(body, ctx.clock()))
        params.update(ctx.identity.ticket_fields(body.id_number))  # its keyed hash and masked form only
        admit = admission_kind(who.role, body.priority, body.channel)
        return ticket_answer(ctx.run(who, "issue", params, idempotency_key, admit), ctx.config, ctx.identity)

    @api.get("/tickets/{ticket_id}")
    async def ticket(ticket_id: str, who: Principal = Depends(principal)) -> dict[str, Any]:
        return views.for_role(service.ticket(ticket_id), who.role)

    @api.post("/tickets/{ticket_id}/cancel")
    async def cancel(ticket_id: str, body: m.CancelBody | None = None, who: Principal = Depends(principal),
                     idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能取消票")
        acting_window(ctx, who, ticket_id, None, "取消")
        reason = (body or m.CancelBody()).reason
        refuse_id_numbers("reason", reason)
        return ctx.run(who, "cancel", {"ticket": ticket_id, "reason": reason}, idempotency_key)

    @api.post("/tickets/{ticket_id}/rating")
    async def rate(ticket_id: str, body: m.RatingBody, who: Principal = Depends(principal),
                   idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """好差评 for a finished visit, once. Citizens rate: staff cannot rate their own service.
        A kiosk or dispenser names the ticket by its signed reference (`<ticket>.<sig>`, as in
        the QR printed on it); a pad only tickets finished at its window."""
        return ratings.rate(who, ticket_id, body, body.channel, idempotency_key)

    @api.post("/tickets/{ticket_id}/transfer")
    async def transfer(ticket_id: str, body: m.TransferBody, who: Principal = Depends(principal),
                       idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        params = body.model_dump()
        params["by_window"] = acting_window(ctx, who, ticket_id, body.by_window, "转移")
        return ctx.run(who, "transfer", {"ticket": ticket_id, **params}, idempotency_key)

    return api


def _slot(body: m.IssueBody, now: float) -> dict[str, float]:
    """An appointment slot's times, if given: with a time zone, within a day of now, in order."""
    out: dict[str, float] = {}
    for name in ("slot_start", "slot_end"):
        value = getattr(body, name)
        if value is None:
            continue
        if value.tzinfo is None:
            raise ApiError(422, "invalid", f"{name} needs a time zone (e.g. +08:00)", field=name)
        at = value.timestamp()
        if abs(at - now) > SLOT_REACH:
            raise ApiError(422, "invalid", f"{name}: {value.isoformat()} is not within a day of now "
                                          "(a ticket's slot is today's)", field=name)
        out[name] = at
    if out.get("slot_end", math.inf) <= out.get("slot_start", -math.inf):
        raise ApiError(422, "invalid", "slot_end must be after slot_start", field="slot_end")
    return out


def acting_window(ctx: ApiContext, who: Principal, ticket_id: str, by_window: str | None, action: str) -> str | None:
    """The window through which `who` moves or cancels a ticket, or 403. Managers act on any
    ticket. Others act on a ticket held at a window they operate, or on one waiting in a queue
    served by a window they operate (`by_window`, or the first of theirs that serves it)."""
    current = ctx.service.state.tickets.get(ticket_id)
    held = current.window if current is not None else None
    if who.may_manage():
        return held or by_window
    refused = AuthError(403, f"只能{action}本窗口的票，或本窗口所办业务中等候的票")
    if current is None:
        raise refused
    if held is not None:
        if who.may_operate(held):
            return held
        raise refused
    windows = ctx.service.engine.windows
    for w in [by_window] if by_window else sorted(who.windows):
        serves = w in windows and (current.queue in windows[w].queues or current.target_window == w)
        if serves and who.may_operate(w):
            return w
    raise refused
