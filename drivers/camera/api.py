"""The camera's typed interfaces: frames from a camera, and codes read from them.

`drivers.camera.capture.Capture` is a `FrameSource`; `drivers.camera.scanner.CameraScanner`
reads codes from its frames as a `drivers.scanner.api.Scanner`.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from drivers.scanner.api import Scanner

if TYPE_CHECKING:
    from drivers.camera.capture import Frame

__all__ = ["FrameSource", "Scanner"]


class FrameSource(Protocol):
    def open(self) -> FrameSource: ...

    def info(self) -> dict[str, Any]: ...

    def read(self, timeout: float | None = None) -> Frame: ...

    def frames(self, stop: threading.Event | None = None) -> Iterator[Frame]: ...

    def close(self) -> None: ...
