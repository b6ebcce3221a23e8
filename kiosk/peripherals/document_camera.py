"""The document camera (高拍仪) on a screen: one capture per stillness, only while a flow asks.

The worker keeps the camera connected like any device (`drivers.camera.document.make_link`).
Its watch reads the newest frame only while `capture.arm()` is in force: a flow arms it when it
asks the citizen to lay something down and disarms it when it has what it needs, so the camera
costs nothing on the home screen and nothing is captured that nobody asked for. Each frame goes
through `drivers.camera.worker.CaptureWorker` (page found, outline smoothed, still for about
0.7 s); a capture reaches the flow as `watched` with a `Captured`. Captures are personal data:
nothing here logs or keeps them.
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from drivers.camera.worker import Captured, CaptureWorker
from drivers.errors import DeviceTimeout
from drivers.registry import make_link
from kiosk.devices import DeviceWorker

KIND = "document_camera"
FRAME_EVERY = 0.1  # seconds between frames read while armed


class ArmedCapture:
    """The watch: reads a frame and looks for a still page while armed; None otherwise."""

    def __init__(self, hold: float = 0.7) -> None:
        self.hold = hold
        self._armed = threading.Event()
        self._lock = threading.Lock()
        self._worker = self._fresh()

    def _fresh(self) -> CaptureWorker:
        return CaptureWorker(_NoSource(), on_capture=lambda _c: None, hold=self.hold)

    @property
    def armed(self) -> bool:
        return self._armed.is_set()

    def arm(self) -> None:
        """From now on the next still page is captured (the outline is looked for afresh)."""
        with self._lock:
            self._worker = self._fresh()
        self._armed.set()

    def disarm(self) -> None:
        self._armed.clear()

    def __call__(self, capture: Any) -> Captured | None:
        if not self._armed.is_set():
            return None
        try:
            frame = capture.read(1.0)
        except DeviceTimeout:
            return None
        with self._lock:
            captured = self._worker.process(frame)
        if captured is not None and self._armed.is_set():
            self._armed.clear()  # one capture per arming: the flow arms again for the next page
            return captured
        return None


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
