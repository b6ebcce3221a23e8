"""The operators' console and the staff counter in a real browser against a real hall server:
an operator logs in, publishes a notice (the kiosks get it), is refused an ID number, sets the
board and sees the preview follow, sends and ends an urgent broadcast, and finds every change
in the audit; staff are refused the console, and issue a counter ticket with its reason."""
from __future__ import annotations

import pytest

from tests.e2e import webfixtures as web
from tests.e2e.test_web import log_in  # everyone signs in at the staff console
from tests.e2e.webfixtures import HallProcess
from tests.support.halls import PASSWORD, TOKENS

if not web.CHROMIUM.exists():
    pytest.skip(f"{web.CHROMIUM} is not installed", allow_module_level=True)
# the shared fixtures, known to pytest by these names
web_browser, web_page, shots = web.web_browser_fixture, web.web_page_fixture, web.shots_fixture

from playwright.sync_api import expect  # noqa: E402

ID_NUMBER = "11010519491231002X"
CONSOLE_SIZE = {"width": 1440, "height": 1100}


@pytest.fixture(name="ops_hall")
def ops_hall_fixture(tmp_path):
    """The small test hall with one operator, 孙运营 (ops)."""
    hall = HallProcess(tmp_path)
    text = hall.config.read_text(encoding="utf-8")
    password_hash = text.split('password_hash = "', 1)[1].split('"', 1)[0]
    hall.config.write_text(text + f'''
[[staff]]
id = "op1"
name = "孙运营"
username = "ops"
password_hash = "{password_hash}"
role = "operator"
''', encoding="utf-8")
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


