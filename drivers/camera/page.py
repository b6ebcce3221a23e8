"""Where the page is in a document camera's frame: a quadrilateral per preview frame, fast enough
for a 1080p preview on one core, and exact enough to dewarp from.

Candidates come from cues on a small copy of the frame (640 px wide), in batches, cheapest and
likeliest first: the outlines of regions that are bright *and* grey (Otsu, and a stricter level,
on the darkest colour channel, so skin, wood and coloured desks fall away), on a patterned desk
of regions whose texture is paper's (smooth between the print, sharp at it; marble and brushed
metal are neither), of regions brighter than their surroundings (the light's unevenness, a glare
spot or a shadow, subtracted first), each opened to cut off a finger and closed over print or a
finger, and the closed outlines of edges (Canny). Each outline gives four corners: its
simplification when that has four, else the lines of its four longest straight runs (a finger
or glare spot joined to the page adds short runs). Each candidate's sides are snapped onto the
nearest brightness step, then scored by how much of them runs along a strong edge, so desk
patterns, fingers and shadows lose to the page's own edges; only when no candidate has edges
enough (a card in a glare spot) does paper's texture inside and the desk's outside count too.
Print inside a page has straight sides too (a table, a card's bottom row), so of candidates
nearly as well supported the largest wins, and one holding the best inside it wins when it is
much larger and well supported itself. The search stops after the batch that gave a candidate
on strong edges nearly all round (all round, after the first batch). The winner's sides are then refined on the full frame, sampled only
along each side's normal: the strongest brightness step on each normal, a line through those
points fitted again without the ones far off it (fingers and glare), and the corners where the
lines meet. Corners come back ordered tl, tr, br, bl in frame pixels. The textbook scanner (grey,
blur, Canny, dilate, largest four-point contour) is here too, as the benchmark's baseline.
"""
from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

