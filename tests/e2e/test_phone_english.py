"""The phone pages a ticket's and a case's QR open, in English, in a real browser against one real
hall server process (a hall file with English beside its names): `?lang=en` or the phone's own
preference decides, a switch flips the language and keeps it in the address, an unknown `lang`
falls back calmly, no Chinese is left on an English page but the switch's own 中文, and a 差评
with an English reason posts the hall's Chinese reason. One name (the 不动产登记 queue) has no
English, as in many halls: it stays Chinese, marked as such."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from tests.e2e import webfixtures as wf
from tests.e2e.test_web_cases import ID_NUMBER, MATTER
from tests.e2e.webfixtures import HallProcess, page_in, shots_fixture, web_browser_fixture  # noqa: F401
from tests.support.halls import TOKENS

pytestmark = pytest.mark.skipif(not wf.CHROMIUM.exists(), reason=f"{wf.CHROMIUM} is not installed")
expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 390, "height": 844}
HANZI = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
ENGLISH = [  # (after this line of the small test hall, add these)
    ('name = "测试政务服务中心"\n', 'name_en = "Test County Government Service Center"\n'
     'address = "一楼出件窗口"\naddress_en = "Results counter, ground floor"\n'
     'hours = "工作日 9:00–17:00"\nhours_en = "Working days 9:00–17:00"\nphone = "0537-1234567"\n'),
    ('name = "综合受理"\n', 'name_en = "General Services"\n'),
    ('name = "1号窗口"\n', 'name_en = "Window 1 · General Services"\n'),
    ('name = "个体工商户设立登记"\n', 'name_en = "Registration of an individual business"\n'),
    ('department = "县行政审批服务局"\n', 'department_en = "County Administrative Approval Bureau"\n'),
    ('name = "登记申请书", ', 'name_en = "Application form", '),
]


@pytest.fixture(scope="module")
def hall(tmp_path_factory) -> Iterator[HallProcess]:
    """One hall for the module: its tickets and cases are each test's own."""
    hall = HallProcess(tmp_path_factory.mktemp("phone-english"))
    text = hall.config.read_text(encoding="utf-8")
    for line, english in ENGLISH:
        assert line in text, line
        text = text.replace(line, line + english, 1)
    hall.config.write_text(text, encoding="utf-8")
    hall.start()
    hall.post("/windows/w1/open")
    try:
        yield hall
    finally:
        hall.stop()


def phone(browser, locale: str = "zh-CN"):
    return page_in(browser, PHONE, locale, is_mobile=True, has_touch=True)


