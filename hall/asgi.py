"""Plain ASGI middleware of the hall server.

Plain ASGI, not Starlette's BaseHTTPMiddleware: that one hands the response through a task of
its own, so an answer waited behind whatever else the event loop was doing (a call's fan-out
to a thousand displays), which the benchmark showed as the API's p99.
"""
from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class HallHttpMiddleware:
    """Refuses bodies over `max_body` bytes (declared or streamed) with 413, before any handler
    sees them; marks the web pages `Cache-Control: no-cache`, so an upgrade never mixes old and
    new scripts."""

    def __init__(self, app: ASGIApp, max_body: int, larger: tuple[tuple[str, int], ...] = ()) -> None:
        """`larger`: (path pattern, limit) of the few paths that take bigger bodies (a case's pages)."""
        self.app = app
        self.max_body = max_body
        self.larger = tuple((re.compile(pattern), limit) for pattern, limit in larger)

    def limit(self, path: str) -> int:
        return next((limit for pattern, limit in self.larger if pattern.match(path)), self.max_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_body = self.limit(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            await self._too_large(send, max_body)
            return
        received = 0
        overflow = False
        started = False
        ui = scope.get("path", "").startswith("/ui")

        async def limited_receive() -> Message:
            nonlocal received, overflow
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    overflow = True
                    return {"type": "http.disconnect"}  # the handler stops reading
            return message

        async def patched_send(message: Message) -> None:
            nonlocal started
            if overflow:
                return  # whatever the handler answers, the answer is 413
            if message["type"] == "http.response.start":
                started = True
                if ui:
                    message["headers"] = [*message.get("headers", []), (b"cache-control", b"no-cache")]
            await send(message)

        try:
            await self.app(scope, limited_receive, patched_send)
        except Exception:
            if not overflow:
                raise
        if overflow and not started:
            await self._too_large(send, max_body)

    async def _too_large(self, send: Send, max_body: int) -> None:
        body = json.dumps({"error": "too_large", "message": f"request body over {max_body} bytes",
                           "details": {}}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
