"""办件进度 on the terminal, against a real hall server: the holder's ID card on the SAM reader
simulator lists their cases beside today's tickets; a case notice's QR read by the scanner
simulator on a pty shows that case; each case says its stage, its light in words, its due date,
what is missing and where to pick up; a forged notice link shows nobody's case."""
from __future__ import annotations

import logging
import re

import pytest

from drivers.idcard.simulator import SamSimulator, sample_card
from kiosk.roles.terminal.progress import MESSAGE, RESULT

CARD = sample_card("resident")
MATTER = "000131128000"  # 个体工商户设立登记, 即办, one required material (tests/support/halls.py)


def open_case(desk, materials: dict[str, str]) -> dict:
    body = {"matter": MATTER, "applicant": {"id_number": CARD.id_number, "name": CARD.name},
            "window": "w1", "materials": materials}
    return desk.create_case(body)["case"]


def test_a_notice_qr_shows_the_cases_stage_light_due_date_and_pickup(qtbot, make_terminal, scanner, desk,
                                                                      hall_server, caplog):
    caplog.set_level(logging.DEBUG)
    shell = make_terminal()
    view = shell.view
    case = open_case(desk, {"登记申请书": "original"})
    accepted = desk.case_action(case["number"], "accept")["case"]
    scanner.scan(hall_server.base_url + case["follow_path"])  # at home: a notice's code opens the progress
    page = view.page("progress")
    qtbot.waitUntil(lambda: view.current_page() is page and page.views.currentIndex() == RESULT, timeout=8000)
    [status] = page.cases
    assert case["number"] in status.heading.text() and "个体工商户设立登记" in status.heading.text()
    assert status.stage.text() == "当前环节：已受理"
    assert accepted["light"] == "yellow"  # 即办: due today, within the yellow margin
    assert status.light.text() == "▲ 黄灯：临近办结期限"
    assert f"承诺办结日期：{accepted['due']}" in status.lines.text()
    assert ("暂定" in status.lines.text()) == bool(accepted["due_provisional"])
    assert page.next_steps.steps == ["不必再到大厅：办理进度可凭通知书上的二维码随时查询",
                                     "办结后请凭身份证或办件通知书领取结果"]
    shell.context.languages.switch("en")  # the words follow the language, on the next turn of the loop
    qtbot.waitUntil(lambda: status.light.text() == "▲ Yellow: close to the due date", timeout=3000)
    assert status.stage.text() == "Stage: Accepted" and f"Promised by: {accepted['due']}" in status.lines.text()
    assert page.next_steps.heading.text() == "What to do next"
    assert not any(re.search(r"[\u3400-\u9fff]", step) for step in page.next_steps.steps)
    shell.context.languages.switch("zh")

    desk.case_action(case["number"], "conclusion", {"approved": True})
    page.again_button.click()
    scanner.scan(hall_server.base_url + case["follow_path"])
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=8000)
    [status] = page.cases
    assert status.stage.text() == "当前环节：已办结，可以领取结果"
    assert status.light.isHidden() and "承诺办结日期" not in status.lines.text()  # done: no clock runs
    assert "领取结果" in status.lines.text() and "请带身份证或本通知书" in status.lines.text()
    assert page.next_steps.steps[:2] == ["请带上身份证或办件通知书", "到上面写明的地点和时间领取结果"]
    page.done_button.click()
    assert view.at_home() and shell.context.session.empty
    assert case["follow_path"] not in caplog.text  # the notice's reference is the citizen's, not the log's


@pytest.mark.parametrize(("tail", "title"), [
    (".AAAAAAAAAA", "没有找到这个办件"),  # a forged signature: nobody's case
])
def test_a_forged_or_damaged_notice_link_shows_nobodys_case(qtbot, make_terminal, scanner, desk, hall_server, tail, title):
    view = make_terminal().view
    case = open_case(desk, {})
    view.tiles["progress"].click()
    page = view.page("progress")
    scanner.scan(f"{hall_server.base_url}/c/{case['number']}{tail}")
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == title and not page.cases


