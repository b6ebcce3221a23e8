"""A camera as a code scanner: frames in, `Scan`s out, under the same `Scanner` protocol.

A code held in front of the camera is in many frames: it is delivered once, and again only
after it has been out of sight for `repeat_after` seconds. Most frames get the fast first stage
only (a few ms); every `full_every`-th frame gets the whole pipeline (100-300 ms on a 720p
frame without a code, on one core), so hard codes are still read while the camera stays live. A camera that delivers no frame for
`lost_after` seconds counts as unplugged and is reopened with backoff, as a serial scanner is.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from drivers.camera.capture import Capture, Source
from drivers.camera.codes import DEFAULT_STAGES, FAST_STAGES, Stage, decode
from drivers.errors import DeviceTimeout, DeviceUnavailable
from drivers.link import StatusCallback
from drivers.scanner.reader import LinkedScanner, RejectedCallback
from drivers.scanner.scan import Rejected, Scan

log = logging.getLogger(__name__)


class CameraScanner(LinkedScanner[Capture]):
    kind = "camera"

    def __init__(
        self,
        source: Source,
        *,
        device: str = "camera",
        formats: Iterable[str] | None = None,
        stages: Sequence[Stage] = DEFAULT_STAGES,
        fast_stages: Sequence[Stage] = FAST_STAGES,
        full_every: int = 5,
        repeat_after: float = 2.0,
        lost_after: float = 5.0,
        capture_factory: Callable[[], Capture] | None = None,
        backoff: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.time,
        on_status: StatusCallback | None = None,
        on_rejected: RejectedCallback | None = None,
    ) -> None:
        self.source = source
        self.formats = None if formats is None else frozenset(formats)
        self.stages = tuple(stages)
        self.fast_stages = tuple(fast_stages)
        self.full_every = max(1, full_every)
        self.repeat_after = repeat_after
        self.lost_after = lost_after
        self._capture_factory = capture_factory or (lambda: Capture(source, device=device))
        self._seen: dict[tuple[str, str], float] = {}  # (format, text) -> last time in sight
        self._last_frame = time.monotonic()
        super().__init__(device, backoff=backoff, clock=clock, on_status=on_status, on_rejected=on_rejected)

    def _open(self) -> Capture:
        capture = self._capture_factory()
        capture.open()
        self._last_frame = time.monotonic()
        return capture

    def _read_chunk(self, session: Capture) -> list[Scan | Rejected]:
        try:
            frame = session.read(0.2)
        except DeviceTimeout:
            if time.monotonic() - self._last_frame > self.lost_after:
                raise DeviceUnavailable(f"no frame for {self.lost_after:g} s", device=self.device) from None
            return []
        self._last_frame = time.monotonic()
        full = frame.index % self.full_every == 0
        codes = decode(frame.image, formats=self.formats, stages=self.stages if full else self.fast_stages)
        out: list[Scan | Rejected] = []
        for code in codes:
            key = (code.format, code.text)
            last = self._seen.get(key)
            self._seen[key] = frame.at
            if last is not None and frame.at - last < self.repeat_after:
                continue
            out.append(Scan(code.text, code.format, code.raw, frame.at))
        self._forget(frame.at)
        return out

    def _forget(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if now - t >= self.repeat_after]:
            del self._seen[key]

    def _details(self) -> dict[str, Any]:
        session = self.link.session
        return session.info() if session is not None else {"source": self.source}
