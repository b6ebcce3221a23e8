"""The hall server: the queue over HTTP/JSON, and its event stream over WebSocket.

`create_app` builds the hall's parts (store, sync node, queue service, event hub, sign-in) and
assembles the API's routers, one per area, from `hall.api`.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from hall.api import (
    about,
    case_pages,
    cases,
    citizens,
    counter,
    dashboard,
    events,
    follow,
    followups,
    guide_notice,
    health,
    leases,
    operators,
    refusals,
    staff,
    sync,
    tickets,
    views,
    windows,
)
from hall.api.about import describe_hall
from hall.api.common import ApiContext, ApiError, install_error_handlers, principal_dependency
from hall.api.pages import PageHeaders
from hall.asgi import HallHttpMiddleware
from hall.auth import Authenticator
from hall.case_pages import CasePages, sweep_forever
from hall.case_service import CaseService
from hall.config import HallConfig
from hall.domain.events import Event
from hall.followups.dashboard import Dashboard
from hall.followups.service import FollowupService
from hall.guides import Guides
from hall.health_watch import HallHealth
from hall.hub import EventHub
from hall.identity import Identity, load_identity_key
from hall.opening import hall_hours
from hall.peripherals import HallPeripherals
from hall.refused.service import RefusalDesk
from hall.service import HallService
from hall.store import HallStore

__all__ = ["PUBLIC_PATHS", "ROUTERS", "ApiError", "create_app", "describe_hall", "openapi_json"]

log = logging.getLogger(__name__)

# open without a token on purpose: the health probe, the API's documentation (in a demo hall
# only) and the web pages (they hold no data; they ask for a login or a device token first)
PUBLIC_PATHS = frozenset({"/", "/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/ui",
                          "/ui/supervisor", "/ui/health"}
                         | follow.FOLLOW_PATHS | cases.CASE_PATHS | guide_notice.PATHS)  # follow pages: their signed links are the key
WEB_DIR = Path(__file__).resolve().parent / "web"
# the API's areas, in the order their routes are matched
ROUTERS: tuple[Callable[[ApiContext], APIRouter], ...] = (
    about.router, staff.router, events.router, tickets.router, windows.router, sync.router,
    citizens.router, follow.router, cases.router, case_pages.router, operators.router, counter.router,
    health.router, guide_notice.router, leases.router, refusals.router,
)


def create_app(config: HallConfig, data_dir: Path, clock: Callable[[], float] = time.time,
               hall_time_offset: float = 0.0, always_open: bool = False) -> FastAPI:
    """The hall server's app. `hall_time_offset` (seconds) moves the hall's time for its opening
    hours only; `always_open` ignores them (the demo's default)."""
    # sync sits below the hall (ARCHITECTURE.md): the outbox rows commit with the events
    from sync.node import SyncNode, Upstream

    store = HallStore(Path(data_dir) / "hall.db")
    p = config.platform
    upstream = Upstream(p.url, config.node_id, p.token, p.ca_file, p.timeout_seconds, p.adapter) if p.url else None
    if p.adapter == "provincial":  # the province's 好差评 record names the hall's 区划 (sync.provincial_client)
        os.environ.setdefault("YICIBAN_PROVINCE_AREA", config.hall.area_code)
    sync_node = SyncNode(data_dir, store.path, upstream=upstream, lock=store.lock, clock=clock)
    sync_node.attach(store.conn)
    hours = hall_hours(config, sync_node.calendar.is_workday, hall_time_offset, always_open)
    service = HallService(config.setup(), store, clock=clock, outbox=sync_node.write_queue_events, hours=hours)
    auth = Authenticator(config, store, clock=clock)
    hubs = _hubs(service, store)
    peripherals = HallPeripherals(config, service)  # keypads, pads and LED strips on the hall PC
    identity = Identity(load_identity_key(data_dir))
    ctx = ApiContext(config=config, service=service, store=store, hubs=hubs, auth=auth, identity=identity,
                     guides=Guides(config, sync_node.reference, clock), sync=sync_node, clock=clock,
                     principal=principal_dependency(auth), peripherals=peripherals,
                     cases=CaseService.for_hall(config, service, sync_node),
                     followups=FollowupService.for_hall(config, service, sync_node),  # the 差评 ledger
                     health=HallHealth(config, data_dir, store, sync_node, peripherals, clock),
                     pages=CasePages(store, sync_node, clock),
                     refusals=RefusalDesk(service, {s.id: s.name for s in config.staff}))  # refused offline tickets
    board = operators.operator_store(ctx)  # the operators' LED idle texts, brightness and schedule
    peripherals.idle_text, peripherals.lit = operators.idle_texts(board), operators.led_lit(board, ctx)
    peripherals.brightness = lambda: board.board().led_brightness

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        for hub in hubs.values():
            hub.bind(asyncio.get_running_loop())
        ticker = asyncio.create_task(_day_ticker(service))
        watching = asyncio.create_task(ctx.health.watch())  # hall.health records when it changes
        sweeper = asyncio.create_task(sweep_forever(ctx.pages))  # pages wiped once the platform has them
        peripherals.start()
        try:
            sync_node.start()
        except Exception as exc:  # the hall serves without a platform; records wait in the outbox
            log.error("sync not started: %s", exc)
        log.info("hall %s serving, %d queues, %d windows", config.hall.id, len(config.queues), len(config.windows))
        try:
            yield
        finally:
            ticker.cancel()
            watching.cancel()
            sweeper.cancel()
            peripherals.close()
            sync_node.close()
            store.close()

    docs = config.hall.demo  # a production hall does not publish its API's map to anyone who asks
    app = FastAPI(
        title="yiciban hall API",
        version="1",
        description="The queue of a government service hall: tickets, calls, windows, statistics, events.",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.service, app.state.hubs, app.state.auth, app.state.config = service, hubs, auth, config
    app.state.sync = sync_node
    app.add_middleware(PageHeaders)
    app.add_middleware(HallHttpMiddleware, max_body=config.server.max_body_bytes,
                       larger=((case_pages.PAGES_PATH, case_pages.UPLOAD_LIMIT),))
    install_error_handlers(app)
    for build in ROUTERS:
        app.include_router(build(ctx))
    app.include_router(followups.router(ctx, ctx.followups))
    app.include_router(dashboard.router(ctx, Dashboard(config, store, ctx.followups, ctx.cases)))
    app.state.cases, app.state.followups, app.state.health = ctx.cases, ctx.followups, ctx.health
    app.state.pages = ctx.pages
    app.mount("/ui", StaticFiles(directory=WEB_DIR, html=True, check_dir=False), name="ui")
    return app


def _hubs(service: HallService, store: HallStore) -> dict[str, EventHub]:
    """The event stream of each view: every event shaped once for it, live and when replayed.

    An event that no view changes (most of a day's: no ID number, no applicant) is serialised
    once, and every view's ring holds that same text: the rings keep thousands of recent events
    each, and a copy per view was most of what a hall day added to the server's memory.
    """
    hubs = {view: EventHub(views.ShapedEvents(store, view), service.last_seq)  # type: ignore[arg-type]
            for view in views.VIEWS}

    def publish(events: list[Event]) -> None:
        unchanged: dict[int, str] = {}  # seq -> the JSON of an event as it was committed
        for view, hub in hubs.items():
            items = []
            for event in events:
                shaped = views.shape_event(event, view)
                if shaped is event:
                    text = unchanged.get(event.seq) or unchanged.setdefault(event.seq, event.to_json())
                else:
                    text = shaped.to_json()
                items.append((event.seq, text))
            hub.publish_json(items)

    service.subscribe(publish)
    return hubs


async def _day_ticker(service: HallService) -> None:
    """Starts the new hall day at midnight even when nobody takes a ticket."""
    while True:
        await asyncio.sleep(30)
        try:
            service.tick()
        except Exception:
            log.exception("day tick failed")


def openapi_json(app: FastAPI) -> str:
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