def chinese_left(page) -> list[str]:
    """Every Hanzi (and Chinese punctuation) on the page, hidden parts and aria labels too,
    outside what is marked Chinese on purpose (the switch's 中文, the emblem, a name the hall
    gave no English for)."""
    text = page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('[lang|="zh"], script').forEach((e) => e.remove());
        const labels = [...body.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'));
        return [document.title, body.textContent, ...labels].join('\\n');
    }""")
    return [line.strip() for line in text.splitlines() if HANZI.search(line)]


def assert_english(page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert chinese_left(page) == []


def serve(hall: HallProcess, ticket: str, finish: bool = True) -> None:
    hall.post("/windows/w1/call", json={"ticket": ticket})
    if finish:
        hall.post("/windows/w1/finish")


def test_an_english_ticket_page_follows_the_ticket_and_takes_a_bad_rating(hall, web_browser, shots):
    first = hall.issue()
    mine = hall.post("/tickets", TOKENS["dispenser"], json={"queue": "general"})
    with phone(web_browser) as page:  # a Chinese phone, an English screen's QR: the address decides
        page.goto(hall.url + mine["follow_path"] + "?lang=en")
        expect(page.get_by_test_id("state")).to_have_text("Waiting")
        expect(page.locator("#queue-name")).to_have_text("General Services")
        expect(page.locator("#hall-name")).to_have_text("Test County Government Service Center")
        expect(page.locator("#waiting")).to_contain_text("1 person")
        assert page.title() == f"{mine['ticket']['number']} · Queue progress"
        assert_english(page)
        shots(page, "phone-ticket-en")

        serve(hall, first["id"])
        serve(hall, mine["ticket"]["id"], finish=False)
        page.reload()
        expect(page.locator("#call")).to_contain_text("Please go to window 1")
        expect(page.locator("#window-name")).to_have_text("Window 1 · General Services")
        assert_english(page)
        shots(page, "phone-ticket-called-en")

        hall.post("/windows/w1/finish")
        page.reload()
        rating = page.get_by_test_id("rating")
        rating.get_by_role("button", name="Submit").click()  # the page's words, not the browser's
        expect(page.locator("#rating-error")).to_have_text("Please choose how satisfied you are")
        rating.get_by_text("Dissatisfied", exact=True).click()
        rating.get_by_role("button", name="Submit").click()
        expect(page.locator("#rating-error")).to_have_text("Please choose what went wrong, or write it below")
        rating.get_by_text("Waited too long").click()
        assert_english(page)
        shots(page, "phone-ticket-rating-en")
        rating.get_by_role("button", name="Submit").click()
        expect(page.get_by_test_id("thanks")).to_be_visible()  # hidden, it holds its words from the start
        expect(page.get_by_test_id("thanks")).to_have_text(re.compile("Thank you for your rating"))
        assert_english(page)
    [rated] = [e["data"] for e in hall.events() if e["type"] == "ticket.rated"]
    assert (rated["level"], rated["reasons"], rated["channel"]) == (2, ["等候时间过长"], "qr")


def test_the_switch_flips_the_language_and_keeps_it_in_the_address(hall, web_browser, shots):
    ticket = hall.post("/tickets", TOKENS["dispenser"], json={"queue": "property"})
    path = ticket["follow_path"]
    with phone(web_browser) as page:
        page.goto(hall.url + path)
        expect(page.get_by_test_id("state")).to_have_text("等候中")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("#queue-name")).to_have_text("不动产登记")
        assert "等候中" in chinese_left(page)  # the scan sees what a Chinese page says
        shots(page, "phone-ticket-zh")
        switch = page.locator("#lang-switch a")
        for box in (switch.nth(i).bounding_box() for i in range(2)):
            assert box["width"] >= 44 and box["height"] >= 44, box  # large enough to tap
        page.locator('#lang-switch a[data-lang="en"]').tap()
        expect(page.get_by_test_id("state")).to_have_text("Waiting")
        # a name the hall gave no English for stays Chinese, marked so (a screen reader reads it as Chinese)
        expect(page.locator("#queue-name")).to_have_text("不动产登记")
        expect(page.locator("#queue-name")).to_have_attribute("lang", "zh-CN")
        assert page.url == f"{hall.url}{path}?lang=en"
        expect(page.locator('#lang-switch a[data-lang="en"]')).to_have_attribute("aria-current", "true")
        assert_english(page)
        page.reload()  # the choice is in the address: a reload, a bookmark or a shared link keeps it
        expect(page.get_by_test_id("state")).to_have_text("Waiting")
        page.locator('#lang-switch a[data-lang="zh"]').tap()
        expect(page.get_by_test_id("state")).to_have_text("等候中")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        assert page.url == f"{hall.url}{path}?lang=zh"


def test_the_phones_preference_decides_and_an_unknown_language_falls_back(hall, web_browser):
    path = hall.post("/tickets", TOKENS["dispenser"], json={"queue": "general"})["follow_path"]
    with phone(web_browser, "en-US") as page:
        page.goto(hall.url + path)
        expect(page.get_by_test_id("state")).to_have_text("Waiting")
        assert_english(page)
        page.goto(hall.url + path + "?lang=klingon")  # not a language of the page: the phone's
        expect(page.get_by_test_id("state")).to_have_text("Waiting")
        page.goto(hall.url + path + "?lang=ZH")
        expect(page.get_by_test_id("state")).to_have_text("等候中")
        page.goto(hall.url + path + "?lang=zh")  # the address before the phone
        expect(page.get_by_test_id("state")).to_have_text("等候中")
        page.goto(f"{hall.url}{path.rsplit('.', 1)[0]}.AAAAAAAAAA?lang=en")
        expect(page.get_by_text("Ticket not found")).to_be_visible()
        assert_english(page)
    with phone(web_browser, "zh-CN") as page:
        page.goto(hall.url + path + "?lang=")
        expect(page.get_by_test_id("state")).to_have_text("等候中")


def new_case(hall: HallProcess, materials: dict[str, str]) -> dict:
    body = {"matter": MATTER, "window": "w1", "applicant": {"id_number": ID_NUMBER}, "materials": materials}
    return hall.post("/cases", json=body)["case"]


def test_an_english_case_page_shows_the_halls_english_and_takes_a_bad_rating(hall, web_browser, shots):
    short = new_case(hall, {})
    hall.post(f"/cases/{short['number']}/correction", json={})
    case = new_case(hall, {"登记申请书": "original"})
    accepted = hall.post(f"/cases/{case['number']}/accept")["case"]
    refused = new_case(hall, {"登记申请书": "original"})
    hall.post(f"/cases/{refused['number']}/refusal", json={"reason": "不属于本机关职权范围", "redirect": "县市场监管局"})
    with phone(web_browser, "en-GB") as page:
        # 不予受理: the window's own words stay as written, marked Chinese; all around them English
        page.goto(hall.url + refused["follow_path"])
        expect(page.get_by_test_id("state")).to_have_text("Not accepted")
        expect(page.locator("#refusal-reason")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("#refusal-redirect")).to_have_text("You may apply to: 县市场监管局")
        assert_english(page)
        shots(page, "phone-case-refused-en")

        page.goto(hall.url + short["follow_path"])
        expect(page.get_by_test_id("state")).to_have_text("Materials needed")
        expect(page.locator("#missing-list li")).to_have_text(["Application form (not provided)"])
        expect(page.locator("#deadline")).to_contain_text(re.compile(r"by \d{1,2} [A-Z][a-z]+ \d{4}\."))
        assert_english(page)

        page.goto(hall.url + case["follow_path"])
        expect(page.locator("#matter")).to_have_text("Registration of an individual business")
        expect(page.locator("#department")).to_have_text("County Administrative Approval Bureau")
        expect(page.get_by_test_id("state")).to_have_text("Accepted")
        due = dt.date.fromisoformat(accepted["due"])
        expect(page.get_by_test_id("due")).to_have_text(f"{due.day} {due:%B %Y}")  # as an English reader writes it
        assert_english(page)
        shots(page, "phone-case-en")

        hall.post(f"/cases/{case['number']}/conclusion", json={"approved": True})
        page.reload()
        expect(page.locator("#pickup dd")).to_have_text(
            ["Results counter, ground floor", "Working days 9:00–17:00", "0537-1234567"])
        expect(page.locator("#case")).to_contain_text("Completed")
        expect(page.locator("#result")).to_have_text("Approved")
        form = page.get_by_test_id("rating")
        form.get_by_text("Very dissatisfied", exact=True).click()
        form.get_by_text("Unclear one-time notice of requirements").click()
        assert_english(page)
        shots(page, "phone-case-rating-en")
        form.get_by_role("button", name="Submit").click()
        expect(page.get_by_test_id("thanks")).to_be_visible()
        assert_english(page)

        page.locator('#lang-switch a[data-lang="zh"]').tap()  # the same case in Chinese
        expect(page.locator("#matter")).to_have_text("个体工商户设立登记")
        expect(page.get_by_test_id("state")).to_have_text("已办结")
        shots(page, "phone-case-zh")
    rated = [e["data"] for e in hall.events() if e["type"] == "case.rated"]
    assert [(e["case"], e["level"], e["reasons"]) for e in rated] == [(case["number"], 1, ["一次性告知不清楚"])]