SMALL_WIDTH = 640
MIN_SHARE = 0.01  # of the frame's area: a page smaller than this is not a page in view
MAX_SHARE = 0.95
SIDE_SAMPLES = 48
MIN_SUPPORT = 0.45  # share of side samples on a strong edge, for a candidate to count
GUESS_SUPPORT = 0.2  # a guess (`guess=True`) when nothing counts: the best outline with this much
CLEAR_SUPPORT = 0.9  # a candidate this well supported ends the search after its batch
CLEAR_FIRST = 0.97  # after the first batch, whose bright outline can lose a strip of print along a side and still look clear
ENCLOSING = 0.3  # a candidate holding the best one inside it (and three times its area) may be this much less well supported
HELD_SUPPORT = 0.65  # and never less than this (a glare spot round a card has some straight runs)
NEAR_TOP = 0.1  # candidates this close to the best supported: the largest wins (print inside a page has straight lines too)
SNAP = 5.0  # how far (small copy's pixels) a candidate's side may move onto the nearest edge
PATTERNED = 20.0  # the usual texture (averaged Sobel strength) of a desk whose pattern hides the page's edge
TEXTURE_GAP = 5.0  # how far inside and outside a side (small copy's pixels) its texture is looked at
MIN_EDGE = 60.0  # Sobel strength on the small grey copy a page side must reach (about 15 grey levels)


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Four points as tl, tr, br, bl (clockwise in image coordinates, the first nearest top-left)."""
    quad = np.asarray(quad, np.float32).reshape(4, 2)
    centre = quad.mean(axis=0)
    quad = quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]
    return np.roll(quad, -int(np.argmin(quad.sum(axis=1))), axis=0)


def _four_corners(contour: np.ndarray) -> np.ndarray | None:
    """Four corners for an outline: its simplification when that has four; otherwise the lines
    of its four longest straight runs, in their order along the outline, intersected (a finger
    or a glare spot joined to the page adds short runs, not long ones)."""
    perimeter = cv2.arcLength(contour, True)
    approx = cv2.approxPolyDP(contour, 0.015 * perimeter, True).reshape(-1, 2).astype(np.float32)
    if len(approx) < 4:
        return None
    if len(approx) == 4:
        return approx
    ends = np.roll(approx, -1, axis=0)
    lengths = np.linalg.norm(ends - approx, axis=1)
    longest = np.sort(np.argsort(lengths)[-4:])
    if lengths[longest].sum() < 0.6 * perimeter:
        return None
    lines = [np.array([*(ends[i] - approx[i]) / lengths[i], *approx[i]], np.float64) for i in longest]
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    return np.array(corners, np.float32)


def _masks(whiteness: np.ndarray, page_like: np.ndarray | None) -> Iterator[list[np.ndarray]]:
    """Binary masks whose outlines may be the page, in batches, likeliest and cheapest first (made
    only as far as they are asked for): paper is bright and grey (skin, wood and coloured desks
    are not: their darkest channel is low), and on a patterned desk its texture is paper's; then
    brighter still; then brighter than its surroundings; then its outline is an edge. Each mask
    comes opened (a finger cut off) and closed (print, or a finger across a side, filled over),
    in one batch: the opened one alone can lose a strip of print along a side."""
    close = np.ones((15, 15), np.uint8)
    level, bright = cv2.threshold(whiteness, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    first = [bright, cv2.morphologyEx(bright, cv2.MORPH_CLOSE, close)]
    if page_like is not None:
        smooth = cv2.morphologyEx(page_like, cv2.MORPH_CLOSE, np.ones((11, 11), np.uint8))
        first.append(cv2.morphologyEx(smooth, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8)))
    yield first
    sample = whiteness[::4, ::4].reshape(-1)
    top = float(np.partition(sample, len(sample) * 99 // 100)[len(sample) * 99 // 100])
    _, brighter = cv2.threshold(whiteness, (level + top) / 2, 255, cv2.THRESH_BINARY)
    opened = cv2.morphologyEx(brighter, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    yield [opened, cv2.morphologyEx(opened, cv2.MORPH_CLOSE, close)]
    local = _locally_bright(whiteness)
    more = [cv2.morphologyEx(local, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))]
    more += [cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((13, 13), np.uint8)) for m in (brighter, local)]
    yield more + [cv2.morphologyEx(m, cv2.MORPH_CLOSE, close) for m in more]
    median = float(np.median(sample))
    edges = cv2.Canny(whiteness, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    yield [cv2.dilate(edges, np.ones((3, 3), np.uint8))]


def _whiteness(image: np.ndarray) -> np.ndarray:
    """The darkest colour channel, lightly blurred: high only where the frame is bright and grey."""
    darkest = cv2.min(cv2.min(image[:, :, 0], image[:, :, 1]), image[:, :, 2]) if image.ndim == 3 else image
    return cv2.GaussianBlur(darkest, (5, 5), 0)


def _locally_bright(whiteness: np.ndarray) -> np.ndarray:
    """Brighter than the surroundings: the light's unevenness (a glare spot, a shadow) taken out
    by subtracting a heavily blurred copy, then Otsu."""
    h, w = whiteness.shape
    tiny = cv2.resize(whiteness, (max(4, w // 8), max(4, h // 8)), interpolation=cv2.INTER_AREA)
    around = cv2.resize(cv2.GaussianBlur(tiny, (0, 0), 4), (w, h), interpolation=cv2.INTER_LINEAR)
    lift = cv2.subtract(whiteness, around)
    _, mask = cv2.threshold(lift, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask


def _page_like(magnitude: np.ndarray, usual: float) -> np.ndarray | None:
    """Where the texture looks like paper on a patterned desk: paper is smooth between its print
    and its print is sharp, a patterned desk (marble, brushed metal) is neither, so the texture
    (gradient strength, averaged over a few pixels) is well below or well above the frame's usual
    there. None when the desk is smooth itself (the usual texture is faint): then texture tells
    paper from desk no better than brightness does. `magnitude` is the small grey copy's gradient
    strength, `usual` its median."""
    if usual < PATTERNED:
        return None
    energy = cv2.blur(magnitude, (7, 7))
    return ((energy < 0.45 * usual) | (energy > 2.2 * usual)).astype(np.uint8) * 255


def _candidates(whiteness: np.ndarray, page_like: np.ndarray | None) -> Iterator[list[np.ndarray]]:
    """Four-cornered outlines, one list per batch of masks, none repeating an earlier one."""
    area = whiteness.shape[0] * whiteness.shape[1]
    found: list[np.ndarray] = []
    for batch in _masks(whiteness, page_like):
        new = []
        contours = [c for mask in batch for c in
                    sorted(cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0],
                           key=cv2.contourArea, reverse=True)[:3]]
        for contour in contours:
            if not MIN_SHARE <= cv2.contourArea(contour) / area <= MAX_SHARE:
                continue
            for quad in (_four_corners(contour), _four_corners(cv2.convexHull(contour))):
                if quad is None or not cv2.isContourConvex(quad.reshape(-1, 1, 2)):
                    continue
                quad = order_corners(quad)
                seen = any(np.abs(quad - other).max() < 3 for other in found)
                if not seen and MIN_SHARE <= cv2.contourArea(quad) / area <= 1.0:
                    found.append(quad)
                    new.append(quad)
        yield new


def _gradients(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return gx, gy


def _side_profiles(gx: np.ndarray, gy: np.ndarray, quad: np.ndarray, reach: float,
                   steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradient along each side's normal: (4, SIDE_SAMPLES, steps) strengths, the sample points
    (4, SIDE_SAMPLES, 2) and unit normals (4, 2)."""
    a, b = quad, np.roll(quad, -1, axis=0)
    t = np.linspace(0.08, 0.92, SIDE_SAMPLES, dtype=np.float32)
    points = a[:, None, :] + (b - a)[:, None, :] * t[None, :, None]
    direction = (b - a) / np.maximum(np.linalg.norm(b - a, axis=1, keepdims=True), 1e-6)
    normals = np.stack([direction[:, 1], -direction[:, 0]], axis=1)  # outward for clockwise quads
    offsets = np.linspace(-reach, reach, steps, dtype=np.float32)
    where = points[:, :, None, :] + normals[:, None, None, :] * offsets[None, None, :, None]
    map_x = where[..., 0].reshape(4 * SIDE_SAMPLES, steps)
    map_y = where[..., 1].reshape(4 * SIDE_SAMPLES, steps)
    sx = cv2.remap(gx, map_x, map_y, cv2.INTER_LINEAR, borderValue=0).reshape(4, SIDE_SAMPLES, steps)
    sy = cv2.remap(gy, map_x, map_y, cv2.INTER_LINEAR, borderValue=0).reshape(4, SIDE_SAMPLES, steps)
    strength = np.abs(sx * normals[:, None, None, 0] + sy * normals[:, None, None, 1])
    return strength, points, normals


