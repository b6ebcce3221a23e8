"""A UVC document camera through OpenCV's V4L2 backend, kept connected.

The camera is opened with MJPG at its still resolution (5 MP is typical: 2592 x 1944), since
uncompressed YUYV over USB 2 tops out far below that; `Capture`'s reader thread keeps only the
newest frame. Focus, exposure and white balance are set where the camera has them. A `Link`
reopens the camera after an unplug, with backoff, and reports status: ready while frames
arrive, disconnected when they stop or the device is gone. The transport is injected (`connect`
returns an open `Capture`), so the same class drives the desk simulator over HTTP in tests.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

import cv2

from drivers.camera.capture import Capture, Frame, Source
from drivers.camera.document.api import Controls
from drivers.errors import DeviceUnavailable
from drivers.link import Link, StatusCallback
from drivers.status import DeviceStatus

log = logging.getLogger(__name__)

STILL_SIZE = (2592, 1944)
# V4L2's auto exposure menu through OpenCV: 1 manual, 3 aperture priority (automatic)
_AUTO_EXPOSURE = {True: 3.0, False: 1.0}
_PROPS = {
    "autofocus": cv2.CAP_PROP_AUTOFOCUS, "focus": cv2.CAP_PROP_FOCUS,
    "auto_exposure": cv2.CAP_PROP_AUTO_EXPOSURE, "exposure": cv2.CAP_PROP_EXPOSURE,
    "auto_white_balance": cv2.CAP_PROP_AUTO_WB, "white_balance": cv2.CAP_PROP_WB_TEMPERATURE,
}


def uvc_capture(source: Source, settings: Mapping[str, Any] | None = None, device: str = "document_camera",
                ) -> Capture:
    """A `Capture` for a UVC camera: V4L2, MJPG, the still size from settings (`width`, `height`)."""
    settings = settings or {}
    width, height = int(settings.get("width", STILL_SIZE[0])), int(settings.get("height", STILL_SIZE[1]))
    live_http = isinstance(source, str) and "://" in source
    return Capture(source, width=0 if live_http else width, height=0 if live_http else height,
                   fps=float(settings.get("fps", 0)), device=device,
                   api=cv2.CAP_ANY if live_http else cv2.CAP_V4L2, fourcc="" if live_http else "MJPG",
                   open_timeout=float(settings.get("open_timeout", 5.0)))


class UvcDocumentCamera:
    kind = "document_camera"

    def __init__(
        self,
        connect: Callable[[], Capture],
        *,
        device: str = "document_camera",
        stale_after: float = 3.0,
        controls: Controls | None = None,
        backoff: tuple[float, float] = (0.5, 10.0),
        on_status: StatusCallback | None = None,
    ) -> None:
        self.device = device
        self.stale_after = stale_after
        self._controls = controls or Controls()
        self._connect = connect
        self.link: Link[Capture] = Link(device, self.kind, self._open, self._poll, poll_interval=0.5,
                                        missed_polls=2, backoff=backoff, on_status=on_status)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> DeviceStatus:
        return self.link.status

    def _open(self) -> Capture:
        capture = self._connect().open()
        self._apply(capture, self._controls)
        deadline = time.monotonic() + capture.open_timeout
        while capture.age() == float("inf") and time.monotonic() < deadline:
            time.sleep(0.02)
        return capture

    def _poll(self, capture: Capture) -> Mapping[str, Any]:
        age = capture.age()  # DeviceUnavailable once the reader has lost the camera
        if age > self.stale_after:
            raise DeviceUnavailable(f"no frame for {age:.1f} s", device=self.device)
        return capture.info()

    def start(self) -> UvcDocumentCamera:
        """Connects now and keeps the link on its own thread (reconnecting after an unplug)."""
        self.link.step()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"link-{self.device}", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self.link.step())

    def frame(self, timeout: float = 2.0) -> Frame:
        capture = self.link.session
        if capture is None:
            raise DeviceUnavailable(self.status.reason or "not connected", device=self.device)
        try:
            return capture.read(timeout)
        except DeviceUnavailable as exc:
            self.link.step()  # notice the unplug now, not at the next poll
            raise DeviceUnavailable(exc.message, device=self.device) from None

    def read(self, timeout: float | None = None) -> Frame:
        """`frame`, under the name the capture worker's `FrameSource` uses."""
        return self.frame(2.0 if timeout is None else timeout)

    def set_controls(self, controls: Controls) -> Controls:
        self._controls = _merge(self._controls, controls)
        capture = self.link.session
        return Controls() if capture is None else self._apply(capture, controls)

    def _apply(self, capture: Capture, controls: Controls) -> Controls:
        accepted: dict[str, Any] = {}
        for f in fields(Controls):
            value = getattr(controls, f.name)
            if value is None:
                continue
            raw = _AUTO_EXPOSURE[bool(value)] if f.name == "auto_exposure" else float(value)
            if capture.set(_PROPS[f.name], raw):
                accepted[f.name] = value
            else:
                log.info("%s has no %s control", self.device, f.name)
        return Controls(**accepted)

    def close(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(2.0)
        with self.link.lock:
            session, self.link.session = self.link.session, None
        if session is not None:
            session.close()


def _merge(old: Controls, new: Controls) -> Controls:
    return Controls(**{f.name: getattr(new, f.name) if getattr(new, f.name) is not None else getattr(old, f.name)
                       for f in fields(Controls)})
