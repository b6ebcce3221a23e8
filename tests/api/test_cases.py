"""Cases over HTTP against the real app: a window opens, accepts, corrects and refuses cases for
the ticket it serves; citizens follow theirs; bad input is a 4xx naming the problem."""
import pytest
from fastapi.testclient import TestClient

from ground.privacy import id_check_digit
from hall.config import load_config
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, small_hall_toml
from tests.unit.hallfixtures import FakeClock, at

A = "/api/v1"
BODY = "11010519491231002"
ID_NUMBER = BODY + id_check_digit(BODY)
OTHER_BODY = "37082919800101123"
OTHER_ID = OTHER_BODY + id_check_digit(OTHER_BODY)
LICENCE = "000131024000"
MATTER_TOML = f"""
[[matters]]
code = "{LICENCE}"
name = "食品经营许可"
department = "县市场监管局"
kind = "行政许可"
queue = "general"
promised_days = 5
legal_days = 20
fee = "不收费"
visits = 1
materials = [
  {{ name = "申请书", form = "原件" }},
  {{ name = "营业执照", form = "复印件" }},
  {{ name = "委托书", form = "原件", required = false, note = "委托他人办理时" }},
]
"""
ALL = {"申请书": "original", "营业执照": "licence"}


@pytest.fixture
def clock():
    return FakeClock(at(9, day=23))  # a Monday


@pytest.fixture
def client(tmp_path, clock):
    path = tmp_path / "hall.toml"
    path.write_text(small_hall_toml() + MATTER_TOML, encoding="utf-8")
    app = create_app(load_config(path), tmp_path / "data", clock=clock)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def wang(client):
    """Staff at window 1, serving a ticket."""
    headers = login(client, "wang")
    client.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
    client.post(f"{A}/windows/w1/open", headers=headers)
    client.post(f"{A}/windows/w1/call-next", headers=headers)
    assert client.post(f"{A}/windows/w1/start", headers=headers).status_code == 200
    return headers


def open_case(client, headers, materials=None, **extra):
    body = {"matter": LICENCE, "applicant": {"id_number": ID_NUMBER, "name": "张三"}, "window": "w1",
            "phone": "13800001234", "materials": ALL if materials is None else materials, **extra}
    return client.post(f"{A}/cases", json=body, headers=headers)


def test_a_window_opens_and_accepts_a_case_for_the_ticket_it_serves(client, wang):
    r = open_case(client, wang)
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    assert case["number"] == "3708292026000001" and case["state"] == "presubmitted"
    assert case["applicant"] == {"kind": "person", "id_masked": "110105********" + ID_NUMBER[-4:],
                                 "name_masked": "张*"}
    assert case["phone_masked"] == "138****1234" and case["ticket"].endswith("A001")
    assert ID_NUMBER not in r.text and "张三" not in r.text
    r = client.post(f"{A}/cases/{case['number']}/accept", headers=wang)
    assert r.status_code == 200, r.text
    accepted = r.json()["case"]
    assert (accepted["state"], accepted["due"], accepted["light"]) == ("accepted", "2026-11-30", "green")


def test_staff_need_a_ticket_being_served(client):
    wang = login(client, "wang")
    r = open_case(client, wang)
    assert r.status_code == 422 and "没有正在办理的票" in r.json()["message"]


@pytest.mark.parametrize("change,status,needle", [
    ({"matter": "999999999999"}, 422, "没有编码为 '999999999999' 的事项"),
    ({"materials": {"结婚证": "original"}}, 422, "「结婚证」不在事项"),
    ({"applicant": {"id_number": BODY + "0" if id_check_digit(BODY) != "0" else BODY + "1"}}, 422, "校验位"),
    ({"applicant": {"credit_code": "91350100M000100Y44", "org_name": "某公司"}}, 422, "末位应为 3"),
    ({"phone": "12345"}, 422, "11 位手机号"),
])
def test_bad_input_names_the_problem_and_changes_nothing(client, wang, change, status, needle):
    body = {"matter": LICENCE, "applicant": {"id_number": ID_NUMBER}, "window": "w1", "materials": ALL}
    body.update(change)
    r = client.post(f"{A}/cases", json=body, headers=wang)
    assert r.status_code == status and needle in r.json()["message"], r.text
    assert client.get(f"{A}/cases", headers=wang).json()["total"] == 0


def test_missing_materials_block_acceptance_and_go_to_correction(client, wang):
    number = open_case(client, wang, materials={"申请书": "original"}).json()["case"]["number"]
    r = client.post(f"{A}/cases/{number}/accept", headers=wang)
    assert r.status_code == 422 and "营业执照" in r.json()["message"]
    r = client.post(f"{A}/cases/{number}/correction", json={"deadline_days": 3}, headers=wang)
    assert r.status_code == 200
    corr = r.json()["case"]["correction"]
    assert [i["material"] for i in corr["items"]] == ["营业执照"] and corr["deadline"] == "2026-11-26"
    r = client.post(f"{A}/cases/{number}/conclusion", json={"approved": True}, headers=wang)
    assert r.status_code == 409 and "处于「补正」，不能办结" in r.json()["message"]
    client.post(f"{A}/cases/{number}/materials", json={"materials": {"营业执照": "copy"}}, headers=wang)
    assert client.post(f"{A}/cases/{number}/accept", headers=wang).json()["case"]["state"] == "accepted"


