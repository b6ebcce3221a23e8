"""The document camera (高拍仪) as a device kind: `document_camera` in the hall config.

The peripheral's URL is a V4L2 device (`/dev/video0`, or better a `/dev/v4l/by-id/...` link), a
camera index, or the desk simulator's `http://127.0.0.1:PORT/video.mjpg`; settings may give
`width`, `height` (the still size, 2592 x 1944 by default) and `fps`. The rooms: `api.py`
(what the kiosk asks), `uvc.py` (the UVC camera, transport injected), the desk simulator
(`yiciban sim camera --desk form`, here `sim_main`), and `doctor`. Finding and cleaning the page
live beside, in drivers/camera/ (page.py, tracking.py, worker.py, clean.py, pdf.py, store.py).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

KIND = "document_camera"


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None, *,
              on_status: Any = None) -> Any:
    """The `Link` that keeps the document camera at `url` connected (its frames read on a thread)."""
    from drivers.camera.document.uvc import UvcDocumentCamera, uvc_capture

    return UvcDocumentCamera(lambda: uvc_capture(url, settings, device=device), device=device,
                             on_status=on_status).link


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """Opens the camera, reads one frame, looks for a page in it; closes. Never raises.

    Only sizes and whether a page is in view are reported, never the picture (it may be personal).
    """
    from drivers.camera.document.api import Controls
    from drivers.camera.document.uvc import UvcDocumentCamera, uvc_capture
    from drivers.camera.page import find_page
    from drivers.errors import DeviceError

    details: dict[str, Any] = {"source": url}
    try:
        camera = UvcDocumentCamera(lambda: uvc_capture(url, {**(settings or {}), "open_timeout": timeout}))
    except (TypeError, ValueError) as exc:
        return {"state": "error", "reason": f"settings: {exc}", "details": details}
    try:
        camera.link.step()
        if camera.link.session is None:
            return {"state": "disconnected", "reason": camera.status.reason, "details": details}
        frame = camera.frame(timeout)
        height, width = frame.image.shape[:2]
        accepted = camera.set_controls(Controls(autofocus=True, auto_exposure=True, auto_white_balance=True))
        details.update(camera.link.session.info(), frame_width=width, frame_height=height,
                       page_in_view=find_page(frame.image) is not None,
                       controls=sorted(k for k, v in vars(accepted).items() if v is not None))
        state, reason = "ready", f"frames of {width}x{height}"
    except Exception as exc:  # the doctor reports, never raises
        why = f"opened, but {exc.message}" if isinstance(exc, DeviceError) else f"reading a frame failed: {exc}"
        state, reason = "error", why
    finally:
        camera.close()
    return {"state": state, "reason": reason, "details": details}


def sim_main(argv: Sequence[str] | None = None) -> int:
    """The camera simulator showing a desk (`--desk form` unless `--desk`/`--dir` is given)."""
    from drivers.camera.simulator import sim_main as main

    argv = list(argv or [])
    if not any(a in ("--desk", "--dir") or a.startswith(("--desk=", "--dir=")) for a in argv):
        argv += ["--desk", "form"]
    return main(argv)
