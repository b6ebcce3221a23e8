"""The staff console's cases (办件) in a real browser against a real hall server process: for
the ticket being served, a window finds the matter by its pinyin initials, takes the applicant
from the card swiped for the ticket, and with the keyboard sends a case to 补正, accepts one and
refuses one, each notice opening as a PDF in a tab of its own; later it concludes and hands over
a case from the list of the window's open cases."""
from __future__ import annotations

import re

import pytest

from ground.privacy import id_check_digit
from tests.e2e import webfixtures as wf
from tests.e2e.webfixtures import (  # noqa: F401
    shots_fixture,
    web_browser_fixture,
    web_hall_fixture,
    web_page_fixture,
)
from tests.support.halls import PASSWORD, TOKENS

pytestmark = pytest.mark.skipif(not wf.CHROMIUM.exists(), reason=f"{wf.CHROMIUM} is not installed")
expect = pytest.importorskip("playwright.sync_api").expect

BODY = "11010519491231002"
ID_NUMBER = BODY + id_check_digit(BODY)
OTHER = "37082919800101123"
OTHER_ID = OTHER + id_check_digit(OTHER)
MATTER = "000131128000"  # 个体工商户设立登记, 即办, one required material


def serve_at_w1(page, hall) -> None:
    page.set_viewport_size({**wf.STAFF_SIZE, "height": 1100})
    page.goto(f"{hall.url}/ui/staff.html")
    page.fill("#username", "wang")
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.locator("#window-list .window-choice").click()
    page.click('[data-act="open"]')
    page.click('[data-act="call-next"]')
    page.click('[data-act="start"]')
    expect(page.locator("#current-state")).to_have_text("办理中")


def choose_matter(page, typed: str = "gtgsh", key: str = "Alt+m") -> None:
    page.keyboard.press(key)
    expect(page.locator("#case-matter")).to_be_focused()
    page.keyboard.type(typed)
    expect(page.locator("#case-matches .matter-choice").first).to_have_attribute("data-code", MATTER)
    page.keyboard.press("Enter")
    expect(page.locator('#case-materials [data-material="登记申请书"]')).to_be_visible()


def material_row_leaves_the_name_room(page) -> None:
    """A material's name gets the row's width, its form (原件, 复印件...) a narrow select beside it,
    so a long name such as 股东主体资格证明或自然人身份证件复印件 is not broken into three lines."""
    row = page.locator("#case-materials .material").first.bounding_box()
    select = page.locator("#case-materials .material select").first.bounding_box()
    name = page.locator("#case-materials .material .check span").first.bounding_box()
    assert select["width"] < row["width"] * 0.35, (select, row)
    assert name["width"] > select["width"], (name, select)


def notice_of(page, key: str):
    """Presses `key`, and returns the tab the notice opened in (a PDF, from a blob URL)."""
    with page.context.expect_page() as opened:
        page.keyboard.press(key)
    tab = opened.value
    tab.wait_for_url(re.compile(r"^blob:"))
    return tab


