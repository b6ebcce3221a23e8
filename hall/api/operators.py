"""The operators' console (role `operator`): the hall's own notices (通知公告, 政策解读), the
board's layout and ticker, the windows' LED idle texts and schedule, the urgent broadcast and
the audit of it all; and what every screen reads of it (`GET /board`). Every change is checked
by `hall.operators.rules` (a refusal names the field), audited and synced, and tells the
screens through the event stream (`board.changed`, `hall.broadcast`)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path
from pydantic import Field

from hall import api_models as m
from hall.api.common import API, ApiContext, ApiError
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound
from hall.operators import rules
from hall.operators.store import OperatorStore

NoticeId = Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")


class NoticeBody(m.Body):
    kind: str = Field(default="notice", max_length=16, description="notice 通知公告 or policy 政策解读")
    title: str = Field(max_length=4 * rules.MAX_TITLE)
    body: str = Field(max_length=4 * rules.MAX_BODY)
    title_en: str | None = Field(default=None, max_length=4 * rules.EN * rules.MAX_TITLE,
                                 description="the title in English (empty: English screens show the Chinese)")
    body_en: str | None = Field(default=None, max_length=4 * rules.EN * rules.MAX_BODY,
                                description="the text in English (empty: English screens show the Chinese)")
    start: str | None = Field(default=None, max_length=16, description="first day shown (YYYY-MM-DD)")
    expiry: str | None = Field(default=None, max_length=16, description="last day shown (YYYY-MM-DD)")


class BoardBody(m.Body):
    layout: str = Field(default="calls_and_notices", max_length=32)
    tickers: list[Any] = Field(default_factory=list, max_length=4 * rules.MAX_TICKERS)
    tickers_en: list[Any] = Field(default_factory=list, max_length=4 * rules.MAX_TICKERS,
                                  description="the English of each ticker text, by position (empty: the Chinese)")
    led_idle: dict[str, Any] = Field(default_factory=dict, description="window id → idle text")
    led_brightness: Any = 80
    led_on: str | None = Field(default=None, max_length=8, description="HH:MM the LED strips light")
    led_off: str | None = Field(default=None, max_length=8, description="HH:MM they go dark")


class BroadcastBody(m.Body):
    text: str = Field(max_length=4 * rules.MAX_BROADCAST)
    text_en: str | None = Field(default=None, max_length=4 * rules.EN * rules.MAX_BROADCAST,
                                description="the text in English (empty: English screens show the Chinese)")
    minutes: Any = 10


def operator_store(ctx: ApiContext) -> OperatorStore:
    return OperatorStore(ctx.store.conn, ctx.store.lock, ctx.sync.outbox, ctx.clock)


def idle_texts(store: OperatorStore) -> Callable[[str], str | None]:
    """Each window's LED idle text as the operators set it (None: the strip's own open text)."""
    return lambda window: dict(store.board().led_idle).get(window)


def led_lit(store: OperatorStore, ctx: ApiContext) -> Callable[[], bool]:
    """Whether the LED strips are lit now, by the operators' schedule, in the hall's time zone."""
    zone = ZoneInfo(ctx.config.hall.timezone)
    return lambda: store.board().led_lit(dt.datetime.fromtimestamp(ctx.clock(), zone).strftime("%H:%M"))


def checked(fn: Any, *args: Any) -> Any:
    """Runs a rule; its refusal becomes a 422 naming the field."""
    try:
        return fn(*args)
    except rules.Refused as exc:
        raise ApiError(422, "invalid", f"{exc.field}: {exc.message}", field=exc.field) from None


def current_broadcast(store: OperatorStore, now: float) -> dict[str, Any] | None:
    """The broadcast being shown: the last one sent, until it ends (an empty one ends it early)."""
    for change in store.audit(50):
        if change.action == "broadcast.sent" and change.after is not None:
            after = change.after
            shown = after["text"] and after["until"] > now
            return {"text": after["text"], "text_en": after.get("text_en", ""), "until": after["until"]} \
                if shown else None
    return None


def router(ctx: ApiContext) -> APIRouter:
    api = APIRouter(prefix=API, dependencies=[Depends(ctx.principal)], responses=m.ERRORS, tags=["operators"])
    store = operator_store(ctx)
    windows = frozenset(w.id for w in ctx.config.windows)

    def operator(who: Principal = Depends(ctx.principal)) -> Principal:
        if who.role != "operator":
            raise AuthError(403, f"{who.role} 不是运营人员（only the hall's operators）")
        return who

    def tell_screens(what: str, who: Principal) -> None:
        ctx.service.execute("board_changed", {"what": what, "by": who.id})

    @api.get("/board")
    async def board() -> dict[str, Any]:
        """What the board and the kiosks show besides the calls: layout, ticker, today's notices
        of the hall's operators, the LED settings and the urgent broadcast, if one is on."""
        now = ctx.clock()
        day = ctx.service.engine.day_of(now)
        notices = [n.to_dict() for n in store.notices() if n.shown_on(day)]
        return {"day": day, "now": now, **store.board().to_dict(), "notices": notices,
                "broadcast": current_broadcast(store, now)}

    @api.get("/operators/notices")
    async def notices(who: Principal = Depends(operator)) -> dict[str, Any]:
        return {"notices": [n.to_dict() for n in store.notices()]}

    @api.put("/operators/notices/{notice_id}")
    async def save_notice(body: NoticeBody, notice_id: str = NoticeId,
                          who: Principal = Depends(operator)) -> dict[str, Any]:
        """Adds or replaces one notice; refused (nothing changed) when a text is empty, too long
        or holds an ID number, or the expiry is before the start."""
        notice = checked(rules.notice, notice_id, body.model_dump())
        change = store.save_notice(who.id, notice)
        tell_screens("notices", who)
        return {"notice": notice.to_dict(), "change": change.to_dict()}

    @api.delete("/operators/notices/{notice_id}")
    async def delete_notice(notice_id: str = NoticeId, who: Principal = Depends(operator)) -> dict[str, Any]:
        change = store.delete_notice(who.id, notice_id)
        if change is None:
            raise NotFound(f"没有公告 {notice_id!r}", notice=notice_id)
        tell_screens("notices", who)
        return {"change": change.to_dict()}

    @api.put("/operators/board")
    async def save_board(body: BoardBody, who: Principal = Depends(operator)) -> dict[str, Any]:
        """The board's layout and ticker, the windows' LED idle texts, brightness and schedule."""
        settings = checked(rules.board, body.model_dump(), windows)
        change = store.save_board(who.id, settings)
        tell_screens("board", who)
        return {"board": settings.to_dict(), "change": change.to_dict()}

    @api.post("/operators/broadcast")
    async def broadcast(body: BroadcastBody, who: Principal = Depends(operator)) -> dict[str, Any]:
        """An urgent text shown on every screen and spoken by the displays, for `minutes`."""
        sent = checked(rules.broadcast, body.model_dump())
        until = ctx.clock() + sent.minutes * 60
        shown = {"text": sent.text, "text_en": sent.text_en, "until": until}
        change = store.record(who.id, "broadcast.sent", "screens", shown)
        ctx.service.execute("broadcast", {**shown, "by": who.id})
        return {"broadcast": shown, "change": change.to_dict()}

    @api.delete("/operators/broadcast")
    async def end_broadcast(who: Principal = Depends(operator)) -> dict[str, Any]:
        """Ends the broadcast being shown."""
        now = ctx.clock()
        change = store.record(who.id, "broadcast.sent", "screens", {"text": "", "until": now})
        ctx.service.execute("broadcast", {"text": "", "until": now, "by": who.id})
        return {"change": change.to_dict()}

    @api.get("/operators/audit")
    async def audit(who: Principal = Depends(operator)) -> dict[str, Any]:
        """Every change, newest first: who, when, what, before and after."""
        return {"changes": [dict(c.to_dict(), at_iso=_iso(c.at)) for c in store.audit()]}

    return api


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
