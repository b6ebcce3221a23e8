"""Scanners against their simulators: the serial scanner on a real pty (and once over TCP and once
through `sim_main` in its own process), and the camera on a generated video file and on the MJPEG
camera simulator. Tests marked `hardware` need a real device named in an environment variable."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno

from drivers import camera, scanner
from drivers.camera.capture import Capture
from drivers.camera.scanner import CameraScanner
from drivers.camera.simulator import CameraSimulator, load_frames
from drivers.errors import DeviceUnavailable
from drivers.ptys import PtyPort
from drivers.scanner import HidScanner, LineConfig, Rejected, Scan, SerialScanner
from drivers.scanner.simulator import ScannerSimulator
from drivers.status import DeviceStatus, State

REPO = Path(__file__).resolve().parents[2]
URL = "https://hall.example/t/20261127-A001"
CHINESE = "北京市东城区政务服务中心 A001"


@dataclass
class Rig:
    port: PtyPort
    sim: ScannerSimulator
    scanner: SerialScanner
    statuses: list[DeviceStatus]
    rejected: list[Rejected]


def make_rig(tmp_path: Path, config: LineConfig, aim: str = "", **kw) -> Rig:
    port = PtyPort(tmp_path / "yiciban-scanner")
    statuses: list[DeviceStatus] = []
    rejected: list[Rejected] = []
    sim = ScannerSimulator(port, config, aim=aim)
    sc = SerialScanner(port.path, config, backoff=(0.02, 0.1), on_status=statuses.append,
                       on_rejected=rejected.append, **kw)
    assert sc.connect(), sc.status  # the port flushes its input on open: connect before scanning
    return Rig(port, sim, sc, statuses, rejected)


@pytest.fixture
def rigs(tmp_path) -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for rig in made:
        rig.scanner.close()
        rig.sim.close()


@pytest.fixture
def rig(tmp_path, rigs) -> Rig:
    rigs.append(make_rig(tmp_path, LineConfig()))
    return rigs[-1]


def read_all(sc, n: int, timeout: float = 3.0) -> list[Scan]:
    out, deadline = [], time.monotonic() + timeout
    while len(out) < n and time.monotonic() < deadline:
        scan = sc.read(deadline - time.monotonic())
        if scan is not None:
            out.append(scan)
    return out


# -- serial line mode


def test_lines_are_delivered_in_order(rig):
    rig.sim.scan(URL)
    rig.sim.scan(CHINESE)
    scans = read_all(rig.scanner, 2)
    assert [(s.text, s.raw) for s in scans] == [(URL, URL.encode()), (CHINESE, CHINESE.encode())]
    assert rig.scanner.status.state is State.READY
    assert rig.scanner.read(0.1) is None


def test_gbk_scanner_with_crlf(tmp_path, rigs):
    rigs.append(rig := make_rig(tmp_path, LineConfig(encoding="gbk", suffix="crlf")))
    sent = rig.sim.scan(CHINESE)
    assert sent == CHINESE.encode("gbk") + b"\r\n"
    [scan] = read_all(rig.scanner, 1)
    assert scan.text == CHINESE and scan.raw == CHINESE.encode("gbk")


def test_aim_identifiers_and_tab_suffix(tmp_path, rigs):
    rigs.append(rig := make_rig(tmp_path, LineConfig(suffix="tab", aim=True), aim="]Q1"))
    rig.sim.scan(URL)
    rig.sim.scan("6901234567892", aim="]E0")
    scans = read_all(rig.scanner, 2)
    assert [(s.text, s.symbology, s.aim) for s in scans] == [
        (URL, "QRCode", "]Q1"),
        ("6901234567892", "EAN13", "]E0"),
    ]


def test_a_line_arriving_in_pieces_is_one_scan(rig):
    data = URL.encode() + b"\r"
    got = []
    for i in range(0, len(data), 5):
        rig.sim.send(data[i : i + 5])
        got.append(rig.scanner.read(0.01))  # the driver reads each piece as it comes
    if not any(got):
        got += read_all(rig.scanner, 1, timeout=1)
    assert [s.text for s in got if s is not None] == [URL]


def test_without_suffix_a_pause_ends_the_line(tmp_path, rigs):
    rigs.append(rig := make_rig(tmp_path, LineConfig(suffix="none"), idle_flush=0.1))
    rig.sim.scan("A001")
    [scan] = read_all(rig.scanner, 1)
    assert scan.text == "A001"


def test_bad_lines_are_rejected_and_reading_goes_on(tmp_path, rigs):
    rigs.append(rig := make_rig(tmp_path, LineConfig(max_length=64), stale_after=0.2))
    rig.sim.send(b"x" * 100 + b"\r")
    rig.sim.send("中文".encode("gbk") + b"\r")
    rig.sim.scan("A002")
    rig.sim.send(b"no suffix")
    assert [s.text for s in read_all(rig.scanner, 1)] == ["A002"]
    assert rig.scanner.read(0.5) is None
    assert [r.reason.split(";")[0] for r in rig.rejected] == [
        "line longer than 64 bytes",
        "not valid utf-8 at byte 0 (invalid continuation byte)",
        "no cr suffix within 0.2 s",
    ]
    assert rig.scanner.rejected == 3


def test_unplug_and_replug(rig):
    rig.sim.scan("A001")
    assert read_all(rig.scanner, 1)[0].text == "A001"
    rig.sim.unplug()
    assert rig.scanner.read(0.3) is None
    assert rig.scanner.status.state is State.DISCONNECTED
    rig.sim.replug()
    deadline = time.monotonic() + 3
    while not rig.scanner.connected and time.monotonic() < deadline:
        rig.scanner.read(0.05)
    assert rig.scanner.status.state is State.READY
    rig.sim.scan("A002")
    assert read_all(rig.scanner, 1)[0].text == "A002"
    states = [s.state for s in rig.statuses]
    assert states[:2] == [State.CONNECTING, State.READY]
    assert State.DISCONNECTED in states and states[-1] is State.READY


def test_scans_iterate_on_a_worker_until_stopped(rig):
    got: list[Scan] = []
    stop = threading.Event()
    worker = threading.Thread(target=rig.scanner.run, args=(got.append, stop), name="scanner-test")
    worker.start()
    for text in ("A001", "A002", "A003"):
        rig.sim.scan(text)
    deadline = time.monotonic() + 3
    while len(got) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    worker.join(2)
    assert not worker.is_alive()
    assert [s.text for s in got] == ["A001", "A002", "A003"]


def test_over_tcp():
    sim = ScannerSimulator(config=LineConfig(encoding="gbk"), tcp=("127.0.0.1", 0))
    sc = SerialScanner(sim.where, LineConfig(encoding="gbk"))
    try:
        assert sim.where.startswith("socket://127.0.0.1:")
        assert sc.connect()
        deadline = time.monotonic() + 2
        while not sim._clients and time.monotonic() < deadline:
            time.sleep(0.01)
        sim.scan(CHINESE)
        assert read_all(sc, 1)[0].text == CHINESE
    finally:
        sc.close()
        sim.close()


def test_sim_main_serves_stdin_lines_on_a_pty(tmp_path):
    link = tmp_path / "yiciban-scanner"
    proc = subprocess.Popen(
        [sys.executable, "-m", "drivers.scanner.simulator", "--pty", "--link", str(link),
         "--encoding", "gbk"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
    )
    try:
        assert proc.stdout.readline().strip() == f"listening {link}"
        sc = SerialScanner(str(link), LineConfig(encoding="gbk"))
        assert sc.connect()
        proc.stdin.write(f"{CHINESE}\n:hex 41303032 0d\n")
        proc.stdin.flush()
        assert [s.text for s in read_all(sc, 2)] == [CHINESE, "A002"]
        sc.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_doctor_and_open_scanner(rig, tmp_path):
    report = scanner.doctor(rig.port.path, {"encoding": "gbk"}, 1.0)
    assert report["state"] == "ready"
    assert report["details"]["encoding"] == "gbk" and report["details"]["mode"] == "serial"
    missing = scanner.doctor(str(tmp_path / "none"), {}, 1.0)
    assert missing["state"] == "disconnected" and "cannot open" in missing["reason"]
    assert scanner.doctor(rig.port.path, {"suffix": "semicolon"})["state"] == "error"
    assert scanner.doctor("/dev/input/by-id/no-such-scanner-event-kbd")["state"] == "disconnected"
    assert isinstance(scanner.open_scanner(rig.port.path, {"suffix": "crlf"}), SerialScanner)
    assert isinstance(scanner.open_scanner("/dev/input/event3"), HidScanner)
    with pytest.raises(ValueError, match="mode"):
        scanner.open_scanner("/dev/ttyACM0", {"mode": "bluetooth"})


# -- camera


def qr_frame(text: str, size=(480, 640)) -> np.ndarray:
    buf = io.BytesIO()
    segno.make_qr(text, encoding="utf-8", eci=True).save(buf, kind="png", scale=6, border=4)
    code = cv2.imdecode(np.frombuffer(buf.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    frame = np.full((*size, 3), 200, np.uint8)
    y, x = (size[0] - code.shape[0]) // 2, (size[1] - code.shape[1]) // 2
    frame[y : y + code.shape[0], x : x + code.shape[1]] = code
    return frame


@pytest.fixture(scope="module")
def video(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "codes.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    blank = np.full((480, 640, 3), 200, np.uint8)
    for frame in [blank] * 3 + [qr_frame(URL)] * 6 + [blank] * 3 + [qr_frame(CHINESE)] * 6 + [blank] * 2:
        writer.write(frame)
    writer.release()
    return path


def test_capture_reads_every_frame_of_a_file_then_ends(video):
    with Capture(str(video)) as cap:
        assert cap.info()["width"] == 640 and not cap.live
        frames = list(cap.frames())
        assert [f.index for f in frames] == list(range(20))
        assert frames[0].image.shape == (480, 640, 3)
        with pytest.raises(DeviceUnavailable, match="end of video"):
            cap.read()
    with Capture(str(video), loop=True) as cap:
        assert [cap.read().index for _ in range(25)] == list(range(25))


def test_nothing_to_open_is_unavailable(tmp_path):
    for source in (str(tmp_path / "none.avi"), 9, "9"):
        with pytest.raises(DeviceUnavailable, match="cannot open"):
            Capture(source, open_timeout=1).open()
    assert camera.doctor(str(tmp_path / "none.avi"), {}, 1.0)["state"] == "disconnected"


def test_the_camera_scanner_delivers_each_code_once(video):
    sc = CameraScanner(str(video), repeat_after=60)
    try:
        scans = read_all(sc, 2, timeout=5)
        assert [(s.text, s.symbology) for s in scans] == [(URL, "QRCode"), (CHINESE, "QRCode")]
        assert sc.read(0.3) is None  # the video reopens, but the same codes are not new
    finally:
        sc.close()


@pytest.fixture(scope="module")
def camera_sim(tmp_path_factory) -> Iterator[CameraSimulator]:
    folder = tmp_path_factory.mktemp("frames")
    cv2.imwrite(str(folder / "a.png"), qr_frame(URL))
    cv2.imwrite(str(folder / "b.jpg"), np.full((240, 320, 3), 90, np.uint8))  # letterboxed to 640x480
    sim = CameraSimulator(load_frames(folder), fps=20, hold=0.5).start()
    yield sim
    sim.close()


def test_a_live_stream_from_the_camera_simulator(camera_sim):
    with Capture(camera_sim.url, open_timeout=3, read_timeout=3) as cap:
        assert cap.live
        a, b = cap.read(), cap.read()
        assert b.index > a.index and a.image.shape == (480, 640, 3)
    report = camera.doctor(camera_sim.url, {"formats": ["QRCode"]}, 3.0)
    assert report["state"] == "ready"
    assert (report["details"]["frame_width"], report["details"]["frame_height"]) == (640, 480)
    sc = CameraScanner(camera_sim.url)
    try:
        [scan] = read_all(sc, 1, timeout=5)
        assert scan.text == URL
        assert sc.status.details["live"] is True
    finally:
        sc.close()


def test_camera_sim_main_prints_where_it_listens(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), qr_frame("A003"))
    proc = subprocess.Popen([sys.executable, "-m", "drivers.camera.simulator", "--dir", str(tmp_path)],
                            cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening http://127.0.0.1:") and line.endswith("/video.mjpg")
        with Capture(line.split()[1], open_timeout=3) as cap:
            assert camera.decode(cap.read(3).image)[0].text == "A003"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- real devices: `pytest -m hardware` with the device named in the environment


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"set {name} to run against a real device")
    return value


@pytest.mark.hardware
def test_real_serial_scanner_reads_a_scan():
    """YICIBAN_SCANNER_URL=/dev/ttyACM0 (and YICIBAN_SCANNER_ENCODING): scan any code within 20 s."""
    url = _env("YICIBAN_SCANNER_URL")
    config = LineConfig(encoding=os.environ.get("YICIBAN_SCANNER_ENCODING", "utf-8"))
    assert scanner.doctor(url, {"encoding": config.encoding})["state"] == "ready"
    with SerialScanner(url, config) as sc:
        scan = sc.read(20)
        assert scan is not None and scan.text


@pytest.mark.hardware
def test_real_hid_scanner_is_grabbed_and_reads_a_scan():
    """YICIBAN_SCANNER_HID=/dev/input/by-id/...-event-kbd: scan any code within 20 s; nothing
    may appear in the focused window meanwhile."""
    path = _env("YICIBAN_SCANNER_HID")
    assert scanner.doctor(path)["state"] == "ready"
    with HidScanner(path) as sc:
        scan = sc.read(20)
        assert scan is not None and scan.text
        assert sc.status.details["grabbed"] is True


@pytest.mark.hardware
def test_real_camera_delivers_frames():
    """YICIBAN_CAMERA=0 (or /dev/video0, or a stream URL)."""
    source = _env("YICIBAN_CAMERA")
    report = camera.doctor(source, {}, 5.0)
    assert report["state"] == "ready", report
