"""Cases over HTTP against the real app: a window opens, accepts, corrects and refuses cases for
the ticket it serves; citizens follow theirs; bad input is a 4xx naming the problem."""
import json

import pytest
from fastapi.testclient import TestClient

from ground.privacy import id_check_digit
from hall.config import load_config
from hall.server import create_app
from tests.api.conftest import bearer, login
from tests.support.halls import TOKENS, small_hall_toml
from tests.support.reference import Platform
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


def test_the_window_sees_the_dates_a_decision_today_would_set_before_deciding(client, wang):
    r = client.get(f"{A}/cases/dates", params={"matter": LICENCE}, headers=wang)
    assert r.status_code == 200, r.text
    told = r.json()
    assert (told["day"], told["promised_days"]) == ("2026-11-23", 5)
    number = open_case(client, wang, materials={"申请书": "original"}).json()["case"]["number"]
    corrected = client.post(f"{A}/cases/{number}/correction", json={}, headers=wang).json()["case"]
    assert corrected["correction"]["deadline"] == told["correction_deadline"]
    client.post(f"{A}/cases/{number}/materials", json={"materials": ALL}, headers=wang)
    accepted = client.post(f"{A}/cases/{number}/accept", headers=wang).json()["case"]
    assert (accepted["due"], accepted["due_provisional"]) == (told["due"], told["due_provisional"])
    assert told["due"] == "2026-11-30"  # five working days after Monday 23 November, that day not counted
    r = client.get(f"{A}/cases/dates", params={"matter": "999999999999"}, headers=wang)
    assert r.status_code == 422 and "999999999999" in r.json()["message"]


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
    assert client.post(f"{A}/cases", json={**body, "channel": "window"}, headers=kiosk).status_code == 403
    r = client.post(f"{A}/cases", json=body, headers=kiosk)
    assert r.status_code == 201 and r.json()["case"]["window"] is None and r.json()["case"]["channel"] == "kiosk"


def test_only_a_kiosk_submits_with_the_kiosks_channel(client, wang):
    r = open_case(client, wang, channel="kiosk")
    assert r.status_code == 403 and "channel" in r.text
    assert client.get(f"{A}/cases", headers=wang).json()["total"] == 0


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


def test_the_applicant_is_taken_from_the_card_swiped_for_the_served_ticket(client):
    headers = login(client, "wang")
    dispenser = bearer(TOKENS["dispenser"])
    client.post(f"{A}/tickets", json={"queue": "general"}, headers=dispenser)
    client.post(f"{A}/tickets", json={"queue": "general", "id_number": ID_NUMBER}, headers=dispenser)
    client.post(f"{A}/windows/w1/open", headers=headers)
    body = {"matter": LICENCE, "applicant": {"from_ticket": True, "name": "张三"}, "materials": ALL}
    client.post(f"{A}/windows/w1/call-next", headers=headers)
    client.post(f"{A}/windows/w1/start", headers=headers)
    r = client.post(f"{A}/cases", json=body, headers=headers)  # A001 was drawn without a card
    assert r.status_code == 422 and "没有刷身份证" in r.text
    client.post(f"{A}/windows/w1/finish", headers=headers)
    client.post(f"{A}/windows/w1/call-next", headers=headers)
    client.post(f"{A}/windows/w1/start", headers=headers)
    r = client.post(f"{A}/cases", json=body, headers=headers)
    assert r.status_code == 201, r.text
    case = r.json()["case"]
    assert case["applicant"]["id_masked"] == "110105********" + ID_NUMBER[-4:]
    assert case["applicant"]["name_masked"] == "张*" and case["ticket"].endswith("A002")
    lookup = client.post(f"{A}/cases/lookup", json={"id_number": ID_NUMBER}, headers=dispenser).json()
    assert [c["number"] for c in lookup["cases"]] == [case["number"]]
    both = {"from_ticket": True, "id_number": ID_NUMBER}
    r = client.post(f"{A}/cases", json={**body, "applicant": both}, headers=headers)
    assert r.status_code == 422 and "from_ticket" in r.text


