"""The client of the hall server, used by every other role (kiosk, dispenser, display, pad, autopilot).

`HallClient` speaks the HTTP API; its errors are `HallError` (the server refused, with its
code and message) and `HallUnavailable` (the server did not answer or failed). No `requests`
exception reaches a caller. The event stream is followed by `hall.event_stream.EventStream`.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:  # requests and the typed answers are imported when used: the screens paint first
    import requests

    from hall.wire import IssueAnswer, Priority, RatingChannel

log = logging.getLogger(__name__)

API = "/api/v1"


class HallError(Exception):
    """The hall server refused a request. `code` is the server's error code ("nothing_to_call")."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{message} ({status} {code})")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class HallUnavailable(HallError):
    """The hall server did not answer, timed out, or failed (5xx). Nothing is known to have changed."""


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _signed(follow_path: str) -> str:
    """`<ticket>.<sig>` of a follow path (/t/<ticket>.<sig>, an English page's with `?lang=en`)
    or of the signed part itself."""
    path = follow_path.split("#", 1)[0].split("?", 1)[0]
    return _segment(path.rstrip("/").rsplit("/", 1)[-1])


def _present(**values: Any) -> dict[str, Any]:
    """The values given, without the ones left out (None): the server takes its defaults."""
    return {k: v for k, v in values.items() if v is not None}


