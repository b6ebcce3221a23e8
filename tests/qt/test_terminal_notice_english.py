"""The one-time notice an English terminal prints, against a real hall server and a real cupsd:
the terminal hands the notice the hall's English (the guide's `*_en` as the hall serves them,
the hall's `address_en` … as `/hall` tells them), and the PDF that comes out of the print queue
is English all the way; the phone's copy (`/g/<code>?lang=en`) is the same notice."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.cupsd import pdftotext, private_cupsd, unavailable_reason
from tests.support.halls import TOKENS, small_hall_toml
from tests.support.hallserver import HallServer, free_port

needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")
HAN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uff60]+")
ENGLISH = {  # the small test hall with English beside its Chinese
    'area_code = "370829"\n': 'area_code = "370829"\nname_en = "Test Government Service Center"\n'
    'phone = "0537-6856123（咨询）"\nphone_en = "0537-6856123 (enquiries)"\n'
    'address = "一楼综合受理区"\naddress_en = "Ground floor, General Services area"\n'
    'hours = "周一至周五 9:00-17:00"\nhours_en = "Mon–Fri 9:00–17:00"\n',
    'name = "综合受理"\n': 'name = "综合受理"\nname_en = "General Services"\n',
    'department = "县行政审批服务局"\n': 'department = "县行政审批服务局"\n'
    'department_en = "County Administrative Approval Bureau"\nname_en = "Registration of a sole trader"\n',
    'fee = "不收费"\n': 'fee = "不收费"\nfee_en = "Free of charge"\n',
    'materials = [{ name = "登记申请书", form = "原件", count = 1, required = true }]':
    'materials = [{ name = "登记申请书", name_en = "Registration application form", form = "原件+复印件", '
    'count = 1, required = true }]',
}


@pytest.fixture
def english_hall(tmp_path: Path) -> Iterator[HallServer]:
    text = small_hall_toml()
    for chinese, both in ENGLISH.items():
        assert chinese in text, chinese
        text = text.replace(chinese, both, 1)
    (tmp_path / "hall.toml").write_text(text, encoding="utf-8")
    server = HallServer(tmp_path / "hall.toml", tmp_path / "data", tmp_path / "hall-server.log", free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@needs_cupsd
def test_an_english_terminal_prints_the_notice_in_english(qtbot, make_shell, english_hall, tmp_path):
    with private_cupsd() as cups:
        shell = make_shell("kiosk", english_hall.base_url, TOKENS["kiosk"], language="en",
                           devices={"a4_printer": cups.url},
                           device_settings={"kiosk": {"data_dir": str(tmp_path / "kiosk")},
                                            "a4_printer": {"job_timeout": 60, "poll_interval": 0.1}})
        qtbot.waitUntil(lambda: shell.context.devices.usable("a4_printer"), timeout=15000)
        qtbot.waitUntil(lambda: bool(shell.context.hall), timeout=10000)
        shell.view.tiles["guides"].click()
        page = shell.view.page("guides")
        qtbot.waitUntil(lambda: page.store.ready and page.store.live, timeout=10000)
        [guide] = page.store.guides  # as the hall served it
        page.open_guide(guide)
        worker = shell.context.devices.get("a4_printer")
        with qtbot.waitSignal(worker.action_finished, timeout=60000) as printed:
            page.detail.print_button.click()
        result = printed.args[1]
        assert result.ok
        out = cups.queue.output(result.job_id)
        assert out is not None, sorted(cups.queue.out_dir.iterdir())
        text = " ".join(pdftotext(out).split())
        for expected in ("One-Time Notification", "Registration of a sole trader", "General Services",
                         "County Administrative Approval Bureau", "Free of charge",
                         "Registration application form", "Original and copy", "Administrative licensing",
                         "Test Government Service Center", "0537-6856123 (enquiries)",
                         "Ground floor, General Services area", "Mon–Fri 9:00–17:00"):
            assert expected in text, expected
        assert HAN.findall(text) == [] and text.isprintable()  # every glyph read back as text
        # the phone's copy, as the QR of a terminal that cannot print opens it
        phone = requests.get(f"{english_hall.base_url}/g/{guide['code']}", params={"lang": "en"}, timeout=30)
        (tmp_path / "phone.pdf").write_bytes(phone.content)
        printed_at = re.compile(r"Printed: \S+ \S+")  # the minute each was made
        assert printed_at.sub("", " ".join(pdftotext(tmp_path / "phone.pdf").split())) == printed_at.sub("", text)
