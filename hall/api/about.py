"""The hall itself: the health probe (with the hall's time and zone), the home page's
redirect, and what a device is told about the hall (names, queues, windows, and what its
screens need)."""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from ground.clocks import machine_zone_name, zone_note
from hall import api_models as m
from hall import staff_photos
from hall.api.common import API, ApiContext
from hall.api.staff import PUBLIC_ERRORS
from hall.config import HallConfig


def describe_hall(config: HallConfig) -> dict[str, Any]:
    """What a device is told about the hall: names, queues and windows, and what the screens
    need: the age for elderly priority, the 差评 reasons a pad offers, and the names on the
    staff badges at the windows (public in the hall): name, staff number, and whether the hall
has a photo (`GET /staff/{id}/photo`)."""
    return {
        "id": config.hall.id, "name": config.hall.name, "name_en": config.hall.name_en,
        "demo": config.hall.demo, "timezone": config.hall.timezone,
        "phone": config.hall.phone, "address": config.hall.address, "hours": config.hall.hours,
        "phone_en": config.hall.phone_en, "address_en": config.hall.address_en,
        "hours_en": config.hall.hours_en,
        "guide_url": config.hall.guide_url, "public_url": config.hall.public_url,
        "queues": [q.model_dump() for q in config.queues],
        "windows": [w.model_dump() for w in config.windows],
        "policy": {"elderly_age": config.policy.elderly_age,
                   "appointment_grace_minutes": config.policy.appointment_grace_minutes},
        "evaluation": {"bad_reasons": list(config.evaluation.bad_reasons),
                       "bad_reasons_en": list(config.evaluation.bad_reasons_en)},
        "staff": [{"id": s.id, "name": s.name, "number": s.number, "photo": bool(s.photo)} for s in config.staff],
    }


def router(ctx: ApiContext) -> APIRouter:
    public = APIRouter(responses=PUBLIC_ERRORS)
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS)
    config, service = ctx.config, ctx.service

    @public.get("/health", tags=["public"])
    async def health() -> dict[str, Any]:
        """Up, and the hall's time and zone; `notes` says when the server machine's own zone
        is not the hall's (a machine comparing its clock reads the `Date` header or `time`)."""
        zone = config.hall.timezone
        note = zone_note(zone, who="the hall server")
        return {"status": "ok", "hall": config.hall.id, "seq": service.last_seq,
                "time": dt.datetime.now(ZoneInfo(zone)).isoformat(timespec="seconds"),
                "timezone": zone, "machine_timezone": machine_zone_name(),
                "notes": [note] if note else []}

    @public.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @api.get("/hall", tags=["hall"])
    async def hall_info() -> dict[str, Any]:
        return describe_hall(config)

    @api.get("/hall/hours", tags=["hall"])
    async def hall_hours() -> dict[str, Any]:
        """Whether the hall issues tickets now (`state`: open, lunch, closed, appointments), until
        or from when, and each queue's issuing state and walk-in tickets left of its quota."""
        with service.lock:
            return service.hours.view(ctx.clock(), service.state)

    @api.get("/staff/{staff_id}/photo", tags=["hall"])
    async def staff_photo(staff_id: str) -> dict[str, Any]:
        """A staff member's photo for the window's pad (亮牌上岗: public in the hall), as base64."""
        return staff_photos.answer(config, staff_id)

    router = APIRouter()
    router.include_router(public)
    router.include_router(api)
    return router
