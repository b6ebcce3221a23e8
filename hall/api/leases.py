"""Leases: the blocks of numbers a dispenser issues from while the hall is away, and the tickets it
printed from them handed in once the hall is back (hall.leases says how the numbers stay unique).

Only a numbered issuer holds leases, and only its own: a dispenser, and a kiosk for the
appointments it checks in while the hall is away; the device that asks, never a name in the body.
A handed-in ticket is answered like any issued ticket, and its event reaches the board and the
keypads like any other issue. A kiosk's names its appointment: the hall checks that it is one of
today's, queued where the number was leased and open when the ticket was printed, and checks it in
then, once (`hall.leases.issue_leased`). A ticket refused for good is recorded for the floor staff
(`hall.refused`): the citizen holding it must be found.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Header
from pydantic import Field

from hall import api_models as m
from hall.api import views
from hall.api.citizens import CitizenDesk, ticket_answer
from hall.api.common import API, ApiContext, ApiError
from hall.auth import AuthError, Principal
from hall.domain.errors import QueueError
from hall.leases import MAX_LEASE, leases_of
from hall.wire import Priority

LEASE_HOLDERS = frozenset({"dispenser", "kiosk"})


class LeaseBody(m.Body):
    queue: str = Field(min_length=1, max_length=64, description="业务队列 id")
    size: int = Field(ge=1, le=MAX_LEASE, description="how many numbers the block holds")


class LeasedTicketBody(m.Body):
    number: str = Field(min_length=2, max_length=16, pattern=r"^[A-Z]+[0-9]+$", description="the number printed (A017)")
    issued_at: datetime = Field(description="when the dispenser printed it (with time zone)")
    priority: Priority = "normal"
    unanswered_key: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="the Idempotency-Key of the issue this dispenser sent for the same tap and got no "
                    "answer to: a ticket the hall stored under it is cancelled (nobody holds it)")
    appointment: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="a kiosk's check-in made while the hall was away: the appointment's id (it is checked "
                    "in at `issued_at`, with priority appointment, once)")


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["leases"])
    principal = ctx.principal
    desk = CitizenDesk(ctx.config, ctx.service, ctx.sync.reference, ctx.identity, ctx.guides)

    def holder(who: Principal) -> str:
        if who.role not in LEASE_HOLDERS:
            raise AuthError(403, f"{who.role} 不持有号段租约（only a dispenser or a kiosk does）")
        return who.id

    @api.post("/leases", status_code=201)
    async def grant(body: LeaseBody, who: Principal = Depends(principal),
                    idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """A new block of a queue's numbers for the asking dispenser, after every number given so far."""
        dispenser = holder(who)
        result = ctx.run(who, "grant_lease", {"dispenser": dispenser, "queue": body.queue, "size": body.size},
                         idempotency_key)
        return {"seq": result["seq"], "lease": result["lease"]}

    @api.get("/leases")
    async def mine(who: Principal = Depends(principal)) -> dict[str, Any]:
        """The asking dispenser's leases of today."""
        dispenser = holder(who)
        return {"day": ctx.service.state.day, "leases": [x.to_dict() for x in leases_of(ctx.service.engine, dispenser)]}

    @api.post("/leases/{lease}/tickets", status_code=201)
    async def hand_in(lease: str, body: LeasedTicketBody, who: Principal = Depends(principal),
                      idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """A ticket the dispenser printed from `lease` while the hall was away: it joins the line
        at the time it was printed. Sent again with the same Idempotency-Key, the same answer."""
        dispenser = holder(who)
        if body.issued_at.tzinfo is None:
            raise ApiError(422, "invalid", "issued_at needs a time zone (e.g. +08:00)", field="issued_at")
        params = {"dispenser": dispenser, "lease": lease, "number": body.number,
                  "issued_at": body.issued_at.timestamp(), "priority": body.priority,
                  "replaces": _unanswered(ctx, who, body.unanswered_key)}
        try:
            if body.appointment is None:
                return ticket_answer(ctx.run(who, "issue_leased", params, idempotency_key), ctx.config,
                                     ctx.identity)
            return _check_in(ctx, desk, who, params, body.appointment, idempotency_key)
        except QueueError as exc:  # refused for good: a citizen holds it; the floor staff must know
            # recorded before the device hears "no": if the record cannot be stored, the device
            # gets a 503 and hands the ticket in again later, so no refusal goes unrecorded
            ctx.refusals.record(dispenser, who.role, lease, body.number, params["issued_at"], body.appointment, exc)
            raise

    return api


def _check_in(ctx: ApiContext, desk: CitizenDesk, who: Principal, params: dict[str, Any], appointment: str,
              idempotency_key: str | None) -> dict[str, Any]:
    """A kiosk's check-in made while the hall was away, handed in: answered like a check-in."""
    held = ctx.service.state.leases.get(params["lease"]) or {}
    params.update(desk.offline_check_in(appointment, str(held.get("queue") or ""), params["issued_at"]),
                  priority="appointment")
    answer = ticket_answer(ctx.run(who, "issue_leased", params, idempotency_key), ctx.config, ctx.identity)
    found = next(a for a in desk.appointments(ctx.service.engine.day_of(params["issued_at"])) if a.id == appointment)
    answer["appointment"] = desk.appointment_view(found, params["issued_at"])
    answer["already_checked_in"] = False
    return views.for_role(answer, who.role)


def _unanswered(ctx: ApiContext, who: Principal, key: str | None) -> str | None:
    """The ticket the hall stored for `who`'s issue under `key`, if it did (the answer was lost)."""
    if key is None:
        return None
    prior = ctx.store.idempotent_response(ctx.scoped(who, key) or "")
    if prior is None or prior[0] != "issue":
        return None
    ticket = (prior[3] or {}).get("ticket") or {}
    return ticket.get("id")
