"""What a code held to the terminal's scanner says: a queue ticket, or something else.

A printed ticket carries one of two QR payloads: the hall's signed follow link
(`https://hall/t/<ticket>.<sig>`, or the bare path `/t/<ticket>.<sig>`), or an older link with
`#ticket=<ticket>` in its fragment. `ticket_ref` finds the ticket in either (and a bare ticket
id). A payload that looks like a ticket's but is cut short or damaged is `garbled`; one that is
plainly not a ticket's (an appointment code, a web address) is `not_ticket`. A case notice's QR
(`https://hall/c/<number>.<sig>` or `/c/<number>.<sig>`) is read by `case_ref`.

Pure Python: nothing here shows, logs or keeps what was scanned.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

TICKET_ID = re.compile(r"\d{8}-[A-Z]{1,4}\d{1,5}")
SIGNED = re.compile(r"(?P<ticket>\d{8}-[A-Z]{1,4}\d{1,5})\.(?P<sig>[A-Z2-7]{10})")
_FOLLOW = re.compile(r"(?:^|/)t/(?P<signed>[^/]*)/?$")
CASE_SIGNED = re.compile(r"(?P<number>[0-9A-Z-]{4,40})\.(?P<sig>[A-Z2-7]{10})")
_CASE = re.compile(r"(?:^|/)c/(?P<signed>[^/]*)/?$")


@dataclass(frozen=True)
class TicketRef:
    ticket: str
    follow_path: str | None = None  # "/t/<ticket>.<sig>" when the code carried the signed link


class NotATicket(ValueError):
    """`why` is "empty", "garbled" (a ticket's code, damaged or cut short) or "not_ticket"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _garbled(text: str) -> bool:
    return "\ufffd" in text or any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def ticket_ref(payload: str) -> TicketRef:
    """The ticket a scanned payload names; NotATicket saying why not."""
    text = payload.strip()
    if not text:
        raise NotATicket("empty")
    if _garbled(text):
        raise NotATicket("garbled")
    upper = text.upper()
    if TICKET_ID.fullmatch(upper):
        return TicketRef(upper)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise NotATicket("garbled") from None
    follow = _FOLLOW.search(parts.path)
    if follow is not None:
        signed = SIGNED.fullmatch(follow["signed"].upper())
        if signed is None:
            raise NotATicket("garbled")
        return TicketRef(signed["ticket"], f"/t/{signed['ticket']}.{signed['sig']}")
    for query in (parts.fragment, parts.query):
        if "ticket=" not in query.lower():
            continue
        found = {v.strip().upper() for k, v in parse_qsl(query, keep_blank_values=True)
                 if k.lower() == "ticket"}
        if len(found) != 1:
            raise NotATicket("garbled")
        ticket = found.pop()
        if not TICKET_ID.fullmatch(ticket):
            raise NotATicket("garbled")
        return TicketRef(ticket)
    raise NotATicket("not_ticket")


def is_ticket_code(payload: str) -> bool:
    """Whether a payload is meant as a ticket's code or a case notice's (a damaged one included):
    either opens the progress page."""
    if is_case_code(payload):
        return True
    try:
        ticket_ref(payload)
    except NotATicket as exc:
        return exc.why == "garbled" and ("/t/" in payload or "ticket=" in payload.lower())
    return True


def case_ref(payload: str) -> str | None:
    """The signed path (`/c/<number>.<sig>`) of a case notice's QR; None when the payload is not
    a case link; NotATicket("garbled") when it is one, damaged or cut short."""
    text = payload.strip()
    if not text or _garbled(text):
        return None
    try:
        follow = _CASE.search(urlsplit(text).path)
    except ValueError:
        return None
    if follow is None:
        return None
    signed = CASE_SIGNED.fullmatch(follow["signed"].upper())
    if signed is None:
        raise NotATicket("garbled")
    return f"/c/{signed['number']}.{signed['sig']}"


def is_case_code(payload: str) -> bool:
    """Whether a payload is meant as a case notice's code (a damaged one included)."""
    try:
        return case_ref(payload) is not None
    except NotATicket:
        return True
