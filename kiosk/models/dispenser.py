"""The dispenser's data, without Qt: queue loads, ages, where a ticket's QR leads, the printed ticket.

Everything here is a pure function of the hall's answers (the hall description, its snapshot,
an issued ticket), so the view stays about screens and the rules can be read in one place.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.models.clock import hall_zone

if TYPE_CHECKING:  # pydantic loads when a ticket is issued, not before the screen paints
    from hall.wire import IssueAnswer, Priority, Ticket

NOTES = ("请留意叫号和屏幕提示，过号请到咨询台。",)
ELDERLY_NOTE = "老年人优先叫号"
DISABLED_NOTE = "残疾人优先：请在窗口出示残疾人证核验"
RATING_CODE_NOTE = "评价码 {code}（无法扫码时在自助终端输入）"


@dataclass(frozen=True)
class QueueLoad:
    """What a queue tile shows: people waiting and the estimated wait of the next ticket."""

    waiting: int
    minutes: int | None  # None: not known


def age_on(birth: dt.date, today: dt.date) -> int:
    """Full years of age on `today` (a birthday on 29 February counts on 1 March)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def elderly_age(hall: dict[str, Any]) -> int | None:
    """The age from which the hall gives elderly priority; None when it gives none."""
    value = (hall.get("policy") or {}).get("elderly_age")
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def priority_for(birth: dt.date | None, hall: dict[str, Any], today: dt.date, *,
                 disabled_asked: bool = False) -> Priority:
    """Elderly when the card read shows the holder old enough; else disabled when the citizen
    asked for it on the screen (no card says so: the window verifies the 残疾人证); else normal."""
    threshold = elderly_age(hall)
    if birth is not None and threshold is not None and age_on(birth, today) >= threshold:
        return "elderly"
    return "disabled" if disabled_asked else "normal"


def queue_loads(snapshot: dict[str, Any], hall: dict[str, Any]) -> dict[str, QueueLoad]:
    """Each queue's load from the snapshot. The estimate is the hall's own when the snapshot
    carries one; otherwise the queue's service time spread over the windows open for it (all
    windows that serve it when none is open yet), as the hall estimates a new ticket's wait."""
    service = {q.get("id"): q.get("service_minutes") for q in hall.get("queues", [])}
    serving: dict[str, int] = {}
    for window in hall.get("windows", []):
        for queue in window.get("queues", []):
            serving[queue] = serving.get(queue, 0) + 1
    loads: dict[str, QueueLoad] = {}
    for q in snapshot.get("queues", []):
        queue_id = q.get("id")
        waiting = int(q.get("waiting") or 0)
        minutes = q.get("estimated_wait_minutes")
        if minutes is None and service.get(queue_id):
            windows = int(q.get("open_windows") or 0) or serving.get(queue_id, 0)
            minutes = math.ceil((waiting + 0.5) * float(service[queue_id]) / max(1, windows))
        loads[queue_id] = QueueLoad(waiting, None if minutes is None else int(minutes))
    return loads


def follow_url(hall_url: str, answer: IssueAnswer, public_url: str = "", language: str = "zh") -> str:
    """Where the ticket's QR code leads: its signed public page, or the hall's web page. A phone
    opens it: the hall's `public_url` when it has one, else the address this device uses. A
    ticket taken on an English screen opens its page in English (`phone_link`)."""
    base = (public_url or hall_url).rstrip("/")
    if answer.follow_path:
        return phone_link(base + answer.follow_path, language)
    return f"{base}/ui/#ticket={answer.ticket.id}"


def phone_link(url: str, language: str) -> str:
    """A ticket's or a case's follow page (`/t/…`, `/c/…`) in the language of the screen it was
    taken on: `?lang=en` for English (the page's signed path stays as it is); Chinese, the page's
    own language, as it is."""
    if language != "en" or not url:
        return url
    return url + ("&" if "?" in url else "?") + "lang=en"


def issued_at(ticket: Ticket, hall: dict[str, Any]) -> dt.datetime:
    """When the ticket was issued, in the hall's time zone (the ticket shows the hall's time)."""
    text = ticket.issued_at
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        when = dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(hall_zone(hall))


def queue_name_zh(hall: dict[str, Any], queue_id: str, fallback: str = "") -> str:
    for q in hall.get("queues", []):
        if q.get("id") == queue_id:
            return str(q.get("name") or queue_id)
    return fallback or queue_id


