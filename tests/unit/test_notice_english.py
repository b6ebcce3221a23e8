"""The English 一次性告知单: every value in the hall's English, the Chinese only where it gave none.

Read back as a print server would, with poppler's pdftotext. The sample hall has English for
every text (`config check` finds no gap), so its English notices carry no Hanzi at all; a matter
with one English field taken away shows that one Chinese value and nothing else in Chinese.
"""

from __future__ import annotations

import copy
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hall.api.about import describe_hall
from hall.config import load_demo_config
from hall.config_english import english_gaps
from hall.notices.guide import notice_pdf
from tests.unit.test_notice import _run, layout_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")

PRINTED = datetime(2026, 11, 27, 14, 30)
HAN = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uff60]+")  # Hanzi, CJK punctuation


@pytest.fixture(scope="module")
def sample() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The sample hall's guides as the hall serves them, and the hall as a kiosk is told it."""
    cfg = load_demo_config()
    assert english_gaps(cfg) == []  # the premise: the sample hall gives English for every text
    queues = {q.id: q for q in cfg.queues}
    guides = [m.model_dump() | {"queue_name": queues[m.queue].name, "queue_name_en": queues[m.queue].name_en}
              for m in cfg.matters]
    return guides, describe_hall(cfg)


def words(text: str) -> str:
    """`text` with its white space as single spaces (pdftotext lays the page out with runs)."""
    return " ".join(text.split())


