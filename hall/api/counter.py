"""The staff console's counter: a ticket issued for a citizen standing at the window, with a
priority (绿色通道, 代办, 老弱病残孕) and the reason for it recorded (audited and synced like
the operators' changes), and the state of the window's own devices."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Header
from pydantic import Field

from hall import api_models as m
from hall.api.citizens import ticket_answer
from hall.api.common import API, ApiContext, ApiError
from hall.api.operators import operator_store
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound
from hall.operators import rules

# the priorities a counter may give, and what the staff console calls them
PRIORITIES = {"green": "绿色通道", "elderly": "老弱病残孕（含残疾人）", "disabled": "残疾人（核验残疾人证）",
              "agent": "代办", "normal": "普通"}
MAX_REASON = 200


class CounterTicketBody(m.Body):
    queue: str | None = Field(default=None, min_length=1, max_length=64)
    matter: str | None = Field(default=None, min_length=1, max_length=64, description="事项编码")
    priority: Literal["green", "elderly", "disabled", "agent", "normal"]
    reason: str = Field(max_length=4 * MAX_REASON, description="why this priority: recorded and audited")


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["counter"])
    store = operator_store(ctx)

    def at_the_counter(who: Principal = Depends(ctx.principal)) -> Principal:
        if who.kind != "staff" or who.role not in ("staff", "supervisor"):
            raise AuthError(403, f"{who.role} 不是窗口工作人员（only staff at a counter）")
        return who

    @api.post("/counter/tickets", status_code=201)
    async def counter_ticket(body: CounterTicketBody, who: Principal = Depends(at_the_counter),
                             idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """Issues a ticket for the citizen at the counter with a priority; the reason is required
        (never an ID number) and kept in the audit with who gave it."""
        try:
            reason = rules.text("reason", body.reason, MAX_REASON)
        except rules.Refused as exc:
            raise ApiError(422, "invalid", f"{exc.field}: {exc.message}", field=exc.field) from None
        queue = body.queue
        if body.matter is not None:
            matter = ctx.guides.get(body.matter)
            if matter is None:
                raise NotFound(f"没有事项 {body.matter!r}", matter=body.matter)
            queue = matter["queue"]
        if queue is None:
            raise ApiError(422, "invalid", "queue 或 matter 必须给出一个（queue or matter is required）")
        before = ctx.service.last_seq
        answer = ctx.run(who, "issue", {"queue": queue, "priority": body.priority, "channel": "counter"},
                         idempotency_key, admit="counter")
        ticket = answer["ticket"]
        if answer["seq"] > before:  # issued now, not the answer to a retried request
            store.record(who.id, "counter.ticket", ticket["id"],
                         {"number": ticket["number"], "queue": queue, "priority": body.priority, "reason": reason})
        return {**ticket_answer(answer, ctx.config, ctx.identity), "reason": reason,
                "priority_label": PRIORITIES[body.priority]}

    @api.get("/counter/windows/{window_id}/devices")
    async def devices(window_id: str, who: Principal = Depends(at_the_counter)) -> dict[str, Any]:
        """The state of the window's own devices on the hall PC (LED strip, keypad, pad)."""
        ctx.for_window(window_id, who)
        found = ctx.peripherals.window_devices(window_id) if ctx.peripherals is not None else []
        return {"window": window_id, "devices": found}

    return api
