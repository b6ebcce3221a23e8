"""What a relay and a puller need from the platform: the adapter interface and its data.

`PlatformClient` is the seam. `sync.client.HttpPlatformClient` speaks yiciban's own protocol
(docs/sync-protocol.md) to the reference platform or to a hall (devices push through the
hall with the same protocol); a province's own interface is another class with these
methods, chosen by name in `sync.client.ADAPTERS`, and nothing in the outbox changes.

Errors say what the relay should do: `Unavailable` (retry later, maybe after
`retry_after` seconds), `Unauthorized` (retry later, the operator must fix the token),
`BatchRejected` (the batch as a whole is invalid: split it; one item alone is dead).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"
MAX_RETRY_AFTER = 3600.0  # seconds: the longest Retry-After a platform may ask a node to wait
Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True)
class Record:
    """One outbox row on its way: `payload_json` is sent as stored, `personal` was just opened."""

    key: str
    seq: int
    type: str
    created: float
    payload_json: str
    personal: dict[str, Any] | None = None
    origin: str | None = None
    origin_seq: int | None = None

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.payload_json)


@dataclass(frozen=True)
class ItemResult:
    key: str
    status: Status
    reason: str | None = None


@dataclass(frozen=True)
class Change:
    """One reference item at a dataset version; a deleted item is a tombstone (body None)."""

    id: str
    version: int
    deleted: bool
    body: dict[str, Any] | None
    scope: str = ""


@dataclass(frozen=True)
class Page:
    dataset: str
    version: int  # the dataset's version when this page was read
    etag: str | None
    changes: list[Change] = field(default_factory=list)
    next_cursor: str | None = None


class NotModified(Exception):
    """The dataset has not changed since the version (ETag) the caller holds."""


class SyncError(Exception):
    """A push or pull did not get a usable answer."""


class Unavailable(SyncError):
    """Down, slow, overloaded, or answered with something unusable: try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(SyncError):
    """The node's token was refused: nothing is wrong with the records; an operator must act."""


class BatchRejected(SyncError):
    """The request as a whole was refused as invalid (4xx): split it, or dead-letter one item."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class PlatformClient(Protocol):
    """An adapter to one upstream (a platform, or the hall for a device)."""

    def push(self, records: Sequence[Record]) -> list[ItemResult]:
        """One result per record, in any order; a missing result means "try again"."""
        ...

    def pull(self, dataset: str, since: int, *, cursor: str | None = None,
             etag: str | None = None) -> Page:
        """Changes after version `since`, one page; raises NotModified when `etag` is current."""
        ...

    def close(self) -> None: ...
