"""The pages a kiosk captured for a case, in the staff console of a real browser against a real
hall process: the window's list shows the kiosk's 预审 with 材料影像; each material opens as a
PDF in a tab of its own; a case without pages says so."""
from __future__ import annotations

import re

import pytest

from tests.e2e import webfixtures as wf
from tests.e2e.test_web_cases import ID_NUMBER, MATTER, serve_at_w1
from tests.e2e.webfixtures import (  # noqa: F401
    shots_fixture,
    web_browser_fixture,
    web_hall_fixture,
    web_page_fixture,
)
from tests.support.halls import TOKENS
from tests.support.pages import sample_pdf

pytestmark = pytest.mark.skipif(not wf.CHROMIUM.exists(), reason=f"{wf.CHROMIUM} is not installed")
expect = pytest.importorskip("playwright.sync_api").expect


def test_the_window_opens_the_pages_a_kiosk_captured(web_hall, web_page, shots, tmp_path):
    hall, page = web_hall, web_page
    body = {"matter": MATTER, "channel": "kiosk", "applicant": {"id_number": ID_NUMBER},
            "materials": {"登记申请书": "image"}}
    number = hall.post("/cases", TOKENS["kiosk"], json=body)["case"]["number"]
    pdf = sample_pdf(2)
    r = hall.http.post(f"{hall.url}/api/v1/cases/{number}/pages", params={"material": "登记申请书"}, data=pdf,
                       headers={"Authorization": f"Bearer {TOKENS['kiosk']}", "Content-Type": "application/pdf"},
                       timeout=10)
    assert r.status_code == 201, r.text
    hall.issue()
    serve_at_w1(page, hall)
    row = page.locator(f'#case-list tr[data-case="{number}"]')
    expect(row).to_contain_text("预审")
    row.locator('[data-case-act="pages"]').click()
    pages = page.locator(f'#case-list tr[data-pages-of="{number}"]')
    expect(pages).to_contain_text("登记申请书：2 页")
    # found and scrolled in one step of the page's own: the list's refresh may redraw the row between two
    page.evaluate("n => document.querySelector(`#case-list tr[data-pages-of='${n}']`)?.scrollIntoView({block: 'center'})",
                  number)
    shots(page, "staff-case-pages")
    with page.context.expect_page() as opened:
        pages.locator('[data-case-act="open-pages"]').click()
    tab = opened.value
    tab.wait_for_url(re.compile(r"^blob:"))
    tab.close()
    item = page.locator('[data-pages]').get_attribute("data-pages")
    got = hall.http.get(f"{hall.url}/api/v1/cases/{number}/pages/{item}", timeout=10,
                        headers={"Authorization": f"Bearer {TOKENS['operator']}"})
    assert got.content == pdf  # what the button opened: the material's PDF as the kiosk sent it
    row.locator('[data-case-act="pages"]').click()  # pressed again: the pages' row goes
    expect(pages).to_have_count(0)