class HallClient:
    """The hall's HTTP API. A ticket issued or checked in comes back as a `hall.wire.IssueAnswer`;
    the other methods return the server's JSON answer as a dict.

    Every state-changing request carries an Idempotency-Key (a fresh one unless given) and is
    sent once more, with the same key, if the answer is lost; reads are retried likewise. One
    client per thread: its requests.Session is not meant to be shared.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 5.0,
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        import requests

        self.session = session or requests.Session()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HallClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, key: str | None = None,
                 retry: bool = False, pdf: bytes | None = None) -> dict[str, Any]:
        url = self.base_url + path
        headers = {"Accept": "application/json"}
        if pdf is not None:
            headers["Content-Type"] = "application/pdf"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        import requests

        attempts = 2 if retry else 1
        for attempt in range(1, attempts + 1):
            try:
                resp = self.session.request(method, url, json=body, params=params, data=pdf,
                                            headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                lost = isinstance(exc, (requests.ConnectionError, requests.Timeout))
                if lost and attempt < attempts:
                    # it may have been carried out: the same idempotency key makes the retry safe
                    log.info("%s %s: %s; retrying once", method, path, type(exc).__name__)
                    continue
                raise HallUnavailable(0, "unavailable", f"hall server at {self.base_url} did not "
                                      f"answer {method} {path} ({type(exc).__name__})") from None
            return self._answer(resp, method, path)
        raise AssertionError("unreachable")

    def _answer(self, resp: requests.Response, method: str, path: str) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if resp.status_code < 400:
            if not isinstance(data, dict):
                raise HallError(resp.status_code, "bad_response",
                                f"hall server at {self.base_url} answered {method} {path} "
                                "with something that is not a JSON object")
            return data
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            code, message = data["error"], str(data.get("message") or data["error"])
            details = data.get("details") if isinstance(data.get("details"), dict) else {}
        else:
            code, message, details = f"http_{resp.status_code}", resp.reason or "error", {}
        if resp.status_code >= 500:
            raise HallUnavailable(resp.status_code, code,
                                  f"hall server at {self.base_url} failed: {message}", details)
        raise HallError(resp.status_code, code, message, details)

    def _command(self, path: str, body: dict[str, Any] | None = None,
                 idempotency_key: str | None = None) -> dict[str, Any]:
        """A state-changing request: always keyed, so one retry after a lost answer is safe."""
        key = idempotency_key or str(uuid.uuid4())
        return self._request("POST", API + path, body=body, key=key, retry=True)

    def _issue_answer(self, data: dict[str, Any], what: str) -> IssueAnswer:
        """A ticket's answer as its model; one that lacks what the screens need is a `bad_response`."""
        from hall.wire import IssueAnswer, WireError

        try:
            return IssueAnswer.read(data, f"the answer to {what}")
        except WireError as exc:
            raise HallError(200, "bad_response", f"hall server at {self.base_url}: {exc}") from None

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._request("GET", API + path, params=params, retry=True)

    # -- public and session

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def heartbeat(self, body: dict[str, Any]) -> dict[str, Any]:
        """A screen is alive (kiosk.heartbeat builds the body); the answer says its clock's skew."""
        return self._request("POST", API + "/health/heartbeat", body=body)

    def hall_health(self) -> dict[str, Any]:
        """The hall's whole health (devices, screens, clocks, disk, sync); a supervisor's or an
        operator's token."""
        return self._get("/health")

    def clock_skew(self) -> float | None:
        """A health check that also says how far this machine's clock is behind the hall's, in
        seconds (negative: ahead), from the answer's `Date` header; None without one. The header
        counts whole seconds, so under two seconds reads as 0."""
        import time
        from email.utils import parsedate_to_datetime

        import requests

        sent = time.time()
        try:
            resp = self.session.get(self.base_url + "/health", timeout=self.timeout)
        except requests.RequestException as exc:
            raise HallUnavailable(0, "unavailable", f"hall server at {self.base_url} did not "
                                  f"answer GET /health ({type(exc).__name__})") from None
        received = time.time()
        self._answer(resp, "GET", "/health")
        try:
            at_hall = parsedate_to_datetime(resp.headers.get("Date", "")).timestamp()
        except (TypeError, ValueError):
            return None
        skew = at_hall - (sent + received) / 2
        return 0.0 if abs(skew) < 2 else skew

    def login(self, username: str, password: str) -> dict[str, Any]:
        """Logs a staff member in; later requests carry the session's token."""
        data = self._request("POST", f"{API}/auth/login",
                             body={"username": username, "password": password})
        self.token = data["token"]
        return data

    def logout(self) -> dict[str, Any]:
        data = self._request("POST", f"{API}/auth/logout")
        self.token = None
        return data

    def me(self) -> dict[str, Any]:
        return self._get("/me")

    # -- reading

    def hall(self) -> dict[str, Any]:
        return self._get("/hall")

    def snapshot(self) -> dict[str, Any]:
        return self._get("/snapshot")

    def hall_hours(self) -> dict[str, Any]:
        """Whether the hall issues tickets now, until or from when, and each queue's state."""
        return self._get("/hall/hours")

    def events(self, after: int = 0, limit: int = 500) -> dict[str, Any]:
        return self._get("/events", {"after": after, "limit": limit})

    def stats(self, day: str | None = None) -> dict[str, Any]:
        return self._get("/stats", {"day": day} if day else None)

    def ticket(self, id: str) -> dict[str, Any]:
        return self._get(f"/tickets/{_segment(id)}")

    def window(self, window: str) -> dict[str, Any]:
        return self._get(f"/windows/{_segment(window)}")

    # -- tickets

    def issue(self, queue: str | None = None, matter: str | None = None, priority: Priority = "normal",
              channel: str = "api", slot_start: datetime | str | None = None,
              slot_end: datetime | str | None = None,
              idempotency_key: str | None = None, id_number: str | None = None) -> IssueAnswer:
        """A new ticket (by queue, or by matter code). A retried issue never makes two tickets.

        `id_number` (the swiped ID card): the ticket keeps its keyed hash and masked form, so
        `lookup` finds it again. The answer's `follow_path` is the ticket's signed public page
        (`follow_url` makes it an address)."""
        body = _present(queue=queue, matter=matter, priority=priority, channel=channel,
                        slot_start=_when(slot_start), slot_end=_when(slot_end), id_number=id_number)
        return self._issue_answer(self._command("/tickets", body, idempotency_key), "POST /tickets")

    def grant_lease(self, queue: str, size: int, idempotency_key: str | None = None) -> dict[str, Any]:
        """A block of `size` numbers of `queue` for this dispenser to issue from while the hall is away."""
        return self._command("/leases", {"queue": queue, "size": size}, idempotency_key)["lease"]

    def leases(self) -> dict[str, Any]:
        """This dispenser's leases of today."""
        return self._get("/leases")

    def hand_in(self, lease: str, number: str, issued_at: datetime | str, priority: Priority = "normal",
                idempotency_key: str | None = None, unanswered_key: str | None = None,
                appointment: str | None = None) -> IssueAnswer:
        """A ticket printed from `lease` while the hall was away; the same key answers the same ticket.
        `unanswered_key`: the key of the issue tried first for the same tap, whose answer was lost;
        `appointment`: a kiosk's check-in, made with this ticket."""
        body = _present(number=number, issued_at=_when(issued_at), priority=priority, unanswered_key=unanswered_key,
                        appointment=appointment)
        data = self._command(f"/leases/{_segment(lease)}/tickets", body, idempotency_key)
        return self._issue_answer(data, "POST /leases/{lease}/tickets")

    def cancel(self, id: str, reason: str = "", idempotency_key: str | None = None) -> dict[str, Any]:
        return self._command(f"/tickets/{_segment(id)}/cancel", {"reason": reason}, idempotency_key)

    def transfer(self, id: str, to_queue: str | None = None, to_window: str | None = None,
                 keep_place: bool = False, by_window: str | None = None,
                 idempotency_key: str | None = None) -> dict[str, Any]:
        body = _present(to_queue=to_queue, to_window=to_window, keep_place=keep_place,
                        by_window=by_window)
        return self._command(f"/tickets/{_segment(id)}/transfer", body, idempotency_key)

    def progress(self, id: str) -> dict[str, Any]:
        """The ticket's view, with `rated` and `may_rate` (finished today, not rated yet)."""
        return self._get(f"/tickets/{_segment(id)}/progress")

    def rate(self, id: str, level: int, reasons: list[str] | None = None, text: str = "",
             channel: RatingChannel = "pad", idempotency_key: str | None = None) -> dict[str, Any]:
        """好差评 for a finished visit, once: level 5 非常满意 … 1 非常不满意 (1 and 2 need a reason).
        Give the same idempotency key when sending a stored rating again."""
        body = {"level": level, "reasons": list(reasons or []), "text": text, "channel": channel}
        return self._command(f"/tickets/{_segment(id)}/rating", body, idempotency_key)

    # -- the 差评 follow-up ledger (staff work the ones they answer for; supervisors see all)

    def followups(self, **filters: Any) -> dict[str, Any]:
        """{"figures", "followups": [...]}, filtered by state, light, window, limit."""
        return self._get("/followups", params={k: v for k, v in filters.items() if v is not None})

    def followup(self, id: str, command: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One command on a follow-up: verify, rectified, appeal-decision, feedback or close."""
        return self._command(f"/followups/{_segment(id)}/{_segment(command)}", body or {})

    # -- citizens: guides, announcements, their tickets and appointments

    def staff_photo(self, staff_id: str) -> dict[str, Any]:
        """A staff member's photo for the pad: {"staff", "media_type", "data" (base64)}."""
        return self._get(f"/staff/{_segment(staff_id)}/photo")

    def guides(self) -> dict[str, Any]:
        """{"guides": [...], "source": "hall" | "platform", "age_seconds": float | None}"""
        return self._get("/guides")

    def guide(self, code: str) -> dict[str, Any]:
        return self._get(f"/guides/{_segment(code)}")

    def board(self) -> dict[str, Any]:
        """What the screens show besides the calls, with the hall's `now` and the urgent broadcast."""
        return self._get("/board")

    def announcements(self) -> dict[str, Any]:
        """The announcements valid today: {"announcements": [...], "day", "source", "age_seconds"}."""
        return self._get("/announcements")

    def lookup(self, id_number: str) -> dict[str, Any]:
        """Today's tickets and appointments of a citizen. Sent in a POST body (never in a URL);
        it changes nothing, so it is retried like a read."""
        return self._request("POST", f"{API}/lookup", body={"id_number": id_number}, retry=True)

    def appointments_today(self) -> dict[str, Any]:
        """Today's appointments as a kiosk keeps them for check-ins while the hall is away (kiosks only)."""
        return self._get("/appointments/today")

    def check_in(self, code: str | None = None, id_number: str | None = None,
                 idempotency_key: str | None = None, phone: str | None = None) -> IssueAnswer:
        """Checks in today's appointment, by what the scanner read from its QR (the code, or a link
        with code= or appt=), by ID number or by the mobile number it was booked with. The answer is
        that of `issue`, with `appointment`, `already_checked_in` and `appointments_today` (and
        `phone_masked`): checking in again gives the same ticket."""
        answer = self._command("/appointments/check-in", _present(code=code, id_number=id_number, phone=phone),
                               idempotency_key)
        return self._issue_answer(answer, "POST /appointments/check-in")

    # -- the public follow page of a ticket (no token needed)

    def follow_url(self, follow_path: str) -> str:
        """The address of a ticket's follow page on this hall server, from its `follow_path`."""
        return self.base_url + follow_path

    def public_ticket(self, follow_path: str) -> dict[str, Any]:
        """What the follow page shows (no personal data)."""
        return self._request("GET", f"/public/tickets/{_signed(follow_path)}", retry=True)

    def public_rate(self, follow_path: str, level: int, reasons: list[str] | None = None,
                    text: str = "") -> dict[str, Any]:
        """好差评 from the follow page (channel "qr"): once per visit; 差评 need a reason."""
        body = {"level": level, "reasons": list(reasons or []), "text": text}
        return self._request("POST", f"/public/tickets/{_signed(follow_path)}/rating", body=body)

    # -- windows

    def _window_command(self, window: str, action: str, body: dict[str, Any] | None = None,
                        idempotency_key: str | None = None) -> dict[str, Any]:
        return self._command(f"/windows/{_segment(window)}/{action}", body, idempotency_key)

    def call_next(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "call-next", None, idempotency_key)

    def call(self, window: str, ticket: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "call", {"ticket": ticket}, idempotency_key)

    def recall(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "recall", None, idempotency_key)

    def no_show(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "no-show", None, idempotency_key)

    def start(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "start", None, idempotency_key)

    def finish(self, window: str, matter: str | None = None,
               idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "finish", _present(matter=matter), idempotency_key)

    def open_window(self, window: str, staff: str | None = None,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "open", _present(staff=staff), idempotency_key)

    def pause(self, window: str, reason: str = "", idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "pause", {"reason": reason}, idempotency_key)

    def resume(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "resume", None, idempotency_key)

    def close_window(self, window: str, idempotency_key: str | None = None) -> dict[str, Any]:
        return self._window_command(window, "close", None, idempotency_key)

    # -- cases (办件)

    def create_case(self, body: dict[str, Any], idempotency_key: str | None = None) -> dict[str, Any]:
        """A new case in 预审 (body as `POST /cases`: matter, applicant, window, materials ...)."""
        return self._command("/cases", body, idempotency_key)

    def case_action(self, number: str, action: str, body: dict[str, Any] | None = None,
                    idempotency_key: str | None = None) -> dict[str, Any]:
        """`action`: accept, correction, refusal, materials, steps, steps/finish, conclusion,
        delivery or close."""
        return self._command(f"/cases/{_segment(number)}/{action}", body, idempotency_key)

    def case(self, number: str) -> dict[str, Any]:
        return self._get(f"/cases/{_segment(number)}")

    def case_lookup(self, id_number: str, number: str | None = None) -> dict[str, Any]:
        """A citizen's cases by ID number, or the one numbered `number` filed under it (POST body,
        never a URL; retried like a read): {"day", "cases": [citizen views]}."""
        body = _present(id_number=id_number, number=number)
        return self._request("POST", f"{API}/cases/lookup", body=body, retry=True)

    def upload_case_pages(self, number: str, material: str, pdf: bytes) -> dict[str, Any]:
        """One material's captured pages (a PDF) for a case in 预审 or 补正; sent once (a lost
        answer is not retried: the kiosk asks again with the citizen still there)."""
        return self._request("POST", f"{API}/cases/{_segment(number)}/pages", params={"material": material},
                             pdf=pdf)

    def supplement_case(self, number: str, materials: list[str], *, id_number: str | None = None,
                        follow_path: str | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
        """补正 handed in: the materials the notice listed, each uploaded; proven by the ID card the
        case was filed under or the notice's QR (`follow_path`)."""
        body = _present(id_number=id_number, signed=follow_path.rstrip("/").rsplit("/", 1)[-1] if follow_path else None,
                        materials=materials)
        return self._command(f"/cases/{_segment(number)}/supplement", body, idempotency_key)

    def public_case(self, follow_path: str) -> dict[str, Any]:
        """A case by its notice's signed reference (/c/<number>.<sig>): the citizen's view."""
        return self._request("GET", f"/public/cases/{_signed(follow_path)}", retry=True)
