"""Headers that keep the web pages to themselves: a Content-Security-Policy (scripts, styles
and connections from this hall server only; no page may frame them), `X-Frame-Options` for
browsers that predate `frame-ancestors`, and `nosniff` on every answer, so a file is never run
as something it is not. Plain ASGI, like `hall.asgi`: no task per request."""
from __future__ import annotations

from hall.asgi import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PAGES = ("/ui", "/t/", "/c/", "/docs", "/redoc")  # what a browser renders (the rest is JSON)
ALWAYS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
ON_PAGES = [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY")]
# the API's own documentation pages load their script and style from a CDN and run inline code
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "img-src 'self' data: https://fastapi.tiangolo.com; font-src https://fonts.gstatic.com; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")


class PageHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = list(ALWAYS)
        if path.startswith(("/docs", "/redoc")):
            extra += [(b"content-security-policy", DOCS_CSP.encode()), (b"x-frame-options", b"DENY")]
        elif path.startswith(PAGES):
            extra += ON_PAGES

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
