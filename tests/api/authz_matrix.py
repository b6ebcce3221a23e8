"""The hall API's authorization matrix, as data: every operation of the OpenAPI × every kind of
caller → the status a valid request gets. `test_authz.py` walks the app's OpenAPI and fails on
an operation without a row here, so no endpoint ships without one.

Each row names the scene the request runs in (set up afresh before each caller's request, see
`test_authz.SCENES`), the request's body if it needs one (`{ticket_id}` and the other scene
values are filled in), and one status per caller, in the order of `CALLERS`:

    none     no token                     operator    the hall's operator device
    garbage  a token nobody was given     dispenser   ticket machine
    staff    wang, staff of window w1     kiosk       self-service terminal
    other    li, staff of windows w2, w3  display     the board ("board" above the table; its token is public)
    super    boss, supervisor             keypad      window w1's caller keypad
                                          pad         window w1's evaluation pad

A new endpoint: add its row in its area's section. A new area (cases): add a section.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.halls import PASSWORD

CALLERS = ("none", "garbage", "staff", "other", "super", "operator", "dispenser", "kiosk", "display", "keypad",
           "pad")
ID_NUMBER = "11010519491231002X"


@dataclass(frozen=True)
class Row:
    statuses: str  # one status per caller, in the order of CALLERS
    scene: str = "hall"
    body: dict[str, Any] | None = field(default=None)
    pdf: bool = False  # the body is a captured material's PDF (tests.support.pages), not JSON
    query: str = ""  # appended to the path, after filling

    def expected(self) -> dict[str, int]:
        codes = [int(s) for s in self.statuses.split()]
        assert len(codes) == len(CALLERS), f"{len(codes)} statuses for {len(CALLERS)} callers"
        return dict(zip(CALLERS, codes, strict=True))


#                      none garb staff other super oper disp kiosk board keyp pad
PUBLIC = "             200  200  200   200   200   200  200  200   200  200  200"
ANYONE = "             401  401  200   200   200   200  200  200   200  200  200"
NO_PHOTO = "           401  401  404   404   404   404  404  404   404  404  404"
ISSUERS = "            401  401  201   201   201   201  201  201   403  403  403"
DESKS = "              401  401  200   200   200   200  200  200   403  403  403"
MANAGERS = "           401  401  403   403   200   200  403  403   403  403  403"
STAFF_AND_MANAGERS = " 401  401  200   200   200   200  403  403   403  403  403"
WINDOW_W1 = "          401  401  200   403   200   200  403  403   403  200  403"
CASE_W1 = "            401  401  200   403   200   200  403  403   403  403  403"
OPERATORS = "          401  401  403   403   403   200  403  403   403  403  403"
PEOPLE = "             401  401  200   200   200   403  403  403   403  403  403"
SUPERVISOR = "         401  401  403   403   200   403  403  403   403  403  403"
KIOSK_ONLY = "           401  401  403   403   403   403  403  200   403  403  403"
KIOSK_UPLOAD = "         401  401  403   403   403   403  403  201   403  403  403"
SUPERVISOR_LATER = "   401  401  403   403   409   403  403  403   403  403  403"

MATRIX: dict[tuple[str, str], Row] = {
    # -- the hall, public (hall/api/about.py, follow.py)
    ("GET", "/health"): Row(PUBLIC),
    ("GET", "/public/tickets/{signed}"): Row(PUBLIC, "waiting"),
    ("POST", "/public/tickets/{signed}/rating"): Row(PUBLIC, "finished_w1", {"level": 5}),
    ("GET", "/api/v1/hall"): Row(ANYONE),
    ("GET", "/api/v1/hall/hours"): Row(ANYONE),
    ("GET", "/g/{code}"): Row(PUBLIC),
    # the small hall's staff have no photo: every caller that may ask is told so (a pad's own
    # hall has one: tests/api/test_staff_photos.py)
    ("GET", "/api/v1/staff/{staff_id}/photo"): Row(NO_PHOTO),

    # -- staff sessions (hall/api/staff.py)
    ("POST", "/api/v1/auth/login"): Row(PUBLIC, body={"username": "wang", "password": PASSWORD}),
    ("POST", "/api/v1/auth/logout"): Row(ANYONE, "own_session"),
    ("GET", "/api/v1/me"): Row(ANYONE),

    # -- what the hall shows (hall/api/events.py)
    ("GET", "/api/v1/snapshot"): Row(ANYONE),
    ("GET", "/api/v1/events"): Row(ANYONE),
    ("GET", "/api/v1/stats"): Row(STAFF_AND_MANAGERS),

    # -- tickets (hall/api/tickets.py)
    ("POST", "/api/v1/tickets"): Row(ISSUERS, body={"queue": "general"}),
    ("GET", "/api/v1/tickets/{ticket_id}"): Row(ANYONE, "waiting"),

    # -- the leases of numbers (hall/api/leases.py): a dispenser's or a kiosk's own only; the
    # scene's lease is the dispenser's, so the kiosk handing in one of its numbers is refused (409)
    ("POST", "/api/v1/leases"): Row(
        "      401  401  403   403   403   403  201  201   403  403  403", body={"queue": "general", "size": 5}),
    ("GET", "/api/v1/leases"): Row(
        "      401  401  403   403   403   403  200  200   403  403  403"),
    ("POST", "/api/v1/leases/{lease}/tickets"): Row(
        "      401  401  403   403   403   403  201  409   403  403  403", "leased",
        {"number": "{number}", "issued_at": "{issued_at}"}),
    # offline tickets refused at hand-in (hall/api/refusals.py): the people on the floor who can give
    # the citizen a ticket at the counter, window staff of any window and supervisors; not the
    # operators (no counter), not devices. The scene's refusal is open, for each caller afresh
    ("GET", "/api/v1/refusals"): Row(PEOPLE, "refused"),
    ("POST", "/api/v1/refusals/{refusal_id}/handled"): Row(PEOPLE, "refused", {"note": "已补发 A031"}),
    # a property ticket waiting: w3 (li) serves its queue, w1 (wang, the keypad) does not
    ("POST", "/api/v1/tickets/{ticket_id}/cancel"): Row(
        "      401  401  403   200   200   200  403  403   403  403  403", "waiting_property"),
    ("POST", "/api/v1/tickets/{ticket_id}/transfer"): Row(
        "      401  401  403   200   200   200  403  403   403  403  403", "waiting_property",
        {"to_queue": "general"}),
    # finished at w1, named by its bare id: desks rate only by the signed reference (404 here)
    ("POST", "/api/v1/tickets/{ticket_id}/rating"): Row(
        "      401  401  403   403   200   200  404  404   403  403  200", "finished_w1", {"level": 5}),

    # -- windows (hall/api/windows.py), all on w1
    ("GET", "/api/v1/windows/{window_id}"): Row(ANYONE),
    ("POST", "/api/v1/windows/{window_id}/open"): Row(WINDOW_W1, "closed_w1"),
    ("POST", "/api/v1/windows/{window_id}/call"): Row(WINDOW_W1, "open_w1_waiting", {"ticket": "{ticket_id}"}),
    ("POST", "/api/v1/windows/{window_id}/call-next"): Row(WINDOW_W1, "open_w1_waiting"),
    ("POST", "/api/v1/windows/{window_id}/recall"): Row(WINDOW_W1, "called_w1"),
    ("POST", "/api/v1/windows/{window_id}/no-show"): Row(WINDOW_W1, "called_w1"),
    ("POST", "/api/v1/windows/{window_id}/start"): Row(WINDOW_W1, "called_w1"),
    ("POST", "/api/v1/windows/{window_id}/finish"): Row(WINDOW_W1, "serving_w1"),
    ("POST", "/api/v1/windows/{window_id}/pause"): Row(WINDOW_W1, "open_w1"),
    ("POST", "/api/v1/windows/{window_id}/resume"): Row(WINDOW_W1, "paused_w1"),
    ("POST", "/api/v1/windows/{window_id}/close"): Row(WINDOW_W1, "open_w1"),

    # -- sync (hall/api/sync.py): devices that record things push; managers see delivery
    ("POST", "/api/v1/sync/push"): Row(
        "      401  401  403   403   403   200  200  200   403  200  200", body={"items": []}),
    ("GET", "/api/v1/sync/pull/{dataset}"): Row(ANYONE),
    ("GET", "/api/v1/sync/status"): Row(MANAGERS),

    # -- citizens at the desks (hall/api/citizens.py)
    ("GET", "/api/v1/guides"): Row(ANYONE),
    ("GET", "/api/v1/guides/{code}"): Row(ANYONE),
    ("GET", "/api/v1/announcements"): Row(ANYONE),
    ("GET", "/api/v1/tickets/{ticket_id}/progress"): Row(ANYONE, "waiting"),
    ("POST", "/api/v1/lookup"): Row(DESKS, body={"id_number": ID_NUMBER}),
    # no appointment today: desks are told so (404), others may not ask
    # today's appointments as a kiosk keeps them for check-ins while the hall is away: kiosks only
    ("GET", "/api/v1/appointments/today"): Row(KIOSK_ONLY),
    ("POST", "/api/v1/appointments/check-in"): Row(
        "      401  401  404   404   404   404  404  404   403  403  403", body={"id_number": ID_NUMBER}),

    # -- cases (hall/api/cases.py): each scene is a case opened at w1 for the ticket it serves;
    # wang (w1), supervisors and the operator act on it, li (w2, w3) and the window's devices do not
    ("POST", "/api/v1/cases"): Row(
        "      401  401  201   403   201   201  403  201   403  403  403", "serving_w1",
        {"matter": "{code}", "applicant": {"id_number": ID_NUMBER}, "materials": {}}),
    ("POST", "/api/v1/cases/{number}/materials"): Row(CASE_W1, "case_presubmitted_w1",
                                                      {"materials": {"登记申请书": "original"}}),
    ("POST", "/api/v1/cases/{number}/accept"): Row(CASE_W1, "case_complete_w1"),
    ("POST", "/api/v1/cases/{number}/correction"): Row(CASE_W1, "case_presubmitted_w1", {}),  # its material missing
    ("POST", "/api/v1/cases/{number}/refusal"): Row(CASE_W1, "case_presubmitted_w1",
                                                    {"reason": "不属于本厅受理范围", "redirect": "县不动产登记中心"}),
    ("POST", "/api/v1/cases/{number}/steps"): Row(CASE_W1, "case_accepted_w1", {"step": "审查"}),
    ("POST", "/api/v1/cases/{number}/steps/finish"): Row(CASE_W1, "case_handling_w1"),
    ("POST", "/api/v1/cases/{number}/conclusion"): Row(CASE_W1, "case_handling_w1", {"approved": True}),
    ("POST", "/api/v1/cases/{number}/delivery"): Row(CASE_W1, "case_concluded_w1",
                                                     {"method": "pickup", "proof": "id_card"}),
    ("POST", "/api/v1/cases/{number}/close"): Row(CASE_W1, "case_delivered_w1"),
    # li sees the list and the counts of their own windows (no case of w1 among them)
    ("GET", "/api/v1/cases"): Row(STAFF_AND_MANAGERS, "case_accepted_w1"),
    ("GET", "/api/v1/cases/stats"): Row(STAFF_AND_MANAGERS, "case_accepted_w1"),
    ("GET", "/api/v1/cases/dates"): Row(STAFF_AND_MANAGERS, query="?matter=000131128000"),
    ("GET", "/api/v1/cases/{number}"): Row(CASE_W1, "case_accepted_w1"),
    ("GET", "/api/v1/cases/{number}/notice"): Row(CASE_W1, "case_accepted_w1"),
    # a case's pages (hall/api/case_pages.py): the kiosk uploads them and hands in a 补正; the
    # case's window, supervisors and the operator look at them
    ("POST", "/api/v1/cases/{number}/pages"): Row(KIOSK_UPLOAD, "case_presubmitted_w1", pdf=True,
                                                  query="?material=登记申请书"),
    ("GET", "/api/v1/cases/{number}/pages"): Row(CASE_W1, "case_pages_w1"),
    ("GET", "/api/v1/cases/{number}/pages/{item}"): Row(CASE_W1, "case_pages_w1"),
    ("POST", "/api/v1/cases/{number}/supplement"): Row(KIOSK_ONLY, "case_correction_pages_w1",
                                                       {"id_number": ID_NUMBER, "materials": ["登记申请书"]}),
    # the citizen's desks and staff find a citizen's cases by the ID card
    ("POST", "/api/v1/cases/lookup"): Row(DESKS, "case_accepted_w1", {"id_number": ID_NUMBER}),
    ("GET", "/public/cases/{signed}"): Row(PUBLIC, "case_accepted_w1"),
    # 好差评 by the notice's QR, once the case is concluded: whoever holds the notice (一事一评)
    ("POST", "/public/cases/{signed}/rating"): Row(PUBLIC, "case_concluded_w1", {"level": 5}),

    # -- the operators' console (hall/api/operators.py): only the hall's operators change it
    ("GET", "/api/v1/board"): Row(ANYONE),
    ("GET", "/api/v1/operators/notices"): Row(OPERATORS),
    ("PUT", "/api/v1/operators/notices/{notice_id}"): Row(OPERATORS, body={"title": "停车须知", "body": "地下车库免费"}),
    ("DELETE", "/api/v1/operators/notices/{notice_id}"): Row(OPERATORS, "notice"),
    ("PUT", "/api/v1/operators/board"): Row(OPERATORS, body={"tickers": ["欢迎光临"]}),
    ("POST", "/api/v1/operators/broadcast"): Row(OPERATORS, body={"text": "请注意", "minutes": 1}),
    ("DELETE", "/api/v1/operators/broadcast"): Row(OPERATORS),
    ("GET", "/api/v1/operators/audit"): Row(OPERATORS),

    # -- the staff console's counter (hall/api/counter.py): staff and supervisors, not devices
    ("POST", "/api/v1/counter/tickets"): Row(
        "      401  401  201   201   201   403  403  403   403  403  403",
        body={"queue": "general", "priority": "green", "reason": "行动不便"}),
    ("GET", "/api/v1/counter/windows/{window_id}/devices"): Row(
        "      401  401  200   403   200   403  403  403   403  403  403"),

    # -- the 差评 follow-up ledger (hall/api/followups.py): people, not devices; in the scene w1 was
    # opened by the operator device, so no staff served it and only the supervisor answers for it;
    # the follow-up waits for its callback, so the later steps are refused for their state (409)
    ("GET", "/api/v1/followups"): Row(PEOPLE),
    ("GET", "/api/v1/followups/{followup_id}"): Row(SUPERVISOR, "rated_bad_w1"),
    ("POST", "/api/v1/followups/{followup_id}/verify"): Row(SUPERVISOR, "rated_bad_w1", {"outcome": "fix_now"}),
    ("POST", "/api/v1/followups/{followup_id}/rectified"): Row(SUPERVISOR_LATER, "rated_bad_w1", {}),
    ("POST", "/api/v1/followups/{followup_id}/appeal-decision"): Row(SUPERVISOR_LATER, "rated_bad_w1",
                                                                     {"upheld": True}),
    ("POST", "/api/v1/followups/{followup_id}/feedback"): Row(SUPERVISOR_LATER, "rated_bad_w1", {"how": "phone"}),
    ("POST", "/api/v1/followups/{followup_id}/close"): Row(SUPERVISOR_LATER, "rated_bad_w1"),

    # -- the supervisors' dashboard (hall/api/dashboard.py)
    ("GET", "/api/v1/dashboard"): Row(SUPERVISOR),
    ("GET", "/api/v1/dashboard/export"): Row(SUPERVISOR),

    # -- the hall's health (hall/api/health.py): screens send heartbeats; supervisors and operators read
    ("POST", "/api/v1/health/heartbeat"): Row(
        "      401  401  403   403   403   403  200  200   200  403  200", body={"clock": 1.8e9, "version": "0.1.0"}),
    ("GET", "/api/v1/health"): Row(MANAGERS),
}