def cells(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """Each left-aligned paragraph (a table cell's, a line of the body) as its lines, each line's
    words joined by one space: the lines of ``pdftotext -bbox-layout`` that start at the same x,
    each one line's pitch below the last. (Its blocks are not cells: a line that fills its cell
    may be put in one block with the next cell's.)"""
    root = ET.fromstring(_run("pdftotext", pdf, tmp_path, "-bbox-layout"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    lines = sorted((page, round(float(line.get("xMin", 0)), 1), float(line.get("yMin", 0)),
                    " ".join(w.text or "" for w in line.iterfind("x:word", ns)))
                   for page, at in enumerate(root.iterfind(".//x:page", ns))
                   for line in at.iterfind(".//x:line", ns))
    found: list[list[str]] = []
    last: tuple[int, float, float] | None = None
    for page, x, y, text in lines:
        if last is not None and (page, x) == last[:2] and 0 < y - last[2] <= LINE_PITCH:
            found[-1].append(text)
        else:
            found.append([text])
        last = (page, x, y)
    return found


LINE_PITCH = 16.5  # a paragraph's line pitch at most (points); table rows are further apart


def many_materials(guides: list[dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(max(guides, key=lambda g: len(g["materials"])))


def english(guide: dict[str, Any], hall: dict[str, Any]) -> bytes:
    return notice_pdf(guide, hall, printed_at=PRINTED, lang="en")


# --- the sample hall: English all the way -------------------------------------------------------


def test_every_sample_matter_is_english_all_the_way(sample, tmp_path: Path) -> None:
    guides, hall = sample
    assert len(guides) == 35
    for guide in guides:
        pdf = english(guide, hall)
        text = layout_text(pdf, tmp_path)
        assert HAN.findall(text) == [], (guide["code"], HAN.findall(text))
        assert text.count("\f") == 1, (guide["code"], "a second page")  # one sheet, as the Chinese one
        joined = [" ".join(lines) for lines in cells(pdf, tmp_path)]  # each cell, each paragraph
        flat = " ".join(joined)
        for key in ("name_en", "department_en", "queue_name_en", "conditions_en", "fee_en"):
            assert not guide[key] or words(guide[key]) in joined, (guide["code"], key)
        for material in guide["materials"]:  # each in its own cell, wrapped between words
            assert material["name_en"] in joined, (guide["code"], material["name_en"])
    for key in ("name_en", "phone_en", "address_en", "hours_en"):
        assert words(hall[key]) in flat, key


def test_materials_forms_needs_and_remarks_in_english(sample, tmp_path: Path) -> None:
    guides, hall = sample
    guide = many_materials(guides)
    materials = guide["materials"]
    assert {m["form"] for m in materials} == {"原件", "原件+复印件"}
    assert {m["required"] for m in materials} == {True, False}
    pdf = english(guide, hall)
    joined = [" ".join(lines) for lines in cells(pdf, tmp_path)]
    both = sum(m["form"] == "原件+复印件" for m in materials)
    assert joined.count("Original and copy") == both and joined.count("Original") == len(materials) - both
    needed = sum(m["required"] for m in materials)
    assert joined.count("Required") == needed and joined.count("If needed") == len(materials) - needed
    for note in (m["note_en"] for m in materials if m["note_en"]):
        assert note in joined, note
    assert "Administrative licensing" in joined  # the matter's kind, a fixed term of the catalogue


def test_time_limits_steps_basis_and_notes_in_english(sample, tmp_path: Path) -> None:
    guides, hall = sample
    steps = next(g for g in guides if g["code"] == "371107902000")  # ten short steps: one line of arrows
    text = words(layout_text(english(steps, hall), tmp_path))
    assert " → ".join(steps["steps_en"]) in text
    assert words(steps["basis_en"]) in text
    long_steps = next(g for g in guides if g["code"] == "371804901000")  # long steps: numbered lines
    text = words(layout_text(english(long_steps, hall), tmp_path))
    assert all(f"{i}. {step}" in text for i, step in enumerate(long_steps["steps_en"], 1))
    # the guide's own time-limit words beneath the number, when the Chinese says more than it
    property_sale = next(g for g in guides if g["code"] == "371107901000")
    text = words(layout_text(english(property_sale, hall), tmp_path))
    assert "30 working days" in text and words(property_sale["legal_limit_text_en"]) in text
    assert "7 working days" in text and "Ji'an example" in text
    same_day = next(g for g in guides if g["code"] == "000131128000")  # 即办: "On the spot" once
    text = words(layout_text(english(same_day, hall), tmp_path))
    assert same_day["promised_limit_text"] == "即办" and text.count("On the spot") == 1
    noted = next(g for g in guides if g["notes_en"])
    assert words(noted["notes_en"]) in words(layout_text(english(noted, hall), tmp_path))


def _unwrapped(lines: list[str]) -> str:
    """The lines of a cell as one text, if each line broke at a space or after a hyphen."""
    return "".join(line if line.endswith("-") else line + " " for line in lines).strip()


def test_english_wraps_between_words(sample, tmp_path: Path) -> None:
    guides, hall = sample
    guide = many_materials(guides)
    long_name = ("Certificate of the applicant's registered business premises together with the "
                 "landlord's written consent to the intended use")
    long_note = "For a non-resident applicant: the power-of-attorney-and-identity-verification-record"
    guide["materials"][0] |= {"name_en": long_name, "note_en": long_note}
    blocks = cells(english(guide, hall), tmp_path)
    for text in (long_name, long_note):  # each wraps in its cell, at spaces and hyphens only
        lines = next(b for b in blocks if "".join(b).replace(" ", "") == text.replace(" ", ""))
        assert len(lines) >= 2 and _unwrapped(lines) == text, lines


# --- a value without English: that one value in Chinese, the rest English ------------------------


def test_a_missing_english_value_is_the_only_chinese(sample, tmp_path: Path) -> None:
    guides, hall = sample
    guide = many_materials(guides)
    material = guide["materials"][3]
    material["name_en"] = ""
    pdf = english(guide, hall)
    text = layout_text(pdf, tmp_path)
    assert "".join(HAN.findall(text)) == "".join(HAN.findall(material["name"]))
    blocks = [" ".join(b) for b in cells(pdf, tmp_path)]
    assert "".join(material["name"].split()) in ["".join(b.split()) for b in blocks]  # whole, in its cell
    for other in guide["materials"]:
        if other is not material:
            assert other["name_en"] in blocks, other["name_en"]
    assert words(guide["name_en"]) in words(text) and words(guide["department_en"]) in words(text)


def test_a_missing_department_and_hall_address_stay_chinese_alone(sample, tmp_path: Path) -> None:
    guides, hall = sample
    guide = many_materials(guides) | {"department_en": ""}
    text = layout_text(english(guide, hall | {"address_en": ""}), tmp_path)
    chinese = "".join(HAN.findall(text))
    assert chinese == "".join(HAN.findall(guide["department"] + hall["address"]))
    assert words(guide["name_en"]) in words(text) and words(hall["hours_en"]) in words(text)


# --- the Chinese notice is the Chinese notice -----------------------------------------------------


def test_the_chinese_notice_ignores_the_english(sample, tmp_path: Path) -> None:
    guides, hall = sample
    guide = many_materials(guides)
    plain_guide = {k: v for k, v in guide.items() if not k.endswith("_en")}
    plain_guide["materials"] = [{k: v for k, v in m.items() if not k.endswith("_en")}
                                for m in guide["materials"]]
    plain_hall = {k: v for k, v in hall.items() if not k.endswith("_en")}
    chinese = notice_pdf(guide, hall, printed_at=PRINTED)
    assert chinese == notice_pdf(plain_guide, plain_hall, printed_at=PRINTED)
    text = words(layout_text(chinese, tmp_path))
    assert guide["name"] in text and "一次性告知单" in text and "原件+复印件" in text
    assert guide["name_en"] not in text and "Original" not in text
