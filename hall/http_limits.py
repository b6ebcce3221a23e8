"""Limits on a request's head, so a slow or oversized request cannot hold the hall's server.

uvicorn's httptools protocol waits for a request's headers as long as the client likes and keeps
however many header bytes it is sent. A half-sent request (or a connection that sends nothing)
would stay open for minutes, and a 32 MB header would be read into memory. This protocol:

- closes a connection whose request line and headers are not all in within
  ``HEAD_TIMEOUT_SECONDS`` (the hall's ``[server] head_timeout_seconds``), counted from the connection or from the first byte of the next
  request on a kept-alive connection: with a 408 once part of a request came, silently when
  nothing did (a browser's spare connection must not read a 408 as the answer to its request);
- answers 431 and closes once a request's head passes ``MAX_HEAD_BYTES``. Bytes are counted
  per read: those of a read that starts a head are not, so a head may run up to one read
  (at most 256 KiB) past the limit before it is refused.

Bodies are limited elsewhere (``server.max_body_bytes`` in the hall's HTTP middleware).
"""
from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

HEAD_TIMEOUT_SECONDS = 5.0
MAX_HEAD_BYTES = 32 * 1024  # request line and headers; the staff pages send bearer tokens, no cookies

_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: 29\r\nconnection: close\r\n\r\nrequest headers came too slow")
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
              b"content-type: text/plain; charset=utf-8\r\ncontent-length: 30\r\n"
              b"connection: close\r\n\r\nrequest headers are too large")


class HallHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit on each request's head."""

    head_timeout = HEAD_TIMEOUT_SECONDS
    max_head_bytes = MAX_HEAD_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._in_head = True
        self._head_begun = False  # a byte of a request came
        self._heads = 0  # requests begun on this connection
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        before = (self._head_begun, self._heads)
        super().data_received(data)
        if self._in_head and before == (True, self._heads) and not self.transport.is_closing():
            # the same head began before this read and is still not complete: all of it was head
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                log.warning("refused a request from %s: its head passed %d bytes",
                            _address(self.client), self.max_head_bytes)
                self._refuse(_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = self._head_begun = True
        self._heads += 1
        if self._head_timer is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._in_head = self._head_begun = False
        self._head_bytes = 0
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if not self._head_begun:
            self._unset_keepalive_if_required()
            self.transport.close()
            return
        log.info("closed a connection from %s: its request head was not complete within %g s",
                 _address(self.client), self.head_timeout)
        self._refuse(_TIMEOUT)

    def _refuse(self, response: bytes) -> None:
        self._disarm()
        self._unset_keepalive_if_required()
        self.transport.write(response)
        self.transport.close()


def _address(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "an unknown address"


def head_limited(seconds: float) -> type[HallHttpProtocol]:
    """The protocol with a head deadline of `seconds` (the hall's `[server] head_timeout_seconds`)."""
    if seconds == HallHttpProtocol.head_timeout:
        return HallHttpProtocol
    return type("HallHttpProtocol", (HallHttpProtocol,), {"head_timeout": float(seconds)})
