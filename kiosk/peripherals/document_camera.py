"""The document camera (高拍仪) on a screen: one capture per stillness, only while a flow asks.

The worker keeps the camera connected like any device (`drivers.camera.document.make_link`).
Its watch reads the newest frame only while `capture.arm()` is in force: a flow arms it when it
asks the citizen to lay something down and disarms it when it has what it needs, so the camera
costs nothing on the home screen and nothing is captured that nobody asked for. Each frame goes
through `drivers.camera.worker.CaptureWorker` (page found, outline smoothed, still for about
0.7 s); a capture reaches the flow as `watched` with a `Captured`. Arming again does not
capture the page just captured while it still lies there (the ID card's front, before the
citizen turns it over): the next capture must show another page, or the same one moved or
taken away and laid down again. Captures are personal data: nothing here logs or keeps
them beyond the outline and a tiny grey thumbnail of the last one, to tell it apart.
`snap()` is the citizen's 手动拍摄 when the page is never found by itself (a dark desk, a page
that will not lie flat): the next frame read is handed over at once as `Snapped`, with the
finder's best guess at the page (`find_page(guess=True)`; None without one) for the citizen to
correct by dragging its corners.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from drivers.camera.page import find_page
from drivers.camera.tracking import corner_shift, thumbnail
from drivers.camera.worker import Captured, CaptureWorker, Preview
from drivers.errors import DeviceTimeout
from drivers.registry import make_link
from kiosk.devices import DeviceWorker

KIND = "document_camera"
FRAME_EVERY = 0.1  # seconds between frames read while armed


@dataclass(frozen=True)
class Snapped:
    """A frame taken on the citizen's word, and the finder's guess at the page in it (or None)."""

    at: float
    image: np.ndarray
    quad: np.ndarray | None


class ArmedCapture:
    """The watch: reads a frame and looks for a still page while armed; None otherwise."""

    def __init__(self, hold: float = 0.7, *, tolerance: float = 18.0, scene_change: float = 6.0) -> None:
        self.hold = hold
        self.tolerance = tolerance  # corner pixels a page must move to count as laid down anew
        self.scene_change = scene_change  # mean grey levels by which another page differs
        self._armed = threading.Event()
        self._snap = threading.Event()
        self._lock = threading.Lock()
        self._last: tuple[np.ndarray, np.ndarray] | None = None  # the last capture's outline, thumbnail
        self._worker = self._fresh()

    def _fresh(self) -> CaptureWorker:
        return CaptureWorker(_NoSource(), on_capture=lambda _c: None, on_preview=self._on_preview, hold=self.hold)

    def _on_preview(self, preview: Preview) -> None:
        last = self._last
        if last is not None and (preview.quad is None or corner_shift(last[0], preview.quad) > self.tolerance):
            self._last = None  # the page was moved or taken away: laid down again, it counts

    def _seen_before(self, captured: Captured) -> bool:
        if self._last is None:
            return False
        quad, thumb = self._last
        return (corner_shift(quad, captured.quad) <= self.tolerance
                and float(np.abs(thumbnail(captured.image) - thumb).mean()) <= self.scene_change)

    @property
    def armed(self) -> bool:
        return self._armed.is_set()

    def arm(self) -> None:
        """From now on the next still page is captured (the outline is looked for afresh)."""
        with self._lock:
            self._worker = self._fresh()
        self._armed.set()

    def disarm(self) -> None:
        self._snap.clear()
        self._armed.clear()

    def snap(self) -> None:
        """The next frame is handed over as it is (`Snapped`), whether a page was found or not."""
        self._snap.set()
        self._armed.set()

    def __call__(self, capture: Any) -> Captured | Snapped | None:
        if not self._armed.is_set():
            return None
        try:
            frame = capture.read(1.0)
        except DeviceTimeout:
            return None
        if self._snap.is_set():
            self._snap.clear()
            self._armed.clear()  # one frame per asking, like a capture
            return Snapped(frame.at, frame.image, find_page(frame.image, guess=True))
        with self._lock:
            captured = self._worker.process(frame)
            if captured is None or not self._armed.is_set():
                return None
            if self._seen_before(captured):
                self._worker = self._fresh()  # still the page captured last: wait for another
                return None
            self._last = (captured.quad.copy(), thumbnail(captured.image))
        self._armed.clear()  # one capture per arming: the flow arms again for the next page
        return captured


def snap_now(devices: Any, button: Any) -> bool:
    """A capture of the camera's next frame now (手动拍摄), `button` disabled until it comes;
    False (nothing asked) without a camera in `devices`."""
    capture = getattr(devices.get("document_camera"), "capture", None)
    if capture is None:
        return False
    button.setEnabled(False)
    capture.snap()
    return True


class _NoSource:
    """The capture worker is fed frame by frame here, never started on a source of its own."""

    def read(self, timeout: float | None = None) -> Any:
        raise DeviceTimeout("frames are fed by the screen's device thread", device=KIND)


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The document camera at `url` on its own thread, capturing while armed (`worker.capture`)."""
    capture = ArmedCapture(float(settings.get("hold", 0.7)))
    device = DeviceWorker(make_link(KIND, name, url, settings), watch=capture,
                          watch_interval=float(settings.get("frame_every", FRAME_EVERY)))
    device.capture = capture
    return device
