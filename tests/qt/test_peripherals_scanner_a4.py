"""The screens' code readers and A4 printer as device workers: the serial scanner on its simulator
over a real pty, the camera on a video file, the HID mode chosen by its URL; the A4 printer on a
private cupsd with a cups-pdf queue, printing once per key."""
from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from drivers.ptys import PtyPort
from drivers.scanner.codec import LineConfig
from drivers.scanner.simulator import ScannerSimulator
from drivers.status import State
from kiosk.devices import DeviceHub
from kiosk.peripherals import a4, scanner
from tests.support.cupsd import pdftotext, private_cupsd, unavailable_reason

URL = "https://hall.example/t/20261127-A001.ABCDEFGH23"
CHINESE = "预约签到 QR7K2M9PX4"
needs_cupsd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")


@pytest.fixture
def hub() -> Iterator[DeviceHub]:
    devices = DeviceHub()
    yield devices
    devices.stop_all()


def test_the_scanner_worker_emits_each_code_and_never_logs_it(qtbot, hub, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sim = ScannerSimulator(PtyPort(tmp_path / "scanner"), LineConfig(suffix="crlf"))
    try:
        worker = hub.add(scanner.worker("scanner", sim.where, {"suffix": "crlf"}))
        qtbot.waitUntil(lambda: hub.states["scanner"].state is State.READY, timeout=5000)
        for text in (URL, CHINESE):
            with qtbot.waitSignal(worker.watched, timeout=5000) as seen:
                sim.scan(text)
            assert seen.args == [text]
        with qtbot.waitSignal(worker.rejected, timeout=5000) as rejected:
            sim.send(b"\xff\xfe\xfa\r\n")  # not UTF-8: reported, never guessed
        assert "QR7K2M9PX4" not in rejected.args[0]
    finally:
        sim.close()
    assert URL not in caplog.text and "QR7K2M9PX4" not in caplog.text


def test_a_url_under_dev_input_is_a_hid_scanner(hub):
    from drivers.scanner.hid import HidScanner
    from drivers.scanner.serial_scanner import SerialScanner

    assert isinstance(scanner.worker("scanner", "/dev/input/by-id/no-such-scanner", {}).scanner, HidScanner)
    assert isinstance(scanner.worker("scanner", "/dev/ttyACM9", {}).scanner, SerialScanner)
    assert isinstance(scanner.worker("scanner", "/dev/ttyACM9", {"mode": "hid"}).scanner, HidScanner)


def test_the_camera_reads_codes_from_its_frames(qtbot, hub, tmp_path):
    cv2 = pytest.importorskip("cv2")
    import numpy as np
    import segno

    from drivers.camera.scanner import CameraScanner

    buf = io.BytesIO()
    segno.make_qr(URL, error="m").save(buf, kind="png", scale=6, border=4)
    code = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    frame = np.full((480, 640, 3), 200, np.uint8)
    y, x = (480 - code.shape[0]) // 2, (640 - code.shape[1]) // 2
    frame[y:y + code.shape[0], x:x + code.shape[1]] = code
    video = tmp_path / "codes.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for _ in range(10):
        writer.write(frame)
    writer.release()
    worker = scanner.worker("camera", str(video), {"formats": "QRCode"})
    assert isinstance(worker.scanner, CameraScanner)
    hub.add(worker)
    with qtbot.waitSignal(worker.watched, timeout=15000) as seen:
        pass
    assert seen.args == [URL]


def chinese_pdf() -> bytes:
    from hall.notices.guide import notice_pdf

    guide = {"code": "000131128000", "name": "个体工商户设立登记", "department": "县行政审批服务局",
             "kind": "行政许可", "fee": "不收费", "visits": 1, "promised_days": 0,
             "materials": [{"name": "登记申请书", "form": "原件", "count": 1, "required": True}]}
    import datetime as dt

    return notice_pdf(guide, {"name": "测试政务服务中心"}, printed_at=dt.datetime(2026, 11, 27, 9, 30))


@pytest.fixture(scope="module")
def cups():
    with private_cupsd() as server:
        yield server


@needs_cupsd
def test_the_a4_printer_prints_a_pdf_once_per_key(qtbot, hub, cups):
    cups.restore()
    worker = hub.add(a4.worker("a4_printer", cups.url, {"job_timeout": 60, "poll_interval": 0.1}))
    qtbot.waitUntil(lambda: hub.states["a4_printer"].state is State.READY, timeout=10000)
    pdf = chinese_pdf()
    with qtbot.waitSignal(worker.action_finished, timeout=60000) as first:
        worker.act("notice-1", a4.print_pdf(pdf, title="一次性告知单", key="notice-000131128000-1"))
    name, result = first.args
    assert name == "notice-1" and result.ok
    with qtbot.waitSignal(worker.action_finished, timeout=60000) as again:
        worker.act("notice-1", a4.print_pdf(pdf, title="一次性告知单", key="notice-000131128000-1"))
    assert again.args[1].job_id == result.job_id  # a retry follows the job, it does not print twice
    assert len(list(cups.queue.out_dir.glob(f"*job_{result.job_id}.pdf"))) == 1
    assert "个体工商户设立登记" in pdftotext(cups.queue.output(result.job_id))


@needs_cupsd
def test_a_stopped_a4_printer_shows_a_fault_and_a_print_fails_calmly(qtbot, hub, cups):
    cups.restore()
    worker = hub.add(a4.worker("a4_printer", cups.url, {"status_interval": 0.2}))
    qtbot.waitUntil(lambda: hub.states["a4_printer"].state is State.READY, timeout=10000)
    cups.admin("cupsdisable", "-r", "卡纸 paper jam", cups.queue.name)
    try:
        qtbot.waitUntil(lambda: hub.states["a4_printer"].state is State.ERROR, timeout=10000)
        assert "paper jam" in hub.states["a4_printer"].reason
        with qtbot.waitSignal(worker.action_failed, timeout=20000) as failed:
            worker.act("notice-2", a4.print_pdf(chinese_pdf(), title="t", key="notice-2"))
        assert "stopped" in failed.args[1].message
    finally:
        cups.restore()
    qtbot.waitUntil(lambda: hub.states["a4_printer"].state is State.READY, timeout=10000)


def test_a_malformed_a4_url_is_refused_at_once():
    with pytest.raises(ValueError, match="not a CUPS printer URL"):
        a4.worker("a4_printer", "http://printer.example/", {})



