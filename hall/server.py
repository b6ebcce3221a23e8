"""The hall server: the queue over HTTP/JSON, and its event stream over WebSocket."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import (
    APIRouter,
    Depends,
    FastAPI,
    Header,
    Query,
    Request,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from hall import api_models as m
from hall.asgi import HallHttpMiddleware
from hall.auth import Authenticator, AuthError, Principal, bearer
from hall.case_api import CASE_PATHS, case_router
from hall.case_service import CaseService
from hall.citizen_api import citizen_router, ticket_answer
from hall.config import HallConfig
from hall.domain.errors import NotFound, QueueError
from hall.follow_api import FOLLOW_PATHS, follow_router
from hall.guides import Guides
from hall.hub import EventHub
from hall.identity import Identity, load_identity_key
from hall.peripherals import HallPeripherals
from hall.service import HallService
from hall.store import HallStore, StoreError

log = logging.getLogger(__name__)

API = "/api/v1"
# open without a token on purpose: the health probe, the API's documentation and the web pages
# (the pages hold no data; they ask for a login or a device token before they show anything)
PUBLIC_PATHS = frozenset({"/", "/health", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/ui"}
                         | FOLLOW_PATHS | CASE_PATHS)  # follow pages: their signed links are the key
WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_SEQ = 2**62  # sequence numbers are SQLite integers
RATERS = frozenset({"pad", "kiosk", "dispenser", "operator", "supervisor"})


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _error(status: int, code: str, message: str, details: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "details": details or {}}, status_code=status)


def describe_hall(config: HallConfig) -> dict[str, Any]:
    """What a device is told about the hall: names, queues and windows, and what the screens
    need: the age for elderly priority, the 差评 reasons a pad offers, and the names on the
    staff badges at the windows (public in the hall)."""
    return {
        "id": config.hall.id, "name": config.hall.name, "name_en": config.hall.name_en,
        "demo": config.hall.demo, "timezone": config.hall.timezone,
        "phone": config.hall.phone, "address": config.hall.address, "hours": config.hall.hours,
        "guide_url": config.hall.guide_url, "public_url": config.hall.public_url,
        "queues": [q.model_dump() for q in config.queues],
        "windows": [w.model_dump() for w in config.windows],
        "policy": {"elderly_age": config.policy.elderly_age,
                   "appointment_grace_minutes": config.policy.appointment_grace_minutes},
        "evaluation": {"bad_reasons": list(config.evaluation.bad_reasons)},
        "staff": [{"id": s.id, "name": s.name} for s in config.staff],
    }


def create_app(config: HallConfig, data_dir: Path, clock: Callable[[], float] = time.time) -> FastAPI:
    # sync sits below the hall (ARCHITECTURE.md): the outbox rows commit with the events
    from fastapi.responses import Response
    from pydantic import ValidationError

    from sync.node import SyncNode, Upstream
    from sync.reference import DATASETS, MAX_PAGE
    from sync.wire import PullAnswer, PushAnswer, PushBody

    store = HallStore(Path(data_dir) / "hall.db")
    p = config.platform
    upstream = Upstream(p.url, config.node_id, p.token, p.ca_file, p.timeout_seconds) if p.url else None
    sync_node = SyncNode(data_dir, store.path, upstream=upstream, lock=store.lock, clock=clock)
    sync_node.attach(store.conn)
    service = HallService(config.setup(), store, clock=clock, outbox=sync_node.write_queue_events)
    auth = Authenticator(config, store, clock=clock)
    hub = EventHub(store, service.last_seq)
    service.subscribe(hub.publish)
    peripherals = HallPeripherals(config, service)  # keypads, pads and LED strips on the hall PC
    identity = Identity(load_identity_key(data_dir))
    guides = Guides(config, sync_node.reference, clock)
    sync_roles = frozenset({"kiosk", "dispenser", "pad", "keypad", "operator"})  # devices that push records
    staff_ids = {st.id for st in config.staff}

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        hub.bind(asyncio.get_running_loop())
        ticker = asyncio.create_task(_day_ticker(service))
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
            peripherals.close()
            sync_node.close()
            store.close()

    app = FastAPI(
        title="yiciban hall API",
        version="1",
        description="The queue of a government service hall: tickets, calls, windows, statistics, events.",
        lifespan=lifespan,
    )
    app.state.service, app.state.hub, app.state.auth, app.state.config = service, hub, auth, config
    app.state.sync = sync_node
    max_body = config.server.max_body_bytes

    app.add_middleware(HallHttpMiddleware, max_body=max_body)

    @app.exception_handler(QueueError)
    async def on_queue_error(request: Request, exc: QueueError):
        return _error(exc.status, exc.code, exc.message, {k: str(v) for k, v in exc.details.items()})

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(AuthError)
    async def on_auth_error(request: Request, exc: AuthError):
        code = {401: "unauthenticated", 403: "forbidden", 429: "too_many_attempts"}[exc.status]
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        resp = _error(exc.status, code, exc.message)
        if headers:
            resp.headers.update(headers)
        return resp

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError):
        log.error("store error: %s", exc)
        return _error(503, "store_unavailable", "服务暂时无法保存数据，请稍后重试（nothing was changed）")

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            if err["type"] == "json_invalid":
                return _error(400, "malformed_json", f"request body is not valid JSON: {err.get('ctx', {}).get('error', err['msg'])}")
            problems.append(f"{where}: {err['msg']}")
        return _error(422, "invalid", "; ".join(problems), {"problems": problems})

    # -- authentication dependencies
    # Handlers are coroutines: the queue is served by the event loop's one thread, with no hop to
    # a thread pool per request. Login is a plain function (scrypt is slow on purpose), so it runs
    # in the pool and never stalls the loop.

    async def principal(authorization: str | None = Header(default=None)) -> Principal:
        return auth.principal(bearer(authorization))

    def for_window(window_id: str, who: Principal) -> None:
        if window_id not in service.engine.windows:
            raise NotFound(f"没有窗口 {window_id!r}", window=window_id)
        if not who.may_operate(window_id):
            raise AuthError(403, f"{who.id} 无权操作窗口 {window_id}")

    def staff_for_window(who: Principal, named: str | None) -> str | None:
        """Who a window is opened for: staff open it for themselves; managers name someone on the rota."""
        if who.kind == "staff" and who.role == "staff":
            if named not in (None, who.id):
                raise AuthError(403, "只能以自己的身份开窗")
            return who.id
        if named is None:
            return who.id if who.kind == "staff" else None
        if named not in staff_ids:
            raise ApiError(422, "invalid", f"没有工作人员 {named!r}", staff=named)
        return named

    def run(command: str, params: dict[str, Any], key: str | None) -> dict[str, Any]:
        if key is not None and not (1 <= len(key) <= 128):
            raise ApiError(400, "bad_idempotency_key", "Idempotency-Key must be 1 to 128 characters")
        return service.execute(command, params, idempotency_key=key)

    public = APIRouter(responses={k: m.ERRORS[k] for k in (400, 401, 413, 422)}
                       | {429: {"model": m.ErrorBody, "description": "too many failed logins"}})
    api = APIRouter(prefix=API, dependencies=[Depends(principal)], responses=m.ERRORS)

    @public.get("/health", tags=["public"])
    async def health() -> dict[str, Any]:
        return {"status": "ok", "hall": config.hall.id, "seq": service.last_seq}

    @public.post(f"{API}/auth/login", tags=["auth"])
    def login(body: m.LoginBody) -> dict[str, Any]:
        token, who, expires = auth.login(body.username, body.password)
        log.info("staff %s logged in", who.id)
        return {"token": token, "expires_at": expires, "staff": _principal_view(who)}

    @api.post("/auth/logout", tags=["auth"])
    async def logout(authorization: str | None = Header(default=None)) -> dict[str, Any]:
        auth.logout(bearer(authorization) or "")
        return {"ok": True}

    @api.get("/me", tags=["auth"])
    async def me(who: Principal = Depends(principal)) -> dict[str, Any]:
        return _principal_view(who)

    @api.get("/hall", tags=["hall"])
    async def hall_info() -> dict[str, Any]:
        return describe_hall(config)

    @api.get("/snapshot", tags=["hall"])
    async def snapshot() -> dict[str, Any]:
        return service.snapshot()

    @api.get("/events", tags=["events"])
    async def events(after: int = Query(0, ge=0, le=MAX_SEQ),
                     limit: int = Query(500, ge=1, le=5000)) -> dict[str, Any]:
        found = store.events_after(after, limit)
        return {"head": service.last_seq, "events": [e.to_dict() for e in found]}

    @api.get("/stats", tags=["statistics"])
    async def stats(day: str | None = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
              who: Principal = Depends(principal)) -> dict[str, Any]:
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, "统计仅对工作人员开放")
        return service.stats(day)

    # -- tickets

    @api.post("/tickets", tags=["tickets"], status_code=201)
    async def issue(body: m.IssueBody, who: Principal = Depends(principal),
              idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not who.may_issue():
            raise AuthError(403, f"{who.role} 不能取号")
        queue = body.queue
        if body.matter is not None:
            matter = guides.get(body.matter)
            if matter is None:
                raise NotFound(f"没有事项 {body.matter!r}", matter=body.matter)
            if queue is not None and queue != matter["queue"]:
                raise ApiError(422, "invalid", f"事项 {matter['name']} 在 {matter['queue']} 办理，不在 {queue}")
            queue = matter["queue"]
        if queue is None:
            raise ApiError(422, "invalid", "queue or matter is required")
        params: dict[str, Any] = {"queue": queue, "priority": body.priority, "channel": body.channel}
        for name in ("slot_start", "slot_end"):
            value = getattr(body, name)
            if value is not None:
                if value.tzinfo is None:
                    raise ApiError(422, "invalid", f"{name} needs a time zone (e.g. +08:00)")
                params[name] = value.timestamp()
        params.update(identity.ticket_fields(body.id_number))  # its keyed hash and masked form only
        return ticket_answer(run("issue", params, idempotency_key), config, identity)

    @api.get("/tickets/{ticket_id}", tags=["tickets"])
    async def ticket(ticket_id: str) -> dict[str, Any]:
        return service.ticket(ticket_id)

    @api.post("/tickets/{ticket_id}/cancel", tags=["tickets"])
    async def cancel(ticket_id: str, body: m.CancelBody | None = None, who: Principal = Depends(principal),
               idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        if not (who.may_manage() or who.role == "staff"):
            raise AuthError(403, f"{who.role} 不能取消票")
        return run("cancel", {"ticket": ticket_id, "reason": (body or m.CancelBody()).reason}, idempotency_key)

    @api.post("/tickets/{ticket_id}/rating", tags=["tickets"])
    async def rate(ticket_id: str, body: m.RatingBody, who: Principal = Depends(principal),
                   idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """好差评 for a finished visit, once. Citizens rate: staff cannot rate their own service."""
        if who.role not in RATERS:
            raise AuthError(403, f"{who.role} 不能提交评价")
        current = service.state.tickets.get(ticket_id)
        if who.role == "pad" and (current is None or current.window not in who.windows):
            raise AuthError(403, "评价器只能评价本窗口办结的业务")
        params = {"ticket": ticket_id, **body.model_dump()}
        return run("rate", params, idempotency_key)

    @api.post("/tickets/{ticket_id}/transfer", tags=["tickets"])
    async def transfer(ticket_id: str, body: m.TransferBody, who: Principal = Depends(principal),
                 idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        current = service.state.tickets.get(ticket_id)
        from_window = (current.window if current else None) or body.by_window
        if not who.may_manage():
            # staff move a ticket at their window, or one waiting in a queue their window serves
            held_here = current is not None and current.window is not None
            serves = (from_window in service.engine.windows and current is not None
                      and current.queue in service.engine.windows[from_window].queues)
            if from_window is None or not who.may_operate(from_window) or not (held_here or serves):
                raise AuthError(403, "只能转移本窗口的票，或本窗口所办业务中等候的票")
        params = body.model_dump()
        params["by_window"] = from_window
        return run("transfer", {"ticket": ticket_id, **params}, idempotency_key)

    # -- windows

    def window_route(path: str, command: str, body_model: type[m.Body] | None = None, summary: str = ""):
        if body_model is None:
            async def handler(window_id: str, who: Principal = Depends(principal),
                        idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
                for_window(window_id, who)
                return run(command, {"window": window_id}, idempotency_key)
        else:
            async def handler(window_id: str, body: body_model | None = None,  # type: ignore[valid-type]
                        who: Principal = Depends(principal),
                        idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
                for_window(window_id, who)
                params = (body or body_model()).model_dump(exclude_none=True)
                if command == "open_window":
                    params["staff"] = staff_for_window(who, params.get("staff"))
                return run(command, {"window": window_id, **params}, idempotency_key)
        handler.__name__ = command
        if body_model is not None:  # the closure's model, not a name FastAPI could look up
            handler.__annotations__["body"] = body_model | None
        api.add_api_route(f"/windows/{{window_id}}/{path}", handler, methods=["POST"],
                          tags=["windows"], summary=summary or command.replace("_", " "))

    @api.post("/windows/{window_id}/call", tags=["windows"])
    async def call(window_id: str, body: m.CallBody, who: Principal = Depends(principal),
             idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        for_window(window_id, who)
        return run("call", {"window": window_id, "ticket": body.ticket}, idempotency_key)

    window_route("call-next", "call_next", summary="call the next ticket by the window's policy")
    window_route("recall", "recall", summary="call the current ticket again (no-show after N recalls)")
    window_route("no-show", "no_show", summary="mark the called ticket as not present")
    window_route("start", "start", summary="start serving the called ticket")
    window_route("finish", "finish", m.FinishBody, summary="finish the service")
    window_route("open", "open_window", m.OpenBody, summary="open the window")
    window_route("pause", "pause", m.PauseBody, summary="pause the window")
    window_route("resume", "resume", summary="resume a paused window")
    window_route("close", "close_window", summary="close the window")

    @api.get("/windows/{window_id}", tags=["windows"])
    async def window(window_id: str) -> dict[str, Any]:
        if window_id not in service.engine.windows:
            raise NotFound(f"没有窗口 {window_id!r}", window=window_id)
        return service.window_view(window_id)

    # -- sync: devices push their records through the hall, and pull its reference copy

    @api.post("/sync/push", tags=["sync"], responses={200: {"model": PushAnswer}},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": PushBody.model_json_schema()}}}})
    async def sync_push(request: Request, who: Principal = Depends(principal)) -> dict[str, Any]:
        """Stores a device's records in the hall's outbox (same key: a duplicate); the hall forwards them."""
        if who.kind != "device" or who.role not in sync_roles:
            raise AuthError(403, f"{who.role} 不能上传记录")
        try:
            body = PushBody.model_validate_json(await request.body())
        except ValidationError as exc:  # where and what, never the values (they may be personal)
            problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:10]]
            raise ApiError(422, "invalid", "not a push batch: " + "; ".join(problems)) from None
        if body.node not in (None, who.id):
            raise AuthError(403, f"this token belongs to {who.id}, not {body.node}")
        results: list[Any] = []
        store.append([], also=lambda conn, _events: results.extend(sync_node.receive(conn, body.items, who.id)))
        return {"results": [{"key": r.key, "status": r.status, "reason": r.reason} for r in results]}

    @api.get("/sync/pull/{dataset}", tags=["sync"],
             responses={200: {"model": PullAnswer}, 304: {"description": "unchanged since the ETag"}})
    async def sync_pull(dataset: str, since: int = Query(0, ge=0, le=MAX_SEQ),
                        cursor: str | None = Query(None, max_length=1000),
                        limit: int = Query(500, ge=1, le=MAX_PAGE),
                        if_none_match: str | None = Header(default=None)) -> JSONResponse:
        """The hall's copy of the platform's reference data, for its devices (same protocol)."""
        if dataset not in DATASETS:
            raise NotFound(f"没有参考数据 {dataset!r}（one of: {', '.join(DATASETS)}）", dataset=dataset)
        try:
            status, page, tag = sync_node.pull_page(dataset, since, cursor, limit, if_none_match)
        except ValueError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        if page is None:
            return Response(status_code=status, headers={"ETag": tag})
        return JSONResponse(page, headers={"ETag": tag})

    @api.get("/sync/status", tags=["sync"])
    async def sync_status(who: Principal = Depends(principal)) -> dict[str, Any]:
        """Delivery to the platform: waiting, delivered, set aside (with reasons), reference ages."""
        if not who.may_manage():
            raise AuthError(403, "同步状态仅对管理员和值班设备开放")
        with store.lock:
            return sync_node.status(store.conn)

    @public.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.include_router(public)
    app.include_router(api)
    app.include_router(citizen_router(config, service, sync_node.reference, identity, guides, principal))
    app.include_router(follow_router(config, service, identity))
    app.state.cases = CaseService.for_hall(config, service, sync_node)
    app.include_router(case_router(config, app.state.cases, identity, principal))
    app.mount("/ui", StaticFiles(directory=WEB_DIR, html=True, check_dir=False), name="ui")

    @app.websocket(f"{API}/events/ws")
    async def event_stream(ws: WebSocket, after: int | None = None, token: str | None = None):
        """Events after `after` (or from now), then live. Token in the query or Authorization header."""
        # accept first, so that a browser sees why it was closed (4401: who are you, 4400: bad request)
        await ws.accept()
        try:
            auth.principal(token or bearer(ws.headers.get("authorization")))
        except AuthError:
            await ws.close(code=4401, reason="unauthenticated")
            return
        if after is not None and not 0 <= after <= MAX_SEQ:
            await ws.close(code=4400, reason="after must be a sequence number >= 0")
            return
        # read as well as write, so a display that goes away is noticed at once, not at the next send
        sender = asyncio.create_task(hub.stream(ws.send_text, after))
        reader = asyncio.create_task(_drain(ws))
        done, pending = await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, (WebSocketDisconnect, RuntimeError, ConnectionError)):
                log.error("event stream failed: %r", exc)

    return app


async def _drain(ws: WebSocket) -> None:
    """Reads (and ignores) what a subscriber sends, until it disconnects."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return


def _principal_view(who: Principal) -> dict[str, Any]:
    return {"kind": who.kind, "id": who.id, "role": who.role, "name": who.name, "windows": sorted(who.windows)}


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
