"""Whether four corners a citizen dragged by hand can be a page's outline, without Qt: the
corner editor greys out 确定 while they cannot, and the application and the copy refuse them
with the reason, so a slip of the finger never replaces a good page with a folded one."""
from __future__ import annotations

import numpy as np

MIN_SIDE = 20.0  # pixels: a shorter side of a dragged outline is a slip of the finger, not a page


def outline_problem(quad: np.ndarray) -> str | None:
    """Why corners dragged by hand (tl, tr, br, bl) cannot be a page, or None when they can:
    they must go round clockwise on the screen without crossing, each side `MIN_SIDE` or longer."""
    q = np.asarray(quad, np.float64)
    if q.size != 8 or not np.isfinite(q).all():
        return f"an outline has four finite corners of two coordinates, not shape {q.shape}"
    q = q.reshape(4, 2)
    sides = np.roll(q, -1, axis=0) - q
    if float(np.linalg.norm(sides, axis=1).min()) < MIN_SIDE:
        return f"two corners of the outline are closer than {MIN_SIDE:.0f} pixels"
    turns = sides[:, 0] * np.roll(sides, -1, axis=0)[:, 1] - sides[:, 1] * np.roll(sides, -1, axis=0)[:, 0]
    if not (turns > 0).all():
        return "the outline's sides cross or turn back: the corners are not in order tl, tr, br, bl"
    return None
