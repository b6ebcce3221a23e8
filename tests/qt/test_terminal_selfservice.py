"""自助申报 and 补正 at the terminal, end to end against a real hall process: the ID card on the
SAM reader simulator, the document camera as the desk simulator over HTTP, the receipt on a real
cupsd (cups-pdf) read back, a notice's QR on the scanner simulator. The pages reach the case (the
window's staff list them), the window's 补正材料通知书 lists every missing material, a 补正
handed in sends the case back to its window; nothing stays on the terminal; without a camera
the flow says so and offers the window, without a printer the receipt's QR shows; a page's
corners dragged by touch clean it again, and the frame kept for that goes when the flow ends."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests

from drivers.camera.desk import laid_down
from drivers.camera.simulator import CameraSimulator, encode
from drivers.idcard.simulator import SamSimulator, sample_card
from hall.client import HallClient
from kiosk.roles.terminal.selfservice_flow import (
    CAPTURE,
    CHECKLIST,
    CHOOSE,
    CORNERS,
    DONE,
    PROMPT,
    SIGN,
    STATUS,
)
from tests.api.test_cases import LICENCE  # 申请书, 营业执照 required; 委托书 conditional
from tests.support.cupsd import private_cupsd, unavailable_reason
from tests.support.halls import TOKENS
from tests.support.hallserver import HallServer
from tests.support.pages import self_service_hall
from tests.support.touch import drag

needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")
CARD = sample_card("resident")
A = "/api/v1"


def desk_frames(seed: int = 5) -> list[bytes]:
    return encode(list(laid_down("form", 640, 360, fps=10.0, seed=seed, move=0.5, rest=1.5).frames))


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    yield from self_service_hall(tmp_path)


@pytest.fixture
def desk(hall) -> Iterator[HallClient]:
    with HallClient(hall.base_url, TOKENS["operator"]) as client:
        yield client


@pytest.fixture
def camera() -> Iterator[CameraSimulator]:
    sim = CameraSimulator(desk_frames(), fps=10, hold=0.1).start()
    yield sim
    sim.close()


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[tuple[SamSimulator, str]]:
    sim = SamSimulator()
    port = sim.serve_pty(tmp_path / "idcard")
    yield sim, port.path
    sim.close()


@pytest.fixture
def terminal(make_shell, hall, tmp_path: Path, qtbot):
    def make(devices: dict[str, str], **settings):
        shell = make_shell("kiosk", hall.base_url, TOKENS["kiosk"], devices=devices,
                           device_settings={"kiosk": {"data_dir": str(tmp_path / "kiosk")}, **settings})
        qtbot.waitUntil(lambda: bool(shell.context.hall) and all(shell.context.devices.usable(n) for n in devices
                                                                  if not devices[n].startswith("http://127.0.0.1:9/")),
                        timeout=15000)
        return shell, shell.view

    return make


def sealed(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "kiosk" / "applications").glob("*"))


def staff_get(hall: HallServer, path: str) -> requests.Response:
    return requests.get(hall.base_url + A + path, headers={"Authorization": f"Bearer {TOKENS['operator']}"},
                        timeout=10)


def pdf_text(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def capture_pages(qtbot, page, material: str, n: int) -> None:
    page.checklist.buttons[material].click()
    assert page.views.currentIndex() == CAPTURE and material in page.capture_panel.title.text()
    qtbot.waitUntil(lambda: page.app.pages(material) >= n, timeout=45000)
    page.material_done.click()
    assert page.views.currentIndex() == CHECKLIST


def sign_and_submit(qtbot, page) -> None:
    page.review_button.click()
    assert page.views.currentIndex() == SIGN and not page.submit_button.isEnabled()
    page.pad.stroke([(0.1, 0.6), (0.3, 0.2), (0.5, 0.7), (0.7, 0.3), (0.9, 0.6)])
    assert page.submit_button.isEnabled()
    page.submit_button.click()


@needs_cupsd
def test_an_application_at_the_kiosk_becomes_a_case_with_its_pages_and_a_printed_receipt(
        qtbot, terminal, camera, reader, hall, desk, tmp_path):
    sam, where = reader
    with private_cupsd() as cups:
        shell, view = terminal({"document_camera": camera.url, "a4_printer": cups.url, "idcard": where},
                               a4_printer={"job_timeout": 60, "poll_interval": 0.1})
        view.tiles["apply"].click()
        page = view.current_page()
        assert page.views.currentIndex() == PROMPT and "身份证" in page.prompt.title.text()
        sam.place(CARD)
        qtbot.waitUntil(lambda: page.views.currentIndex() == CHOOSE, timeout=10000)
        choices = [b.objectName() for b in page.choose_box.findChildren(type(page.review_button))]
        assert choices == [f"matter-{LICENCE}"]  # only the matter marked for self-service
        page.choose_box.findChild(type(page.review_button), f"matter-{LICENCE}").click()
        assert page.views.currentIndex() == CHECKLIST
        assert list(page.checklist.buttons) == ["申请书", "营业执照", "委托书"]
        assert not page.review_button.isEnabled()  # nothing captured yet
        page.checklist.buttons["申请书"].click()
        qtbot.waitUntil(lambda: page.app.pages("申请书") >= 2, timeout=45000)
        # no event runs between these lines: the strip shows the pages the application holds
        n = page.app.pages("申请书")
        before = [float(i.mean()) for i in page.app.images("申请书")]
        page.strip.cards[1].findChild(type(page.review_button), "pageEarlier").click()  # page 2 first
        assert [float(i.mean()) for i in page.app.images("申请书")] == [before[1], before[0], *before[2:]]
        page.strip.cards[0].findChild(type(page.review_button), "pageRemove").click()  # and then removed
        assert [float(i.mean()) for i in page.app.images("申请书")] == [before[0], *before[2:]]
        kept = n - 1
        page.material_done.click()
        assert "营业执照" in page.checklist_note.text()  # missing: may go, the window tells it
        assert len(sealed(tmp_path)) == kept
        sign_and_submit(qtbot, page)
        worker = shell.context.devices.get("a4_printer")
        with qtbot.waitSignal(worker.action_finished, timeout=60000) as printed:
            qtbot.waitUntil(lambda: page.views.currentIndex() == DONE, timeout=30000)
        number = page.done_panel.title.text().rsplit(" ", 1)[-1]
        assert sealed(tmp_path) == []  # sent: nothing stays on the terminal
        receipt = cups.queue.output(printed.args[1].job_id)
        assert receipt is not None
        text = pdf_text(receipt.read_bytes(), tmp_path, "receipt")
        assert "自助申报回执" in text and "未提供" in text
        assert "食品经营许可" in text  # (the printed copy's digits come back as glyphs pdftotext cannot read)

    case = staff_get(hall, f"/cases/{number}").json()
    assert case["state"] == "presubmitted" and case["channel"] == "kiosk"
    assert {m["name"]: m["provision"] for m in case["materials"]}["申请书"] == "image"
    assert case["missing"] == ["营业执照"]
    pages = staff_get(hall, f"/cases/{number}/pages").json()["pages"]
    assert [(p["material"], p["pages"]) for p in pages] == [("申请书", kept), ("申请人签名", 1)]
    pdf = staff_get(hall, f"/cases/{number}/pages/{pages[0]['id']}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # the window lists every missing material at once on its 补正材料通知书
    desk.case_action(number, "correction", {"window": "w1"})
    notice = pdf_text(staff_get(hall, f"/cases/{number}/notice").content, tmp_path, "notice")
    assert "补正材料通知书" in notice and "营业执照" in notice
    assert CARD.id_number not in hall.log_text() and CARD.name not in hall.log_text()


def test_a_supplement_found_by_the_notice_qr_goes_back_to_the_window_and_shows_its_receipt_qr(
        qtbot, terminal, camera, reader, hall, desk, scanner, tmp_path):
    sam, where = reader
    body = {"matter": LICENCE, "applicant": {"id_number": CARD.id_number, "name": CARD.name}, "window": "w1",
            "materials": {"申请书": "original"}}
    case = desk.create_case(body)["case"]
    desk.case_action(case["number"], "correction", {"window": "w1", "items": [
        {"material": "申请书", "reason": "未签字"}]})
    shell, view = terminal({"document_camera": camera.url, "idcard": where, "scanner": scanner.where})
    view.tiles["supplement"].click()
    page = view.current_page()
    assert page.views.currentIndex() == PROMPT
    scanner.scan(hall.base_url + case["follow_path"])
    qtbot.waitUntil(lambda: page.views.currentIndex() == CHECKLIST, timeout=10000)
    assert list(page.checklist.buttons) == ["营业执照", "申请书"]  # what the notice listed, in its order
    capture_pages(qtbot, page, "申请书", 1)
    assert not page.review_button.isEnabled() and "营业执照" in page.checklist_note.text()
    capture_pages(qtbot, page, "营业执照", 1)
    assert page.review_button.isEnabled()
    sign_and_submit(qtbot, page)
    qtbot.waitUntil(lambda: page.views.currentIndex() == DONE, timeout=30000)
    assert not page.qr.pixmap().isNull()  # no printer here: the receipt's QR on the screen
    assert sealed(tmp_path) == []
    after = staff_get(hall, f"/cases/{case['number']}").json()
    assert after["state"] == "presubmitted" and after["window"] == "w1" and after["missing"] == []
    assert desk.case_action(case["number"], "accept", {"window": "w1"})["case"]["state"] == "accepted"
    notice = pdf_text(staff_get(hall, f"/cases/{case['number']}/notice").content, tmp_path, "accepted")
    assert "受理通知书" in notice
    page.finish_button.click()
    assert view.at_home()

    # a second 补正, found by the ID card: the card lists the holder's cases waiting for materials
    second = desk.create_case({**body, "materials": {}})["case"]
    desk.case_action(second["number"], "correction", {"window": "w1"})
    view.tiles["supplement"].click()
    page = view.current_page()
    sam.place(CARD)
    qtbot.waitUntil(lambda: page.views.currentIndex() == CHECKLIST, timeout=10000)
    assert page.case["number"] == second["number"]


def applying(qtbot, terminal, camera, reader):
    """A terminal with the camera and the card reader, the card read, the licence matter chosen."""
    sam, where = reader
    shell, view = terminal({"document_camera": camera.url, "idcard": where})
    view.tiles["apply"].click()
    page = view.current_page()
    sam.place(CARD)
    qtbot.waitUntil(lambda: page.views.currentIndex() == CHOOSE, timeout=10000)
    page.choose_box.findChild(type(page.review_button), f"matter-{LICENCE}").click()
    return shell, view, page


def test_the_citizen_drags_a_page_s_corners_and_the_kept_frame_goes_when_the_flow_ends(
        qtbot, terminal, camera, reader, tmp_path):
    shell, view, page = applying(qtbot, terminal, camera, reader)
    page.checklist.buttons["申请书"].click()
    assert page.views.currentIndex() == CAPTURE and not page.corners_button.isVisible()  # nothing yet
    qtbot.waitUntil(lambda: page.app.pages("申请书") >= 1, timeout=45000)
    app, capture = page.app, shell.context.devices.get("document_camera").capture
    n, kept = app.pages("申请书"), app.kept("申请书")
    assert kept is not None and kept.page == n and page.corners_button.isVisible()
    before = app.images("申请书")[-1]
    page.corners_button.click()
    assert page.views.currentIndex() == CORNERS and not capture.armed  # nothing captured meanwhile
    assert np.array_equal(page.corners.quad(), kept.quad)
    inward = kept.quad[2] + (kept.quad[0] - kept.quad[2]) * 0.25
    drag(page.corners.canvas, kept.quad[2], inward)
    moved = page.corners.quad()
    assert np.abs(moved[2] - inward).max() <= 2.0 and np.array_equal(moved[:2], kept.quad[:2])
    page.corners.cancel_button.click()  # 取消: the page as it was
    assert page.views.currentIndex() == CAPTURE and capture.armed
    assert np.array_equal(app.images("申请书")[-1], before) and page.corners.canvas.image is None
    page.corners_button.click()
    assert np.array_equal(page.corners.quad(), kept.quad)  # the outline found, not the cancelled drag
    drag(page.corners.canvas, kept.quad[2], inward)
    page.corners.accept_button.click()  # 确定: the page cleaned again from the dragged corners
    assert page.views.currentIndex() == CAPTURE and app.pages("申请书") == n
    after = app.images("申请书")[-1]
    assert after.shape != before.shape or not np.array_equal(after, before)
    assert np.abs(app.kept("申请书").quad[2] - inward).max() <= 2.0
    assert len(sealed(tmp_path)) == n  # the old page's sealed file is gone
    page.material_done.click()  # another material next: the frame goes
    assert app.last is None and page.views.currentIndex() == CHECKLIST
    page.checklist.buttons["营业执照"].click()
    qtbot.waitUntil(lambda: app.kept("营业执照") is not None, timeout=45000)
    shell.wipe_session()  # the idle timeout's wipe
    assert page.app is None and app.last is None and sealed(tmp_path) == []
    assert page.corners.canvas.image is None


def test_take_it_now_opens_the_newest_frame_with_the_guessed_corners_and_adds_the_page(
        qtbot, terminal, camera, reader, tmp_path):
    shell, view, page = applying(qtbot, terminal, camera, reader)
    page.checklist.buttons["营业执照"].click()
    page.snap_button.click()  # 手动拍摄: the newest frame now, whether a page was found or not
    assert not page.snap_button.isEnabled()
    qtbot.waitUntil(lambda: page.views.currentIndex() == CORNERS, timeout=15000)
    editor = page.corners
    frame = page._snapped.image
    guess = page._snapped.quad
    h, w = frame.shape[:2]
    start = guess if guess is not None else np.array(
        [[w * 0.1, h * 0.1], [w * 0.9, h * 0.1], [w * 0.9, h * 0.9], [w * 0.1, h * 0.9]], np.float32)
    assert np.abs(editor.quad() - start).max() < 1e-3
    inward = start[0] + (start[2] - start[0]) * 0.1
    drag(editor.canvas, start[0], inward)
    n = page.app.pages("营业执照")  # (no event ran since: no capture came between)
    editor.accept_button.click()
    assert page.views.currentIndex() == CAPTURE and page.app.pages("营业执照") == n + 1
    kept = page.app.kept("营业执照")
    assert kept.page == n + 1 and kept.image is frame and np.abs(kept.quad[0] - inward).max() <= 2.0
    assert page._snapped is None and page.snap_button.isEnabled()
    assert len(sealed(tmp_path)) == n + 1
    page.snap_button.click()
    qtbot.waitUntil(lambda: page.views.currentIndex() == CORNERS, timeout=15000)
    editor.cancel_button.click()  # 取消: nothing added
    assert page.views.currentIndex() == CAPTURE and page._snapped is None
    view.go_home()
    assert page.app is None and sealed(tmp_path) == []


def test_without_a_camera_each_flow_says_so_and_offers_the_window(qtbot, terminal, reader):
    _sam, where = reader
    shell, view = terminal({"document_camera": "http://127.0.0.1:9/video.mjpg", "idcard": where})
    for key in ("apply", "supplement"):
        view.tiles[key].click()
        page = view.current_page()
        assert page.views.currentIndex() == STATUS and page.panel.title.text() == "本机暂不能拍摄材料"
        assert page.window_button.isVisible()
        page.window_button.click()
        assert view.current_page() is view.pages["ticket"]
        view.go_home()


def test_the_hall_away_at_submission_says_so_and_a_retry_sends_each_material_once(
        qtbot, terminal, camera, reader, hall):
    shell, view, page = applying(qtbot, terminal, camera, reader)
    capture_pages(qtbot, page, "申请书", 1)
    hall.kill()  # the hall goes away while the citizen signs
    sign_and_submit(qtbot, page)
    qtbot.waitUntil(lambda: page.views.currentIndex() == STATUS, timeout=30000)
    assert page.panel.title.text() == "暂时连不上大厅服务器" and page.retry_button.isVisible()
    assert page.app is not None and page.app.pages("申请书") >= 1  # nothing captured is lost
    hall.restart()
    page.retry_button.click()
    qtbot.waitUntil(lambda: page.views.currentIndex() == DONE, timeout=30000)
    number = page.done_panel.title.text().rsplit(" ", 1)[-1]
    pages = staff_get(hall, f"/cases/{number}/pages").json()["pages"]
    assert sorted(p["material"] for p in pages) == ["申请书", "申请人签名"]  # each once
