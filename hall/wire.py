"""What travels between the hall and its screens, typed once for both sides.

The hall checks its answers against these models before they leave; `hall.client.HallClient`
reads the answers into them, and the screens (dispenser, printing, check-in) use attributes, not
string keys. The JSON on the wire is unchanged. A screen reading a newer hall's answer ignores the
fields it does not know (a hall may add one without breaking a screen); a field it needs that is
missing or of the wrong type is a `WireError` naming what was wrong.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# the commands' closed sets: the hall's request bodies (hall.api_models) and the client's
# arguments (hall.client) both take these, so a value one side knows the other does too
Priority = Literal["normal", "appointment", "green", "elderly", "agent", "disabled"]
RatingChannel = Literal["pad", "kiosk", "qr", "keypad"]  # where a 好差评 was given


class WireError(ValueError):
    """An answer of the hall that does not have the form both sides agreed on."""


class Wire(BaseModel):
    """An answer's part: immutable, unknown fields ignored, numbers not taken from strings."""

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    @classmethod
    def read(cls, data: Any, what: str = "") -> Any:
        """The model from the hall's JSON, or a `WireError` that names the fields that were wrong."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            wrong = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
                              for e in exc.errors())
            raise WireError(f"{what or cls.__name__} is malformed: {wrong}") from None

    def to_json(self) -> dict[str, Any]:
        """The JSON form, as the hall sends it."""
        return self.model_dump(mode="json")


class Ticket(Wire):
    """A ticket as the hall answers it (`POST /tickets`, `GET /tickets/{id}`, a check-in).

    A ticket of an earlier day, read from its history, has only the fields that were kept."""

    id: str = Field(min_length=1)
    number: str = Field(min_length=1)
    queue: str = Field(min_length=1)
    queue_name: str = ""
    priority: Priority = "normal"
    state: str = Field(min_length=1)
    state_label: str | None = None
    issued_at: str = Field(description="ISO 8601, UTC")
    day: str | None = None
    window: str | None = None
    window_number: int | None = None
    window_name: str | None = None
    target_window: str | None = None
    recalls: int = 0
    people_ahead: int = 0
    estimated_wait_minutes: int | None = None
    id_masked: str | None = Field(default=None, description="the holder's ID number, masked")
    appointment: str | None = None


class StreamEvent(Wire):
    """One event as the stream (and `GET /events`) delivers it: what happened in the hall, in order.

    `data` is the event type's own record (`ticket.called`: ticket, number, window, ...)."""

    seq: int = Field(ge=1)
    type: str = Field(min_length=1, description="ticket.issued, ticket.called, window.opened, ...")
    ts: float | None = Field(default=None, description="the hall's clock, seconds since the epoch")
    at: str | None = None
    day: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def ticket(self) -> str | None:
        """The ticket the event is about, if any."""
        value = self.data.get("ticket")
        return value if isinstance(value, str) else None

    @property
    def window(self) -> str | None:
        """The window the event happened at, if any."""
        value = self.data.get("window")
        return value if isinstance(value, str) else None


class HallName(Wire):
    id: str
    name: str


class IssueAnswer(Wire):
    """The answer of a ticket issued or checked in: the ticket, its hall and its follow link.

    A check-in adds the appointment, whether it had been checked in already, how many appointments
    of what was shown there are today, and the masked mobile number when it was found by one."""

    ticket: Ticket
    seq: int | None = Field(default=None, description="the event that issued it (absent when a check-in found it)")
    hall: HallName
    follow_path: str = Field(description="the ticket's signed public page (/t/<ticket>.<sig>)")
    appointment: dict[str, Any] | None = None
    already_checked_in: bool | None = None
    appointments_today: int | None = Field(default=None, description="a check-in: that citizen's appointments today")
    phone_masked: str | None = Field(default=None, description="a check-in by phone: the number masked, 138****5678")


class KnownAppointment(Wire):
    """One of today's appointments as a kiosk keeps it for check-ins while the hall is away."""

    id: str = Field(min_length=1)
    date: str
    slot_start: str = Field(description="HH:MM, the hall's time zone")
    slot_end: str
    matter: str | None = None
    matter_name: str | None = None
    matter_name_en: str | None = None
    queue: str = Field(min_length=1, description="the queue it is served at (only those this hall queues)")
    queue_name: str | None = None
    queue_name_en: str | None = None
    checked_in: bool = False
    ticket: str | None = None
    ticket_number: str | None = None
    code: str | None = Field(default=None, description="the check-in code of its SMS or mini-program QR")
    holder_tag: str | None = Field(default=None, description="HMAC(HMAC(identity key, 'offline-check-in/' + day), "
                                                             "holder), hex: the holder for this day only")


class AppointmentsCopy(Wire):
    """`GET /appointments/today`: the day's appointments a kiosk checks in from while the hall is away."""

    day: str
    grace_minutes: float = Field(description="check-in opens this long before the slot and closes this long after")
    appointments: list[KnownAppointment]