def save_notice(page, fields: dict[str, str]) -> None:
    """Types a notice into the console's form and saves it."""
    for field, value in fields.items():
        page.fill(field, value)
    page.click("#notice-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text(f"公告 {fields['#notice-id']} 已保存")


def test_operator_publishes_sets_the_board_and_broadcasts(ops_hall, web_page, shots):
    hall, page = ops_hall, web_page
    page.set_viewport_size(CONSOLE_SIZE)
    log_in(page, hall, "ops")  # an operator is sent on to the operators' console
    expect(page).to_have_url(f"{hall.url}/ui/operator.html")
    expect(page.locator("#console-view")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text("孙运营")

    page.select_option("#notice-kind", "policy")
    save_notice(page, {"#notice-id": "parking", "#notice-title": "停车新规", "#notice-body": "地下车库办事群众免费停车两小时"})
    expect(page.locator('#notice-list [data-notice="parking"]')).to_contain_text("停车新规")
    kiosk = hall.call("GET", "/announcements", TOKENS["kiosk"])["announcements"]
    assert [(a["id"], a["kind"], a["source"]) for a in kiosk if a["source"] == "operators"] == [
        ("parking", "policy", "operators")]

    page.fill("#notice-id", "bad")
    page.fill("#notice-title", "寻人")
    page.fill("#notice-body", f"请 {ID_NUMBER} 到服务台")
    page.click("#notice-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("body: 不能包含身份证号")
    expect(page.locator('#notice-list [data-notice="bad"]')).to_have_count(0)

    page.fill("#board-tickers", "欢迎光临\n请保管好随身物品")
    expect(page.locator("#preview-ticker")).to_contain_text("请保管好随身物品")  # before it is saved
    page.select_option("#board-layout", "notices")
    expect(page.locator("#preview-calls")).to_be_hidden()
    page.fill('#led-idle input[data-window="w1"]', "欢迎办理")
    page.click("#board-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("屏幕设置已保存")
    board = hall.call("GET", "/board", TOKENS["display"])
    assert board["tickers"] == ["欢迎光临", "请保管好随身物品"] and board["led_idle"] == {"w1": "欢迎办理"}

    page.fill("#broadcast-text", "消防演练，请听从工作人员指引")
    expect(page.locator("#preview-broadcast")).to_contain_text("消防演练")
    page.click("#broadcast-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("紧急广播已发送")
    sent = [e for e in hall.events() if e["type"] == "hall.broadcast"]
    assert sent[-1]["data"]["text"] == "消防演练，请听从工作人员指引" and sent[-1]["data"]["by"] == "op1"
    expect(page.locator("#audit-rows tr")).to_have_count(3)
    shots(page, "operator-console")

    page.click("#broadcast-end")
    expect(page.locator("#message")).to_contain_text("紧急广播已结束")
    assert hall.call("GET", "/board", TOKENS["display"])["broadcast"] is None
    rows = page.locator("#audit-rows tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-action", "broadcast.sent")
    expect(page.locator('#audit-rows tr[data-action="board.saved"]')).to_contain_text("欢迎办理")


def test_operator_gives_the_english_beside_the_chinese(ops_hall, web_page, shots):
    hall, page = ops_hall, web_page
    page.set_viewport_size(CONSOLE_SIZE)
    log_in(page, hall, "ops")
    expect(page.locator("#console-view")).to_be_visible()
    for field in ("#notice-title-en", "#notice-body-en", "#board-tickers-en", "#broadcast-text-en"):
        expect(page.locator(f"label:has({field})")).to_contain_text("选填")
    expect(page.locator("#notice-form .en-hint")).to_contain_text("留空时，英文界面显示中文")

    save_notice(page, {"#notice-id": "parking", "#notice-title": "停车须知", "#notice-body": "地下车库免费两小时",
                       "#notice-title-en": "Parking", "#notice-body-en": "Two hours free in the underground car park"})
    [kiosk] = [a for a in hall.call("GET", "/announcements", TOKENS["kiosk"])["announcements"] if a["id"] == "parking"]
    assert (kiosk["title_en"], kiosk["body_en"]) == ("Parking", "Two hours free in the underground car park")

    page.fill("#notice-title-en", "")  # editing brings the English back into its fields
    page.locator('#notice-list [data-notice="parking"] button', has_text="修改").click()
    expect(page.locator("#notice-title-en")).to_have_value("Parking")
    page.fill("#notice-body-en", f"Bring {ID_NUMBER}")
    page.click("#notice-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("body_en: 不能包含身份证号")
    assert hall.call("GET", "/operators/notices")["notices"][0]["body_en"].startswith("Two hours")

    page.fill("#board-tickers", "欢迎光临\n请保管好随身物品")
    page.fill("#board-tickers-en", "Welcome")  # the second line left without English
    page.click("#board-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("屏幕设置已保存")
    board = hall.call("GET", "/board", TOKENS["display"])
    assert (board["tickers"], board["tickers_en"]) == (["欢迎光临", "请保管好随身物品"], ["Welcome", ""])
    expect(page.locator("#board-tickers-en")).to_have_value("Welcome\n")  # read back, line by line

    page.fill("#broadcast-text", "消防演练，请听从工作人员指引")
    page.fill("#broadcast-text-en", "Fire drill: please follow the staff")
    page.click("#broadcast-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("紧急广播已发送")
    sent = [e for e in hall.events() if e["type"] == "hall.broadcast"][-1]["data"]
    assert (sent["text"], sent["text_en"]) == ("消防演练，请听从工作人员指引", "Fire drill: please follow the staff")
    expect(page.locator('#audit-rows tr[data-action="notice.saved"]')).to_contain_text("Parking")
    page.evaluate("window.scrollTo(0, 0)")  # the notice and the board, each English beside its Chinese
    shots(page, "operator-console-english")


def test_staff_are_refused_the_console(ops_hall, web_page, shots):
    log_in(web_page, ops_hall, "wang")
    expect(web_page.locator("#window-list")).to_be_visible()  # wang stays at the staff console
    web_page.goto(f"{ops_hall.url}/ui/operator.html")
    expect(web_page.locator("#refused-view")).to_be_visible()
    expect(web_page.locator("#refused-text")).to_contain_text("不是运营人员")
    expect(web_page.locator("#console-view")).to_be_hidden()
    shots(web_page, "operator-refused")


def test_staff_issue_a_counter_ticket_with_its_reason(ops_hall, web_page, shots):
    hall, page = ops_hall, web_page
    page.set_viewport_size(web.STAFF_SIZE)
    log_in(page, hall, "wang")
    page.locator("#window-list .window-choice").click()
    expect(page.locator("#devices")).to_contain_text("没有接在大厅主机上的设备")

    page.select_option("#counter-priority", "agent")
    page.click("#counter-submit")  # no reason: refused, and nothing issued
    expect(page.locator("#message")).to_contain_text("reason: 不能为空")
    page.fill("#counter-reason", "为行动不便的老人代办")
    page.click("#counter-submit")
    expect(page.locator("#message")).to_contain_text("（代办），原因已记录")
    issued = [e for e in hall.events() if e["type"] == "ticket.issued"]
    assert len(issued) == 1 and issued[0]["data"]["priority"] == "agent"
    assert issued[0]["data"]["channel"] == "counter"
    expect(page.locator('#queue-lists [data-queue="general"] li')).to_have_count(1)
    shots(page, "staff-counter")
    audit = hall.call("GET", "/operators/audit")["changes"]
    assert audit[0]["action"] == "counter.ticket" and audit[0]["after"]["reason"] == "为行动不便的老人代办"
    page.select_option("#counter-priority", "disabled")  # a disability certificate seen at the counter
    page.fill("#counter-reason", "已核验残疾人证")
    page.click("#counter-submit")
    expect(page.locator("#message")).to_contain_text("（残疾人（核验残疾人证）），原因已记录")
    issued = [e for e in hall.events() if e["type"] == "ticket.issued"]
    assert [e["data"]["priority"] for e in issued] == ["agent", "disabled"]


def test_the_board_shows_the_operators_texts_and_the_broadcast_live(ops_hall, web_page, shots):
    hall, page = ops_hall, web_page
    page.goto(f"{hall.url}/ui/#token={TOKENS['display']}")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#broadcast")).to_be_hidden()
    expect(page.locator("#ticker")).to_be_hidden()

    hall.call("PUT", "/operators/notices/hours", json={"title": "元旦办公安排", "body": "1月1日休息，2日照常办公"})
    hall.call("PUT", "/operators/board", json={"tickers": ["欢迎光临", "请保管好随身物品"]})
    expect(page.locator("#ticker")).to_contain_text("请保管好随身物品")  # live, from the event stream
    expect(page.get_by_test_id("notices")).to_contain_text("元旦办公安排")
    expect(page.locator("#default-notice")).to_be_hidden()

    hall.post("/operators/broadcast", json={"text": "消防演练，请听从工作人员指引", "minutes": 5})
    expect(page.locator("#broadcast")).to_be_visible()
    expect(page.locator("#broadcast-text")).to_have_text("消防演练，请听从工作人员指引")
    shots(page, "board-broadcast")
    hall.call("DELETE", "/operators/broadcast")
    expect(page.locator("#broadcast")).to_be_hidden()


def test_the_board_shows_the_operators_english_beside_the_chinese(ops_hall, web_page, shots):
    hall, page = ops_hall, web_page
    page.goto(f"{hall.url}/ui/#token={TOKENS['display']}")
    expect(page.locator("#board")).to_be_visible()
    hall.call("PUT", "/operators/notices/hours", json={"title": "元旦办公安排", "body": "1月1日休息",
                                                       "title_en": "New Year hours", "body_en": "Closed on 1 January"})
    hall.call("PUT", "/operators/notices/plain", json={"title": "停车须知", "body": "地下车库免费"})
    hall.call("PUT", "/operators/board", json={"tickers": ["欢迎光临", "请保管好随身物品"], "tickers_en": ["Welcome"]})
    expect(page.locator("#ticker-text")).to_have_text("欢迎光临  Welcome　　·　　请保管好随身物品")
    hours = page.locator('#operator-notices [data-notice="hours"]')
    expect(hours.locator('[lang="en"]')).to_have_count(2)
    expect(hours).to_contain_text("New Year hours")
    expect(hours).to_contain_text("Closed on 1 January")
    expect(page.locator('#operator-notices [data-notice="plain"] [lang="en"]')).to_have_count(0)

    hall.post("/operators/broadcast", json={"text": "消防演练", "text_en": "Fire drill", "minutes": 5})
    expect(page.locator("#broadcast-text")).to_have_text("消防演练")
    expect(page.locator("#broadcast-text-en")).to_have_text("Fire drill")
    shots(page, "board-broadcast-english")
    hall.post("/operators/broadcast", json={"text": "再次提醒", "minutes": 5})
    expect(page.locator("#broadcast-text")).to_have_text("再次提醒")
    expect(page.locator("#broadcast-text-en")).to_be_hidden()


def test_an_operator_signs_in_at_the_console_itself(ops_hall, web_page):
    page = web_page
    page.goto(f"{ops_hall.url}/ui/operator.html")
    expect(page.locator("#login-form h2")).to_contain_text("运营登录")
    page.fill("#username", "ops")
    page.fill("#password", "wrong password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_be_visible()
    expect(page.locator("#console-view")).to_be_hidden()
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#console-view")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text("孙运营")
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#console-view")).to_be_hidden()
