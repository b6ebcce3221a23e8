"""A self-service application (自助申报) put together at the kiosk: the matter's checklist from
the hall's guide, pages captured per material from the desk scenes, taken again and removed,
a PDF per material, and the case it makes submitted to a real hall process for 预审 (channel
kiosk). Nothing is left in the capture store after `wipe()`."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.camera.desk import laid_down
from ground.privacy import id_check_digit
from hall.client import HallClient
from kiosk.models.terminal.application import Application, checklist
from tests.api.test_cases import LICENCE  # two required materials, one conditional
from tests.support.halls import TOKENS
from tests.support.hallserver import HallServer
from tests.support.pages import self_service_hall

BODY = "11010519491231002"
ID_NUMBER = BODY + id_check_digit(BODY)


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    yield from self_service_hall(tmp_path)


@pytest.fixture(scope="module")
def form():
    script = laid_down("form", 960, 540, fps=10.0, seed=5, move=0.5, rest=0.5, straighten=False)
    return script.frames[-1], script.corners[-1]


def test_pages_per_material_a_pdf_each_and_a_case_in_presubmission(hall, form, tmp_path):
    with HallClient(hall.base_url, TOKENS["kiosk"]) as client:
        app = Application(client.guide(LICENCE), tmp_path / "apply")
        assert [(m.name, m.required) for m in app.materials] == [("申请书", True), ("营业执照", True),
                                                                 ("委托书", False)]
        first, second = "申请书", "营业执照"
        assert app.missing()[0].name == first
        assert app.add(first, *form) == 1 and app.add(first, *form) == 2 and app.add(first, *form) == 3
        assert app.delete(first, 2) == 2 and app.retake(first) == 1
        assert len(list((tmp_path / "apply").glob("*.sealed"))) == 1
        pdf_path = tmp_path / "first.pdf"
        pdf_path.write_bytes(app.material_pdf(first))
        info = subprocess.run(["pdfinfo", str(pdf_path)], capture_output=True, text=True, check=True).stdout
        assert "Pages:           1" in info and "(A4)" in info
        assert second in [m.name for m in app.missing()]
        body = app.case_body(ID_NUMBER)
        case = client.create_case(body)["case"]
        assert case["state"] == "presubmitted", case
        assert case["channel"] == "kiosk" and case["window"] is None
        assert second in case["missing"] and first not in case["missing"]
        assert app.wipe() == 1 and list((tmp_path / "apply").glob("*")) == []


def test_a_material_not_on_the_checklist_and_a_page_that_is_not_there_are_refused(form, tmp_path):
    guide = {"code": LICENCE, "materials": [{"name": "申请书", "form": "原件", "count": 1}]}
    app = Application(guide, tmp_path / "apply")
    with pytest.raises(ValueError, match="not a material"):
        app.add("营业执照", *form)
    with pytest.raises(ValueError, match="no page 1"):
        app.delete("申请书", 1)
    with pytest.raises(ValueError, match="lists no materials"):
        checklist({"code": "x", "materials": []})


def signature_png(strokes: bool = True) -> bytes:
    import cv2
    import numpy as np

    canvas = np.full((300, 900), 255, np.uint8)
    if strokes:
        cv2.polylines(canvas, [np.array([[60, 200], [200, 80], [340, 220], [520, 90], [760, 210]])], False, 0, 6)
    return cv2.imencode(".png", canvas)[1].tobytes()


def test_pages_reordered_a_signature_and_every_upload_reaches_the_hall(hall, form, tmp_path):
    import cv2

    with HallClient(hall.base_url, TOKENS["kiosk"]) as client:
        app = Application(client.guide(LICENCE), tmp_path / "apply")
        dark = (form[0] // 3).astype(form[0].dtype)  # a second page, darker, to tell the two apart
        app.add("申请书", *form)
        app.add("申请书", dark, form[1])
        before = [float(i.mean()) for i in app.images("申请书")]
        app.move("申请书", 2, 1)
        assert [float(i.mean()) for i in app.images("申请书")] == before[::-1]
        with pytest.raises(ValueError, match="pages 1 to 2"):
            app.move("申请书", 3, 1)
        with pytest.raises(ValueError, match="empty"):
            app.sign(signature_png(strokes=False))
        app.sign(signature_png())
        app.sign(signature_png())  # signed again: the earlier one goes
        assert app.signed and len(list((tmp_path / "apply").glob("*.sealed"))) == 3
        assert cv2.countNonZero(255 - app.signature_image()) > 0
        uploads = app.uploads()
        assert [name for name, _ in uploads] == ["申请书", "申请人签名"]
        number = client.create_case(app.case_body(ID_NUMBER))["case"]["number"]
        answers = [client.upload_case_pages(number, material, pdf)["pages"] for material, pdf in uploads]
        assert [(a["material"], a["pages"], a["bytes"]) for a in answers] == [
            ("申请书", 2, len(uploads[0][1])), ("申请人签名", 1, len(uploads[1][1]))]
        assert app.wipe() == 3 and not app.signed


def test_an_english_screen_names_the_materials_in_the_halls_english(tmp_path):
    """The checklist keeps the hall's Chinese names as keys (the pages, the case, the upload) and
    shows the hall's English on an English screen, the Chinese where the hall gave none; a 补正
    carries the English the hall's answer gives each item."""
    from kiosk.models.terminal.application import for_correction
    from kiosk.models.terminal.samples import sample_case

    guide = {"code": "M1", "materials": [{"name": "申请书", "name_en": "Application form"}, {"name": "营业执照"}]}
    app = Application(guide, tmp_path / "pages")
    try:
        assert [m.name for m in app.materials] == ["申请书", "营业执照"]
        assert [m.shown("en") for m in app.materials] == ["Application form", "营业执照"]
        assert [m.shown("zh") for m in app.materials] == ["申请书", "营业执照"]
        assert app.shown("申请书", "en") == "Application form" and app.shown("不在清单上", "en") == "不在清单上"
    finally:
        app.wipe()
    case = sample_case("correction")
    [item] = case["correction"]["items"]
    [material] = checklist(for_correction(case))
    assert (material.name, material.shown("en")) == (item["material"], item["material_en"]) and item["material_en"]
