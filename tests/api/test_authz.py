"""Walks every operation of the hall API's OpenAPI with no token, a garbage token and each kind
of caller, and checks the status against the matrix in `authz_matrix.py`: an operation without
a row fails, so does a row without an operation, and a refused request changes nothing."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hall.config import load_config
from hall.server import create_app
from tests.api.authz_matrix import CALLERS, ID_NUMBER, MATRIX
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, write_small_hall
from tests.support.pages import sample_pdf
from tests.unit.hallfixtures import FakeClock, at

A = "/api/v1"
STAFF = {"staff": "wang", "other": "li", "super": "boss"}
DEVICES = {"operator", "dispenser", "kiosk", "display", "keypad", "pad"}
MATERIAL = "登记申请书"  # the one material of the small hall's matter
DEFAULTS = {"window_id": "w1", "code": "000131128000", "dataset": "announcements", "notice_id": "n1",
            "staff_id": "s1"}


class Scenes:
    """Brings the hall into a row's scene before each request, as the operator would, on w1."""

    def __init__(self, client) -> None:
        self.client = client
        self.operator = bearer(TOKENS["operator"])

    def do(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        r = self.client.request(method, A + path, json=body, headers=self.operator)
        assert r.status_code in (200, 201), f"scene: {method} {path}: {r.text}"
        return r.json()

    def issue(self, queue: str = "general") -> dict[str, str]:
        answer = self.do("POST", "/tickets", {"queue": queue})
        return {"ticket_id": answer["ticket"]["id"], "signed": answer["follow_path"].removeprefix("/t/")}

    def closed_w1(self) -> dict[str, str]:
        w = self.do("GET", "/windows/w1")
        if w["ticket"] is not None:
            self.do("POST", "/windows/w1/" + ("no-show" if w["ticket"]["state"] == "called" else "finish"))
        if w["state"] == "paused":
            self.do("POST", "/windows/w1/resume")
        if w["state"] != "closed":
            self.do("POST", "/windows/w1/close")
        return {}

    def open_w1(self) -> dict[str, str]:
        self.closed_w1()
        self.do("POST", "/windows/w1/open")
        return {}

    def case(self, name: str) -> dict[str, str]:
        """A case opened at w1 for the ticket it serves, then brought to the state the scene names."""
        self.open_w1()
        ticket = self.issue()
        self.do("POST", "/windows/w1/call", {"ticket": ticket["ticket_id"]})
        self.do("POST", "/windows/w1/start")
        case = self.do("POST", "/cases", {"matter": DEFAULTS["code"], "window": "w1",
                                          "applicant": {"id_number": ID_NUMBER}, "materials": {}})["case"]
        number = case["number"]
        out = {**DEFAULTS, "number": number, "signed": case["follow_path"].removeprefix("/c/")}
        steps = {"case_complete_w1": [("materials", {"materials": {MATERIAL: "original"}})]}
        steps["case_accepted_w1"] = [*steps["case_complete_w1"], ("accept", None)]
        steps["case_handling_w1"] = [*steps["case_accepted_w1"], ("steps", {"step": "审查"})]
        steps["case_concluded_w1"] = [*steps["case_accepted_w1"], ("conclusion", {"approved": True})]
        steps["case_delivered_w1"] = [*steps["case_concluded_w1"], ("delivery", {"method": "pickup",
                                                                                  "proof": "id_card"})]
        steps["case_correction_pages_w1"] = [("correction", {})]
        assert name in ("case_presubmitted_w1", "case_pages_w1") or name in steps, f"no scene {name!r}"
        for action, body in steps.get(name, []):
            self.do("POST", f"/cases/{number}/{action}", body)
        if name in ("case_pages_w1", "case_correction_pages_w1"):  # the kiosk uploaded the material's pages
            r = self.client.post(f"{A}/cases/{number}/pages", params={"material": MATERIAL}, content=sample_pdf(),
                                 headers={**bearer(TOKENS["kiosk"]), "Content-Type": "application/pdf"})
            assert r.status_code == 201, f"scene: upload: {r.text}"
            out["item"] = r.json()["pages"]["id"]
        return out

    def scene(self, name: str) -> dict[str, str]:
        out = dict(DEFAULTS)
        if name.startswith("case_"):
            return self.case(name)
        if name in ("hall", "own_session"):
            return out
        if name == "waiting":
            return {**out, **self.issue()}
        if name == "waiting_property":
            return {**out, **self.issue("property")}
        if name == "leased":  # a block of the dispenser's, its first number printed just now
            r = self.client.post(A + "/leases", json={"queue": "general", "size": 5}, headers=bearer(TOKENS["dispenser"]))
            lease = r.json()["lease"]
            now = datetime.fromtimestamp(self.client.app.state.service.clock(), UTC).isoformat()
            return {**out, "lease": lease["lease"], "number": f"A{lease['first']:03d}", "issued_at": now}
        if name == "refused":  # the kiosk hands in a number of a new block of the dispenser's: refused, recorded
            leased = self.scene("leased")
            r = self.client.post(f"{A}/leases/{leased['lease']}/tickets", headers=bearer(TOKENS["kiosk"]),
                                 json={"number": leased["number"], "issued_at": leased["issued_at"]})
            assert r.status_code == 409, f"scene: refused hand-in: {r.text}"
            service = self.client.app.state.service
            last = service.store.events_after(service.last_seq - 1)[-1]
            return {**out, "refusal_id": last.data["refusal"]}
        if name == "notice":
            self.do("PUT", "/operators/notices/n1", {"title": "停车须知", "body": "地下车库免费"})
            return out
        if name == "closed_w1":
            return {**out, **self.closed_w1()}
        self.open_w1()
        if name == "open_w1":
            return out
        if name == "paused_w1":
            self.do("POST", "/windows/w1/pause")
            return out
        ticket = self.issue()
        if name == "open_w1_waiting":
            return {**out, **ticket}
        self.do("POST", "/windows/w1/call", {"ticket": ticket["ticket_id"]})
        if name == "called_w1":
            return {**out, **ticket}
        self.do("POST", "/windows/w1/start")
        if name == "serving_w1":
            return {**out, **ticket}
        self.do("POST", "/windows/w1/finish")
        if name == "rated_bad_w1":  # a 差评: its follow-up waits for the callback
            self.do("POST", f"/tickets/{ticket['ticket_id']}/rating", {"level": 1, "text": "等候太久"})
            return {**out, **ticket, "followup_id": "fu-" + ticket["ticket_id"]}
        assert name == "finished_w1", f"no scene {name!r}"
        return {**out, **ticket}


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    """One hall for the whole walk (each request's scene is set up afresh), with staff logged in."""
    where = tmp_path_factory.mktemp("authz")
    app = create_app(load_config(write_small_hall(where)), where / "data", clock=FakeClock(at(9)))
    with TestClient(app) as client:
        yield client, {name: login(client, user) for name, user in STAFF.items()}


def operations(app) -> set[tuple[str, str]]:
    schema = app.openapi()
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}