def test_a_window_corrects_accepts_and_refuses_cases_from_the_keyboard(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    hall.post("/tickets", TOKENS["dispenser"], json={"queue": "general", "id_number": ID_NUMBER})
    serve_at_w1(page, hall)
    desk = page.locator("#case-desk")
    expect(desk).to_be_visible()
    expect(page.locator("#case-card-id")).to_have_text("110105********" + ID_NUMBER[-4:])
    expect(page.locator("#case-from-card")).to_be_checked()

    # 补正: the material was not brought; the notice lists it
    choose_matter(page, key="/")
    # before deciding, the clerk sees the matter's limit and fee, and what a decision would say
    expect(page.locator("#case-matter-facts")).to_contain_text("即办")
    expect(page.locator("#case-matter-facts")).to_contain_text("不收费")
    outcome = page.locator("#case-outcome")
    expect(outcome).to_have_attribute("data-outcome", "complete")
    told = hall.call("GET", f"/cases/dates?matter={MATTER}")
    expect(outcome).to_contain_text(f"受理则当场办结（{told['due']}）")
    material_row_leaves_the_name_room(page)
    page.locator('#case-materials input[name="got"]').uncheck()
    expect(outcome).to_have_attribute("data-outcome", "missing")
    expect(outcome).to_contain_text("需补正 1 项材料：登记申请书")
    expect(outcome).to_contain_text(f"补正期限 {told['correction_deadline']}")
    page.locator("#case-title").evaluate("e => e.scrollIntoView()")
    shots(page, "staff-cases-form")
    tab = notice_of(page, "Alt+b")
    tab.close()
    message = page.locator("#case-message")
    expect(message).to_contain_text("需补正：登记申请书")
    rows = page.locator("#case-list tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-state", "correction")

    # 受理 with a typed ID number: Enter in the form accepts, the list shows the light
    choose_matter(page, MATTER[:6])
    page.check("#case-typed")
    page.fill("#case-id", OTHER_ID)
    page.fill("#case-name", "李四")
    with page.context.expect_page() as opened:
        page.locator("#case-phone").press("Enter")
    opened.value.wait_for_url(re.compile(r"^blob:"))
    opened.value.close()
    expect(message).to_contain_text("已受理")
    accepted = page.locator('#case-list tr[data-state="accepted"]')
    expect(accepted).to_have_count(1)
    # 即办: due today, within the yellow working days
    expect(accepted.locator(".light")).to_have_text("预警")
    expect(accepted).to_have_attribute("data-light", "yellow")

    # a second 受理 with the material unticked is refused by the server, in its words
    choose_matter(page)
    page.locator('#case-materials input[name="got"]').uncheck()
    page.keyboard.press("Alt+s")
    expect(message).to_have_class(re.compile("message-error"))
    expect(message).to_contain_text("登记申请书")
    draft = page.locator("#case-number").inner_text()
    assert "预审" in draft
    # 不予受理 acts on the same case: the reason, where to go, Enter
    page.keyboard.press("Alt+n")
    expect(page.locator("#case-refusal-reason")).to_be_focused()
    page.keyboard.type("不属于本中心受理范围")
    page.fill("#case-refusal-redirect", "县不动产登记中心")
    with page.context.expect_page() as opened:
        page.locator("#case-refusal-redirect").press("Enter")
    opened.value.close()
    expect(message).to_contain_text("不予受理")
    number = draft.split()[1].split("（")[0]
    refused = hall.call("GET", f"/cases/{number}")
    assert refused["state"] == "refused" and refused["refusal"]["redirect"] == "县不动产登记中心"
    expect(rows).to_have_count(2)  # the refused case is no longer open
    corrected = page.locator('#case-list tr[data-state="correction"]')
    expect(corrected).to_contain_text(f"补正至 {told['correction_deadline']}")  # as the clerk was told
    shots(page, "staff-cases")
    page.locator("#case-list").scroll_into_view_if_needed()
    shots(page, "staff-cases-list")

    # a 鉴定 stops the clock: the row says so until it is finished
    handled = page.locator(f'#case-list tr[data-case="{accepted.get_attribute("data-case")}"]')
    handled.locator('[data-case-act="step"]').click()
    page.select_option("#case-step", "鉴定")
    page.click("#case-dialog-ok")
    expect(handled.locator(".step-paused")).to_have_text("鉴定中，暂停计时")
    expect(message).to_contain_text("开始鉴定：暂停计时")
    handled.locator('[data-case-act="finish-step"]').click()
    expect(message).to_contain_text("鉴定结束，承诺")
    expect(handled.locator(".step")).to_have_count(0)

    # later: 办结 and 出件 from the list
    handled.locator('[data-case-act="conclude"]').click()
    page.keyboard.press("Enter")
    concluded = page.locator('#case-list tr[data-state="concluded"]')
    expect(concluded).to_have_count(1)
    expect(concluded.locator(".applicant")).to_have_text("李*370829********" + OTHER_ID[-4:])
    concluded.locator('[data-case-act="deliver"]').click()
    # handing over, the clerk sees whom to check the ID card against
    expect(page.locator(".case-dialog-who")).to_contain_text("370829********" + OTHER_ID[-4:])
    page.keyboard.press("Enter")
    expect(concluded).to_have_count(0)
    expect(rows).to_have_count(1)
    # the citizen comes back with the missing material: 续办, tick it, Enter accepts that same case
    corrected.locator('[data-case-act="resume"]').click()
    expect(page.locator("#case-number")).to_contain_text("续办")
    expect(page.locator("#case-number")).to_contain_text("110105********" + ID_NUMBER[-4:])
    expect(message).to_have_class(re.compile("message-ok"))
    expect(page.locator("#case-typed")).to_be_disabled()  # the case keeps its applicant
    page.locator('#case-materials input[name="got"]').check()
    with page.context.expect_page() as opened:
        page.locator('#case-materials input[name="got"]').press("Enter")
    opened.value.close()
    expect(message).to_contain_text("已受理")
    cases = hall.call("GET", "/cases")["cases"]
    assert sorted(c["state"] for c in cases) == ["accepted", "delivered", "refused"]
    assert ID_NUMBER not in page.content() and OTHER_ID not in page.content()


# -- the case's phone page (the QR of its notices)

PHONE = {"width": 390, "height": 844}


def open_case_at_w1(hall, materials: dict[str, str]) -> dict:
    body = {"matter": MATTER, "window": "w1", "applicant": {"id_number": ID_NUMBER}, "materials": materials}
    return hall.post("/cases", json=body)["case"]


def test_the_phone_page_follows_a_case_and_takes_one_rating(web_hall, web_browser, shots):
    hall = web_hall
    context = web_browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)

    # 补正: the page lists what is missing and the deadline
    short = open_case_at_w1(hall, {})
    done = hall.post(f"/cases/{short['number']}/correction", json={})["case"]
    page.goto(hall.url + short["follow_path"])
    expect(page.get_by_test_id("state")).to_have_text("补正")
    expect(page.locator("#missing-list li")).to_have_text(["登记申请书（未提供）"])
    expect(page.locator("#deadline")).to_contain_text(done["correction"]["deadline"])
    expect(page.get_by_test_id("rating")).to_be_hidden()

    # 受理: stage, light and the promised date; then 办结: where to pick up, and 好差评
    case = open_case_at_w1(hall, {"登记申请书": "original"})
    accepted = hall.post(f"/cases/{case['number']}/accept")["case"]
    page.goto(hall.url + case["follow_path"])
    expect(page.locator("#number")).to_have_text(case["number"])
    expect(page.get_by_test_id("state")).to_have_text("已受理")
    expect(page.get_by_test_id("light")).to_have_attribute("data-light", accepted["light"])
    expect(page.get_by_test_id("due")).to_have_text(accepted["due"])
    assert page.locator("#provisional").is_visible() == accepted["due_provisional"]
    expect(page.get_by_test_id("rating")).to_be_hidden()
    shots(page, "case-phone-accepted")

    hall.post(f"/cases/{case['number']}/conclusion", json={"approved": True})
    page.reload()
    expect(page.get_by_test_id("state")).to_have_text("已办结")
    expect(page.get_by_test_id("pickup")).to_contain_text("凭身份证")
    expect(page.locator("#result")).to_have_text("准予（已批准）")
    form = page.get_by_test_id("rating")
    expect(form).to_be_visible()
    form.get_by_text("不满意", exact=True).click()
    expect(page.locator("#reasons")).to_be_visible()
    form.locator("button[type=submit]").click()
    expect(page.locator("#rating-error")).to_have_text("差评须选择或填写原因")
    form.get_by_text("非常满意").click()
    shots(page, "case-phone-rating")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    expect(form).to_be_hidden()
    page.reload()  # 一事一评: the server remembers
    expect(page.get_by_test_id("thanks")).to_be_visible()
    expect(form).to_be_hidden()
    rated = [e for e in hall.events() if e["type"] == "case.rated"]
    assert [(e["data"]["case"], e["data"]["level"]) for e in rated] == [(case["number"], 5)]

    page.goto(f"{hall.url}/c/{case['number']}.AAAAAAAAAA")
    expect(page.locator("#missing")).to_be_visible()
    expect(page.get_by_test_id("case")).to_be_hidden()
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_a_blocked_notice_tab_leaves_a_link_and_the_console_in_place(web_hall, web_page):
    hall, page = web_hall, web_page
    page.add_init_script("window.open = () => null;")  # as a browser that blocks new tabs
    hall.issue("general")
    serve_at_w1(page, hall)
    choose_matter(page, "gtgsh", key="/")
    page.check("#case-typed")
    page.fill("#case-id", ID_NUMBER)
    page.keyboard.press("Enter")
    expect(page.locator("#case-message")).to_contain_text("已受理")
    link = page.locator("#case-notice-link a")
    expect(link).to_have_attribute("href", re.compile(r"^blob:"))
    assert page.url.endswith("/ui/staff.html")
    expect(page.locator('#case-list tr[data-state="accepted"]')).to_have_count(1)


