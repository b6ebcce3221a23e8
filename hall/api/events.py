"""What the hall shows: the snapshot (queues, windows, recent calls), the event feed over HTTP
and over WebSocket (each event once, in order, across reconnects), and the day's statistics."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from fastapi import APIRouter, Depends, Query, WebSocket, WebSocketDisconnect

from hall import api_models as m
from hall.api import views
from hall.api.common import API, MAX_SEQ, ApiContext, ApiError
from hall.auth import AuthError, Principal, bearer

log = logging.getLogger(__name__)


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS)
    service, auth = ctx.service, ctx.auth

    @api.get("/snapshot", tags=["hall"])
    async def snapshot() -> dict[str, Any]:
        return service.snapshot()

    @api.get("/events", tags=["events"])
    async def events(after: int = Query(0, ge=0, le=MAX_SEQ), limit: int = Query(500, ge=1, le=5000),
                     who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        view = views.view_of(who.role)
        found = ctx.store.events_after(after, limit)
        return {"head": service.last_seq, "events": [views.shape_event(e, view).to_dict() for e in found]}

    @api.get("/stats", tags=["statistics"])
    async def stats(day: str | None = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
                    who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, "统计仅对工作人员开放")
        if day is not None:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise ApiError(422, "invalid", f"query.day: {day} is not a date (YYYY-MM-DD)", field="day") from None
        return service.stats(day)

    # outside the protected router: a WebSocket is accepted first and closed with a reason
    stream = APIRouter()

    @stream.websocket(f"{API}/events/ws")
    async def event_stream(ws: WebSocket, after: int | None = None, token: str | None = None):
        """Events after `after` (or from now), then live. Token in the query or Authorization header."""
        # accept first, so that a browser sees why it was closed (4401: who are you, 4400: bad request)
        await ws.accept()
        try:
            who = auth.principal(token or bearer(ws.headers.get("authorization")))
        except AuthError:
            await ws.close(code=4401, reason="unauthenticated")
            return
        if after is not None and not 0 <= after <= MAX_SEQ:
            await ws.close(code=4400, reason="after must be a sequence number >= 0")
            return
        # read as well as write, so a display that goes away is noticed at once, not at the next send
        sender = asyncio.create_task(ctx.hub_for(who).stream(ws.send_text, after))
        reader = asyncio.create_task(_drain(ws))
        done, pending = await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, (WebSocketDisconnect, RuntimeError, ConnectionError)):
                log.error("event stream failed: %r", exc)

    router = APIRouter()
    router.include_router(api)
    router.include_router(stream)
    return router


async def _drain(ws: WebSocket) -> None:
    """Reads (and ignores) what a subscriber sends, until it disconnects."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
