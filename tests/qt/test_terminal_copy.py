"""The free copy service (复印) at the terminal: the document camera is the desk simulator over
HTTP, the printer a real cupsd (cups-pdf) whose output is read back. An ID card's front and back
come out on one A4 page; nothing is left in the capture store afterwards; without a camera or a
printer the flow says so and offers a number for the window; 手动拍摄 takes a frame whose corners
the citizen sets, the newest capture's corners dragged by touch clean it again, and its frame
goes with the copy."""
from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.camera.desk import laid_down
from drivers.camera.simulator import CameraSimulator, encode
from kiosk.roles.terminal.copy import CAPTURE, CHOOSE, CORNERS, REVIEW, STATUS
from tests.support.cupsd import private_cupsd, unavailable_reason
from tests.support.halls import TOKENS

needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")
A4_POINTS = "595 x 842"  # pdfinfo's A4, rounded


def desk(kind: str, seed: int = 3) -> list[bytes]:
    return encode(list(laid_down(kind, 640, 360, fps=10.0, seed=seed, move=0.5, rest=1.5).frames))


@pytest.fixture
def camera() -> Iterator[CameraSimulator]:
    sim = CameraSimulator(desk("idcard_front"), fps=10, hold=0.1).start()
    yield sim
    sim.close()


@pytest.fixture
def terminal(make_shell, hall_server, tmp_path: Path, qtbot):
    def make(devices: dict[str, str], **settings):
        shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"], devices=devices,
                           device_settings={"kiosk": {"data_dir": str(tmp_path / "kiosk")}, **settings})
        qtbot.waitUntil(lambda: bool(shell.context.hall), timeout=10000)
        return shell, shell.view

    return make


def open_copy(qtbot, view):
    qtbot.waitUntil(lambda: "copy" in view.tiles, timeout=5000)
    view.tiles["copy"].click()
    return view.current_page()


def sealed(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "kiosk" / "copies").glob("*"))


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


@needs_cupsd
def test_an_id_card_front_and_back_print_on_one_a4_page_and_nothing_stays(qtbot, terminal, camera, tmp_path):
    with private_cupsd() as cups:
        shell, view = terminal({"document_camera": camera.url, "a4_printer": cups.url},
                               a4_printer={"job_timeout": 60, "poll_interval": 0.1})
        qtbot.waitUntil(lambda: shell.context.devices.usable("document_camera")
                        and shell.context.devices.usable("a4_printer"), timeout=15000)
        page = open_copy(qtbot, view)
        assert page.views.currentIndex() == CHOOSE
        page.id_tile.click()
        assert page.views.currentIndex() == CAPTURE and "人像面" in page.capture_panel.title.text()
        qtbot.waitUntil(lambda: "国徽面" in page.capture_panel.title.text(), timeout=30000)
        assert len(sealed(tmp_path)) == 1  # the front, sealed while the back is taken
        camera.frames = desk("idcard_back", seed=4)  # the citizen turns the card over
        qtbot.waitUntil(lambda: page.views.currentIndex() == REVIEW, timeout=30000)
        assert not page.preview.pixmap().isNull() and "1" in page.review_title.text()
        assert len(sealed(tmp_path)) == 2
        worker = shell.context.devices.get("a4_printer")
        with qtbot.waitSignal(worker.action_finished, timeout=60000) as printed:
            page.print_button.click()
            assert sealed(tmp_path) == []  # wiped as soon as the PDF is made
        qtbot.waitUntil(lambda: page.panel.title.text() == "复印件已打印", timeout=5000)
        out = cups.queue.output(printed.args[1].job_id)
        assert out is not None, sorted(cups.queue.out_dir.iterdir())
        info = pdf_info(out)
        assert info["Pages"] == "1" and info["Page size"].startswith(A4_POINTS), info
        assert not shell.context.devices.get("document_camera").capture.armed