def test_the_open_cases_list_puts_the_urgent_first_and_says_how_long_is_left(web_hall, web_page):
    hall, page = web_hall, web_page
    due_today = open_case_at_w1(hall, {"登记申请书": "original"})
    hall.post(f"/cases/{due_today['number']}/accept")
    waiting = open_case_at_w1(hall, {})  # opened later, waiting for its 补正: no deadline of the hall's
    hall.post(f"/cases/{waiting['number']}/correction", json={})
    hall.issue("general")
    serve_at_w1(page, hall)
    expect(page.locator("#case-matches")).to_be_hidden()  # folded until the clerk chooses a matter
    rows = page.locator("#case-list tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-case", due_today["number"])
    expect(rows.first.locator(".light-reason")).to_have_text("今日到期")
    expect(rows.nth(1)).to_have_attribute("data-case", waiting["number"])
    # a hall event that changes nothing in the list leaves its rows in place (a row drawn again
    # under the pointer would swallow the clerk's click on its button)
    def after_an_event() -> None:
        with page.expect_response(lambda r: "/api/v1/cases?state=" in r.url):
            hall.issue("general")
        page.evaluate("() => new Promise((done) => setTimeout(done, 0))")  # the answer handled

    after_an_event()  # the list as drawn once the console has settled
    rows.first.evaluate("row => { row.dataset.seen = 'yes'; }")
    after_an_event()
    expect(rows.first).to_have_attribute("data-seen", "yes")
    # at 1280 px the light and each button keep to one line (a broken 超期 or 通知书 doubles its height)
    heights = "els => els.map((e) => e.getBoundingClientRect().height)"  # at once: the list may redraw
    lights = page.eval_on_selector_all("#case-list .light", heights)
    buttons = page.eval_on_selector_all("#case-list .acts .btn", heights)
    font = page.locator("#case-list .light").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert lights and max(lights) < 1.9 * font, (lights, font)
    assert buttons and max(buttons) < 3 * font, (buttons, font)


