"""Request bodies of the hall API. Unknown fields are refused, so a typo is an error, not a no-op."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class IssueBody(Body):
    queue: str | None = Field(default=None, min_length=1, max_length=64,
                              description="业务队列 id; or give `matter` to be routed to its queue")
    matter: str | None = Field(default=None, min_length=1, max_length=64,
                               description="事项编码: the ticket goes to the matter's queue")
    priority: Literal["normal", "appointment", "green", "elderly", "agent"] = "normal"
    channel: str = Field(default="api", min_length=1, max_length=32, pattern=r"^[a-z_-]+$")
    slot_start: datetime | None = Field(default=None, description="appointment slot start (with time zone)")
    slot_end: datetime | None = None


class CallBody(Body):
    ticket: str = Id


class FinishBody(Body):
    matter: str | None = Field(default=None, min_length=1, max_length=64)


class OpenBody(Body):
    staff: str | None = Field(default=None, min_length=1, max_length=64,
                              description="who opens the window; a logged-in staff member is taken by default")


class PauseBody(Body):
    reason: str = Field(default="", max_length=200)


class TransferBody(Body):
    to_queue: str | None = Field(default=None, min_length=1, max_length=64)
    to_window: str | None = Field(default=None, min_length=1, max_length=64)
    keep_place: bool = False
    by_window: str | None = Field(default=None, min_length=1, max_length=64)


class CancelBody(Body):
    reason: str = Field(default="", max_length=200)
