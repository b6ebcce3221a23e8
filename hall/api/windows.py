"""A window's work: open, call (the next ticket by its policy, or a named one), recall, no-show,
start, finish, pause, resume, close. Staff operate their own windows, a keypad its window,
managers every window.

The commands that take only the window (and perhaps a small body) are rows of `COMMANDS`:
the URL's last part, the queue command it runs, its body model and what it does.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Header

from hall import api_models as m
from hall.api.common import API, ApiContext, ApiError, refuse_id_numbers
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound


@dataclass(frozen=True)
class WindowCommand:
    path: str  # /windows/{id}/<path>
    command: str  # the queue service's command
    body: type[m.Body] | None = None
    summary: str = ""


COMMANDS: tuple[WindowCommand, ...] = (
    WindowCommand("call-next", "call_next", summary="call the next ticket by the window's policy"),
    WindowCommand("recall", "recall", summary="call the current ticket again (no-show after N recalls)"),
    WindowCommand("no-show", "no_show", summary="mark the called ticket as not present"),
    WindowCommand("start", "start", summary="start serving the called ticket"),
    WindowCommand("finish", "finish", m.FinishBody, summary="finish the service"),
    WindowCommand("open", "open_window", m.OpenBody, summary="open the window"),
    WindowCommand("pause", "pause", m.PauseBody, summary="pause the window"),
    WindowCommand("resume", "resume", summary="resume a paused window"),
    WindowCommand("close", "close_window", summary="close the window"),
)

# what a command's body becomes before it runs, beyond its own fields
Prepare = Callable[[ApiContext, Principal, dict[str, Any]], dict[str, Any]]


def staff_for_window(ctx: ApiContext, who: Principal, params: dict[str, Any]) -> dict[str, Any]:
    """Who a window is opened for: staff open it for themselves; managers name someone on the rota."""
    named = params.get("staff")
    if who.kind == "staff" and who.role == "staff":
        if named not in (None, who.id):
            raise AuthError(403, "只能以自己的身份开窗")
        return {**params, "staff": who.id}
    if named is None:
        return {**params, "staff": who.id if who.kind == "staff" else None}
    if named not in {st.id for st in ctx.config.staff}:
        raise ApiError(422, "invalid", f"没有工作人员 {named!r}", staff=named)
    return params


def free_text(ctx: ApiContext, who: Principal, params: dict[str, Any]) -> dict[str, Any]:
    """A pause's reason is kept in the hall's events: never an ID number."""
    refuse_id_numbers("reason", params.get("reason", ""))
    return params


PREPARE: dict[str, Prepare] = {"open_window": staff_for_window, "pause": free_text}


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["windows"])

    @api.post("/windows/{window_id}/call")
    async def call(window_id: str, body: m.CallBody, who: Principal = Depends(ctx.principal),
                   idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        ctx.for_window(window_id, who)
        return ctx.run(who, "call", {"window": window_id, "ticket": body.ticket}, idempotency_key)

    for row in COMMANDS:
        api.add_api_route(f"/windows/{{window_id}}/{row.path}", _handler(ctx, row), methods=["POST"],
                          summary=row.summary)

    @api.get("/windows/{window_id}")
    async def window(window_id: str) -> dict[str, Any]:
        if window_id not in ctx.service.engine.windows:
            raise NotFound(f"没有窗口 {window_id!r}", window=window_id)
        return ctx.service.window_view(window_id)

    return api


def _handler(ctx: ApiContext, row: WindowCommand) -> Callable[..., Any]:
    """The route of one row: checks the window and the caller, then runs the row's command."""
    prepare = PREPARE.get(row.command)
    model = row.body

    def execute(window_id: str, who: Principal, body: m.Body | None, key: str | None) -> dict[str, Any]:
        ctx.for_window(window_id, who)
        params = body.model_dump(exclude_none=True) if body is not None else {}
        if prepare is not None:
            params = prepare(ctx, who, params)
        return ctx.run(who, row.command, {"window": window_id, **params}, key)

    if model is None:
        async def handler(window_id: str, who: Principal = Depends(ctx.principal),
                          idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
            return execute(window_id, who, None, idempotency_key)
    else:
        async def handler(window_id: str, body: model | None = None,  # type: ignore[valid-type]
                          who: Principal = Depends(ctx.principal),
                          idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
            return execute(window_id, who, body or model(), idempotency_key)

        # the closure's model, not a name FastAPI could look up (annotations are strings here)
        handler.__annotations__["body"] = model | None
    handler.__name__ = row.command
    return handler
