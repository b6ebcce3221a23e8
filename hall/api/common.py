"""What every router of the hall API shares: the context it is built from, who is asking (the
principal dependency), the API's own error and how every error becomes a JSON answer, and the
command runner that hands a command to the queue service, and the refusal of free text that
holds an ID number."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hall.api import views
from hall.auth import Authenticator, AuthError, Principal, bearer
from hall.config import HallConfig
from hall.domain.errors import NotFound, QueueError
from hall.guides import Guides
from hall.hub import EventHub
from hall.identity import Identity
from hall.service import HallService
from hall.store import HallStore, StoreError
from sync.node import SyncNode

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_SEQ = 2**62  # sequence numbers are SQLite integers
MAX_KEY = 128  # an Idempotency-Key's length


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


PrincipalDependency = Callable[..., Any]


def principal_dependency(auth: Authenticator) -> PrincipalDependency:
    """The dependency every protected route declares: the caller, from its bearer token."""

    # Handlers are coroutines: the queue is served by the event loop's one thread, with no hop
    # to a thread pool per request.
    async def principal(authorization: str | None = Header(default=None)) -> Principal:
        return auth.principal(bearer(authorization))

    return principal


@dataclass(frozen=True)
class ApiContext:
    """What a router is built from, passed in explicitly (no globals, no app.state lookups)."""

    config: HallConfig
    service: HallService
    store: HallStore
    hubs: Mapping[str, EventHub]  # the event stream, one hub per view (hall.api.views)
    auth: Authenticator
    identity: Identity
    guides: Guides
    sync: SyncNode
    clock: Callable[[], float]
    principal: PrincipalDependency
    peripherals: Any = None  # hall.peripherals.HallPeripherals: the devices on the hall PC
    cases: Any = None  # hall.case_service.CaseService: the hall's cases (办件)
    followups: Any = None  # hall.followups.service.FollowupService: the 差评 follow-up ledger
    health: Any = None  # hall.health_watch.HallHealth: devices, screens' heartbeats, disk, sync backlog
    pages: Any = None  # hall.case_pages.CasePages: the cases' captured pages, sealed until synced
    refusals: Any = None  # hall.refused.service.RefusalDesk: offline tickets refused at hand-in

    def run(self, who: Principal, command: str, params: dict[str, Any], key: str | None,
            admit: str = "walk_in") -> dict[str, Any]:
        """Runs one queue command for `who`, once per Idempotency-Key of that caller (another
        caller reusing a key gets its own result), and answers in `who`'s view. `admit`: how an
        issue is held to the opening hours (hall.opening.admission_kind)."""
        answer = self.service.execute(command, params, idempotency_key=self.scoped(who, key), admit=admit)
        return views.for_role(answer, who.role)

    @staticmethod
    def scoped(who: Principal, key: str | None) -> str | None:
        """`who`'s Idempotency-Key as the hall stores it: each caller's keys are its own."""
        if key is not None and not (1 <= len(key) <= MAX_KEY):
            raise ApiError(400, "bad_idempotency_key", f"Idempotency-Key must be 1 to {MAX_KEY} characters")
        return None if key is None else f"{who.kind}/{who.id}/{key}"

    def hub_for(self, who: Principal) -> EventHub:
        return self.hubs[views.view_of(who.role)]

    def for_window(self, window_id: str, who: Principal) -> None:
        """Refuses a window that does not exist (404) or that `who` may not operate (403)."""
        if window_id not in self.service.engine.windows:
            raise NotFound(f"没有窗口 {window_id!r}", window=window_id)
        if not who.may_operate(window_id):
            raise AuthError(403, f"{who.id} 无权操作窗口 {window_id}")


_DIGIT = "[0-9０-９]"
# an 18-character (17 digits and a digit or X) or 15-digit run, not part of a longer run:
# refused whether or not its check character is right, since a mistyped number is personal too
_ID_LIKE = re.compile(rf"(?<!{_DIGIT})(?:{_DIGIT}{{17}}[0-9０-９XxＸｘ]|{_DIGIT}{{15}})(?!{_DIGIT})")


def refuse_id_numbers(field: str, text: str) -> None:
    """Free text that holds something like an ID number is refused (never stored, never echoed)."""
    if _ID_LIKE.search(text):
        raise ApiError(422, "personal_data", f"{field} 中不能包含身份证号（free text must not hold an ID number）",
                       field=field)


def error_answer(status: int, code: str, message: str, details: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, "details": details or {}}, status_code=status)


def install_error_handlers(app: FastAPI) -> None:
    """Every error the API raises answers as `{"error", "message", "details"}`."""

    @app.exception_handler(QueueError)
    async def on_queue_error(request: Request, exc: QueueError):
        return error_answer(exc.status, exc.code, exc.message, {k: str(v) for k, v in exc.details.items()})

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: ApiError):
        return error_answer(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(AuthError)
    async def on_auth_error(request: Request, exc: AuthError):
        code = {401: "unauthenticated", 403: "forbidden", 429: "too_many_attempts"}[exc.status]
        # a refusal says in its details too when to try again, for screens that read no headers
        resp = error_answer(exc.status, code, exc.message,
                            None if exc.retry_after is None else {"retry_after": exc.retry_after})
        if exc.status == 401:
            resp.headers["WWW-Authenticate"] = "Bearer"
        if exc.retry_after is not None:
            resp.headers["Retry-After"] = str(exc.retry_after)
        return resp

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError):
        log.error("store error: %s", exc)
        return error_answer(503, "store_unavailable", "服务暂时无法保存数据，请稍后重试（nothing was changed）")

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"])
            if err["type"] == "json_invalid":
                problem = err.get("ctx", {}).get("error", err["msg"])
                return error_answer(400, "malformed_json", f"request body is not valid JSON: {problem}")
            problems.append(f"{where}: {err['msg']}")
        return error_answer(422, "invalid", "; ".join(problems), {"problems": problems})


def principal_view(who: Principal) -> dict[str, Any]:
    return {"kind": who.kind, "id": who.id, "role": who.role, "name": who.name, "windows": sorted(who.windows)}
