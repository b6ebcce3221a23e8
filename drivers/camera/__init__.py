"""Cameras: frames from `cv2.VideoCapture` (capture.py), codes read from images (codes.py), and
a camera as a code scanner (scanner.py) under the scanner's `Scanner` protocol.

The document camera (高拍仪) is its own device kind, `document_camera` (document/), and shares
the rest: the page found in each frame (page.py), smoothed and caught when still (tracking.py,
worker.py), cleaned to its paper size (clean.py), made a PDF (pdf.py) and sealed at rest
(store.py); desk.py draws the synthetic desk its simulator serves and its benchmark scores.

A peripheral's URL is a camera index ("0"), a device path, a video file or a stream URL;
settings may give `width`, `height`, `fps`, `formats` (list of format names).

Importing this package does no work: OpenCV and the readers load when first used.
"""
from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.camera.scanner import CameraScanner
    from drivers.link import Link, StatusCallback

KIND = "camera"
_EXPORTS = {
    "Capture": "drivers.camera.capture", "Frame": "drivers.camera.capture",
    "Code": "drivers.camera.codes", "decode": "drivers.camera.codes",
    "CameraScanner": "drivers.camera.scanner", "CameraSimulator": "drivers.camera.simulator",
}
__all__ = [*_EXPORTS, "doctor", "make_link", "open_camera", "sim_main"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_camera(url: str, settings: Mapping[str, Any] | None = None, *, device: str = "camera",
                on_status: StatusCallback | None = None) -> CameraScanner:
    """The camera a URL names, reading codes from its frames (`formats`, `width`, `height`, `fps`,
    `repeat_after` in the settings). Nothing opens until it is read."""
    from drivers.camera.capture import Capture
    from drivers.camera.scanner import CameraScanner

    settings = settings or {}
    formats = settings.get("formats")
    if isinstance(formats, str):
        formats = [f.strip() for f in formats.split(",") if f.strip()]
    width, height = int(settings.get("width", 0)), int(settings.get("height", 0))
    fps = float(settings.get("fps", 0))
    return CameraScanner(
        url, device=device, formats=formats, on_status=on_status,
        repeat_after=float(settings.get("repeat_after", 2.0)),
        capture_factory=lambda: Capture(url, device=device, width=width, height=height, fps=fps),
    )


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None, *,
              on_status: StatusCallback | None = None) -> Link[Any]:
    """The `Link` of the camera `open_camera` makes (the camera reads codes through it)."""
    return open_camera(url, settings, device=device, on_status=on_status).link


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """Opens the camera, reads one frame, counts the codes in it; closes. Never raises.

    Only the number and formats of codes are reported, not their content (it may be personal).
    """
    from drivers.camera.capture import Capture
    from drivers.camera.codes import decode
    from drivers.errors import DeviceError, DeviceTimeout

    settings = settings or {}
    details: dict[str, Any] = {"source": url}
    try:
        capture = Capture(
            url,
            open_timeout=timeout,
            read_timeout=timeout,
            width=int(settings.get("width", 0)),
            height=int(settings.get("height", 0)),
            fps=float(settings.get("fps", 0)),
        )
    except (TypeError, ValueError) as exc:
        return {"state": "error", "reason": f"settings: {exc}", "details": details}
    try:
        capture.open()
    except DeviceError as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except Exception as exc:
        return {"state": "disconnected", "reason": f"cannot open {url}: {exc}", "details": details}
    try:
        details.update(capture.info())
        frame = capture.read(timeout)
        height, width = frame.image.shape[:2]
        details.update(frame_width=width, frame_height=height)
        formats = settings.get("formats")
        codes = decode(frame.image, formats=formats)
        details.update(codes=len(codes), code_formats=sorted({c.format for c in codes}))
    except DeviceTimeout as exc:
        return {"state": "error", "reason": f"opened, but {exc.message}", "details": details}
    except DeviceError as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except Exception as exc:
        return {"state": "error", "reason": f"reading a frame failed: {exc}", "details": details}
    finally:
        capture.close()
    return {"state": "ready", "reason": f"frames of {width}x{height}", "details": details}


def sim_main(argv: Sequence[str] | None = None) -> int:
    from drivers.camera.simulator import sim_main as main

    return main(argv)
