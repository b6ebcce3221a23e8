"""The offline tickets the hall refused at hand-in, for the floor staff: the day's open and handled
ones, and the "handled" action (the citizen was found and given a ticket that will be called).

Who: the people on the floor who can give that ticket, window staff of any window and supervisors
(导服、值班长), as at the counter (`hall.api.counter`); a window's staff is not held to their own
windows, since the citizen stands anywhere in the hall. Not the operators (their console has no
counter), nor devices. A note is required, short, and holds no ID number (422 naming the field); an
unknown refusal 404; one handled already 409, saying by whom. Each handling is kept in the hall's
audit with who and when, like the other staff actions; both changes reach the consoles as events
(`refusal.recorded`, `refusal.handled`).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import Field

from hall import api_models as m
from hall.api.common import API, ApiContext
from hall.api.operators import checked, operator_store
from hall.auth import AuthError, Principal
from hall.operators import rules
from hall.refused.ledger import MAX_NOTE, Refusal
from hall.refused.service import RefusalDesk

RefusalId = Path(min_length=3, max_length=40, pattern=r"^rf-[0-9a-f]+$")


class HandledBody(m.Body):
    note: str = Field(max_length=4 * MAX_NOTE, description="what was done, e.g. 已补发 A031 (no ID number)")


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["refusals"])
    desk: RefusalDesk = ctx.refusals
    audit = operator_store(ctx)
    names = {s.id: s.name for s in ctx.config.staff}

    def view(r: Refusal) -> dict[str, Any]:
        return {**r.to_dict(), "handled_by_name": names.get(r.handled_by or "", r.handled_by)}

    def on_the_floor(who: Principal = Depends(ctx.principal)) -> Principal:
        if who.kind != "staff" or who.role not in ("staff", "supervisor"):
            raise AuthError(403, f"{who.role} 不是大厅工作人员（only window staff and supervisors）")
        return who

    @api.get("/refusals")
    async def of_day(who: Principal = Depends(on_the_floor),
                     day: str | None = Query(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
                                             description="the hall day (today by default)")) -> dict[str, Any]:
        """The day's offline tickets refused at hand-in: the open ones (a citizen to find), then the handled."""
        day = day or ctx.service.engine.current_day(ctx.clock())
        found = desk.of_day(day)
        return {"day": day, "open": [view(r) for r in found if r.is_open],
                "handled": [view(r) for r in found if not r.is_open]}

    @api.post("/refusals/{refusal_id}/handled")
    async def handled(body: HandledBody, refusal_id: str = RefusalId,
                      who: Principal = Depends(on_the_floor)) -> dict[str, Any]:
        """The citizen holding the refused ticket was found and given one that will be called."""
        note = checked(rules.text, "note", body.note, MAX_NOTE)
        refusal = desk.handle(refusal_id, who.id, note)
        audit.record(who.id, "refusal.handled", refusal.id,
                     {"number": refusal.number, "queue": refusal.queue, "device": refusal.device, "note": note})
        return {"refusal": view(refusal), "seq": ctx.service.last_seq}

    return api
