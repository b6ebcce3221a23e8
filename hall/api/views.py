"""What each role may see of a citizen: the one place that shapes records per role.

A ticket may carry two traces of its holder's ID number: `holder` (the keyed hash, the same
for a person on every visit, used inside the hall to find a citizen's tickets again) and
`id_masked` (110105********002X, shown at the window and on the desk's screen). No caller of
the API needs the hash; the desks and the staff need the masked number; the board, the
keypads and the pads need neither (the board's token sits in a public link).

`shape` drops the fields a role may not see from any answer, event or ticket, however deep.
The event stream has one hub per view (`VIEWS`), so each event is shaped once, not per display.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from hall.domain.events import Event
from hall.store import HallStore

PERSONAL = frozenset({"holder", "id_masked"})
# a case's applicant and agent also carry a masked name and phone: not for the board either
CASE_PERSONAL = frozenset({"name_masked", "phone_masked"})
REFUSAL = "refusal."  # hall.refused's events: the staff's, not the board's
MASKED = "masked"  # the view with the masked ID number
PUBLIC = "public"  # the view with no trace of an ID number
# the fields each view hides, and which roles have which view (a role not named: PUBLIC)
# an appointment's booker's phone as keyed hash is for matching inside the hall only, like `holder`
HASHES = frozenset({"holder", "phone_hash"})
VIEWS: dict[str, frozenset[str]] = {MASKED: HASHES, PUBLIC: PERSONAL | CASE_PERSONAL | HASHES}
ROLE_VIEW: dict[str, str] = {role: MASKED for role in ("staff", "supervisor", "operator", "kiosk", "dispenser")}


def view_of(role: str) -> str:
    return ROLE_VIEW.get(role, PUBLIC)


def shape(data: Any, view: str) -> Any:
    """`data` without the fields `view` hides (a copy where something was dropped)."""
    hidden = VIEWS[view]
    if isinstance(data, dict):
        return {k: shape(v, view) for k, v in data.items() if k not in hidden}
    if isinstance(data, list):
        return [shape(v, view) for v in data]
    return data


def for_role(data: Any, role: str) -> Any:
    return shape(data, view_of(role))


def shape_event(event: Event, view: str) -> Event:
    """`event` as `view` sees it; a case's event keeps its applicant one level down, so it is
    always shaped. An offline ticket refused at hand-in is the floor staff's business: the public
    view learns only that one changed (no device, appointment or staff note on the board's link)."""
    if event.type.startswith(REFUSAL) and view == PUBLIC:
        return dataclasses.replace(event, data={"refusal": event.data.get("refusal")})
    if not PERSONAL.intersection(event.data) and not event.type.startswith("case."):
        return event
    return dataclasses.replace(event, data=shape(event.data, view))


class ShapedEvents:
    """The store's events as one view sees them: what a hub replays to a subscriber that is behind."""

    def __init__(self, store: HallStore, view: str) -> None:
        self.store, self.view = store, view

    def events_after(self, after: int, limit: int = 1000) -> list[Event]:
        return [shape_event(e, self.view) for e in self.store.events_after(after, limit)]
