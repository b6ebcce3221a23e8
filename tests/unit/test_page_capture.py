"""The document camera's capture worker: one auto-capture per stillness of the page, never on a
moving page, neither frame by frame on a scripted desk nor live from the camera simulator over
HTTP (MJPEG) through `Capture`'s latest-frame reader."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from bench.pages import jaccard
from drivers.camera.capture import Capture, Frame
from drivers.camera.desk import Script, laid_down
from drivers.camera.simulator import CameraSimulator, encode
from drivers.camera.tracking import PageTracker, Stillness
from drivers.camera.worker import Captured, CaptureWorker, Preview
from drivers.errors import DeviceUnavailable


@pytest.fixture(scope="module")
def script():
    return laid_down("form", 960, 540, fps=10.0, seed=1)


class Played:
    """The script played `loops` times with its own clock (frame index / fps), then unplugged."""

    def __init__(self, script: Script, loops: int) -> None:
        self.script, self.loops, self.index = script, loops, 0

    def read(self, timeout: float | None = None) -> Frame:
        if self.index >= self.loops * len(self.script.frames):
            raise DeviceUnavailable("end of the script")
        index, self.index = self.index, self.index + 1
        return Frame(self.script.frames[index % len(self.script.frames)], index / self.script.fps, index)


def test_one_capture_per_stillness_and_none_while_the_page_moves(script) -> None:
    captures: list[tuple[int, Captured]] = []
    previews: list[Preview] = []
    lost = threading.Event()
    source = Played(script, loops=2)
    worker = CaptureWorker(source, on_capture=lambda c: captures.append(((source.index - 1) % len(script.frames), c)),
                           on_preview=previews.append, on_lost=lambda reason: lost.set()).start()
    assert lost.wait(120)
    worker.stop()
    # two rests in the script, played twice: four captures, each in a rest, each of the resting page
    assert [script.still[i] for i, _ in captures] == [True] * 4
    rests = [i for i in range(len(script.still)) if script.still[i] and not script.still[i - 1]]
    assert len(rests) == 2
    for i, captured in captures:
        assert jaccard(script.corners[i], captured.quad) > 0.97
        rest_start = max(r for r in rests if r <= i)
        assert 0.6 <= (i - rest_start) / script.fps <= 1.0  # about 0.7 s after it came to rest
    assert sum(p.quad is not None for p in previews) >= 0.9 * len(previews)


def test_a_hand_moving_over_a_still_page_holds_the_capture_back() -> None:
    still = Stillness(hold=0.7)
    quad = np.array([[100, 100], [400, 100], [400, 500], [100, 500]], np.float32)
    rng = np.random.default_rng(0)
    events = []
    for n in range(30):  # 3 s at 10 fps, the page put, a hand waving over it the whole time
        thumb = rng.uniform(0, 255, (36, 64)).astype(np.float32)
        events.append(still.update(n / 10, quad + rng.normal(0, 0.5, quad.shape), thumb))
    assert events == [None] * 30
    calm = np.full((36, 64), 120, np.float32)
    fired = [still.update(3 + n / 10, quad, calm) for n in range(20)]
    assert sum(e is not None for e in fired) == 1
    assert fired.index(next(e for e in fired if e is not None)) == 7  # 0.7 s after the hand left


def test_the_next_capture_needs_the_page_to_move_or_go() -> None:
    still = Stillness(hold=0.7)
    quad = np.array([[100, 100], [400, 100], [400, 500], [100, 500]], np.float32)
    calm = np.full((36, 64), 120, np.float32)
    fired = [still.update(n / 10, quad, calm) for n in range(50)]
    assert sum(e is not None for e in fired) == 1
    assert still.update(5.0, None, calm) is None  # taken away
    again = [still.update(5.1 + n / 10, quad, calm) for n in range(10)]
    assert sum(e is not None for e in again) == 1


def test_the_tracker_smooths_jitter_and_follows_a_jump() -> None:
    tracker = PageTracker()
    quad = np.array([[100, 100], [400, 100], [400, 500], [100, 500]], np.float32)
    tracker.update(quad)
    smoothed = tracker.update(quad + 4)
    assert np.allclose(smoothed, quad + 2)
    assert np.allclose(tracker.update(quad + 300), quad + 300)
    tracker.update(None)
    tracker.update(None)
    assert tracker.update(None) is None


def test_live_from_the_simulator_captures_only_resting_pages(script) -> None:
    sim = CameraSimulator(encode(list(script.frames)), fps=script.fps, hold=1 / script.fps).start()
    captures: list[Captured] = []
    two = threading.Event()

    def captured(c: Captured) -> None:
        captures.append(c)
        if len(captures) >= 2:
            two.set()

    capture = Capture(sim.url, open_timeout=10, read_timeout=5).open()
    worker = CaptureWorker(capture, on_capture=captured).start()
    try:
        assert two.wait(30), f"{len(captures)} captures in 30 s of a desk with two rests per 6 s"
    finally:
        worker.stop()
        capture.close()
        sim.close()
    resting = [script.corners[i] for i in range(len(script.frames)) if script.still[i]]
    for c in captures:
        assert max(jaccard(truth, c.quad) for truth in resting) > 0.95
        assert c.image.shape == (540, 960, 3)


def test_full_hd_frames_capture_each_rest_once() -> None:
    hd = laid_down("idcard_front", 1920, 1080, fps=6.0, seed=4, move=1.0, rest=1.0)
    captures: list[Captured] = []
    worker = CaptureWorker(Played(hd, loops=1), on_capture=captures.append)
    for i, image in enumerate(hd.frames):
        worker.process(Frame(image, i / hd.fps, i))
    assert len(captures) == 2
    resting = [hd.corners[i] for i in range(len(hd.frames)) if hd.still[i]]
    assert all(max(jaccard(truth, c.quad) for truth in resting) > 0.97 for c in captures)