@pytest.fixture
def reader(tmp_path):
    """The SAM reader simulator on a pty: its path, and the simulator to place the card."""
    sam = SamSimulator(None)
    sam.serve_pty(tmp_path / "idcard")
    yield str(tmp_path / "idcard"), sam
    sam.close()


def test_the_id_card_lists_the_holders_cases_with_what_is_missing(qtbot, make_terminal, desk, hall_server,
                                                                    reader, caplog):
    caplog.set_level(logging.DEBUG)
    where, sam = reader
    shell = make_terminal(idcard=where)
    short = open_case(desk, {})
    corrected = desk.case_action(short["number"], "correction", {"deadline_days": 3})["case"]
    shell.view.tiles["progress"].click()
    page = shell.view.page("progress")
    sam.place(CARD)
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
    [status] = page.cases
    assert status.stage.text() == "当前环节：补正：请补齐材料"
    assert "还缺材料：登记申请书（原件）" in status.lines.text()
    assert f"请于 {corrected['correction']['deadline']} 前补齐" in status.lines.text()
    assert "440304********0011" in page.result_title.text()
    page.home_button.click()
    assert shell.context.session.empty
    logged = caplog.text + hall_server.log_text()
    assert CARD.id_number not in logged and CARD.name not in logged


def type_number(qtbot, page, number: str) -> None:
    page.number_button.click()
    assert page.views.currentIndex() == page.typed_view and not page.number.search_button.isEnabled()
    for digit in number:
        page.number.keyboard.keys[digit].click()
    assert page.number.field.text() == number
    page.number.search_button.click()


def test_a_typed_case_number_with_the_id_card_shows_that_case_and_only_under_its_card(
        qtbot, make_terminal, desk, reader):
    where, sam = reader
    shell = make_terminal(idcard=where)
    first = open_case(desk, {"登记申请书": "original"})
    second = open_case(desk, {})
    shell.view.tiles["progress"].click()
    page = shell.view.page("progress")
    assert not page.number_button.isVisible()  # no card yet: a number alone shows nobody's case
    sam.place(CARD)
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT, timeout=10000)
    assert sorted(c.case["number"] for c in page.cases) == sorted([first["number"], second["number"]])
    type_number(qtbot, page, second["number"])
    qtbot.waitUntil(lambda: page.views.currentIndex() == RESULT and len(page.cases) == 1, timeout=8000)
    assert page.cases[0].case["number"] == second["number"]
    assert "还缺材料：登记申请书" in page.cases[0].lines.text()
    assert page.cases[0].stage.text() == "当前环节：预审：等待窗口核对材料"

    type_number(qtbot, page, "99" + second["number"][2:])  # nobody's, or someone else's
    qtbot.waitUntil(lambda: page.views.currentIndex() == MESSAGE, timeout=8000)
    assert page.message.title.text() == "没有找到这个办件" and not page.cases


@pytest.mark.parametrize("state", ["correction", "concluded"])
def test_a_case_on_an_english_screen_names_its_matter_materials_and_pickup_in_english(qtbot, state):
    """The hall's answer carries its English beside the Chinese (hall.case_english); an English
    screen shows it, a Chinese one the Chinese, from the same answer."""
    from kiosk.i18n import Languages
    from kiosk.models.terminal.samples import sample_case
    from kiosk.roles.terminal.case_status import CaseStatus
    from kiosk.theme import make_theme

    case = sample_case(state)
    status = CaseStatus(make_theme(1080, 1920))
    qtbot.addWidget(status)
    languages = Languages()
    languages.switch("en")
    try:
        status.show_case(case, "en")
        english = f"{status.heading.text()}\n{status.lines.text()}"
    finally:
        languages.switch("zh")
    status.show_case(case, "zh")
    chinese = f"{status.heading.text()}\n{status.lines.text()}"
    assert not re.search(r"[\u3400-\u9fff]", english), english
    assert case["matter_name_en"] in english and case["matter_name"] in chinese
    if state == "correction":
        assert "Business licence or other registration (original and copy)" in english
        assert "营业执照或其他主体资格证明（原件+复印件）" in chinese
    else:
        assert case["pickup"]["address_en"] in english and case["pickup"]["address"] in chinese
