"""办事指南 on the self-service terminal, against a real hall server: found by pinyin initials,
read in full, its one-time notice printed through a real cupsd (cups-pdf) and read back, and
still browsable while the hall is away."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QApplication

from kiosk.roles.terminal.guides import DETAIL, GROUPS, LIST, SEARCH
from kiosk.roles.terminal.widgets import ListItem
from tests.support.cupsd import pdftotext, private_cupsd, unavailable_reason
from tests.support.halls import TOKENS

MATTER = "个体工商户设立登记"
needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")


@pytest.fixture
def terminal(make_shell, hall_server, tmp_path: Path, qtbot):
    def make(**options):
        settings = {"kiosk": {"data_dir": str(tmp_path / "kiosk")}, **options.pop("device_settings", {})}
        shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"], device_settings=settings, **options)
        return shell, shell.view

    return make


def items(widget) -> list[ListItem]:
    QApplication.processEvents()  # rows just added are shown by a queued call
    return [w for w in widget.findChildren(ListItem) if w.isVisible()]


def item(widget, title: str) -> ListItem:
    found = [w for w in items(widget) if w.title.text() == title]
    assert found, [w.title.text() for w in items(widget)]
    return found[0]


def open_guides(qtbot, view):
    view.tiles["guides"].click()
    page = view.page("guides")
    assert view.current_page() is page
    qtbot.waitUntil(lambda: page.store.ready and page.store.live, timeout=10000)
    return page


def search(qtbot, page, letters: str) -> None:
    page.mode_buttons["search"].click()
    assert page.views.currentIndex() == SEARCH
    page.keyboard.type_text(letters)  # each key must be live: dead keys are dimmed
    qtbot.waitUntil(lambda: any(w.title.text() == MATTER for w in items(page.results_box)), timeout=3000)


def test_initials_find_the_matter_and_its_guide_shows_every_material(qtbot, terminal):
    _shell, view = terminal()
    page = open_guides(qtbot, view)
    assert [w.title.text() for w in items(page.groups_box)] == ["县行政审批服务局"]
    search(qtbot, page, "gtgsh")
    assert page.query.text() == "GTGSH"
    assert not page.keyboard.keys["Q"].isEnabled()  # nothing continues GTGSH with Q
    item(page.results_box, MATTER).click()
    assert page.views.currentIndex() == DETAIL
    text = page.detail.text()
    for shown in (MATTER, "登记申请书", "原件 1 份", "当场办结", "不收费", "跑 1 次", "1 样材料"):
        assert shown in text, shown
    assert "000131128000" not in text and "事项编码" not in text  # no catalogue codes for a citizen
    assert page.back()  # back to the search, still typed
    assert page.views.currentIndex() == SEARCH and page.query.text() == "GTGSH"


def test_browsing_by_department_and_by_kind(qtbot, terminal):
    _shell, view = terminal()
    page = open_guides(qtbot, view)
    item(page.groups_box, "县行政审批服务局").click()
    assert page.views.currentIndex() == LIST
    item(page.list_box, MATTER).click()
    assert page.views.currentIndex() == DETAIL
    page.back_button.click()
    assert page.views.currentIndex() == LIST
    page.back_button.click()
    assert page.views.currentIndex() == GROUPS
    page.mode_buttons["kind"].click()
    assert [w.title.text() for w in items(page.groups_box)] == ["行政许可"]
    page.back_button.click()  # at the first step: home
    assert view.at_home()


def test_without_an_a4_printer_the_notice_opens_on_a_phone_from_the_qr(qtbot, terminal, hall_server, tmp_path):
    _shell, view = terminal()
    page = open_guides(qtbot, view)
    search(qtbot, page, "gtgsh")
    item(page.results_box, MATTER).click()
    page.detail.print_button.click()
    assert page.detail.stack.currentIndex() == 1
    assert page.detail.panel.title.text() == "本机打印不了告知单"  # says the printing failed
    assert page.detail.qr.isVisible() and not page.detail.qr.pixmap().isNull()
    # no guide_url in the hall: the hall server's own copy of the notice, as a phone opens it
    assert page.detail.qr_url == f"{hall_server.base_url}/g/000131128000"
    answer = requests.get(page.detail.qr_url, timeout=30)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    (tmp_path / "notice.pdf").write_bytes(answer.content)
    text = pdftotext(tmp_path / "notice.pdf")
    assert MATTER in text and "登记申请书" in text
    assert requests.get(f"{hall_server.base_url}/g/999999999999", timeout=30).status_code == 404
    page.detail.guide_button.click()
    assert page.detail.stack.currentIndex() == 0


@needs_cupsd
def test_the_notice_prints_through_cups_and_names_the_matter(qtbot, terminal):
    with private_cupsd() as cups:
        shell, view = terminal(devices={"a4_printer": cups.url},
                               device_settings={"a4_printer": {"job_timeout": 60, "poll_interval": 0.1}})
        qtbot.waitUntil(lambda: shell.context.devices.usable("a4_printer"), timeout=15000)
        page = open_guides(qtbot, view)
        search(qtbot, page, "gtgsh")
        item(page.results_box, MATTER).click()
        worker = shell.context.devices.get("a4_printer")
        with qtbot.waitSignal(worker.action_finished, timeout=60000) as printed:
            page.detail.print_button.click()
            assert page.detail.printing
        result = printed.args[1]
        assert result.ok
        qtbot.waitUntil(lambda: page.detail.panel.title.text() == "告知单已打印", timeout=3000)
        assert not page.detail.printing
        out = cups.queue.output(result.job_id)
        assert out is not None, sorted(cups.queue.out_dir.iterdir())
        text = pdftotext(out)
        assert MATTER in text and "一次性告知单" in text and "登记申请书" in text


def test_guides_stay_browsable_while_the_hall_is_away_and_after_a_restart(qtbot, terminal, hall_server):
    _shell, view = terminal()
    page = open_guides(qtbot, view)
    qtbot.waitUntil(lambda: (Path(page.store.cache_path)).exists(), timeout=5000)
    view.on_page_finished()
    hall_server.kill()
    view.context.link.on_health_timeout()
    qtbot.waitUntil(lambda: view.context.link.online is False, timeout=8000)
    view.tiles["guides"].click()
    assert [w.title.text() for w in items(page.groups_box)] == ["县行政审批服务局"]
    assert "暂时连不上大厅服务器" in page.freshness.text()
    search(qtbot, page, "gtgsh")
    item(page.results_box, MATTER).click()
    assert "登记申请书" in page.detail.text()

    # a terminal started while the hall is away shows the copy it saved
    _shell2, view2 = terminal(start=False)
    page2 = view2.page("guides")
    qtbot.waitUntil(lambda: page2.store.ready, timeout=5000)
    assert not page2.store.live
    view2.tiles["guides"].click()
    assert [w.title.text() for w in items(page2.groups_box)] == ["县行政审批服务局"]


def test_full_pinyin_and_a_picked_candidate_find_the_guide_and_the_hint_stays(qtbot, terminal):
    _shell, view = terminal()
    page = open_guides(qtbot, view)
    page.mode_buttons["search"].click()
    assert page.search_hint.isVisible() and "budongchan" in page.search_hint.text()
    page.keyboard.type_text("getigong")  # whole syllables, each key live
    qtbot.waitUntil(lambda: any(w.title.text() == MATTER for w in items(page.results_box)), timeout=3000)
    assert page.candidates.isVisible()
    assert [b.text() for b in page.candidates.buttons][0] == "个体工"
    page.keyboard.clear()
    page.keyboard.type_text("gt")
    assert "个体" in [b.text() for b in page.candidates.buttons]
    [chosen] = [b for b in page.candidates.buttons if b.text() == "个体"]
    chosen.click()
    assert page.query.text() == "个体"  # the pinyin typed is replaced by the characters picked
    page.keyboard.type_text("gs")  # and pinyin after them goes on from there
    qtbot.waitUntil(lambda: [w.title.text() for w in items(page.results_box)] == [MATTER], timeout=3000)
    assert page.search_hint.isVisible()


def test_every_guide_of_the_sample_hall_reads_in_english_on_an_english_screen(qtbot, make_shell, tmp_path):
    """Each of the sample hall's guides, as its hall serves them, on an English screen: every
    text of the guide in English (the hall's own `*_en`, the catalogue's fixed terms, the
    screen's words), the legal basis too; nothing left in Chinese."""
    import re

    from hall.config import load_demo_config
    from hall.guides import Guides
    from kiosk.screenshots import UNREACHABLE, sample_hall
    from sync.reference import ReferenceStore

    guides = Guides(load_demo_config(), ReferenceStore(tmp_path / "reference.db")).listing()["guides"]
    shell = make_shell("kiosk", UNREACHABLE, "english", start=False, language="en", size=(1080, 1920))
    shell.context.set_hall(sample_hall())
    page = shell.view.page("guides")
    chinese: list[tuple[str, str]] = []
    for guide in guides:
        page.open_guide(guide)
        text = page.detail.text()
        assert guide["name_en"] in text and guide["basis_en"] in text
        chinese += [(guide["code"], line) for line in text.splitlines() if re.search(r"[\u3400-\u9fff]", line)]
    assert len(guides) == 35 and chinese == []
    shell.context.languages.switch("zh")
