"""Staff sessions: log in with a username and password, log out, and who a token belongs to."""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, Header, Request

from hall import api_models as m
from hall.api.common import API, ApiContext, principal_view
from hall.auth import Principal, bearer

log = logging.getLogger(__name__)

# the answers of the routes open without a token
PUBLIC_ERRORS = {k: m.ERRORS[k] for k in (400, 401, 413, 422)} | {
    429: {"model": m.ErrorBody, "description": "too many failed logins"}}


def router(ctx: ApiContext) -> APIRouter:
    public = APIRouter(responses=PUBLIC_ERRORS, tags=["auth"])
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["auth"])
    auth = ctx.auth

    # a plain function: scrypt is slow on purpose, so login runs in the pool and never stalls the loop
    @public.post(f"{API}/auth/login")
    def login(body: m.LoginBody, request: Request) -> dict[str, Any]:
        client = request.client.host if request.client else "unknown"
        token, who, expires = auth.login(body.username, body.password, client)
        log.info("staff %s logged in", who.id)
        return {"token": token, "expires_at": expires, "staff": principal_view(who)}

    @api.post("/auth/logout")
    async def logout(authorization: str | None = Header(default=None)) -> dict[str, Any]:
        auth.logout(bearer(authorization) or "")
        return {"ok": True}

    @api.get("/me")
    async def me(who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        return principal_view(who)

    router = APIRouter()
    router.include_router(public)
    router.include_router(api)
    return router
