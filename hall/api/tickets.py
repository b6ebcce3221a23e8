"""Tickets: issue (by queue or matter, optionally for an ID card's holder), read, cancel, rate
(好差评) and transfer. Staff act only on tickets their window may touch; managers on all."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header

from hall import api_models as m
from hall.api.citizens import ticket_answer
from hall.api.common import API, ApiContext, ApiError
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound

RATERS = frozenset({"pad", "kiosk", "dispenser", "operator", "supervisor"})


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["tickets"])
    service, principal = ctx.service, ctx.principal

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
        for name in ("slot_start", "slot_end"):
            value = getattr(body, name)
            if value is not None:
                if value.tzinfo is None:
                    raise ApiError(422, "invalid", f"{name} needs a time zone (e.g. +08:00)")
                params[name] = value.timestamp()
        params.update(ctx.identity.ticket_fields(body.id_number))  # its keyed hash and masked form only
        return ticket_answer(ctx.run("issue", params, idempotency_key), ctx.config, ctx.identity)

    @api.get("/tickets/{ticket_id}")
    async def ticket(ticket_id: str) -> dict[str, Any]:
        return service.ticket(ticket_id)

    @api.post("/tickets/{ticket_id}/cancel")
    async def cancel(ticket_id: str, body: m.CancelBody | None = None, who: Principal = Depends(principal),
                     idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能取消票")
        return ctx.run("cancel", {"ticket": ticket_id, "reason": (body or m.CancelBody()).reason}, idempotency_key)

    @api.post("/tickets/{ticket_id}/rating")
    async def rate(ticket_id: str, body: m.RatingBody, who: Principal = Depends(principal),
                   idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """好差评 for a finished visit, once. Citizens rate: staff cannot rate their own service."""
        if who.role not in RATERS:
            raise AuthError(403, f"{who.role} 不能提交评价")
        current = service.state.tickets.get(ticket_id)
        if who.role == "pad" and (current is None or current.window not in who.windows):
            raise AuthError(403, "评价器只能评价本窗口办结的业务")
        params = {"ticket": ticket_id, **body.model_dump()}
        return ctx.run("rate", params, idempotency_key)

    @api.post("/tickets/{ticket_id}/transfer")
    async def transfer(ticket_id: str, body: m.TransferBody, who: Principal = Depends(principal),
                       idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        current = service.state.tickets.get(ticket_id)
        from_window = (current.window if current else None) or body.by_window
        if not who.may_manage():
            # staff move a ticket at their window, or one waiting in a queue their window serves
            held_here = current is not None and current.window is not None
            serves = (from_window in service.engine.windows and current is not None
                      and current.queue in service.engine.windows[from_window].queues)
            if from_window is None or not who.may_operate(from_window) or not (held_here or serves):
                raise AuthError(403, "只能转移本窗口的票，或本窗口所办业务中等候的票")
        params = body.model_dump()
        params["by_window"] = from_window
        return ctx.run("transfer", {"ticket": ticket_id, **params}, idempotency_key)

    return api
