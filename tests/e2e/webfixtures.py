"""Fixtures of the web page tests: a real hall server process and a headless Chromium.

A test module imports the `*_fixture` functions; pytest knows them by their short names
(`web_hall`, `web_browser`, `web_page`, `shots`).

The server is `yiciban hall` on a free loopback port with the small test hall; it can be
killed with SIGKILL and started again on the same port and data directory, as a power cut
would. The browser is Debian's Chromium driven by Playwright.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.halls import TOKENS, write_small_hall

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BOARD_SIZE = {"width": 1920, "height": 1080}
STAFF_SIZE = {"width": 1280, "height": 800}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HallProcess:
    """`yiciban hall` as a child process, with a few API helpers for setting the scene."""

    def __init__(self, directory: Path) -> None:
        self.config = write_small_hall(directory)
        self.data_dir = directory / "data"
        self.log_path = directory / "hall.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.http = requests.Session()

    def start(self, timeout: float = 20.0) -> None:
        log = self.log_path.open("ab")
        cmd = [
            sys.executable, "-m", "yiciban.cli", "hall",
            "--config", str(self.config), "--data-dir", str(self.data_dir), "--port", str(self.port),
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hall server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/health", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"hall server did not answer /health within {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL, as a power cut: nothing is flushed or closed politely."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.http.close()
        self.http = requests.Session()

    def stop(self) -> None:
        """At teardown: SIGKILL too. A polite stop waits out uvicorn's 3 s grace period, because
        the server notices a closed WebSocket only at its next send (a heartbeat, every 15 s)."""
        self.kill()
        self.http.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- the API, as a device or a staff member

    def call(self, method: str, path: str, token: str = TOKENS["operator"], **kw: Any) -> dict:
        r = self.http.request(method, f"{self.url}/api/v1{path}",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10, **kw)
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()

    def post(self, path: str, token: str = TOKENS["operator"], **kw: Any) -> dict:
        return self.call("POST", path, token, **kw)

    def issue(self, queue: str = "general", priority: str = "normal") -> dict:
        return self.post("/tickets", TOKENS["dispenser"], json={"queue": queue, "priority": priority})["ticket"]

    def events(self, after: int = 0) -> list[dict]:
        return self.call("GET", f"/events?after={after}")["events"]

    def refused_hand_in(self, offset: int = 0) -> str:
        """The kiosk hands in a number of a new block of the dispenser's (the `offset`th): the hall
        refuses it for good and records it for the staff. The number."""
        lease = self.post("/leases", TOKENS["dispenser"], json={"queue": "general", "size": 3})["lease"]
        number = f"A{lease['first'] + offset:03d}"
        r = self.http.post(f"{self.url}/api/v1/leases/{lease['lease']}/tickets", timeout=10,
                           headers={"Authorization": f"Bearer {TOKENS['kiosk']}"},
                           json={"number": number, "issued_at": datetime.now(UTC).isoformat()})
        assert r.status_code == 409, r.text
        return number


@pytest.fixture(name="web_hall")
def web_hall_fixture(tmp_path):
    hall = HallProcess(tmp_path)
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


@pytest.fixture(name="web_browser", scope="module")
def web_browser_fixture():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_in(browser, viewport: dict[str, int], locale: str = "zh-CN", **options: Any) -> Iterator[Any]:
    """A fresh browser context (own storage, the given viewport, language and options such as
    `is_mobile`) and its page; a JavaScript error on the page fails the caller."""
    context = browser.new_context(viewport=viewport, locale=locale, **options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(name="web_page")
def web_page_fixture(web_browser):
    """A fresh browser context (own storage) and page; page errors fail the test."""
    with page_in(web_browser, BOARD_SIZE) as page:
        yield page


@pytest.fixture(name="shots")
def shots_fixture(tmp_path):
    """Saves a page's screenshot into tmp_path, and into $YICIBAN_SCREENSHOTS when it is set."""
    dirs = [tmp_path / "screenshots"]
    extra = os.environ.get("YICIBAN_SCREENSHOTS")
    if extra:
        dirs.append(Path(extra))

    def save(page, name: str) -> list[Path]:
        saved = []
        for d in dirs:
            d.mkdir(parents=True, exist_ok=True)
            path = d / f"{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
        return saved

    return save
