"""The document camera driver against the desk simulator over HTTP (MJPEG): frames at the
camera's size, status while it serves and after it is unplugged, reconnection when it is back,
controls it does not have reported as such, the doctor, and `yiciban sim document_camera`."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from drivers.camera.desk import laid_down
from drivers.camera.document import doctor
from drivers.camera.document.api import Controls
from drivers.camera.document.uvc import UvcDocumentCamera, uvc_capture
from drivers.camera.simulator import CameraSimulator, encode
from drivers.errors import DeviceUnavailable
from drivers.status import State


@pytest.fixture(scope="module")
def frames() -> list[bytes]:
    return encode(list(laid_down("form", 640, 360, fps=10.0, seed=2, move=0.5, rest=0.5).frames))


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_frames_status_unplug_and_reconnect(frames: list[bytes]) -> None:
    sim = CameraSimulator(frames, fps=10, hold=0.1).start()
    port = sim.server.server_address[1]
    camera = UvcDocumentCamera(lambda: uvc_capture(sim.url), backoff=(0.2, 0.5), stale_after=1.0).start()
    try:
        assert camera.status.state is State.READY, camera.status
        first, second = camera.frame(5), camera.frame(5)
        assert first.image.shape == (360, 640, 3) and second.index > first.index
        assert camera.set_controls(Controls(focus=120, exposure=200)) == Controls()  # an MJPEG stream has none
        sim.close()
        assert wait_for(lambda: camera.status.state is State.DISCONNECTED), camera.status
        with pytest.raises(DeviceUnavailable):
            camera.frame(1)
        sim = CameraSimulator(frames, port=port, fps=10, hold=0.1).start()  # plugged back in
        assert wait_for(lambda: camera.status.state is State.READY), camera.status
        assert camera.frame(5).image.shape == (360, 640, 3)
    finally:
        camera.close()
        sim.close()


def test_doctor_reports_size_and_page_without_the_picture(frames: list[bytes]) -> None:
    sim = CameraSimulator(frames, fps=10, hold=0.1).start()
    try:
        report = doctor(sim.url, {}, timeout=5)
    finally:
        sim.close()
    assert report["state"] == "ready", report
    assert report["details"]["frame_width"] == 640 and report["details"]["controls"] == []
    assert isinstance(report["details"]["page_in_view"], bool)
    gone = doctor(sim.url, {}, timeout=1)
    assert gone["state"] in ("disconnected", "error") and gone["reason"]


def test_the_simulator_command_serves_a_desk() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "yiciban.cli", "sim", "camera", "--desk", "idcard_front",
                             "--tcp", "0"], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("listening http://127.0.0.1:"), line
        url = line.split(" ", 1)[1]
        report = doctor(url, {}, timeout=10)
        assert report["state"] == "ready", report
        assert report["details"]["frame_width"] == 960
    finally:
        proc.terminate()
        proc.wait(10)
