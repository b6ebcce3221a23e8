"""The 差评 follow-up ledger's routes: the supervisors see and decide every follow-up; staff
work the ones they answer for (谁办理、谁负责: the staff who served, the window's lead). Devices
have no part in it (a follow-up is a person's work, signed with their id).

Refusals: a caller who is not staff 403; a follow-up the caller does not answer for 403 (and
not listed); an appeal decided by anyone but a supervisor 403; a command the follow-up's state
does not allow 409, naming the state; bad input 422, naming the field. Notes are kept in the
hall's events and sent to the platform: an ID number in one is refused.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from hall import api_models as m
from hall.api.common import API, ApiContext, ApiError, refuse_id_numbers
from hall.auth import AuthError, Principal
from hall.followups.engine import Actor, may_work
from hall.followups.model import FEEDBACK_WAYS, OPEN_STATES, OUTCOMES, State
from hall.followups.service import FollowupService
from hall.followups.stats import figures
from hall.followups.views import followup_view

Note = Field(default="", max_length=500)


class VerifyBody(m.Body):
    outcome: Literal[OUTCOMES]  # type: ignore[valid-type]
    at: dt.datetime | None = None  # when the citizen was called (with its zone); now when left out
    note: str = Note


class NoteBody(m.Body):
    note: str = Note


class AppealBody(m.Body):
    upheld: bool
    note: str = Note


class FeedbackBody(m.Body):
    how: Literal[FEEDBACK_WAYS]  # type: ignore[valid-type]
    at: dt.datetime | None = None  # when the citizen was told (with its zone); now when left out
    note: str = Note


def moment(at: dt.datetime | None) -> float | None:
    """A time a staff member gave (with its zone), as seconds since the epoch."""
    if at is not None and at.tzinfo is None:
        raise ApiError(422, "invalid", "at: 须带时区（e.g. 2026-11-27T10:00:00+08:00）", field="at")
    return None if at is None else at.timestamp()


def actor(who: Principal) -> Actor:
    if who.kind != "staff":
        raise AuthError(403, f"{who.role} 不能处理差评整改（a person's work, not a device's）")
    return Actor.of(who.id, who.role)


def router(ctx: ApiContext, followups: FollowupService) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["followups"])

    def mine(ident: str, who: Principal) -> Actor:
        me = actor(who)
        if not may_work(followups.get(ident), me):
            raise AuthError(403, f"{who.id} 不负责差评整改 {ident}（谁办理、谁负责）")
        return me

    def run(command: str, ident: str, who: Principal, params: dict[str, Any]) -> dict[str, Any]:
        me = mine(ident, who)
        refuse_id_numbers("note", params.get("note", ""))
        return followup_view(followups.execute(command, ident, me, params))

    @api.get("/followups")
    async def listing(state: State | None = None, light: Literal["green", "yellow", "red"] | None = None,
                      window: str | None = None, still_open: bool | None = Query(default=None, alias="open"),
                      start: dt.date | None = Query(default=None, alias="from"),
                      end: dt.date | None = Query(default=None, alias="to"),
                      limit: int = Query(default=200, ge=1, le=2000),
                      who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """The follow-ups the caller answers for (a supervisor: all), newest first, with their figures;
        `open`: only those still to be worked (or only the settled); `from`, `to`: rated on those days."""
        me = actor(who)
        if start and end and end < start:
            raise ApiError(422, "invalid", f"to（{end}）早于 from（{start}）", field="to")
        recs = [f for f in followups.listing() if may_work(f, me)
                and (state is None or f.state is state) and (light is None or f.light == light)
                and (window is None or f.window == window) and (still_open is None or (f.state in OPEN_STATES) == still_open)
                and (start is None or f.opened_day >= start) and (end is None or f.opened_day <= end)]
        return {"figures": figures(recs), "followups": [followup_view(f) for f in recs[:limit]]}

    @api.get("/followups/{followup_id}")
    async def one(followup_id: str, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        mine(followup_id, who)
        return followup_view(followups.get(followup_id))

    @api.post("/followups/{followup_id}/verify")
    async def verify(followup_id: str, body: VerifyBody, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """回访核实: the callback's outcome: fix_now (立行立改), rectify (限期整改), explain (解释说明) or appeal (申诉)."""
        return run("verify", followup_id, who, {"outcome": body.outcome, "at": moment(body.at), "note": body.note})

    @api.post("/followups/{followup_id}/rectified")
    async def rectified(followup_id: str, body: NoteBody, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """限期整改 done."""
        return run("rectified", followup_id, who, {"note": body.note})

    @api.post("/followups/{followup_id}/appeal-decision")
    async def decide(followup_id: str, body: AppealBody, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """申诉复核, by a supervisor: upheld takes the rating out of the statistics."""
        if who.role != "supervisor":
            raise AuthError(403, "申诉由主管复核决定")
        return run("decide_appeal", followup_id, who, {"upheld": body.upheld, "note": body.note})

    @api.post("/followups/{followup_id}/feedback")
    async def feedback(followup_id: str, body: FeedbackBody, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """The result fed back to the citizen: how, when, by whom (the caller)."""
        at = moment(body.at)
        return run("feedback", followup_id, who, {"how": body.how, "at": ctx.clock() if at is None else at,
                                                  "note": body.note})

    @api.post("/followups/{followup_id}/close")
    async def close(followup_id: str, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        return run("close", followup_id, who, {})

    return api
