"""The reference platform's HTTP API (FastAPI): the sync protocol for nodes, and a small admin API.

Nodes authenticate with their bearer token (each token names one node), the admin with the
admin token. Errors are `{"error", "message", "details"}` like the hall's; a storage failure
is 503 with Retry-After, so a relay keeps its rows and comes back. Writes (a node's push, the
admin's publish) go through the admission gate (sync.platform.admission): a few at a time, in
arrival order, 503 `storage_busy` for one that cannot start in time; reads never wait behind them.
"""
from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from sync.platform.admission import Busy, Gate
from sync.platform.config import PlatformSettings
from sync.platform.datasets import InvalidItem
from sync.platform.db import StorageError
from sync.platform.store import PlatformStore
from sync.protocol import REJECTED
from sync.reference import DATASETS, MAX_PAGE, etag
from sync.wire import ErrorAnswer, PublishBody, PullAnswer, PushAnswer, PushBody, page_json

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_BODY = 16 * 1024 * 1024
DatasetName = Path(pattern="^(" + "|".join(DATASETS) + ")$", description="one of: " + ", ".join(DATASETS))
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorAnswer, "description": "no token, or not a token this platform knows"},
    403: {"model": ErrorAnswer, "description": "the token may not do this"},
    422: {"model": ErrorAnswer, "description": "the request is invalid"},
    503: {"model": ErrorAnswer, "description": "storage busy or full: retry after Retry-After seconds"},
}


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
           details: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "details": details or {}},
                        status_code=status, headers=headers)


def _bearer(header: str | None) -> str | None:
    scheme, _, value = (header or "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def create_platform_app(store: PlatformStore, settings: PlatformSettings) -> FastAPI:
    app = FastAPI(title="yiciban reference platform", version="1",
                  description="Sync protocol for halls (docs/sync-protocol.md) and a small admin API.")
    app.state.store = store
    app.state.gate = gate = Gate(settings.admission)
    _guard(app)

    @app.get("/health", tags=["public"])
    async def health() -> dict[str, Any]:
        return {"status": "ok", "protocol": 1}

    app.include_router(_sync_router(store, settings, gate))
    app.include_router(_admin_router(store, settings, gate))
    return app


def _guard(app: FastAPI) -> None:
    """The body limit, and errors as `{"error", "message", "details"}`."""

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return _error(413, "too_large", f"request body over {MAX_BODY} bytes")
        return await call_next(request)

    @app.exception_handler(Refused)
    async def on_refused(request: Request, exc: Refused):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, exc.code, exc.message, headers)

    @app.exception_handler(StorageError)
    async def on_storage(request: Request, exc: StorageError):
        log.error("storage error: %s", exc)
        code = "storage_full" if exc.full else "storage_busy" if exc.busy else "storage_failed"
        return _error(503, code, str(exc), {"Retry-After": "30" if exc.full else "5"})

    @app.exception_handler(Busy)
    async def on_busy(request: Request, exc: Busy):
        return _error(503, "storage_busy", str(exc), {"Retry-After": str(exc.retry_after)},
                      details={"retry_after": exc.retry_after})

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError):
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            return _error(400, "malformed_json", "request body is not valid JSON")
        return _error(422, "invalid", "; ".join(problems)[:2000], details={"problems": problems[:50]})