def _support(gx: np.ndarray, gy: np.ndarray, quad: np.ndarray, threshold: float,
             page_like: np.ndarray | None = None) -> float:
    """How much of the quad's outline is a page's side: the share of each side's samples on a
    strong edge or, on a patterned desk, with paper's texture just inside and the desk's just
    outside (a page's side in a glare spot has little edge left); the weakest side counts half."""
    strength, points, normals = _side_profiles(gx, gy, quad, 1.5, 3)
    on_side = strength.max(axis=2) > threshold
    if page_like is not None:
        inside, outside = (_at(page_like, points + normals[:, None, :] * at) for at in (-TEXTURE_GAP, TEXTURE_GAP))
        on_side |= (inside > 0) & (outside == 0)
    per_side = on_side.mean(axis=1)
    return float(per_side.min() * 0.5 + per_side.mean() * 0.5)


def _at(mask: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The mask's values at the points `where` (..., 2), nearest pixel, 0 outside the frame."""
    flat = where.reshape(1, -1, 2).astype(np.float32)
    values = cv2.remap(mask, np.ascontiguousarray(flat[..., 0]), np.ascontiguousarray(flat[..., 1]),
                       cv2.INTER_NEAREST, borderValue=0)
    return values.reshape(where.shape[:-1])


def _intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    d = l1[0] * l2[1] - l1[1] * l2[0]
    if abs(d) < 1e-6:
        return None
    t = ((l2[2] - l1[2]) * l2[1] - (l2[3] - l1[3]) * l2[0]) / d
    return np.array([l1[2] + t * l1[0], l1[3] + t * l1[1]])


def _edge_offsets(image: np.ndarray, quads: np.ndarray, reach: float,
                  fine: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where the strongest step in brightness lies along each side's normal, for quads (K, 4, 2),
    sampled straight from the image (no filtering of the whole image): offsets (K, 4, SIDE_SAMPLES)
    in pixels, their step strengths, the side points (K, 4, SIDE_SAMPLES, 2) and unit normals (K, 4, 2).
    `fine`: every half pixel, averaged over three points along the side (the full frame); else
    every pixel, one point (the small copy, blurred already)."""
    steps = int((4 if fine else 2) * reach) + 1
    a, b = quads, np.roll(quads, -1, axis=1)
    t = np.linspace(0.06, 0.94, SIDE_SAMPLES, dtype=np.float32)
    points = a[:, :, None, :] + (b - a)[:, :, None, :] * t[None, None, :, None]
    direction = (b - a) / np.maximum(np.linalg.norm(b - a, axis=2, keepdims=True), 1e-6)
    normals = np.stack([direction[..., 1], -direction[..., 0]], axis=2)
    offsets = np.linspace(-reach, reach, steps, dtype=np.float32)
    across = np.array([-1.5, 0.0, 1.5] if fine else [0.0], np.float32)  # averaged along the side against noise
    where = (points[:, :, :, None, None, :]
             + normals[:, :, None, None, None, :] * offsets[None, None, None, None, :, None]
             + direction[:, :, None, None, None, :] * across[None, None, None, :, None, None])
    map_x = np.ascontiguousarray(where[..., 0].reshape(-1, steps), np.float32)
    map_y = np.ascontiguousarray(where[..., 1].reshape(-1, steps), np.float32)
    sampled = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if sampled.ndim == 3:
        sampled = sampled.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)
    profile = sampled.astype(np.float32).reshape(len(quads), 4, SIDE_SAMPLES, len(across), steps).mean(axis=3)
    step = np.abs(profile[..., 2:] - profile[..., :-2])  # central difference at offsets[1:-1]
    best = np.clip(step.argmax(axis=3), 1, steps - 4)
    left = np.take_along_axis(step, (best - 1)[..., None], axis=3)[..., 0]
    mid = np.take_along_axis(step, best[..., None], axis=3)[..., 0]
    right = np.take_along_axis(step, (best + 1)[..., None], axis=3)[..., 0]
    denom = left - 2 * mid + right
    sub = np.clip(np.where(np.abs(denom) > 1e-6, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0),
                  -0.5, 0.5)
    shift = offsets[1 + best] + sub * (offsets[1] - offsets[0])
    return shift, mid, points, normals


def _fit_lines(points: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares lines through weighted points (..., N, 2): centres and unit directions (..., 2)."""
    total = np.maximum(weight.sum(axis=-1, keepdims=True), 1e-6)
    centre = (points * weight[..., None]).sum(axis=-2) / total
    d = points - centre[..., None, :]
    cxx = (weight * d[..., 0] ** 2).sum(axis=-1)
    cyy = (weight * d[..., 1] ** 2).sum(axis=-1)
    cxy = (weight * d[..., 0] * d[..., 1]).sum(axis=-1)
    angle = 0.5 * np.arctan2(2 * cxy, cxx - cyy)
    return centre, np.stack([np.cos(angle), np.sin(angle)], axis=-1)


def _refine(image: np.ndarray, quads: np.ndarray, reach: float, fine: bool = True) -> np.ndarray:
    """Quads (K, 4, 2) with their sides moved onto the image's edges: per side, the strongest step
    on each normal, a line through those points fitted twice (the second time without the points
    far off the first line: a finger or glare), and the corners where the lines meet. A quad whose
    sides find too few steps, or whose corners would move more than three reaches, stays as it was."""
    quads = np.asarray(quads, np.float32).reshape(-1, 4, 2)
    shift, strength, points, normals = _edge_offsets(image, quads, reach, fine)
    on = points + normals[:, :, None, :] * shift[..., None]
    keep = (strength > 0.4 * np.median(strength, axis=2, keepdims=True)).astype(np.float64)
    centre, direction = _fit_lines(on.astype(np.float64), keep)
    normal = np.stack([-direction[..., 1], direction[..., 0]], axis=-1)
    off = np.abs(((on - centre[:, :, None, :]) * normal[:, :, None, :]).sum(axis=-1))
    spread = np.maximum(2.5 * np.median(np.where(keep > 0, off, np.inf), axis=2, keepdims=True), reach / 8)
    keep = keep * (off <= spread)
    centre, direction = _fit_lines(on.astype(np.float64), keep)
    prev_c, prev_d = np.roll(centre, 1, axis=1), np.roll(direction, 1, axis=1)  # side i-1 meets side i at corner i
    det = prev_d[..., 0] * direction[..., 1] - prev_d[..., 1] * direction[..., 0]
    safe = np.where(np.abs(det) < 1e-6, 1.0, det)
    t = ((centre[..., 0] - prev_c[..., 0]) * direction[..., 1] - (centre[..., 1] - prev_c[..., 1]) * direction[..., 0]) / safe
    corners = (prev_c + t[..., None] * prev_d).astype(np.float32)
    bad = ((np.abs(det) < 1e-6) | (keep.sum(axis=2) < 6)).any(axis=1)
    bad |= ~np.isfinite(corners).all(axis=(1, 2)) | (np.abs(corners - quads).max(axis=(1, 2), initial=0) > 3 * reach)
    return np.where(bad[:, None, None], quads, corners)


def find_page(image: np.ndarray, *, guess: bool = False) -> np.ndarray | None:
    """The page's corners (tl, tr, br, bl; float32 4x2, frame pixels) in a BGR or grey frame,
    or None when no outline has enough edge along its four sides. With `guess`, such a frame
    still gets the best-supported outline if any has some edge along it (`GUESS_SUPPORT`): the
    corners a citizen starts dragging from, never an automatic capture's."""
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"find_page wants a BGR or grey image, got shape {image.shape}")
    width = image.shape[1]
    scale = min(1.0, SMALL_WIDTH / width)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) if scale < 1 else image
    small_gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    small_gray = cv2.GaussianBlur(small_gray, (3, 3), 0)
    sgx, sgy = _gradients(small_gray)
    magnitude = cv2.magnitude(sgx, sgy)
    sample = magnitude[::4, ::4].reshape(-1)
    usual, high = np.partition(sample, (len(sample) // 2, len(sample) * 9 // 10))[[len(sample) // 2, len(sample) * 9 // 10]]
    threshold = max(MIN_EDGE, float(high) * 0.5)
    whiteness = _whiteness(small)
    page_like = _page_like(magnitude, float(usual))
    scored: list[tuple[float, float, np.ndarray]] = []
    for batch, candidates in enumerate(_candidates(whiteness, page_like)):
        if candidates:
            for quad in _refine(small_gray, np.array(candidates), SNAP, fine=False):
                scored.append((_support(sgx, sgy, quad, threshold), cv2.contourArea(quad), quad))
        if any(item[0] >= (CLEAR_FIRST if batch == 0 else CLEAR_SUPPORT) for item in scored):
            break  # a clear page: the remaining cues would only cost time
    if page_like is not None and not any(item[0] >= MIN_SUPPORT for item in scored):
        # no outline has edges enough (a card in a glare spot): let paper's texture count too
        scored = [(_support(sgx, sgy, quad, threshold, page_like), area, quad) for _, area, quad in scored]
    counted = [item for item in scored if item[0] >= MIN_SUPPORT]
    if counted:
        best = _choose(counted)
    elif guess and (hints := [item for item in scored if item[0] >= GUESS_SUPPORT]):
        best = max(hints, key=lambda item: item[0])[2]
    else:
        return None
    quad = _refine(image, best / scale, reach=max(4.0, 2.0 / scale))[0]
    return order_corners(quad)


def _choose(scored: list[tuple[float, float, np.ndarray]]) -> np.ndarray:
    """The page among supported candidates: the largest of those nearly as well supported as the
    best, or of those less well supported that hold the best inside them and are at least three times
    its size (a table or a box of print inside a page has straight sides too, and snaps onto them)."""
    support, area, top = max(scored, key=lambda item: item[0])
    centre = tuple(float(v) for v in top.mean(axis=0))
    held = [item for item in scored if item[0] >= max(support - ENCLOSING, HELD_SUPPORT) and item[1] >= 3 * area
            and cv2.pointPolygonTest(item[2].reshape(-1, 1, 2), centre, False) > 0]
    near = [item for item in scored if item[0] >= support - NEAR_TOP]
    return max(near + held, key=lambda item: item[1])[2]


def textbook_page(gray: np.ndarray) -> np.ndarray | None:
    """The textbook OpenCV scanner: resize to 500 px high, blur, Canny, dilate, the largest
    four-point contour; None when no contour has four points."""
    scale = 500.0 / gray.shape[0]
    small = cv2.resize(gray, None, fx=scale, fy=scale)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 75, 200)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2).astype(np.float32) / scale)
    return None
