"""Sync through the hall: devices push their records into the hall's outbox (which forwards them
to the platform), pull the hall's copy of the platform's reference data, and operators see how
delivery goes."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from hall import api_models as m
from hall.api.common import API, MAX_SEQ, ApiContext, ApiError
from hall.api.push import PUSHERS, PushDesk
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound
from sync.reference import DATASETS, MAX_PAGE
from sync.wire import PullAnswer, PushAnswer, PushBody


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["sync"])
    store, node = ctx.store, ctx.sync
    desk = PushDesk(ctx)

    @api.post("/sync/push", responses={200: {"model": PushAnswer}},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": PushBody.model_json_schema()}}}})
    async def sync_push(request: Request, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """Stores a device's records in the hall's outbox (same key: a duplicate); the hall forwards them.
        A device pushes only its role's record types, for itself and its window; a rating is
        judged as the rating endpoint judges it (see hall.api.push)."""
        if who.kind != "device" or who.role not in PUSHERS:
            raise AuthError(403, f"{who.role} 不能上传记录")
        try:
            body = PushBody.model_validate_json(await request.body())
        except ValidationError as exc:  # where and what, never the values (they may be personal)
            problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
            raise ApiError(422, "invalid", "not a push batch: " + "; ".join(problems)) from None
        if body.node not in (None, who.id):
            raise AuthError(403, f"this token belongs to {who.id}, not {body.node}")
        results = desk.receive(who, body.items)
        return {"results": [{"key": r.key, "status": r.status, "reason": r.reason} for r in results]}

    @api.get("/sync/pull/{dataset}",
             responses={200: {"model": PullAnswer}, 304: {"description": "unchanged since the ETag"}})
    async def sync_pull(dataset: str, since: int = Query(0, ge=0, le=MAX_SEQ),
                        cursor: str | None = Query(None, max_length=1000),
                        limit: int = Query(500, ge=1, le=MAX_PAGE),
                        if_none_match: str | None = Header(default=None)) -> JSONResponse:
        """The hall's copy of the platform's reference data, for its devices (same protocol)."""
        if dataset not in DATASETS:
            raise NotFound(f"没有参考数据 {dataset!r}（one of: {', '.join(DATASETS)}）", dataset=dataset)
        try:
            status, page, tag = node.pull_page(dataset, since, cursor, limit, if_none_match)
        except ValueError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        if page is None:
            return Response(status_code=status, headers={"ETag": tag})
        return JSONResponse(page, headers={"ETag": tag})

    @api.get("/sync/status")
    async def sync_status(who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """Delivery to the platform: waiting, delivered, set aside (with reasons), reference ages."""
        if not who.may_manage():
            raise AuthError(403, "同步状态仅对管理员和值班设备开放")
        with store.lock:
            return node.status(store.conn)

    return api
