"""A ticket's follow page on a phone, in a real browser against a real hall server process:
it follows the ticket every 15 s (on a fake clock), shows the window when called, offers the
好差评 once the service is done, and says so in words when the link is wrong."""
from __future__ import annotations

import pytest

from tests.e2e.webfixtures import (  # noqa: F401  (the fixtures, used by their names)
    CHROMIUM,
    shots_fixture,
    web_browser_fixture,
    web_hall_fixture,
)
from tests.support.halls import TOKENS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(web_browser):
    context = web_browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    page.clock.install()
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_a_citizen_follows_the_ticket_and_rates_the_service(web_hall, phone, shots):
    hall = web_hall
    first = hall.issue()
    mine = hall.post("/tickets", TOKENS["dispenser"],
                     json={"queue": "general", "id_number": "11010519491231002X"})
    phone.goto(hall.url + mine["follow_path"])
    expect(phone.get_by_test_id("number")).to_have_text("A002")
    expect(phone.get_by_test_id("state")).to_have_text("等候中")
    expect(phone.get_by_test_id("ahead")).to_have_text("1")
    expect(phone.locator("#hall-name")).to_have_text("测试政务服务中心")
    assert "110105" not in phone.content()
    shots(phone, "follow-waiting")

    hall.post("/windows/w1/open")
    hall.post("/windows/w1/call", json={"ticket": first["id"]})
    hall.post("/windows/w1/finish")
    hall.post("/windows/w1/call", json={"ticket": mine["ticket"]["id"]})
    phone.clock.fast_forward(15_000)
    expect(phone.get_by_test_id("state")).to_have_text("已叫号")
    expect(phone.get_by_test_id("window")).to_have_text("1")
    expect(phone.locator("#call")).to_contain_text("号窗口办理")
    shots(phone, "follow-called")

    hall.post("/windows/w1/finish")
    phone.clock.fast_forward(15_000)
    rating = phone.get_by_test_id("rating")
    expect(rating).to_be_visible()
    rating.get_by_text("不满意", exact=True).click()
    rating.get_by_role("button", name="提交评价").click()
    expect(phone.locator("#rating-error")).to_have_text("差评须选择或填写原因")
    rating.get_by_text("等候时间过长").click()
    shots(phone, "follow-rating")
    rating.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_test_id("thanks")).to_be_visible()
    expect(rating).to_be_hidden()
    [rated] = [e["data"] for e in hall.events() if e["type"] == "ticket.rated"]
    assert (rated["level"], rated["reasons"], rated["channel"]) == (2, ["等候时间过长"], "qr")


def test_a_wrong_link_says_so(web_hall, phone):
    ticket = web_hall.issue()
    phone.goto(f"{web_hall.url}/t/{ticket['id']}.AAAAAAAAAA")
    expect(phone.get_by_text("没有找到这张票")).to_be_visible()
    expect(phone.get_by_test_id("ticket")).to_be_hidden()
