"""The hall's health over HTTP: the screens' heartbeats (each says it is alive, with its clock,
its version, its devices and its disk), and the whole picture for supervisors and the hall's
IT person (the operator role), as `hall.health` judges it."""
from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse
from pydantic import Field

from hall import api_models as m
from hall import health
from hall.api.common import API, ApiContext
from hall.auth import AuthError, Principal

MAX_DEVICES = 32


class ScreenDevice(m.Body):
    device: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    kind: str = Field(default="", max_length=32)
    state: Literal["connecting", "ready", "error", "disconnected"]
    reason: str = Field(default="", max_length=300)
    for_seconds: float = Field(default=0.0, ge=0, le=10 * 365 * 86400, description="how long in this state")


class HeartbeatBody(m.Body):
    clock: float = Field(gt=0, description="the screen's clock when it sent this (seconds since the epoch)")
    version: str = Field(default="", max_length=64)
    devices: list[ScreenDevice] = Field(default_factory=list, max_length=MAX_DEVICES)
    disk_free: int | None = Field(default=None, ge=0)
    disk_total: int | None = Field(default=None, ge=0)


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["health"])
    watch = ctx.health  # hall.health_watch.HallHealth

    @api.post("/health/heartbeat")
    async def heartbeat(body: HeartbeatBody, who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """A screen is alive: its clock (compared with the hall's), version, devices and disk.
        The answer says how far off its clock is and when to send the next."""
        if who.kind != "device" or who.role not in health.SCREEN_ROLES:
            raise AuthError(403, f"{who.role} 不是屏幕设备，不发心跳（only screens send heartbeats）")
        beat = watch.book.beat(who.id, who.role, body.model_dump())
        return {"received": beat.received, "skew_seconds": round(beat.skew, 3),
                "every_seconds": health.HEARTBEAT_SECONDS}

    @api.get("/health")
    async def hall_health(who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """Every device, screen, clock, version, the disk and the sync backlog, each `ok`,
        `warning` or `error` with the reason; `problems` lists what is not ok, worst first."""
        if not who.may_manage():
            raise AuthError(403, "健康状态仅对主管和运维开放（supervisors and operators only）")
        return await asyncio.to_thread(watch.report)  # reads the disk and the outbox: off the loop

    pages = APIRouter()

    @pages.get("/ui/health", include_in_schema=False)
    async def health_page() -> RedirectResponse:
        return RedirectResponse("/ui/health.html")

    both = APIRouter()
    both.include_router(api)
    both.include_router(pages)
    return both
