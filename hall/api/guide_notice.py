"""A matter's one-time notice (一次性告知单) for a citizen's phone, without a login: the QR code a
terminal shows when it cannot print the notice opens `/g/<code>`, the same A4 PDF the terminal
would have printed (hall.notices.guide.notice_pdf). Service guides are public (政务公开), so the
address needs no signature; an unknown matter is a 404 that says so. `?lang=en` is the notice
in English: the hall's English of every value (hall.notices.guide), as an English screen shows it."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hall import api_models as m
from hall.api.about import describe_hall
from hall.api.common import ApiContext
from hall.domain.errors import NotFound

PAGE = "/g/{code}"
PATHS = frozenset({PAGE})


def router(ctx: ApiContext) -> APIRouter:
    public = APIRouter(tags=["public"], responses={404: m.ERRORS[404]})
    config = ctx.config

    @public.get(PAGE, response_class=Response,
                responses={200: {"content": {"application/pdf": {}}, "description": "the notice, A4 PDF"}})
    async def guide_notice(code: str, lang: str = Query(default="zh", pattern="^(zh|en)$")) -> Response:
        """The 一次性告知单 of matter `code` as a PDF a phone opens (Chinese, or `lang=en`)."""
        from hall.notices.guide import notice_pdf

        guide = ctx.guides.get(code)
        if guide is None:
            raise NotFound(f"没有事项 {code!r} 的办事指南（no service guide with this code）", matter=code[:40])
        queue = next((q for q in config.queues if q.id == guide.get("queue")), None)
        guide = {**guide, "queue_name": guide.get("queue_name") or (queue.name if queue else ""),
                 "queue_name_en": guide.get("queue_name_en") or (queue.name_en if queue else "")}
        now = dt.datetime.now(ZoneInfo(config.hall.timezone))
        pdf = notice_pdf(guide, describe_hall(config), printed_at=now, lang=lang)
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="notice-{code}.pdf"'})

    return public
