"""The 一次性告知单 as PDF, read back with the poppler tools a print server would use."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from hall.config import load_demo_config
from hall.notices.guide import NoticeFontError, notice_pdf

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm")),
    reason="poppler-utils not installed",
)

PRINTED = datetime(2026, 11, 27, 14, 30)
HALL = {
    "name": "嘉祥县政务服务中心（示例）",
    "name_en": "Jiaxiang County Government Service Center (demo)",
    "phone": "0537-6856123",
    "address": "嘉祥县呈祥大道政务服务中心一楼",
    "guide_url": "https://zwfw.example.gov.cn/guide/{code}",
}


@pytest.fixture(scope="module")
def guides() -> list[dict[str, Any]]:
    cfg = load_demo_config()
    return [
        m.model_dump() | {"queue_name": cfg.queue(m.queue).name}  # type: ignore[union-attr]
        for m in cfg.matters
    ]


@pytest.fixture(scope="module")
def many_materials(guides: list[dict[str, Any]]) -> dict[str, Any]:
    return max(guides, key=lambda g: len(g["materials"]))


def _run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                         capture_output=True, text=True, check=True, timeout=30)
    return out.stdout


def layout_text(pdf: bytes, tmp_path: Path) -> str:
    return _run("pdftotext", pdf, tmp_path, "-layout")


def flat(text: str) -> str:
    """Without white space: pdftotext drops or adds spaces between Hanzi and digits."""
    return re.sub(r"\s+", "", text)


def blocks(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """Each text block (a table cell, a paragraph) as its lines, from ``pdftotext -bbox-layout``."""
    root = ET.fromstring(_run("pdftotext", pdf, tmp_path, "-bbox-layout"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    return [
        ["".join(w.text or "" for w in line.iterfind("x:word", ns))
         for line in block.iterfind("x:line", ns)]
        for block in root.iterfind(".//x:block", ns)
    ]


def pages(pdf: bytes, tmp_path: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf, tmp_path), re.MULTILINE)
    assert match
    return int(match.group(1))


def _material(i: int, **extra: Any) -> dict[str, Any]:
    return {"name": f"第{i}项材料" + "（含附件及其说明）" * (i % 3), "form": "原件+复印件",
            "count": 1 + i % 3, "required": i % 4 != 0, "note": "委托代理人办理的" * (i % 2)} | extra


# --- content ---------------------------------------------------------------------------------


def test_names_code_hall_and_page_count(many_materials: dict[str, Any], tmp_path: Path) -> None:
    text = flat(layout_text(notice_pdf(many_materials, HALL, printed_at=PRINTED), tmp_path))
    for expected in (
        "一次性告知单", many_materials["name"], many_materials["code"], HALL["name"],
        "第1页共1页", "咨询电话：0537-6856123", HALL["address"], "告知时间：2026年11月27日14:30",
        "本告知单一次性告知", flat(many_materials["basis"]), "扫码查看在线办事指南",
    ):
        assert expected in text, expected


def test_every_material_name_in_its_own_cell(many_materials: dict[str, Any], tmp_path: Path) -> None:
    cells = blocks(notice_pdf(many_materials, HALL, printed_at=PRINTED), tmp_path)
    joined = ["".join(lines) for lines in cells]
    for material in many_materials["materials"]:
        assert material["name"] in joined, material["name"]
    # the longest name does not fit one line: it wraps inside its cell
    longest = max((m["name"] for m in many_materials["materials"]), key=len)
    assert len(cells[joined.index(longest)]) >= 2
    assert "必需" in joined and "按需" in joined


def test_time_limits_fees_and_visits() -> None:
    guide = {"name": "出生登记", "code": "371707902000", "department": "派出所", "kind": "行政确认",
             "legal_days": 30, "promised_days": 0, "legal_limit_text": "",
             "promised_limit_text": "即办", "fee": "不收费", "visits": 1,
             "materials": [_material(1)]}
    undated = guide | {"legal_days": None, "promised_days": None,
                       "legal_limit_text": "婴儿出生后一个月以内申报", "promised_limit_text": ""}
    text = flat(_text_of(notice_pdf(guide, HALL, printed_at=PRINTED)))
    assert "30个工作日" in text and "即办" in text and "1次" in text and "不收费" in text
    assert text.count("即办") == 1  # the number and the guide's own words are not both shown
    text = _text_of(notice_pdf(undated, HALL, printed_at=PRINTED))
    assert "婴儿出生后一个月以内申报" in text


def _text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                         check=True, timeout=30)
    return out.stdout.decode()


def test_waivable_material_and_markup_in_data(tmp_path: Path) -> None:
    guide = {"name": "A&B <测试> 事项", "code": "371707902000", "fee": "不收费", "visits": 0,
             "materials": [_material(1, note="可容缺受理"), _material(2, name="证明 <原件> & 复印件")]}
    text = layout_text(notice_pdf(guide, {"name": "某大厅"}, printed_at=PRINTED), tmp_path)
    assert "A&B <测试> 事项" in text and "证明 <原件> & 复印件" in text
    assert "容缺" in text and "扫码获取事项编码" in text  # no guide_url: the QR holds the code


def test_english_labels_and_the_halls_english(many_materials: dict[str, Any], tmp_path: Path) -> None:
    text = layout_text(notice_pdf(many_materials, HALL, printed_at=PRINTED, lang="en"), tmp_path)
    for expected in ("One-Time Notification", "1. Materials", "Page 1 of", HALL["name_en"],
                     many_materials["name_en"], "Telephone: 0537-6856123", "Printed: 2026-11-27 14:30"):
        assert expected in text, expected
    assert "一次性告知单" not in text and many_materials["name"] not in text


# --- the PDF itself ----------------------------------------------------------------------------


def test_fonts_are_embedded(many_materials: dict[str, Any], tmp_path: Path) -> None:
    report = _run("pdffonts", notice_pdf(many_materials, HALL, printed_at=PRINTED), tmp_path)
    rows = report.splitlines()[2:]
    assert rows, report
    for row in rows:
        name, *_, emb, _sub, _uni, _obj, _gen = row.split()
        assert emb == "yes", row
        assert "WenQuanYi" in name, row


def test_forty_materials_span_pages(many_materials: dict[str, Any], tmp_path: Path) -> None:
    guide = many_materials | {"materials": [_material(i) for i in range(1, 41)]}
    pdf = notice_pdf(guide, HALL, printed_at=PRINTED)
    total = pages(pdf, tmp_path)
    assert total >= 2
    text = layout_text(pdf, tmp_path)
    assert f"第1页共{total}页" in flat(text) and f"第{total}页共{total}页" in flat(text)
    page_texts = text.split("\f")
    assert "材料名称" in page_texts[1]  # the table header repeats on the next page
    joined = ["".join(lines) for lines in blocks(pdf, tmp_path)]
    for material in guide["materials"]:
        assert material["name"] in joined, material["name"]


def test_same_guide_same_bytes(many_materials: dict[str, Any]) -> None:
    # a retried print job sends the same document
    assert notice_pdf(many_materials, HALL, printed_at=PRINTED) == notice_pdf(
        many_materials, HALL, printed_at=PRINTED
    )


def test_qr_code_reads_back_as_the_guide_url(
    many_materials: dict[str, Any], tmp_path: Path
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    (tmp_path / "notice.pdf").write_bytes(notice_pdf(many_materials, HALL, printed_at=PRINTED))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "notice.pdf"),
                    str(tmp_path / "page")], check=True, timeout=30)
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [code.text for code in found] == [
        f"https://zwfw.example.gov.cn/guide/{many_materials['code']}"
    ]


def test_every_demo_matter_renders(guides: list[dict[str, Any]], tmp_path: Path) -> None:
    assert len(guides) == 35
    for guide in guides:
        pdf = notice_pdf(guide, HALL, printed_at=PRINTED)
        assert pdf.startswith(b"%PDF-")
        assert guide["name"] in _text_of(pdf), guide["name"]
        assert pages(pdf, tmp_path) == 1, guide["code"]  # a citizen takes one sheet away


def test_missing_font_is_a_clear_error(many_materials: dict[str, Any], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-font.ttc"
    with pytest.raises(NoticeFontError, match="no-such-font.ttc.*fonts-wqy-microhei"):
        notice_pdf(many_materials, HALL, printed_at=PRINTED, font_path=missing)
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")
    with pytest.raises(NoticeFontError, match="cannot be used"):
        notice_pdf(many_materials, HALL, printed_at=PRINTED, font_path=broken)


def test_the_material_column_takes_the_width_that_saves_lines() -> None:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    from hall.notices.base import register_font, styles
    from hall.notices.guide import _NAME_WIDTH, _name_width

    cell = styles(register_font(), "en")["cell"]
    long_name = [Paragraph("Manager's and agent's ID and power of attorney", cell)]  # two lines at 63 mm
    short_note = [Paragraph("", cell)]
    room = 104 * mm
    wide = _name_width(long_name, short_note, room)
    assert wide > _NAME_WIDTH  # a long name, no remark: the name gets the room it needs for one line
    assert Paragraph(long_name[0].text, cell).wrap(wide - 8, 1e6)[1] == cell.leading
    narrow = _name_width([Paragraph("ID card", cell)],
                         [Paragraph("Where the applicant is represented, the agent's ID card and a power of "
                                    "attorney signed by the applicant", cell)], room)
    assert narrow < _NAME_WIDTH  # a short name, a long remark: the remark gets the room
    same = _name_width([Paragraph("ID card", cell)], [Paragraph("Original", cell)], room)
    assert same == _NAME_WIDTH  # nothing to gain: the usual width
