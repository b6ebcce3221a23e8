"""The platform client for yiciban's own protocol, over HTTPS with the node's bearer token.

Every request has a timeout (connecting, and the whole answer), TLS is verified against the
configured CA file (or the system's), and whatever comes back is judged before it is trusted:
a 200 whose body is cut short or is not the expected JSON is `Unavailable`, like a 5xx or a
timeout, so the relay keeps the rows and tries again. See docs/sync-protocol.md.
"""
from __future__ import annotations

import email.utils
import importlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import requests

from sync.protocol import (
    ACCEPTED,
    DUPLICATE,
    MAX_RETRY_AFTER,
    REJECTED,
    BatchRejected,
    Change,
    ItemResult,
    NotModified,
    Page,
    PlatformClient,
    Record,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull/"
MAX_ANSWER_BYTES = 32 * 1024 * 1024
_STATUSES = frozenset({ACCEPTED, DUPLICATE, REJECTED})
# a bad token or address is an operator's problem, never the records': retried, not dead-lettered
_RETRY = frozenset({404, 405, 408, 409, 425, 429})


def bearer_session(token: str | None, ca_file: str | None, session: requests.Session | None = None
                   ) -> requests.Session:
    """An HTTP session that verifies TLS against `ca_file` (or the system's) and sends the token."""
    session = session or requests.Session()
    session.verify = ca_file or True
    session.headers.update({"User-Agent": "yiciban-sync/1", "Accept": "application/json"})
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


class HttpPlatformClient:
    """`PlatformClient` for the reference platform and for a hall (devices push through it)."""

    def __init__(self, url: str, node_id: str, token: str | None, *, ca_file: str | None = None,
                 timeout: float = 10.0, clock: Callable[[], float] = time.time,
                 session: requests.Session | None = None) -> None:
        self.base = url.rstrip("/")
        self.node_id = node_id
        self.timeout = timeout
        self.clock = clock
        self.session = bearer_session(token, ca_file, session)

    def close(self) -> None:
        self.session.close()

    # -- push

    def push(self, records: Sequence[Record]) -> list[ItemResult]:
        body = encode_push(self.node_id, records)
        answer = self._request("POST", self.base + PUSH_PATH, data=body.encode(),
                               headers={"Content-Type": "application/json"})
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise Unavailable("the platform's answer has no results list")
        out = []
        for r in results:
            if not (isinstance(r, dict) and isinstance(r.get("key"), str) and r.get("status") in _STATUSES):
                raise Unavailable("the platform's answer holds a malformed result")
            reason = r.get("reason")
            out.append(ItemResult(r["key"], r["status"], str(reason)[:500] if reason is not None else None))
        return out

    # -- pull

    def pull(self, dataset: str, since: int, *, cursor: str | None = None,
             etag: str | None = None) -> Page:
        params: dict[str, Any] = {"since": since}
        if cursor:
            params["cursor"] = cursor
        headers = {"If-None-Match": etag} if etag and not cursor else {}
        answer = self._request("GET", self.base + PULL_PATH + dataset, params=params, headers=headers)
        try:
            changes = [
                Change(id=str(c["id"]), version=int(c["version"]), deleted=bool(c["deleted"]),
                       body=None if c["deleted"] else dict(c["body"]), scope=str(c.get("scope") or ""))
                for c in answer["changes"]
            ]
            return Page(dataset=dataset, version=int(answer["version"]), etag=answer.get("etag"),
                        changes=changes, next_cursor=answer.get("next_cursor") or None)
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable(f"the platform's {dataset} page is malformed ({exc!r})") from None

    # -- one request, judged

    def _request(self, method: str, url: str, **kw: Any) -> Any:
        deadline = time.monotonic() + self.timeout
        try:
            resp = self.session.request(method, url, timeout=(min(self.timeout, 5.0), self.timeout),
                                        stream=True, **kw)
        except requests.Timeout:
            raise Unavailable(f"no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise Unavailable(f"cannot reach {self.base}: {_short(exc)}") from None
        with resp:
            if resp.status_code == 304:
                raise NotModified()
            try:
                raw = _read(resp, deadline)
            except requests.RequestException as exc:
                raise Unavailable(f"the answer was cut short ({_short(exc)})") from None
            except TimeoutError:
                raise Unavailable(f"the answer did not arrive within {self.timeout:g} s") from None
            status = resp.status_code
            if status >= 500 or status in _RETRY:
                wait = retry_after(resp.headers.get("Retry-After"), resp.headers.get("Date"), self.clock())
                raise Unavailable(f"HTTP {status}: {_message(raw)}", retry_after=wait)
            if status in (401, 403):
                raise Unauthorized(f"HTTP {status}: the platform refused node {self.node_id!r}'s token"
                                   f" ({_message(raw)})")
            if status >= 400:
                raise BatchRejected(f"HTTP {status}: {_message(raw)}", status)
            if status != 200:
                raise Unavailable(f"unexpected HTTP {status}")
            try:
                return json.loads(raw)
            except ValueError:
                raise Unavailable("HTTP 200 with a body that is not JSON (cut short?)") from None


def encode_push(node_id: str, records: Sequence[Record]) -> str:
    """The push body, with each stored payload placed as it is (no decode and encode again)."""
    d = json.dumps
    # one encoder call per record; the stored payload text is spliced in before the closing brace
    items = ",".join(
        d({"key": r.key, "seq": r.seq, "type": r.type, "created": r.created, "personal": r.personal,
           "origin": r.origin, "origin_seq": r.origin_seq}, ensure_ascii=False, separators=(",", ":"))[:-1]
        + ',"payload":' + r.payload_json + "}"
        for r in records
    )
    return f'{{"node":{d(node_id)},"items":[{items}]}}'


def _read(resp: requests.Response, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in resp.iter_content(65536):
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise requests.RequestException(f"answer over {MAX_ANSWER_BYTES} bytes")
        if time.monotonic() > deadline:
            raise TimeoutError
    return b"".join(chunks)


def retry_after(value: str | None, date: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: a number, or an HTTP date. A date is read
    against the answer's own Date header when it has one, so a platform whose clock is a day
    off still means "in N seconds"."""
    if not value:
        return None
    value = value.strip()
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
        base = email.utils.parsedate_to_datetime(date).timestamp() if date else now
    except (TypeError, ValueError, IndexError):
        return None
    return min(max(when - base, 0.0), MAX_RETRY_AFTER)


def _message(raw: bytes) -> str:
    try:
        body = json.loads(raw)
        if isinstance(body, dict) and body.get("message"):
            return str(body["message"])[:300]
    except ValueError:
        pass
    text = raw[:200].decode("utf-8", errors="replace").strip()
    return text or "no message"


def _short(exc: Exception) -> str:
    text = str(exc)
    return (text[:200] + "…") if len(text) > 200 else text or type(exc).__name__


# an adapter by name: its class, or "module:name" of one that is loaded only when chosen
ADAPTERS: dict[str, Callable[..., PlatformClient] | str] = {
    "yiciban": HttpPlatformClient,
    "provincial": "sync.provincial_client:provincial_adapter",  # the platform, and the province's 好差评
}


def make_client(url: str, node_id: str, token: str | None, *, adapter: str = "yiciban",
                **kw: Any) -> PlatformClient:
    """The client for `adapter` (a province's interface registers its class in ADAPTERS)."""
    factory = ADAPTERS.get(adapter)
    if factory is None:  # a province's adapter, installed as a package with this entry point
        from importlib.metadata import entry_points

        found = [e for e in entry_points(group="yiciban.platform_adapters") if e.name == adapter]
        if not found:
            raise ValueError(f"unknown platform adapter {adapter!r} (known: {', '.join(ADAPTERS)})")
        factory = found[0].load()
    elif isinstance(factory, str):
        module, _, name = factory.partition(":")
        factory = getattr(importlib.import_module(module), name)
    return factory(url, node_id, token, **kw)