def test_resuming_another_persons_case_warns_the_clerk(web_hall, web_page):
    hall, page = web_hall, web_page
    body = {"matter": MATTER, "window": "w1", "applicant": {"id_number": OTHER_ID, "name": "李四"}, "materials": {}}
    waiting = hall.post("/cases", json=body)["case"]
    hall.post(f"/cases/{waiting['number']}/correction", json={})
    hall.post("/tickets", TOKENS["dispenser"], json={"queue": "general", "id_number": ID_NUMBER})
    serve_at_w1(page, hall)
    expect(page.locator("#case-card-id")).to_have_text("110105********" + ID_NUMBER[-4:])
    page.locator(f'#case-list tr[data-case="{waiting["number"]}"] [data-case-act="resume"]').click()
    message = page.locator("#case-message")
    expect(message).to_have_class(re.compile("message-error"))
    expect(message).to_contain_text("110105********" + ID_NUMBER[-4:])
    expect(message).to_contain_text("不是办件")
    expect(page.locator("#case-number")).to_contain_text("李* 370829********" + OTHER_ID[-4:])


def test_a_material_handed_in_but_not_as_required_goes_on_the_correction_notice_with_why(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    hall.post("/tickets", TOKENS["dispenser"], json={"queue": "general", "id_number": ID_NUMBER})
    serve_at_w1(page, hall)
    choose_matter(page, key="/")
    page.select_option('#case-materials select[name="provision"]', "nonconforming")
    why = page.locator('#case-materials input[name="why"]')
    expect(why).to_be_focused()
    page.keyboard.type("复印件不清晰")
    outcome = page.locator("#case-outcome")
    expect(outcome).to_contain_text("需补正 1 项材料：登记申请书（复印件不清晰）")
    page.locator("#case-title").evaluate("e => e.scrollIntoView()")
    shots(page, "staff-cases-nonconforming")
    page.keyboard.press("Alt+s")  # 受理 is refused by the hall: the material does not count as provided
    expect(page.locator("#case-message")).to_contain_text("登记申请书")
    notice_of(page, "Alt+b").close()
    expect(page.locator("#case-message")).to_contain_text("需补正")
    number = page.locator('#case-list tr[data-state="correction"]').get_attribute("data-case")
    items = hall.call("GET", f"/cases/{number}")["correction"]["items"]
    assert [(i["material"], i["reason"]) for i in items] == [("登记申请书", "复印件不清晰")]
    # the next applicant's ticket starts with a clean panel: the last decision is in the list
    hall.issue("general")
    page.click('[data-act="finish"]')
    page.click('[data-act="call-next"]')
    page.click('[data-act="start"]')
    expect(page.locator("#case-ticket")).to_have_text("为 A002 办件")
    expect(page.locator("#case-message")).to_be_hidden()