@needs_cupsd
def test_a_document_page_is_retaken_leaving_wipes_it_and_a_jammed_printer_sends_to_the_window(qtbot, terminal, camera, tmp_path):
    camera.frames = desk("form", seed=5)
    with private_cupsd() as cups:
        shell, view = terminal({"document_camera": camera.url, "a4_printer": cups.url},
                               a4_printer={"poll_interval": 0.2})
        qtbot.waitUntil(lambda: shell.context.devices.usable("document_camera")
                        and shell.context.devices.usable("a4_printer"), timeout=15000)
        page = open_copy(qtbot, view)
        page.doc_tile.click()
        qtbot.waitUntil(lambda: page.done_button.isVisible(), timeout=30000)  # page 1 taken
        assert "第 2 页" in page.capture_panel.title.text() and len(sealed(tmp_path)) == 1
        page.done_button.click()
        assert page.views.currentIndex() == REVIEW
        page.retake_button.click()  # not happy with it: taken again
        assert page.views.currentIndex() == CAPTURE and sealed(tmp_path) == []
        qtbot.waitUntil(lambda: len(sealed(tmp_path)) == 1, timeout=30000)
        shell.wipe_session()  # the idle timeout's wipe
        assert view.at_home() and sealed(tmp_path) == []
        assert not shell.context.devices.get("document_camera").capture.armed
        page = open_copy(qtbot, view)  # the next citizen; the printer jams before they print
        page.doc_tile.click()
        qtbot.waitUntil(lambda: page.done_button.isVisible(), timeout=30000)
        page.done_button.click()
        cups.admin("cupsdisable", "-r", "卡纸 paper jam", cups.queue.name)
        qtbot.waitUntil(lambda: not shell.context.devices.usable("a4_printer"), timeout=15000)
        page.print_button.click()
        assert page.views.currentIndex() == STATUS and page.panel.title.text() == "本机暂不能打印"
        assert page.window_button.isVisible() and sealed(tmp_path) == []


@needs_cupsd
def test_a_document_page_s_corners_dragged_clean_it_again_and_its_frame_goes_with_the_copy(
        qtbot, terminal, camera, tmp_path):
    import numpy as np

    from tests.support.touch import drag

    camera.frames = desk("form", seed=5)
    with private_cupsd() as cups:
        shell, view = terminal({"document_camera": camera.url, "a4_printer": cups.url})
        qtbot.waitUntil(lambda: shell.context.devices.usable("document_camera")
                        and shell.context.devices.usable("a4_printer"), timeout=15000)
        page = open_copy(qtbot, view)
        page.doc_tile.click()
        page.snap_button.click()  # 手动拍摄: the newest frame, its corners set by hand
        qtbot.waitUntil(lambda: page.views.currentIndex() == CORNERS, timeout=15000)
        job, snapped = page.job, page._snapped.image
        n = job.pages  # (no event ran since: no capture came between)
        page.corners.accept_button.click()
        assert job.pages == n + 1 and job.last[0] is snapped and page._snapped is None
        assert page.views.currentIndex() == CAPTURE and page.done_button.isVisible()
        page.done_button.click()
        assert page.views.currentIndex() == REVIEW and page.corners_button.isVisible()
        frame, quad = job.last
        before = job.images()[-1]
        page.corners_button.click()
        assert page.views.currentIndex() == CORNERS and np.array_equal(page.corners.quad(), quad)
        inward = quad[1] + (quad[3] - quad[1]) * 0.2
        drag(page.corners.canvas, quad[1], inward)
        page.corners.cancel_button.click()  # 取消: the copy as it was
        assert page.views.currentIndex() == REVIEW and np.array_equal(job.images()[-1], before)
        page.corners_button.click()
        drag(page.corners.canvas, quad[1], inward)
        page.corners.accept_button.click()
        assert page.views.currentIndex() == REVIEW and job.pages == n + 1 and len(sealed(tmp_path)) == n + 1
        after = job.images()[-1]
        assert after.shape != before.shape or not np.array_equal(after, before)
        assert np.abs(job.last[1][1] - inward).max() <= 2.0 and job.last[0] is frame
        shell.wipe_session()  # the idle timeout's wipe
        assert page.job is None and job.last is None and sealed(tmp_path) == []
        assert page.corners.canvas.image is None


def test_without_a_camera_the_flow_says_so_and_offers_the_window(qtbot, terminal):
    shell, view = terminal({"document_camera": "http://127.0.0.1:9/video.mjpg"})  # nothing answers there
    page = open_copy(qtbot, view)
    assert page.views.currentIndex() == STATUS and page.panel.title.text() == "本机暂不能复印"
    assert page.window_button.isVisible()
    page.window_button.click()
    assert view.current_page() is view.pages["ticket"]


def test_without_a_printer_the_flow_says_so(qtbot, terminal, camera):
    shell, view = terminal({"document_camera": camera.url})
    qtbot.waitUntil(lambda: shell.context.devices.usable("document_camera"), timeout=15000)
    page = open_copy(qtbot, view)
    assert page.views.currentIndex() == STATUS and page.panel.title.text() == "本机暂不能打印"
    assert page.window_button.isVisible()


def test_a_terminal_without_a_document_camera_shows_no_copy_tile(qtbot, terminal):
    _shell, view = terminal({})
    assert "copy" not in view.tiles and "ticket" in view.tiles
