"""The four case notices as PDF, read back with the poppler tools a print server would use."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from hall.notices.model import (
    Acceptance,
    Completion,
    Correction,
    Delivery,
    Material,
    Party,
    Refusal,
)
from hall.notices.render import case_notice_pdf
from hall.notices.samples import MISSING, sample_notices
from sync.workdays import DueDate, WorkCalendar

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm")),
    reason="poppler-utils not installed",
)


@pytest.fixture(scope="module")
def notices() -> dict:
    return sample_notices(WorkCalendar())


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                         check=True, timeout=30)
    return re.sub(r"\s+", "", out.stdout.decode())  # pdftotext adds spaces between Hanzi and digits


def pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True, timeout=30)
    match = re.search(rb"^Pages:\s+(\d+)", out.stdout, re.MULTILINE)
    assert match
    return int(match.group(1))


@pytest.mark.parametrize("kind,title", [("acceptance", "受理通知书"), ("correction", "补正材料通知书"),
                                        ("refusal", "不予受理通知书"), ("completion", "办结通知书")])
def test_every_notice_carries_the_common_fields(notices, kind, title):
    notice = notices[kind]
    pdf = case_notice_pdf(notice)
    text = text_of(pdf)
    case = notice.case
    for expected in (title, case.number.replace(" ", ""), case.case_number, case.hall.name,
                     case.matter.name, case.matter.code, case.matter.department, "王**",
                     "370829********641X", "138****5678", case.hall.agency, "扫码查询办理进度",
                     "申请人（代办人）签收", "第1页共1页", "12345"):
        assert expected in text, (kind, expected)
    assert "37082919850312641X" not in text and "王小明" not in text and "13812345678" not in text
    assert pages(pdf) == 1 and len(pdf) < 200_000


def test_acceptance_says_the_due_date_and_that_it_may_move(notices):
    notice = notices["acceptance"]
    assert notice.due.provisional  # the sample crosses into a year without published data
    text = text_of(case_notice_pdf(notice))
    day = notice.due.day
    assert f"{day.year}年{day.month}月{day.day}日（如遇节假日调整顺延）" in text
    assert "20个工作日" in text and "10个工作日" in text and "听证" in text and "专家评审" in text
    for material in notice.materials:
        assert material.name in text
    final = replace(notice, due=DueDate(dt.date(2026, 12, 28), False, "chinese-calendar"))
    text = text_of(case_notice_pdf(final))
    assert "2026年12月28日" in text and "如遇节假日调整顺延" not in text


def test_same_day_matters_say_so(notices):
    notice = notices["acceptance"]
    same_day = replace(notice, case=replace(notice.case, matter=replace(notice.case.matter, promised_days=0)))
    assert "即办" in text_of(case_notice_pdf(same_day))


def test_correction_lists_every_missing_material_with_its_standard_and_the_deadline(notices):
    notice = notices["correction"]
    text = text_of(case_notice_pdf(notice))
    assert f"共{len(MISSING)}项" in text
    for material in MISSING:
        for part in (material.name, material.standard, material.note):
            assert re.sub(r"\s+", "", part) in text, part
    deadline = notice.deadline
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日前" in text


def test_a_long_correction_runs_over_pages_without_losing_a_material(notices):
    many = tuple(Material(f"第{i}项补正材料（含附件）", standard="加盖公章，A4 纸" * (i % 3 + 1),
                          note="未提交") for i in range(1, 31))
    pdf = case_notice_pdf(replace(notices["correction"], missing=many))
    total = pages(pdf)
    assert total >= 2
    text = text_of(pdf)
    assert all(m.name in text for m in many)
    assert f"第{total}页共{total}页" in text and text.count("序号") == total  # header repeats


def test_refusal_gives_the_reason_and_where_to_apply(notices):
    notice = notices["refusal"]
    text = text_of(case_notice_pdf(notice))
    assert re.sub(r"\s+", "", notice.reason) in text
    assert re.sub(r"\s+", "", notice.apply_to) in text
    assert "决定不予受理" in text and "行政复议" in text and "行政诉讼" in text
    own = replace(notice, remedy="如不服，可向嘉祥县人民政府申请行政复议。")
    assert "向嘉祥县人民政府申请行政复议" in text_of(case_notice_pdf(own))


def test_completion_by_post_and_by_pickup(notices):
    posted = notices["completion"]
    text = text_of(case_notice_pdf(posted))
    assert "免费邮寄" in text and "1190552188304" in text and "准予办理" in text
    pickup = replace(posted, approved=False, result="不予许可：经营场所不符合要求",
                     delivery=Delivery("pickup", place="一楼出件窗口（12 号）", when="工作日 9:00–17:00"))
    text = text_of(case_notice_pdf(pickup))
    assert "办结领取通知书" in text and "一楼出件窗口（12号）" in text and "工作日9:00–17:00" in text
    assert "不予批准" in text and "申请人本人身份证件或本通知书" in text


def test_the_qr_code_reads_back_as_the_signed_follow_url(notices, tmp_path: Path):
    zxingcpp = pytest.importorskip("zxingcpp")
    notice = notices["acceptance"]
    (tmp_path / "n.pdf").write_bytes(case_notice_pdf(notice))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "n.pdf"),
                    str(tmp_path / "page")], check=True, timeout=30)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [notice.case.follow_url]


def test_the_font_is_embedded_and_the_bytes_repeat(notices, tmp_path: Path):
    pdf = case_notice_pdf(notices["correction"])
    (tmp_path / "n.pdf").write_bytes(pdf)
    report = subprocess.run(["pdffonts", str(tmp_path / "n.pdf")], capture_output=True, text=True,
                            check=True, timeout=30).stdout
    rows = report.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" and "WenQuanYi" in row for row in rows), report
    assert pdf == case_notice_pdf(notices["correction"])  # a retried print job sends the same


def test_bad_notices_are_refused_with_the_reason(notices):
    case = notices["acceptance"].case
    with pytest.raises(ValueError, match="masked"):
        Party("person", "王**", "37082919850312641X")
    with pytest.raises(ValueError, match="masked"):
        Party("person", "王**", phone="13812345678")
    with pytest.raises(ValueError, match="at least one missing material"):
        Correction(case=case, missing=(), deadline=dt.date(2027, 1, 4))
    with pytest.raises(ValueError, match="reason"):
        Refusal(case=case, reason=" ")
    with pytest.raises(ValueError, match="follow url"):
        replace(case, follow_url="")
    with pytest.raises(ValueError, match="pickup or post"):
        Delivery("courier")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a case notice"):
        case_notice_pdf(case)  # type: ignore[arg-type]
    assert isinstance(notices["acceptance"], Acceptance) and isinstance(notices["completion"], Completion)


def test_an_organisation_applies_through_an_agent(notices):
    notice = notices["acceptance"]
    company = Party("organisation", "嘉祥县好味道餐饮有限公司", "91370829MA3C4XYZ1K", "0537-6851234",
                    agent_name="李*", agent_id="370829********1221")
    text = text_of(case_notice_pdf(replace(notice, case=replace(notice.case, applicant=company))))
    for expected in ("嘉祥县好味道餐饮有限公司：", "统一社会信用代码", "91370829MA3C4XYZ1K", "0537-6851234", "代办人"):
        assert expected in text, expected
    assert "证件号码" not in text