def test_refusal_then_the_organisation_case_all_the_way(client, wang):
    refused = open_case(client, wang).json()["case"]["number"]
    r = client.post(f"{A}/cases/{refused}/refusal", json={"reason": "不属于本机关职权范围",
                                                          "redirect": "县自然资源局"}, headers=wang)
    assert r.json()["case"]["refusal"]["redirect"] == "县自然资源局"
    assert "refusal" in client.get(f"{A}/cases/{refused}/notice", headers=wang).headers["content-disposition"]
    org = {"credit_code": "91350100M000100Y43", "org_name": "某某商贸有限公司"}
    r = client.post(f"{A}/cases", json={"matter": LICENCE, "applicant": org, "window": "w1", "materials": ALL},
                    headers=wang)
    number = r.json()["case"]["number"]
    assert number == "3708292026000002"
    boss = login(client, "boss")
    for path, body in [("accept", None), ("steps", {"step": "鉴定"}), ("steps/finish", None),
                       ("conclusion", {"approved": True}),
                       ("delivery", {"method": "post", "address": "山东省济宁市金乡县某路 1 号", "tracking": "SF1"}),
                       ("close", None)]:
        r = client.post(f"{A}/cases/{number}/{path}", json=body, headers=boss)
        assert r.status_code == 200, (path, r.text)
    case = r.json()["case"]
    assert case["state"] == "closed" and case["on_time"] is True
    assert case["delivery"]["address_masked"] == "山东省济宁市****"
    notice = client.get(f"{A}/cases/{number}/notice", headers=boss)
    assert notice.status_code == 200 and "completion" in notice.headers["content-disposition"]
    stats = client.get(f"{A}/cases/stats", headers=boss).json()
    assert stats["by_window"]["w1"] == {"accepted": 1, "correction": 0, "refused": 1}
    assert stats["on_time_rate"] == 1.0


def test_who_sees_what(client, wang):
    number = open_case(client, wang).json()["case"]["number"]
    li = login(client, "li")
    assert client.get(f"{A}/cases/{number}", headers=li).status_code == 403
    assert client.post(f"{A}/cases/{number}/accept", headers=li).status_code == 403
    assert client.get(f"{A}/cases", headers=li).json()["total"] == 0
    assert client.get(f"{A}/cases", headers=login(client, "boss")).json()["total"] == 1
    kiosk = bearer(TOKENS["kiosk"])
    assert client.get(f"{A}/cases/{number}", headers=kiosk).status_code == 403
    assert client.post(f"{A}/cases/{number}/accept", headers=kiosk).status_code == 403


def test_a_citizen_follows_a_case_by_id_or_by_the_signed_reference(client, wang):
    created = open_case(client, wang).json()["case"]
    number = created["number"]
    kiosk = bearer(TOKENS["kiosk"])
    r = client.post(f"{A}/cases/lookup", json={"id_number": ID_NUMBER}, headers=kiosk)
    assert [c["number"] for c in r.json()["cases"]] == [number]
    assert "staff" not in r.json()["cases"][0]
    r = client.post(f"{A}/cases/lookup", json={"id_number": OTHER_ID, "number": number}, headers=kiosk)
    assert r.status_code == 404
    signed = created["follow_path"].removeprefix("/c/")
    page = client.get(f"/public/cases/{signed}")
    assert page.status_code == 200 and page.json()["state_label"] == "预审"
    assert client.get(f"/public/cases/{number}.AAAAAAAAAA").status_code == 404


def test_a_kiosk_submits_for_presubmission_only(client):
    kiosk = bearer(TOKENS["kiosk"])
    body = {"matter": LICENCE, "applicant": {"id_number": ID_NUMBER}, "materials": ALL}
    assert client.post(f"{A}/cases", json=body, headers=kiosk).status_code == 403
    r = client.post(f"{A}/cases", json={**body, "channel": "kiosk"}, headers=kiosk)
    assert r.status_code == 201 and r.json()["case"]["window"] is None


def test_idempotent_create(client, wang):
    headers = {**wang, "Idempotency-Key": "abc"}
    first = open_case(client, headers).json()
    assert open_case(client, headers).json() == first
    assert client.get(f"{A}/cases", headers=wang).json()["total"] == 1


def test_each_decision_prints_its_notice(client, wang, tmp_path):
    number = open_case(client, wang, materials={"申请书": "original"}).json()["case"]["number"]
    r = client.get(f"{A}/cases/{number}/notice", headers=wang)
    assert r.status_code == 409 and "还没有通知书" in r.json()["message"]
    client.post(f"{A}/cases/{number}/correction", json={"items": [{"material": "申请书", "reason": "未签字"}]},
                headers=wang)
    r = client.get(f"{A}/cases/{number}/notice", headers=wang)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and "correction" in r.headers["content-disposition"]
    client.post(f"{A}/cases/{number}/materials", json={"materials": {"营业执照": "copy", "申请书": "original"}},
                headers=wang)
    client.post(f"{A}/cases/{number}/accept", headers=wang)
    r = client.get(f"{A}/cases/{number}/notice", headers=wang)
    assert "acceptance" in r.headers["content-disposition"]
    (tmp_path / "acceptance.pdf").write_bytes(r.content)
    assert ID_NUMBER.encode() not in r.content
    li = login(client, "li")
    assert client.get(f"{A}/cases/{number}/notice", headers=li).status_code == 403
