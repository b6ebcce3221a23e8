"""What the kiosk asks of a document camera (高拍仪), whatever is behind it: a UVC camera on USB,
the desk simulator over HTTP, or a video file in a test."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drivers.camera.capture import Frame
from drivers.status import DeviceStatus


@dataclass(frozen=True)
class Controls:
    """The camera's picture controls; None leaves one as it is (or, in what `set_controls`
    returns, means the camera has no such control)."""

    autofocus: bool | None = None
    focus: float | None = None  # the camera's own units (V4L2 focus_absolute)
    auto_exposure: bool | None = None
    exposure: float | None = None  # the camera's own units (V4L2 exposure_time_absolute, 100 us)
    auto_white_balance: bool | None = None
    white_balance: float | None = None  # kelvin


class DocumentCamera(Protocol):
    kind: str

    @property
    def status(self) -> DeviceStatus: ...

    def frame(self, timeout: float = 2.0) -> Frame:
        """The newest frame not yet returned, at the camera's still resolution (never a stale
        buffered one). `DeviceUnavailable` while unplugged, `DeviceTimeout` when none comes."""
        ...

    def set_controls(self, controls: Controls) -> Controls:
        """Applies what `controls` sets; returns what the camera accepted (None: it has no such control)."""
        ...

    def close(self) -> None: ...