def ticket_document(hall: dict[str, Any], ticket: Ticket, qr_url: str) -> Any:
    """The printed ticket (always in Chinese, the hall's language): a drivers.escpos Document."""
    from drivers.escpos.ticket import queue_ticket
    from kiosk.models.terminal.codes import NotATicket, ticket_ref
    from kiosk.models.terminal.typed import rating_code

    notes = list(NOTES)
    if ticket.priority == "elderly":
        notes.insert(0, ELDERLY_NOTE)
    if ticket.priority == "disabled":  # asked for, not proven: the window sees the certificate
        notes.insert(0, DISABLED_NOTE)
    try:
        code = rating_code(ticket_ref(qr_url).follow_path) if qr_url else ""
    except NotATicket:
        code = ""
    if code:  # typed on a kiosk with no scanner: rating by the bare number would let anyone rate
        notes.append(RATING_CODE_NOTE.format(code=code))
    return queue_ticket(
        str(hall.get("name") or "政务服务中心"), ticket.number,
        queue_name_zh(hall, ticket.queue, ticket.queue_name),
        ticket.people_ahead, ticket.estimated_wait_minutes,
        issued_at(ticket, hall), qr_url, notes)


def search_entries(guides: list[dict[str, Any]], hall: dict[str, Any]) -> list[dict[str, Any]]:
    """What the search finds: the hall's service guides that name their queue, then the queues
    themselves (so `bdc` finds 不动产登记 even in a hall without guides)."""
    names = {q.get("id"): q.get("name", "") for q in hall.get("queues", [])}
    entries = [dict(g, queue_name=g.get("queue_name") or names.get(g.get("queue"), ""))
               for g in guides if g.get("queue") in names]
    entries += [{"name": q.get("name", ""), "name_en": q.get("name_en", ""), "queue": q.get("id"),
                 "queue_name": q.get("name", ""), "is_queue": True} for q in hall.get("queues", [])]
    return entries


# Sample data for the screenshots: a hall, its snapshot and guides, a card holder's ticket.

SAMPLE_HALL: dict[str, Any] = {
    "id": "sample", "name": "蓝天区政务服务中心", "name_en": "Lantian District Government Service Center",
    "timezone": "Asia/Shanghai",
    "queues": [
        {"id": "general", "prefix": "A", "name": "综合受理", "name_en": "General Services", "service_minutes": 12},
        {"id": "property", "prefix": "B", "name": "不动产登记", "name_en": "Real Estate Registration",
         "service_minutes": 18},
        {"id": "social", "prefix": "C", "name": "社保医保", "name_en": "Social and Medical Insurance",
         "service_minutes": 8},
        {"id": "police", "prefix": "D", "name": "公安户籍", "name_en": "Household Registration",
         "service_minutes": 10},
        {"id": "business", "prefix": "E", "name": "企业开办", "name_en": "Business Start-up", "service_minutes": 12},
        {"id": "tax", "prefix": "F", "name": "税务", "name_en": "Taxation", "service_minutes": 6},
    ],
    "windows": [],
    "policy": {"elderly_age": 65, "appointment_grace_minutes": 15},
}
SAMPLE_WAITING = (12, 4, 0, 7, 2, 1, 5, 3, 0, 6)


def sample_loads(hall: dict[str, Any]) -> dict[str, QueueLoad]:
    """Plausible loads for every queue of a hall, the same on every run."""
    loads = {}
    for i, q in enumerate(hall.get("queues", [])):
        waiting = SAMPLE_WAITING[i % len(SAMPLE_WAITING)]
        minutes = math.ceil((waiting + 0.5) * float(q.get("service_minutes") or 8) / 2) if waiting else 0
        loads[q.get("id")] = QueueLoad(waiting, minutes)
    return loads


SAMPLE_ANSWER_JSON: dict[str, Any] = {
    "hall": {"id": "sample", "name": "政务服务中心"},
    "ticket": {"id": "20250618-B017", "number": "B017", "queue": "property", "queue_name": "不动产登记",
               "priority": "normal", "state": "waiting", "issued_at": "2025-06-18T01:32:00Z",
               "people_ahead": 4, "estimated_wait_minutes": 40},
    "follow_path": "/t/20250618-B017.SAMPLE0000",
}


def sample_answer() -> IssueAnswer:
    """The sample screens' issued ticket, as the hall's client reads it."""
    from hall.wire import IssueAnswer

    return IssueAnswer.read(SAMPLE_ANSWER_JSON)
SAMPLE_HALL_URL = "https://zwfw.example.gov.cn"
