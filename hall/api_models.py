"""Request bodies of the hall API. Unknown fields are refused, so a typo is an error, not a no-op;
numbers and flags are strict, so `"yes"` is not true and `"5"` is not a number."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from hall.wire import Priority, RatingChannel

Id = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


MAX_REASON = 40  # characters of one 差评 reason (the configured reasons are short phrases)
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON)]


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
    priority: Priority = "normal"
    channel: str = Field(default="api", min_length=1, max_length=32, pattern=r"^[a-z_-]+$")
    slot_start: datetime | None = Field(default=None, description="appointment slot start (with time zone)")
    slot_end: datetime | None = None
    id_number: str | None = Field(
        default=None, min_length=1, max_length=32, repr=False,
        description="the holder's ID number, when the citizen swiped the card: the ticket keeps only "
                    "its keyed hash (to find the ticket again) and its masked form",
    )


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
    keep_place: StrictBool = False
    by_window: str | None = Field(default=None, min_length=1, max_length=64)


class PublicRatingBody(Body):
    """好差评 from the citizen's phone (the ticket's QR): channel "qr"."""

    level: StrictInt = Field(ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
    reasons: list[Reason] = Field(default_factory=list, max_length=10,
                                  description="from the hall's configured 差评 reasons (`/hall` evaluation."
                                              "bad_reasons); required (or text) for 不满意 and 非常不满意 (差评)")
    text: str = Field(default="", max_length=500, description="no ID number (refused)")


class RatingBody(PublicRatingBody):
    """好差评 from a pad, a desk (by the ticket's signed reference) or an operator."""

    channel: RatingChannel = "pad"


class LookupBody(Body):
    id_number: str = Field(min_length=1, max_length=32, repr=False,
                           description="the citizen's ID number (in the body, never in a URL)")


class CheckInBody(Body):
    """One of the three: what the scanner read from the appointment's QR, the ID number, or the
    mobile number the appointment was booked with."""

    code: str | None = Field(default=None, min_length=1, max_length=2000,
                             description="the check-in code, or a link carrying it as code= or appt=")
    id_number: str | None = Field(default=None, min_length=1, max_length=32, repr=False)
    phone: str | None = Field(default=None, min_length=1, max_length=32, repr=False,
                              description="the booker's mobile number: 11 digits starting with 1 (spaces, "
                                          "'-' and +86 allowed); answered masked, never kept")


class CancelBody(Body):
    reason: str = Field(default="", max_length=200)


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: a code, a message in words, and details."""

    error: str = Field(description="machine-readable code, e.g. not_found, illegal_transition, invalid")
    message: str = Field(description="what was wrong, in words staff and integrators understand")
    details: dict = Field(default_factory=dict)


# The error answers are documented by a reference to ErrorBody's schema, not as `model`: FastAPI
# builds a validator for every response model of every route, and eight error bodies on each of
# a hundred routes were most of the time the hall took to start. The schema itself reaches the
# API's map through the login's 429 answer, which names ErrorBody as its model (hall.api.staff);
# tests/api/test_openapi.py checks that every reference in the map resolves.
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
ERRORS = {
    status: {"description": text, "content": ERROR_CONTENT}
    for status, text in {
        400: "malformed request (not JSON, bad Idempotency-Key)",
        401: "no token, or a wrong or expired one",
        403: "this caller may not do this (role, or a window not assigned)",
        404: "no such queue, window, ticket or matter",
        409: "not allowed in the current state (the message says why)",
        413: "request body too large",
        422: "invalid field values, or an Idempotency-Key reused for another request",
        503: "the hall database cannot be written right now; nothing was changed",
    }.items()
}