def fill(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**params)
    if isinstance(value, dict):
        return {k: fill(v, params) for k, v in value.items()}
    return value


def test_every_operation_has_a_row_and_every_row_an_operation(hall):
    found = operations(hall[0].app)
    missing = sorted(found - set(MATRIX))
    assert not missing, f"no row in tests/api/authz_matrix.py for: {missing}"
    stale = sorted(set(MATRIX) - found)
    assert not stale, f"rows for operations the API does not have: {stale}"
    for key, row in MATRIX.items():
        assert set(row.expected()) == set(CALLERS), key


@pytest.mark.parametrize("operation", sorted(MATRIX), ids=lambda op: f"{op[0]} {op[1]}")
def test_each_caller_gets_the_status_of_the_matrix(hall, operation):
    client, sessions = hall
    method, path = operation
    row = MATRIX[operation]
    scenes = Scenes(client)
    service = client.app.state.service
    wrong: list[str] = []
    for caller, expected in row.expected().items():
        params = scenes.scene(row.scene)
        if caller == "none":
            headers = {}
        elif caller == "garbage":
            headers = bearer("not-a-token-anyone-was-given")
        elif caller in DEVICES:
            headers = bearer(TOKENS[caller])
        else:
            headers = login(client, STAFF[caller]) if row.scene == "own_session" else sessions[caller]
        before = service.last_seq
        body = {} if row.body is None else {"json": fill(row.body, params)}
        if row.pdf:
            body = {"content": sample_pdf()}
            headers = {**headers, "Content-Type": "application/pdf"}
        r = client.request(method, fill(path, params) + row.query, headers=headers, **body)
        if r.status_code != expected:
            wrong.append(f"{caller}: {r.status_code} (expected {expected}): {r.text[:120]}")
        if r.status_code >= 400:  # nothing changed but the record of an offline ticket refused for good
            changed = [e.type for e in service.store.events_after(before)]
            assert set(changed) <= {"refusal.recorded"}, f"{caller} was refused with {r.status_code} but the hall changed"
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)
