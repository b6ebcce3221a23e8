"""The document camera's capture worker: frames in, a steady page outline for the preview and one
capture per stillness out, on its own thread, Qt-free (the kiosk wraps it in a QThread).

Each frame from the camera is searched for the page (`page.find_page`, on a small copy), the
outline is smoothed (`tracking.PageTracker`), and after about 0.7 s of stillness
(`tracking.Stillness`) the newest full frame and the outline scaled to it are handed to
`on_capture` once. The preview callback gets every frame's outline (None: no page in view).
The worker never logs or keeps an image: captures are personal data, and the caller decides.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from drivers.camera.capture import Frame
from drivers.camera.page import find_page
from drivers.camera.tracking import PageTracker, Stillness, thumbnail
from drivers.errors import DeviceTimeout, DeviceUnavailable

log = logging.getLogger(__name__)

class FrameSource(Protocol):
    def read(self, timeout: float | None = None) -> Frame: ...


@dataclass(frozen=True)
class Preview:
    at: float
    index: int
    quad: np.ndarray | None  # smoothed outline in the frame's pixels, tl tr br bl
    width: int
    height: int


@dataclass(frozen=True)
class Captured:
    at: float
    image: np.ndarray  # the full BGR frame
    quad: np.ndarray  # the page's outline in it


class CaptureWorker:
    def __init__(
        self,
        source: FrameSource,
        *,
        on_capture: Callable[[Captured], None],
        on_preview: Callable[[Preview], None] | None = None,
        on_lost: Callable[[str], None] | None = None,
        hold: float = 0.7,
        name: str = "document-camera",
    ) -> None:
        self.source = source
        self.on_capture, self.on_preview, self.on_lost = on_capture, on_preview, on_lost
        self.tracker = PageTracker()
        self.stillness = Stillness(hold=hold)
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def process(self, frame: Frame) -> Captured | None:
        """One frame through finder, tracker and stillness (the thread calls this; tests may too)."""
        image = frame.image
        height, width = image.shape[:2]
        quad = self.tracker.update(find_page(image))  # it works on a small copy, refines on the frame
        if self.on_preview is not None:
            self.on_preview(Preview(frame.at, frame.index, quad, width, height))
        event = self.stillness.update(frame.at, quad, thumbnail(image))
        if event is None or quad is None:
            return None
        captured = Captured(frame.at, image, quad.copy())
        self.on_capture(captured)
        return captured

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                frame = self.source.read(0.5)
            except DeviceTimeout:
                continue
            except DeviceUnavailable as exc:
                log.warning("%s: %s", self.name, exc.message)
                if self.on_lost is not None:
                    self.on_lost(exc.message)
                return
            self.process(frame)

    def start(self) -> CaptureWorker:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
