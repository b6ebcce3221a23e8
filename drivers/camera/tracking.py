"""From one page quadrilateral per frame to a steady outline on the preview and one capture per
stillness: pure state machines fed with (time, quad, thumbnail), no threads and no camera.

`PageTracker` smooths the corners over frames (jitter of a pixel or two is averaged away; a real
move is followed at once, so the outline never trails the page) and forgets the page after a few
frames without it. `Stillness` fires once when the outline and the picture inside the frame have
both stayed put for `hold` seconds (about 0.7 s): never while the page moves, never while a
hand moves over a still page, and not again until the page has moved or gone.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

THUMB = (64, 36)


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A tiny grey copy of a frame, for telling a still scene from a moving one."""
    step = max(1, image.shape[1] // (4 * THUMB[0]))  # a cheap first cut, then an average
    small = image[::step, ::step]
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    return cv2.resize(gray, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)


def corner_shift(a: np.ndarray, b: np.ndarray) -> float:
    """The largest distance any corner moved between two quads, in pixels."""
    return float(np.linalg.norm(np.asarray(a, np.float32) - np.asarray(b, np.float32), axis=1).max())


class PageTracker:
    """Smoothed corners over frames; None once the page has been missing for `forget_after` frames."""

    def __init__(self, *, alpha: float = 0.5, jump: float = 0.015, forget_after: int = 3) -> None:
        # jump: a corner moving more than this share of the page's diagonal is a real move, followed
        # at once (smoothing it would only delay the stillness); less is jitter, averaged away
        self.alpha, self.jump, self.forget_after = alpha, jump, forget_after
        self.quad: np.ndarray | None = None
        self._missing = 0

    def update(self, found: np.ndarray | None) -> np.ndarray | None:
        if found is None:
            self._missing += 1
            if self._missing >= self.forget_after:
                self.quad = None
            return self.quad
        self._missing = 0
        found = np.asarray(found, np.float32)
        diagonal = float(np.linalg.norm(found[2] - found[0]))
        if self.quad is None or corner_shift(self.quad, found) > self.jump * diagonal:
            self.quad = found.copy()
        else:
            self.quad = self.quad + self.alpha * (found - self.quad)
        return self.quad


@dataclass(frozen=True)
class StillEvent:
    at: float  # when the stillness was reached
    quad: np.ndarray  # the page's outline then


class Stillness:
    """Fires once per stillness of the page: `update` returns a StillEvent on that frame only."""

    def __init__(self, *, hold: float = 0.7, tolerance: float = 6.0, scene_change: float = 6.0) -> None:
        self.hold = hold
        self.tolerance = tolerance  # corner pixels the outline may wander and still count as still
        self.scene_change = scene_change  # mean grey levels the thumbnail may change by
        self._anchor_quad: np.ndarray | None = None
        self._anchor_thumb: np.ndarray | None = None
        self._since = 0.0
        self._fired_quad: np.ndarray | None = None  # not None: fired, waiting for the page to move

    def _restart(self, at: float, quad: np.ndarray, thumb: np.ndarray) -> None:
        self._anchor_quad, self._anchor_thumb, self._since = quad.copy(), thumb, at

    def update(self, at: float, quad: np.ndarray | None, thumb: np.ndarray) -> StillEvent | None:
        if quad is None:
            self._anchor_quad = self._anchor_thumb = self._fired_quad = None
            return None
        quad = np.asarray(quad, np.float32)
        if self._fired_quad is not None and corner_shift(self._fired_quad, quad) > 3 * self.tolerance:
            self._fired_quad = None  # the page moved since the last capture: the next stillness counts
        if self._anchor_quad is None or self._anchor_thumb is None:
            self._restart(at, quad, thumb)
            return None
        moved = corner_shift(self._anchor_quad, quad) > self.tolerance
        changed = float(np.abs(thumb - self._anchor_thumb).mean()) > self.scene_change
        if moved or changed:
            self._restart(at, quad, thumb)
            return None
        if self._fired_quad is None and at - self._since >= self.hold:
            self._fired_quad = quad.copy()
            return StillEvent(at, quad.copy())
        return None
