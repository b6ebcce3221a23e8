"""The supervisors' dashboard: the hall's figures for today or any day, week, month or quarter
(or a range of days), per window, staff member, matter and queue, with the follow-ups, the cases
and the monthly window ranking; and the same as CSV or XLSX. Supervisors only."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import RedirectResponse

from hall import api_models as m
from hall.api.common import API, ApiContext, ApiError
from hall.auth import AuthError, Principal
from hall.followups.dashboard import Dashboard
from hall.followups.export import to_csv, to_xlsx
from hall.followups.figures import PERIODS, period

MAX_DAYS = 400  # a quarter is the longest period; a range may span a year and a bit
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def router(ctx: ApiContext, board: Dashboard) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["dashboard"])

    def supervisor(who: Principal) -> None:
        if who.role != "supervisor":
            raise AuthError(403, "统计看板仅限主管（supervisors only）")

    def days(kind: str, day: str | None, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
        try:
            if start or end:
                if not (start and end):
                    raise ApiError(422, "invalid", "from 和 to 须同时给出（a range needs both ends）", field="from")
                first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
            else:
                today = dt.date.fromisoformat(ctx.service.engine.day_of(ctx.clock()))
                first, last = period(kind, dt.date.fromisoformat(day) if day else today)
        except ValueError as exc:
            raise ApiError(422, "invalid", f"日期须为 YYYY-MM-DD：{exc}", field="date") from None
        if last < first or (last - first).days > MAX_DAYS:
            raise ApiError(422, "invalid", f"区间须从早到晚且不超过 {MAX_DAYS} 天（{first} 至 {last}）", field="to")
        return first, last

    Period = Query(default="day", pattern=f"^({'|'.join(PERIODS)})$")

    @api.get("/dashboard")
    async def dashboard(kind: str = Period, date: str | None = None,
                        start: str | None = Query(default=None, alias="from"),
                        end: str | None = Query(default=None, alias="to"),
                        who: Principal = Depends(ctx.principal)) -> dict[str, Any]:
        """The figures of the day, week, month or quarter holding `date` (today if left out), or from..to."""
        supervisor(who)
        return board.build(*days(kind, date, start, end))

    @api.get("/dashboard/export", response_class=Response,
             responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
    async def export(format: Literal["csv", "xlsx"] = "xlsx", kind: str = Period, date: str | None = None,
                     start: str | None = Query(default=None, alias="from"),
                     end: str | None = Query(default=None, alias="to"),
                     who: Principal = Depends(ctx.principal)) -> Response:
        """The same figures as a CSV or XLSX file to take away, with the period's 差评 one by one
        (差评明细: window, staff, matter, reason, who called back, what was done, when)."""
        supervisor(who)
        first, last = days(kind, date, start, end)
        data, ledger = board.build(first, last), board.register(first, last)
        name = f"yiciban-{first.isoformat()}_{last.isoformat()}.{format}"
        body, media = (to_csv(data, ledger), "text/csv; charset=utf-8") if format == "csv" \
            else (to_xlsx(data, ledger), XLSX)
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    router = APIRouter()
    router.include_router(api)

    @router.get("/ui/supervisor", include_in_schema=False)
    async def page() -> RedirectResponse:
        """The supervisors' page (it asks for a login before it shows anything)."""
        return RedirectResponse("/ui/supervisor.html")

    return router
