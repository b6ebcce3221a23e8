"""The hall's web pages in a real browser against a real hall server process.

The board (大厅综合屏) shows calls live, survives a SIGKILL and restart of the server without
showing a call twice or missing one, and asks for a device token when it has none. The staff
console logs in, calls, explains why, finishes, transfers and shows the server's refusals; it
shows the offline tickets the hall refused at hand-in (a citizen to find) until each is handled.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api.authz_matrix import ID_NUMBER
from tests.e2e.webfixtures import (  # noqa: F401  (the fixtures, used by their names)
    CHROMIUM,
    STAFF_SIZE,
    shots_fixture,
    web_browser_fixture,
    web_hall_fixture,
    web_page_fixture,
)
from tests.support.halls import PASSWORD, TOKENS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

CALLING = "[data-testid=now-calling]"
WEB_DIR = Path(__file__).resolve().parents[2] / "hall" / "web"


def board_url(hall, token: str | None = TOKENS["display"]) -> str:
    return f"{hall.url}/ui/" + (f"#token={token}" if token else "")


def calls_of(page, number: str):
    """Every entry for `number` in the now-calling area (the large one and the list)."""
    return page.locator(f'{CALLING} [data-number="{number}"]')


def hero(page, number: str):
    return page.locator(f'#hero .hero-card[data-number="{number}"]')


# -- the hall board


def test_board_shows_calls_live_and_survives_a_server_restart(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    hall.post("/windows/w1/open")
    hall.post("/windows/w3/open")
    page.goto(board_url(hall))
    expect(page.locator("#hall-name")).to_have_text("测试政务服务中心")
    expect(page.locator("#hero .hero-empty")).to_be_visible()
    waiting_a = page.get_by_test_id("waiting-general")
    expect(waiting_a).to_have_text("0")

    for _ in range(3):
        hall.issue("general")
    hall.issue("property")
    expect(waiting_a).to_have_text("3")
    expect(page.get_by_test_id("waiting-property")).to_have_text("1")

    hall.post("/windows/w1/call-next")
    expect(hero(page, "A001")).to_have_attribute("data-window", "1")
    expect(hero(page, "A001")).to_contain_text("1 号窗口")
    expect(hero(page, "A001")).to_have_class(re.compile(r"\bfresh\b"))  # the newest, highlighted
    expect(waiting_a).to_have_text("2")
    expect(page.locator('#window-tiles [data-window="w1"]')).to_contain_text("A001")

    hall.post("/windows/w3/call-next")
    expect(hero(page, "B001")).to_contain_text("3 号窗口")
    expect(page.locator('#recent [data-number="A001"]')).to_contain_text("1 号窗口")

    # a power cut: the board says so in words, and comes back by itself
    hall.kill()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("连接中断，正在重连")
    hall.start()
    # made right after the restart: the board gets it by replay or live, either way once
    hall.post("/windows/w1/finish")
    hall.post("/windows/w1/call-next")
    expect(page.locator("#offline")).to_be_hidden(timeout=20_000)
    expect(hero(page, "A002")).to_contain_text("1 号窗口")
    # made once the board is back
    hall.post("/windows/w3/recall")
    expect(hero(page, "B001")).to_contain_text("重呼")
    hall.post("/windows/w1/finish")
    hall.post("/windows/w1/call-next")
    expect(hero(page, "A003")).to_have_attribute("data-window", "1")
    expect(waiting_a).to_have_text("0")

    for number in ("A001", "A002", "A003", "B001"):
        expect(calls_of(page, number)).to_have_count(1)
    order = page.locator(f"{CALLING} [data-number]").evaluate_all("els => els.map(e => e.dataset.number)")
    assert order == ["A003", "B001", "A002", "A001"]
    for queue in ("general", "general", "property", "property", "property"):
        hall.issue(queue)
    expect(waiting_a).to_have_text("2")
    expect(page.get_by_test_id("waiting-property")).to_have_text("3")
    shots(page, "hall-board")


def test_board_asks_for_a_device_token(web_hall, web_page):
    hall, page = web_hall, web_page
    page.goto(f"{hall.url}/")  # the root leads to the board
    assert page.url.startswith(f"{hall.url}/ui/")
    form = page.locator("#token-form")
    expect(form).to_be_visible()
    expect(page.locator("#token-error")).to_be_hidden()
    expect(page.locator("#board")).to_be_hidden()

    page.fill("#token-input", "not-a-device-token")
    page.click("#token-form button[type=submit]")
    expect(page.locator("#token-error")).to_be_visible()
    expect(page.locator("#token-error")).to_contain_text("令牌无效")

    page.goto("about:blank")
    page.goto(board_url(hall, "wrong-token-in-the-link"))
    expect(page.locator("#token-error")).to_contain_text("令牌无效")

    page.fill("#token-input", TOKENS["display"])
    page.click("#token-form button[type=submit]")
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#token-view")).to_be_hidden()
    # the token given in the form is kept for the next start of the display
    page.goto("about:blank")
    page.goto(board_url(hall, None))
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#hall-name")).to_have_text("测试政务服务中心")


# -- the staff console


def log_in(page, hall, username: str = "wang", password: str = PASSWORD) -> None:
    page.goto(f"{hall.url}/ui/staff.html")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def test_staff_console_calls_explains_and_finishes(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    page.set_viewport_size(STAFF_SIZE)
    log_in(page, hall, password="wrong-password")
    expect(page.locator("#login-error")).to_contain_text("用户名或密码错误")

    log_in(page, hall)
    # wang works at w1 only: no other window is offered
    choices = page.locator("#window-list .window-choice")
    expect(choices).to_have_count(1)
    expect(choices).to_have_attribute("data-window", "w1")
    expect(page.locator('#window-list [data-window="w2"], #window-list [data-window="w3"]')).to_have_count(0)
    choices.click()
    expect(page.locator("#desk-title")).to_contain_text("1 号窗口")
    expect(page.locator("#who-name")).to_have_text("王芳")

    call_next = page.locator('[data-act="call-next"]')
    finish = page.locator('[data-act="finish"]')
    expect(call_next).to_be_disabled()  # the window is closed
    page.click('[data-act="open"]')
    expect(page.locator("#window-state")).to_contain_text("开放")
    expect(call_next).to_be_enabled()
    expect(finish).to_be_disabled()

    hall.issue("general")
    hall.issue("general")
    lists = page.locator('#queue-lists [data-queue="general"]')
    expect(lists.locator("li")).to_have_count(2)  # live, from the event stream

    call_next.click()
    expect(page.locator("#current-number")).to_have_text("A001")
    expect(page.locator("#current-state")).to_have_text("已叫号")
    called = [e for e in hall.events() if e["type"] == "ticket.called"][-1]
    expect(page.locator("#reason-text")).to_have_text(called["data"]["reason"]["text"])
    assert called["data"]["reason"]["text"].strip()
    expect(call_next).to_be_disabled()
    expect(finish).to_be_enabled()

    page.reload()  # the reason is still shown: looked up in the event log
    expect(page.locator("#current-number")).to_have_text("A001")
    expect(page.locator("#reason-text")).to_have_text(called["data"]["reason"]["text"])

    page.click('[data-act="start"]')
    expect(page.locator("#current-state")).to_have_text("办理中")
    finish.click()
    expect(page.locator("#message")).to_contain_text("A001 已办结")
    expect(page.locator("#current-number")).to_have_text("—")

    call_next.click()
    expect(page.locator("#current-number")).to_have_text("A002")
    finish.click()
    expect(page.locator("#current-number")).to_have_text("—")

    # nobody waits: the server refuses, and says why
    call_next.click()
    message = page.locator("#message")
    expect(message).to_contain_text("当前无人等候")
    expect(message).to_have_class(re.compile(r"message-error"))

    # a call made elsewhere (the window's keypad) shows here with its reason, through the stream:
    # after two normal calls, the 2:1 ratio of window 1 gives the elderly citizen's turn
    for _ in range(3):
        hall.issue("general")
    hall.issue("general", "elderly")
    expect(lists.locator("li")).to_have_count(4)
    hall.post("/windows/w1/call-next", TOKENS["keypad"])
    expect(page.locator("#current-number")).to_have_text("A006")
    expect(page.locator("#current-priority")).to_have_text("老年人/残疾人")
    expect(page.locator("#reason-text")).to_contain_text("连续叫普通号 2 个")
    expect(lists.locator("li")).to_have_count(3)
    shots(page, "staff-console")

    # transfer to another queue, keeping the place in line
    page.click('[data-act="transfer"]')
    expect(page.locator("#transfer-dialog")).to_be_visible()
    page.select_option("#transfer-queue", "property")
    expect(page.locator("#transfer-keep")).to_be_checked()
    page.click("#transfer-ok")
    expect(message).to_contain_text("A006 已转至")
    expect(page.locator("#current-number")).to_have_text("—")
    assert hall.call("GET", f"/tickets/{hall_day_id(hall, 'A006')}")["queue"] == "property"

    # a specific waiting ticket, out of turn
    page.locator('#queue-lists [data-call="A004"]').click()
    expect(page.locator("#current-number")).to_have_text("A004")
    expect(page.locator("#reason-text")).to_contain_text("指定")
    expect(lists.locator('[data-call="A004"]')).to_have_count(0)

    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0


# -- offline tickets the hall refused at hand-in, on the staff console


def test_staff_console_shows_refused_offline_tickets_until_each_is_handled(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    page.set_viewport_size(STAFF_SIZE)
    first = hall.refused_hand_in(0)
    log_in(page, hall)
    banner = page.locator("[data-testid=refusals]")
    expect(banner).to_contain_text("1 张离线打印的号票未能入队，请找到持票群众")  # before a window is chosen
    page.locator("#window-list .window-choice").click()
    expect(page.locator("#desk-title")).to_contain_text("1 号窗口")
    second = hall.refused_hand_in(1)
    expect(banner).to_contain_text("2 张离线打印的号票未能入队")  # live, from the event stream
    rows = banner.locator("#refusals-list li")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(first)
    expect(rows.first).to_contain_text("综合受理")
    expect(rows.first).to_contain_text("自助终端 kiosk-1")
    expect(rows.first).to_contain_text("号码不属于打印它的设备的号段")
    expect(rows.first).not_to_contain_text("lease_conflict")
    shots(page, "staff-console-refused-offline")

    row = rows.filter(has_text=first)
    row.locator("input").fill(f"已核对 {ID_NUMBER}")
    row.locator("button").click()
    expect(row.locator(".form-error")).to_contain_text("不能包含身份证号")
    row.locator("input").fill("已补发 A031")
    row.locator("button").click()
    expect(rows).to_have_count(1)
    expect(banner).to_contain_text("1 张离线打印的号票未能入队")
    handled = page.locator("#refusals-handled")
    expect(handled).to_contain_text("今日已处理 1 张")
    handled.locator("summary").click()
    expect(handled).to_contain_text(f"{first} 综合受理")
    expect(handled).to_contain_text("由 王芳 处理：已补发 A031")
    shots(page, "staff-console-refused-offline-handled")

    rows.filter(has_text=second).locator("input").fill("已补发 A032，请群众到 1 号窗口")
    rows.filter(has_text=second).locator("button").click()
    expect(banner).to_be_hidden()
    audit = hall.call("GET", "/operators/audit")["changes"]
    assert [c["after"]["number"] for c in audit if c["action"] == "refusal.handled"] == [second, first]


def hall_day_id(hall, number: str) -> str:
    day = hall.call("GET", "/snapshot")["day"]
    return f"{day.replace('-', '')}-{number}"


# -- the event stream's own rules, against a scripted WebSocket


FAKE_SOCKET = """
window.sockets = [];
class FakeSocket {
  constructor(url) {
    this.url = String(url);
    this.readyState = 0;
    window.sockets.push(this);
    setTimeout(() => { this.readyState = 1; this.onopen && this.onopen({}); }, 0);
  }
  send() {}
  close() { this.readyState = 3; }
  feed(msg) { this.onmessage && this.onmessage({ data: JSON.stringify(msg) }); }
  lose(code) { this.readyState = 3; this.onclose && this.onclose({ code }); }
}
FakeSocket.OPEN = 1;
window.WebSocket = FakeSocket;
"""

STREAM_SCRIPT = """
async () => {
  const { EventStream } = await import("/ui/app.js");
  const until = async (test) => {
    for (let i = 0; i < 200 && !test(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!test()) throw new Error("timed out");
  };
  const seen = [], statuses = [];
  let resets = 0, refused = 0;
  const stream = new EventStream({
    token: "t", after: 5, onEvent: (e) => seen.push(e.seq), onStatus: (s) => statuses.push(s),
    onReset: () => resets++, onAuthError: () => refused++,
  });
  stream.start();
  await until(() => sockets.length === 1 && sockets[0].readyState === 1);
  const a = sockets[0];
  for (const seq of [6, 6, 5, 7]) a.feed({ seq, type: "ticket.issued", data: {} });  // repeats dropped
  a.feed({ seq: 9, type: "ticket.called", data: {} });  // 8 is missing: reconnect from 7
  await until(() => sockets.length === 2 && sockets[1].readyState === 1);
  const b = sockets[1];
  for (const seq of [8, 9]) b.feed({ seq, type: "ticket.called", data: {} });
  b.feed({ type: "heartbeat", head: 9 });
  b.lose(1006);  // the server went away
  const down = statuses[statuses.length - 1];
  await until(() => sockets.length === 3 && sockets[2].readyState === 1);
  const c = sockets[2];
  for (const seq of [9, 10]) c.feed({ seq, type: "ticket.recalled", data: {} });  // 9 replayed again
  c.feed({ type: "heartbeat", head: 3 });  // the server's history is shorter than ours
  c.lose(4401);  // the token is refused: no retry
  await new Promise((r) => setTimeout(r, 600));
  return { seen, urls: sockets.map((s) => new URL(s.url).search), down, statuses, resets, refused,
           sockets: sockets.length };
}
"""


def test_event_stream_drops_repeats_heals_gaps_and_resumes_after_the_last_seen(web_page):
    page = web_page

    def serve(route):
        name = route.request.url.rsplit("/", 1)[-1]
        if name == "app.js":
            route.fulfill(path=str(WEB_DIR / "app.js"), content_type="text/javascript")
        else:
            route.fulfill(body="<!doctype html><title>stream</title>", content_type="text/html")

    page.route("http://hall.test/**", serve)
    page.add_init_script(FAKE_SOCKET)
    page.goto("http://hall.test/ui/blank.html")
    r = page.evaluate(STREAM_SCRIPT)
    assert r["seen"] == [6, 7, 8, 9, 10]
    assert r["urls"] == ["?after=5&token=t", "?after=7&token=t", "?after=9&token=t"]
    assert r["down"] == "down"
    assert r["statuses"][-1] == "auth" and r["refused"] == 1
    assert r["resets"] == 1
    assert r["sockets"] == 3  # no reconnect after the token was refused