def _sync_router(store: PlatformStore, settings: PlatformSettings, gate: Gate) -> APIRouter:
    """The sync protocol: nodes push records and pull reference data."""
    sync = APIRouter(prefix=f"{API}/sync", tags=["sync"], responses=ERRORS)

    async def node(authorization: str | None = Header(default=None)) -> str:
        found = settings.node_for(_bearer(authorization))
        if found is None:
            raise Refused(401, "unauthenticated", "a node token is required (Authorization: Bearer ...)")
        return found

    @sync.post("/push", responses={200: {"model": PushAnswer}})
    async def push(body: PushBody, who: str = Depends(node)) -> JSONResponse:
        """Stores a batch of records; one result per item: accepted, duplicate or rejected.
        503 `storage_busy` with Retry-After when the push could not start in time."""
        if body.node is not None and body.node != who:
            raise Refused(403, "forbidden", f"this token belongs to node {who!r}, not {body.node!r}")
        results = await gate.run(lambda: run_in_threadpool(store.push, who, body.items))
        refused = [r for r in results if r["status"] == REJECTED]
        for r in refused[:5]:
            log.warning("node %s: record %s refused: %s", who, r["key"] or "?", r["reason"])
        log.debug("node %s pushed %d records (%d refused)", who, len(results), len(refused))
        return JSONResponse({"results": results})

    @sync.get("/pull/{dataset}", responses={200: {"model": PullAnswer}, 304: {"description": "unchanged"}})
    def pull(dataset: str = DatasetName, since: int = Query(0, ge=0, le=2**62),
             cursor: str | None = Query(None, max_length=1000), limit: int = Query(500, ge=1, le=MAX_PAGE),
             if_none_match: str | None = Header(default=None), who: str = Depends(node)) -> Response:
        """Changes after version `since`, in pages (follow `next_cursor`); 304 if the ETag is current."""
        if if_none_match and not cursor and if_none_match == etag(dataset, store.version(dataset)):
            return Response(status_code=304, headers={"ETag": if_none_match})
        try:
            version, changes, next_cursor = store.changes(dataset, who, since, cursor, limit)
        except ValueError as exc:
            raise Refused(422, "invalid", str(exc)) from None
        tag = etag(dataset, version)
        return JSONResponse(page_json(dataset, version, tag, changes, next_cursor), headers={"ETag": tag})

    return sync


def _admin_router(store: PlatformStore, settings: PlatformSettings, gate: Gate) -> APIRouter:
    """The admin's API: publish reference data, read what the nodes sent."""

    async def admin(authorization: str | None = Header(default=None)) -> None:
        if not settings.is_admin(_bearer(authorization)):
            raise Refused(401, "unauthenticated", "the admin token is required")

    adm = APIRouter(prefix=f"{API}/admin", tags=["admin"], dependencies=[Depends(admin)], responses=ERRORS)
    Node = Query(None, max_length=64)
    After = Query(-1, ge=-1, le=2**62)

    @adm.post("/datasets/{dataset}")
    async def publish(body: PublishBody, dataset: str = DatasetName) -> dict[str, Any]:
        """Publishes changes to a reference dataset as one new version (all of them, or none);
        it waits its turn with the nodes' pushes."""
        try:
            version, changed = await gate.run(lambda: run_in_threadpool(
                store.publish, dataset, body.upsert, body.delete, body.replace))
        except InvalidItem as exc:
            raise Refused(422, "invalid", str(exc)) from None
        return {"dataset": dataset, "version": version, "changed": changed}

    @adm.get("/datasets/{dataset}")
    def dataset_items(dataset: str = DatasetName) -> dict[str, Any]:
        return {"dataset": dataset, "version": store.version(dataset), "items": store.items(dataset)}

    @adm.get("/records")
    def records(node: str | None = Node, type: str | None = Query(None, max_length=64), after_seq: int = After,
                limit: int = Query(1000, ge=1, le=10000), personal: bool = False) -> dict[str, Any]:
        """Records received, by node and the node's sequence number (personal data on request)."""
        return {"records": store.records(node=node, type=type, after_seq=after_seq, limit=limit,
                                         personal=personal)}

    @adm.get("/ratings")
    def ratings(node: str | None = Node, after_seq: int = After,
                limit: int = Query(1000, ge=1, le=10000)) -> dict[str, Any]:
        """好差评 received: level, reasons and what they are bound to (ticket, window, staff, matter),
        from `rating` records and from the halls' `ticket.rated` events."""
        return {"ratings": store.ratings(node=node, after_seq=after_seq, limit=limit)}

    @adm.get("/cases")
    def cases(node: str | None = Node, state: str | None = Query(None, max_length=32)) -> dict[str, Any]:
        """The halls' cases (办件) as their latest `case.event` left them: state, light, due date."""
        return {"cases": store.cases(node=node, state=state)}

    @adm.get("/stats")
    async def stats() -> dict[str, Any]:
        """What each node sent, and the admission gate: writers, storing, waiting, admitted, refused."""
        return {**await run_in_threadpool(store.stats), "admission": gate.stats()}

    return adm
