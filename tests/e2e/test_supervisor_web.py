"""The supervisors' page in a real browser against a real hall server process: staff are
refused, a supervisor reads the day's figures and charts, works the 差评 follow-ups to their
close, decides an appeal (the rating leaves the satisfaction figure), and takes the figures
away as CSV and Excel (read back with openpyxl)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.webfixtures import (  # noqa: F401  (the fixtures, used by their names)
    CHROMIUM,
    STAFF_SIZE,
    page_in,
    shots_fixture,
    web_browser_fixture,
    web_hall_fixture,
    web_page_fixture,
)
from tests.support.halls import PASSWORD, TOKENS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from openpyxl import load_workbook  # noqa: E402
from playwright.sync_api import expect  # noqa: E402


def served_and_rated(hall, level: int) -> str:
    ticket = hall.issue()["id"]
    for step in ("call-next", "start", "finish"):
        hall.post(f"/windows/w1/{step}")
    hall.post(f"/tickets/{ticket}/rating", json={"level": level, "text": "" if level > 2 else "等候太久"})
    return ticket


def log_in(page, hall, username: str) -> None:
    page.goto(f"{hall.url}/ui/supervisor")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


def token_of(hall, username: str) -> str:
    r = requests.post(f"{hall.url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
    return r.json()["token"]


def test_the_supervisors_page_refuses_staff(web_hall, web_page):
    log_in(web_page, web_hall, "wang")
    expect(web_page.locator("#login-error")).to_contain_text("统计看板仅限主管")
    expect(web_page.locator("#board-view")).to_be_hidden()


def test_a_supervisor_sees_refused_offline_tickets_live_and_handles_them(web_hall, web_page, shots):
    hall, page = web_hall, web_page
    log_in(page, hall, "boss")
    expect(page.locator("#who-name")).to_have_text("赵主任")
    banner = page.locator("[data-testid=refusals]")
    expect(banner).to_be_hidden()  # none yet
    number = hall.refused_hand_in()
    expect(banner).to_contain_text("1 张离线打印的号票未能入队，请找到持票群众")  # live, from the event stream
    expect(banner).to_contain_text("请安排导服找到持票群众")
    rows = banner.locator("#refusals-list li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(number)
    shots(page, "supervisor-refused-offline")
    rows.first.locator("input").fill("导服已带至 1 号窗口补发 A012")
    later = hall.refused_hand_in()  # another arrives while the note is being typed: the note stays
    expect(rows).to_have_count(2)
    expect(banner.locator("#refusals-count")).to_have_text("2")
    expect(rows.first.locator("input")).to_have_value("导服已带至 1 号窗口补发 A012")
    rows.first.locator("button").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(later)
    rows.first.locator("input").fill("已补发 A013")
    rows.first.locator("button").click()
    expect(banner).to_be_hidden()
    assert hall.call("GET", "/operators/audit")["changes"][0]["who"] == "boss"


def test_a_supervisor_reads_the_figures_works_follow_ups_and_exports(web_hall, web_page, shots, tmp_path):
    hall, page = web_hall, web_page
    hall.post("/windows/w1/open")
    served_and_rated(hall, 5)
    first = served_and_rated(hall, 1)
    second = served_and_rated(hall, 2)

    log_in(page, hall, "boss")
    expect(page.locator("#who-name")).to_have_text("赵主任")
    expect(page.locator('[data-kpi="取号"] b')).to_have_text("3")
    expect(page.locator('[data-kpi="满意率"] b')).to_have_text("33.3%")
    expect(page.locator('#figures tr[data-key="w1"]')).to_contain_text("1号窗口")
    expect(page.locator("#figures thead")).not_to_contain_text("取号")  # tickets are taken per queue, not window
    drawn = page.evaluate("() => !!window.Chart && !!window.Chart.getChart(document.querySelector('#chart-windows'))")
    assert drawn, "the window chart was not drawn"
    page.click('.tab[data-dim="staff"]')
    expect(page.locator('#figures tr[data-key="-"] td').first).to_have_text("未记录")  # no one signed in at w1
    page.click('.tab[data-dim="queue"]')
    expect(page.locator('#figures tr[data-key="general"] td').nth(1)).to_have_text("3")  # 取号, by queue
    expect(page.locator("#figures thead th").nth(1)).to_have_text("取号")
    expect(page.locator('#ranking tr[data-window="w1"]')).not_to_contain_text("末位")  # the only window rated
    expect(page.locator('#ranking tr[data-window="w2"] td').first).to_have_text("—")  # not rated: no place
    cells = page.locator('#ranking tr[data-window="w1"] td')
    expect(cells).to_have_count(7)
    expect(cells.nth(2)).to_have_text("33.3%")  # 满意率 under its own heading

    row = page.locator(f'#followups tr[data-followup="fu-{first}"]')
    row.locator('[data-act="fix_now"]').click()
    expect(row).to_have_attribute("data-state", "fixed")
    row.locator('[data-act="feedback"]').click()
    expect(row).to_have_attribute("data-state", "fed_back")
    row.locator('[data-act="close"]').click()
    expect(row).to_have_attribute("data-state", "closed")
    expect(row).to_contain_text("已办结")

    appeal = page.locator(f'#followups tr[data-followup="fu-{second}"]')
    appeal.locator("input.note").fill("群众称误点")
    appeal.locator('[data-act="appeal"]').click()  # the callback finds a mistaken rating: the page appeals it
    expect(appeal).to_have_attribute("data-state", "appealed")
    appeal.locator("input.note").fill("录像核实为误评")
    appeal.locator('[data-act="upheld"]').click()
    expect(appeal).to_have_attribute("data-state", "excluded")
    expect(page.locator('[data-kpi="满意率"] b')).to_have_text("50.0%")  # the upheld appeal's rating is out
    expect(page.locator("#fu-figures")).to_contain_text("回访率 100.0%")
    page.evaluate("window.scrollTo(0, 0)")
    shots(page, "supervisor")

    with page.expect_download() as got:
        page.click("#export-xlsx")
    path = tmp_path / "board.xlsx"
    got.value.save_as(path)
    book = load_workbook(path)
    rows = list(book["窗口"].iter_rows(values_only=True))
    w1 = next(r for r in rows if r[0] == "w1")
    assert w1[1] == "1号窗口" and w1[4] == 3 and w1[-1] == 0.5  # served 3, satisfaction 50%
    fu = list(book["差评整改"].iter_rows(values_only=True))
    assert fu[2][:3] == ("合计", None, 2)  # an empty cell reads back as None

    with page.expect_download() as got:
        page.click("#export-csv")
    text = (tmp_path / "board.csv")
    got.value.save_as(text)
    assert "\nw1,1号窗口,0,3,3,0," in text.read_text(encoding="utf-8-sig")
    # a device has no business here
    r = requests.get(f"{hall.url}/api/v1/dashboard", headers={"Authorization": f"Bearer {TOKENS['operator']}"},
                     timeout=10)
    assert r.status_code == 403


def test_a_rectification_and_a_turned_down_appeal_read_back_on_the_page_and_in_the_register(
        web_hall, web_page, web_browser, shots, tmp_path):
    hall, page = web_hall, web_page
    hall.post("/windows/w1/open")
    slow = served_and_rated(hall, 1)
    wrong = served_and_rated(hall, 2)
    log_in(page, hall, "boss")
    page.locator('a[data-kpi="差评"]').click()  # the 差评 figure leads down to the ledger
    assert page.evaluate("location.hash") == "#followups-card"

    row = page.locator(f'#followups tr[data-followup="fu-{slow}"]')
    expect(row).to_contain_text("应于")  # the callback's deadline, with its light
    shanghai = ZoneInfo("Asia/Shanghai")
    called = dt.datetime.now(shanghai).replace(second=0, microsecond=0)  # the call, put down to the minute
    row.locator("input.note").fill("电话核实属实")
    row.locator("input.when").fill(called.strftime("%Y-%m-%dT%H:%M"))
    row.locator('[data-act="rectify"]').click()
    expect(row).to_have_attribute("data-state", "rectifying")
    verified = hall.call("GET", f"/followups/fu-{slow}", token_of(hall, "boss"))["verified_at"]
    assert dt.datetime.fromisoformat(verified) == called, verified
    expect(row.locator("td.history")).to_contain_text("限期整改（赵主任")
    expect(row.locator("td.history")).to_contain_text("整改期限 20")
    row.locator("input.note").fill("中午增设轮岗值守")
    row.locator('[data-act="rectified"]').click()
    expect(row).to_have_attribute("data-state", "fixed")
    row.locator("select.how").select_option(label="短信")  # told by text message, not on the phone
    tomorrow = (dt.datetime.now(shanghai) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    row.locator("input.when").fill(tomorrow)
    row.locator('[data-act="feedback"]').click()
    expect(row.locator(".row-error")).to_contain_text("反馈时间不能晚于现在")
    told = dt.datetime.now(shanghai).replace(second=0, microsecond=0)  # put down to the minute, on the hall's clock
    row.locator("input.when").fill(told.strftime("%Y-%m-%dT%H:%M"))
    row.locator('[data-act="feedback"]').click()
    expect(row).to_have_attribute("data-state", "fed_back")
    feedback = hall.call("GET", f"/followups/fu-{slow}", token_of(hall, "boss"))["feedback"]
    assert dt.datetime.fromisoformat(feedback["at"]) == told, feedback  # that minute, not the click's moment
    row.locator('[data-act="close"]').click()
    expect(row).to_have_attribute("data-state", "closed")
    for step in ("电话核实属实", "整改完成", "中午增设轮岗值守", "短信反馈（赵主任", "办结"):
        expect(row.locator("td.history")).to_contain_text(step)

    appeal = page.locator(f'#followups tr[data-followup="fu-{wrong}"]')
    appeal.locator('[data-act="appeal"]').click()  # no reason given: the refusal shows in the row worked on
    expect(appeal.locator(".row-error")).to_contain_text("申诉须写明理由")
    expect(appeal).to_have_attribute("data-state", "verify")
    appeal.locator("input.note").fill("群众称误点")
    appeal.locator('[data-act="appeal"]').click()
    expect(appeal).to_have_attribute("data-state", "appealed")
    appeal.locator("input.note").fill("录像显示确有遗漏")
    appeal.locator('[data-act="rejected"]').click()
    expect(appeal).to_have_attribute("data-state", "verify")
    expect(appeal.locator("td.history")).to_contain_text("驳回申诉（赵主任）录像显示确有遗漏")
    expect(appeal.locator('[data-act="explain"]')).to_be_visible()
    expect(appeal.locator('[data-act="appeal"]')).to_have_count(0)  # not a second time
    expect(page.locator("#followups tbody tr").first).to_have_attribute("data-followup", f"fu-{wrong}")  # open first
    shots(page, "supervisor-followups")

    with page.expect_download() as got:
        page.click("#export-xlsx")
    path = tmp_path / "board.xlsx"
    got.value.save_as(path)
    rows = list(load_workbook(path)["差评明细"].iter_rows(values_only=True))
    head = rows[1]
    done = dict(zip(head, next(r for r in rows if r[0] == slow.split("-")[-1]), strict=True))
    assert (done["窗口"], done["原因"], done["回访核实"], done["核实人"]) == ("1号窗口", "等候太久", "限期整改", "赵主任")
    assert done["整改情况"] == "中午增设轮岗值守" and done["反馈方式"] == "短信" and done["办结时间"]

    # another period: its own 差评 only, but every open one stays in sight, marked as earlier
    day = dt.date.fromisoformat(page.input_value("#date"))
    page.fill("#date", (day + dt.timedelta(days=1)).isoformat())
    page.click("#refresh")
    expect(page.locator("#fu-figures")).to_contain_text("本区间 0")
    expect(page.locator("#fu-figures")).to_contain_text("待处理共 1（含往期 1）")
    expect(page.locator(f'#followups tr[data-followup="fu-{wrong}"]')).to_have_class("earlier")
    expect(page.locator(f'#followups tr[data-followup="fu-{slow}"]')).to_have_count(0)  # settled, of another day

    buttons_in_sight_at_1280(web_browser, hall, f"fu-{wrong}")


def buttons_in_sight_at_1280(browser, hall, followup: str) -> None:
    """On a 1280-wide desk screen every button of the follow-up's row is in sight, not cut off."""
    with page_in(browser, STAFF_SIZE) as small:
        log_in(small, hall, "boss")
        buttons = small.locator(f'#followups tr[data-followup="{followup}"] .acts button')
        expect(buttons.first).to_be_visible()
        for i in range(buttons.count()):
            box = buttons.nth(i).bounding_box()
            assert box and box["x"] + box["width"] <= STAFF_SIZE["width"], f"button {i} is cut off: {box}"


def test_a_callback_deadline_drawing_near_shows_at_the_top_and_in_its_row(web_hall, web_page, web_browser):
    hall, page = web_hall, web_page
    hall.kill()  # this hall warns 48 h ahead of a 24 h callback: every new 差评 is near its deadline at once
    hall.config.write_text(hall.config.read_text(encoding="utf-8") + "\n[followups]\nyellow_hours = 48\n",
                           encoding="utf-8")
    hall.start()
    hall.post("/windows/w1/open")
    ticket = served_and_rated(hall, 1)
    log_in(page, hall, "boss")
    for card, count in {"差评待处理": "1", "差评将到期": "1", "差评超时": "0"}.items():
        expect(page.locator(f'[data-kpi="{card}"] b')).to_have_text(count)
    expect(page.locator('[data-kpi="差评将到期"]')).to_have_class("kpi amber")
    row = page.locator(f'#followups tr[data-followup="fu-{ticket}"]')
    expect(row).to_have_attribute("data-light", "yellow")
    expect(row.locator("td.deadline")).to_contain_text("回访剩余")
    expect(row.locator("td.deadline .light-yellow")).to_be_visible()
    buttons_in_sight_at_1280(web_browser, hall, f"fu-{ticket}")  # beside the longest deadline's words
