"""Frames from a camera, a video file or a stream, over `cv2.VideoCapture`, with timeouts.

The source is what the hall config names: a camera index (`0`, or "0"), a device path
(`/dev/video0`, or a stable `/dev/v4l/by-id/...` link), a video file, or a stream URL (an IP
camera's `rtsp://` or `http://.../video.mjpg`, and the camera simulator).

**Live sources** (cameras and stream URLs) are read by a background thread that keeps only the
newest frame: a decoder that is slower than the camera always works on the present, not on a
queue of stale frames, and `read(timeout)` really returns within its timeout even when the
driver blocks. **Files** are read in order on the caller's thread (every frame, as fast as asked),
and end like an unplugged camera (`DeviceUnavailable("end of video")`) unless `loop=True`.

Nothing opens: `DeviceUnavailable`. Open but no frame in time: `DeviceTimeout`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from drivers.errors import DeviceTimeout, DeviceUnavailable

log = logging.getLogger(__name__)

Source = int | str
LOST_AFTER_FAILED_GRABS = 5


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR, as OpenCV delivers it
    at: float  # wall-clock seconds when it was grabbed
    index: int  # 0, 1, 2 ... since open


def parse_source(source: Source) -> Source:
    """An index given as text ("0") becomes an int; anything else stays a path or URL."""
    if isinstance(source, str) and source.strip().isdigit():
        return int(source)
    return source


def is_live(source: Source) -> bool:
    return isinstance(source, int) or source.startswith("/dev/") or "://" in source


class Capture:
    def __init__(
        self,
        source: Source,
        *,
        open_timeout: float = 5.0,
        read_timeout: float = 2.0,
        width: int = 0,
        height: int = 0,
        fps: float = 0.0,
        live: bool | None = None,
        loop: bool = False,
        device: str = "camera",
        clock: Callable[[], float] = time.time,
        api: int = cv2.CAP_ANY,
        fourcc: str = "",
    ) -> None:
        self.source = parse_source(source)
        self.open_timeout, self.read_timeout = open_timeout, read_timeout
        self.width, self.height, self.fps = width, height, fps
        self.live = is_live(self.source) if live is None else live
        self.loop = loop
        self.device = device
        self.clock = clock
        self.api, self.fourcc = api, fourcc  # e.g. cv2.CAP_V4L2 and "MJPG" for a UVC camera
        self._cap: Any = None
        self._index = 0
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._taken = -1  # index of the last frame `read` returned (live sources)
        self._lost = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def opened(self) -> bool:
        return self._cap is not None

    def open(self) -> Capture:
        if self._cap is not None:
            return self
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(self.open_timeout * 1000),
                  cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(self.read_timeout * 1000)]
        try:
            cap = cv2.VideoCapture(self.source, self.api, params)
        except cv2.error as exc:
            raise DeviceUnavailable(f"cannot open {self.source}: {exc}", device=self.device) from exc
        if not cap.isOpened():
            cap.release()
            raise DeviceUnavailable(f"cannot open {self.source}: nothing answers there", device=self.device)
        if self.fourcc:  # before the size: a UVC camera offers its large sizes only compressed
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self.fourcc))
        for prop, value in ((cv2.CAP_PROP_FRAME_WIDTH, self.width),
                            (cv2.CAP_PROP_FRAME_HEIGHT, self.height), (cv2.CAP_PROP_FPS, self.fps)):
            if value:
                cap.set(prop, value)
        self._cap, self._index, self._lost, self._latest, self._taken = cap, 0, "", None, -1
        self._stop.clear()
        if self.live:
            self._thread = threading.Thread(target=self._grab_loop, name=f"camera-{self.device}", daemon=True)
            self._thread.start()
        log.info("camera %s opened %s (%s)", self.device, self.source, self.info())
        return self

    def info(self) -> dict[str, Any]:
        cap = self._cap
        if cap is None:
            return {"source": self.source}
        return {
            "source": self.source,
            "backend": cap.getBackendName(),
            "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            "fps": round(float(cap.get(cv2.CAP_PROP_FPS)), 2),
            "live": self.live,
        }

    def set(self, prop: int, value: float) -> bool:
        """Sets one of the camera's properties (a control); False where the camera has no such control."""
        cap = self._cap
        if cap is None:
            raise DeviceUnavailable(f"{self.source} is not open", device=self.device)
        try:
            return bool(cap.set(prop, value))
        except cv2.error:
            return False

    def get(self, prop: int) -> float:
        cap = self._cap
        if cap is None:
            raise DeviceUnavailable(f"{self.source} is not open", device=self.device)
        return float(cap.get(prop))

    def age(self) -> float:
        """Seconds since the newest frame arrived (live sources); DeviceUnavailable once lost."""
        with self._cond:
            if self._lost:
                raise DeviceUnavailable(self._lost, device=self.device)
            latest = self._latest
        return float("inf") if latest is None else max(0.0, self.clock() - latest.at)

    def _grab_loop(self) -> None:
        cap, failed = self._cap, 0
        while not self._stop.is_set():
            ok, image = cap.read()
            if not ok or image is None:
                failed += 1
                if failed >= LOST_AFTER_FAILED_GRABS:
                    with self._cond:
                        self._lost = f"{self.source} stopped delivering frames"
                        self._cond.notify_all()
                    return
                self._stop.wait(0.05)
                continue
            failed = 0
            with self._cond:
                self._latest = Frame(image, self.clock(), self._index)
                self._index += 1
                self._cond.notify_all()

    def read(self, timeout: float | None = None) -> Frame:
        """The next frame (live: the newest one not yet returned)."""
        if self._cap is None:
            raise DeviceUnavailable(f"{self.source} is not open", device=self.device)
        timeout = self.read_timeout if timeout is None else timeout
        if self.live:
            return self._read_live(timeout)
        return self._read_file()

    def _read_live(self, timeout: float) -> Frame:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                frame = self._latest
                if frame is not None and frame.index > self._taken:
                    self._taken = frame.index
                    return frame
                if self._lost:
                    raise DeviceUnavailable(self._lost, device=self.device)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DeviceTimeout(f"no frame from {self.source} within {timeout:g} s",
                                        device=self.device)
                self._cond.wait(remaining)

    def _read_file(self) -> Frame:
        ok, image = self._cap.read()
        if (not ok or image is None) and self.loop and self._index:
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._cap.read()
        if not ok or image is None:
            raise DeviceUnavailable(f"end of video {self.source}", device=self.device)
        frame = Frame(image, self.clock(), self._index)
        self._index += 1
        return frame

    def frames(self, stop: threading.Event | None = None) -> Iterator[Frame]:
        """Frames until `stop` is set or the source ends (a file's end, a camera lost)."""
        while stop is None or not stop.is_set():
            try:
                yield self.read()
            except DeviceTimeout:
                continue
            except DeviceUnavailable:
                return

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(self.read_timeout + 1.0)
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def __enter__(self) -> Capture:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()
