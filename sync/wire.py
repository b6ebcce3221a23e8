"""The protocol's bodies as pydantic models: for the platform's and the hall's OpenAPI schemas
and for checking the envelope. Items stay plain JSON here: each is judged on its own
(sync.records.check_item), so one bad item is refused alone, not with its batch."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_BATCH = 5000


class PushBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    node: str | None = Field(default=None, max_length=64, description="the sender's node id (checked against its token)")
    items: list[Any] = Field(max_length=MAX_BATCH, description="records: key, seq, type, created, payload, personal, origin, origin_seq")


class ItemResultBody(BaseModel):
    key: str
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class PushAnswer(BaseModel):
    results: list[ItemResultBody] = Field(description="one per item, in the order of the items")


class ChangeBody(BaseModel):
    id: str
    scope: str = ""
    version: int
    deleted: bool
    body: dict[str, Any] | None


class PullAnswer(BaseModel):
    dataset: str
    version: int = Field(description="the dataset's version when this page was read")
    etag: str
    changes: list[ChangeBody]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class PublishBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upsert: list[dict[str, Any]] = Field(default_factory=list, max_length=100_000)
    delete: list[str] = Field(default_factory=list, max_length=100_000)
    replace: bool = Field(default=False, description="delete every item that `upsert` does not hold")


class ErrorAnswer(BaseModel):
    error: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


def page_json(dataset: str, version: int, etag: str, changes: list[Any], next_cursor: str | None) -> dict[str, Any]:
    return {
        "dataset": dataset, "version": version, "etag": etag, "next_cursor": next_cursor,
        "changes": [{"id": c.id, "scope": c.scope, "version": c.version, "deleted": c.deleted,
                     "body": c.body} for c in changes],
    }