def test_a_case_is_rated_once_from_its_notice_after_it_is_concluded(client, wang):
    case = open_case(client, wang).json()["case"]
    number, signed = case["number"], case["follow_path"].removeprefix("/c/")
    rating = f"/public/cases/{signed}/rating"
    client.post(f"{A}/cases/{number}/accept", headers=wang)
    early = client.post(rating, json={"level": 5})
    assert early.status_code == 409 and "已受理" in early.text
    assert client.get(f"/public/cases/{signed}").json()["may_rate"] is False
    client.post(f"{A}/cases/{number}/conclusion", json={"approved": True}, headers=wang)
    assert client.get(f"/public/cases/{signed}").json()["may_rate"] is True
    bad = client.post(rating, json={"level": 1})
    assert bad.status_code == 422 and "差评须说明原因" in bad.text
    unknown = client.post(rating, json={"level": 2, "reasons": ["没有这个原因"]})
    assert unknown.status_code == 422 and "没有这个原因" in unknown.text
    seq = client.get(f"{A}/events?after=0", headers=wang).json()["events"][-1]["seq"]
    r = client.post(rating, json={"level": 4, "text": "很快"})
    assert r.status_code == 200, r.text
    assert r.json()["rated"] is True and r.json()["rating_level"] == 4 and r.json()["may_rate"] is False
    rated = [e for e in client.get(f"{A}/events?after={seq}", headers=wang).json()["events"]
             if e["type"] == "case.rated"]
    assert [e["data"]["level"] for e in rated] == [4] and rated[0]["data"]["case"] == number
    again = client.post(rating, json={"level": 5})
    assert again.status_code == 409 and "一事一评" in again.text
    assert client.post(f"/public/cases/{number}.AAAAAAAAAA/rating", json={"level": 5}).status_code == 404


def test_the_phone_page_of_a_case_is_served_only_for_a_signed_link(client, wang):
    case = open_case(client, wang).json()["case"]
    page = client.get(case["follow_path"])
    assert page.status_code == 200 and "办件进度" in page.text
    assert "content-security-policy" in page.headers
    assert client.get(f"/c/{case['number']}.AAAAAAAAAA").status_code == 404


LONG = "370117036000"
LONG_TOML = f"""
[[matters]]
code = "{LONG}"
name = "建设工程规划许可"
department = "县住建局"
kind = "行政许可"
queue = "general"
promised_days = 15
legal_days = 20
fee = "不收费"
visits = 1
materials = [{{ name = "申请表", form = "原件" }}]
"""


def test_a_provisional_due_date_is_recomputed_when_the_platform_publishes_the_year(tmp_path):
    clock = FakeClock(at(9) + 24 * 86400)  # Monday 21 December 2026: 15 working days reach 2027
    path = tmp_path / "hall.toml"
    path.write_text(small_hall_toml() + MATTER_TOML + LONG_TOML, encoding="utf-8")
    app = create_app(load_config(path), tmp_path / "data", clock=clock)
    with TestClient(app) as client:
        headers = login(client, "wang")
        client.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
        for step in ("open", "call-next", "start"):
            client.post(f"{A}/windows/w1/{step}", headers=headers)
        number = open_case(client, headers, materials={"申请表": "original"}, matter=LONG).json()["case"]["number"]
        case = client.post(f"{A}/cases/{number}/accept", headers=headers).json()["case"]
        assert (case["due"], case["due_provisional"]) == ("2027-01-12", True)
        platform = Platform(tmp_path, app.state.sync.reference, "test-hall")
        try:  # 元旦 on to Tuesday 5 January, Saturday 9 January worked (调休)
            platform.publish("calendar", [{"date": "2027-01-04", "workday": False, "name": "元旦"},
                                          {"date": "2027-01-05", "workday": False, "name": "元旦"},
                                          {"date": "2027-01-09", "workday": True, "name": "元旦调休"}])
        finally:
            platform.close()
        case = client.get(f"{A}/cases/{number}", headers=headers).json()
        assert (case["due"], case["due_provisional"]) == ("2027-01-13", False)
        rows = app.state.sync.outbox.rows(app.state.service.store.conn, field=("type", "case.due_changed"))
        assert len(rows) == 1
        data = json.loads(rows[0].payload)["data"]
        assert (data["case"], data["previous_due"], data["due"], data["provisional"]) == (
            number, "2027-01-12", "2027-01-13", False)
        assert "calendar for 2027 published" in data["reason"]


