"""The hall's health page in a real browser against a real hall server process: window staff
are refused at the shared sign-in; a supervisor sees an LED strip that cannot connect with
where it connects and why, a screen's clock that is off, and the screens never heard from."""
from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.webfixtures import (  # noqa: F401  (the fixtures, used by their names)
    CHROMIUM,
    HallProcess,
    free_port,
    shots_fixture,
    web_browser_fixture,
    web_page_fixture,
)
from tests.support.halls import PASSWORD, TOKENS

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402


@pytest.fixture
def hall_with_a_dead_strip(tmp_path):
    """The small hall with an LED strip over w1 where nothing listens (a converter unplugged)."""
    hall = HallProcess(tmp_path)
    nowhere = f"socket://127.0.0.1:{free_port()}"
    with hall.config.open("a", encoding="utf-8") as f:
        f.write(f'\n[[peripherals]]\nid = "led-w1"\nkind = "led_strip"\nurl = "{nowhere}"\nwindow = "w1"\n'
                'settings = { protocol = "bx5" }\n')
    hall.start()
    try:
        yield hall, nowhere
    finally:
        hall.stop()


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/ui/health")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")


def test_window_staff_are_refused(hall_with_a_dead_strip, web_page):
    hall, _ = hall_with_a_dead_strip
    log_in(web_page, hall.url, "wang")
    expect(web_page.locator("#login-error")).to_contain_text("仅限主管和运维")
    expect(web_page.locator("#health-view")).to_be_hidden()


def test_a_supervisor_sees_what_is_unwell_and_why(hall_with_a_dead_strip, web_page, shots):
    hall, nowhere = hall_with_a_dead_strip
    r = requests.post(f"{hall.url}/api/v1/health/heartbeat", timeout=10,
                      headers={"Authorization": f"Bearer {TOKENS['kiosk']}"},
                      json={"clock": time.time() - 150, "version": "0.1.0", "devices": [
                          {"device": "kiosk-printer", "kind": "receipt_printer", "state": "ready", "reason": "ok"}]})
    assert r.status_code == 200, r.text
    page = web_page
    log_in(page, hall.url, "boss")
    expect(page.locator("#who-name")).to_have_text("赵主任")
    expect(page.locator("#overall")).to_have_attribute("data-state", "error")
    strip = page.locator('#items tr[data-area="peripheral"][data-id="led-w1"]')
    expect(strip).to_contain_text(nowhere)
    expect(strip).to_contain_text("refused")
    expect(page.locator('#items tr[data-area="clock"][data-id="kiosk-1"]')).to_contain_text("behind the hall's")
    expect(page.locator('#items tr[data-area="screen"][data-id="display-1"]')).to_contain_text("no heartbeat")
    expect(page.locator('#items tr[data-area="peripheral"][data-id="kiosk-1/kiosk-printer"]')).to_have_attribute(
        "data-state", "ok")
    expect(page.locator("#problems")).to_contain_text("led-w1")
    expect(page.locator("#version")).to_contain_text("启动于")
    shots(page, "hall-health")
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#health-view")).to_be_hidden()