def test_the_windows_rating_names_the_case_of_the_visit_and_its_matter(client, wang):
    """好差评 at the window after a case was opened: the rating carries the case number and matter."""
    number = open_case(client, wang).json()["case"]["number"]
    assert client.post(f"{A}/cases/{number}/accept", headers=wang).status_code == 200
    ticket = client.post(f"{A}/windows/w1/finish", headers=wang).json()["ticket"]["id"]
    r = client.post(f"{A}/tickets/{ticket}/rating", json={"level": 5}, headers=bearer(TOKENS["pad"]))
    assert r.status_code == 200, r.text
    events = client.get(f"{A}/events", params={"after": 0}, headers=wang).json()["events"]
    [rated] = [e["data"] for e in events if e["type"] == "ticket.rated"]
    assert rated["cases"] == [number] and rated["matter"] == LICENCE
    # a visit without a case is rated as before, naming none
    client.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
    client.post(f"{A}/windows/w1/call-next", headers=wang)
    client.post(f"{A}/windows/w1/start", headers=wang)
    other = client.post(f"{A}/windows/w1/finish", headers=wang).json()["ticket"]["id"]
    assert client.post(f"{A}/tickets/{other}/rating", json={"level": 4},
                       headers=bearer(TOKENS["pad"])).status_code == 200
    events = client.get(f"{A}/events", params={"after": 0}, headers=wang).json()["events"]
    assert [e["data"]["cases"] for e in events if e["type"] == "ticket.rated"] == [[number], []]


ENGLISH = (MATTER_TOML.replace('name = "食品经营许可"\n', 'name = "食品经营许可"\nname_en = "Food business licence"\n')
           .replace('department = "县市场监管局"\n', 'department = "县市场监管局"\n'
                    'department_en = "County Market Regulation Bureau"\n')
           .replace('name = "营业执照",', 'name = "营业执照", name_en = "Business licence",'))


def test_a_citizen_is_told_of_a_case_with_the_halls_english_beside_the_chinese(tmp_path, clock):
    """The kiosk's 办件进度 and the phone on an English screen: the matter, its department, the
    materials still missing and the pick-up place in the hall file's English; the documented
    models (hall.api.case_views) read the answers as they are."""
    from hall.api.case_views import CaseLookupAnswer, CitizenCase

    path = tmp_path / "hall.toml"
    hall = small_hall_toml().replace('area_code = "370829"\n', 'area_code = "370829"\naddress = "一楼出件窗口"\n'
                                     'address_en = "Results counter, ground floor"\nhours = "工作日 9:00–17:00"\n'
                                     'hours_en = "Working days 9:00–17:00"\nphone = "0537-6856123（咨询）"\n'
                                     'phone_en = "0537-6856123 (enquiries)"\n')
    path.write_text(hall + ENGLISH, encoding="utf-8")
    with TestClient(create_app(load_config(path), tmp_path / "data", clock=clock)) as client:
        wang = login(client, "wang")
        client.post(f"{A}/tickets", json={"queue": "general"}, headers=bearer(TOKENS["dispenser"]))
        client.post(f"{A}/windows/w1/open", headers=wang)
        client.post(f"{A}/windows/w1/call-next", headers=wang)
        client.post(f"{A}/windows/w1/start", headers=wang)
        created = open_case(client, wang, materials={"申请书": "original"}).json()["case"]
        r = client.post(f"{A}/cases/{created['number']}/correction", json={"deadline_days": 3}, headers=wang)
        assert r.status_code == 200, r.text
        answer = client.post(f"{A}/cases/lookup", json={"id_number": ID_NUMBER},
                             headers=bearer(TOKENS["kiosk"])).json()
        public = client.get("/public/cases/" + created["follow_path"].removeprefix("/c/")).json()
    [case] = CaseLookupAnswer.model_validate(answer).cases
    assert (case.matter_name, case.matter_name_en) == ("食品经营许可", "Food business licence")
    assert (case.department, case.department_en) == ("县市场监管局", "County Market Regulation Bureau")
    assert (case.missing, case.missing_en) == (["营业执照"], ["Business licence"])
    assert [(i.material, i.material_en) for i in case.correction.items] == [("营业执照", "Business licence")]
    assert (case.pickup.address_en, case.pickup.hours_en) == ("Results counter, ground floor",
                                                              "Working days 9:00–17:00")
    assert (case.pickup.phone, case.pickup.phone_en) == ("0537-6856123（咨询）", "0537-6856123 (enquiries)")
    assert dict(zip(case.bad_reasons, case.bad_reasons_en, strict=True))["多次跑动"] == "Had to come back several times"
    assert CitizenCase.model_validate(public).model_dump() == case.model_dump()


def test_a_case_whose_matter_has_no_english_says_so_with_empty_english(client, wang):
    number = open_case(client, wang, materials={"申请书": "original"}).json()["case"]["number"]
    [case] = client.post(f"{A}/cases/lookup", json={"id_number": ID_NUMBER, "number": number},
                         headers=bearer(TOKENS["kiosk"])).json()["cases"]
    assert (case["matter_name_en"], case["department_en"], case["missing_en"]) == ("", "", [""])
    assert case["pickup"]["address_en"] == "" and case["missing"] == ["营业执照"]
