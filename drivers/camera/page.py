"""Where the page is in a document camera's frame: a quadrilateral per preview frame, fast enough
for a 1080p preview on one core, and exact enough to dewarp from.

Candidates come from cues on a small copy of the frame (640 px wide): the outlines of regions
that are bright *and* grey (Otsu, and a stricter level, on the darkest colour channel, so skin,
wood and coloured desks fall away), of regions brighter than their surroundings (the light's
unevenness, a glare spot or a shadow, subtracted first), the same opened to cut off a finger and
closed over one, and the closed outlines of edges (Canny). Each outline gives four corners: its simplification when that has
four, else the lines of its four longest straight runs (a finger or glare spot joined to the page
adds short runs). Each candidate is scored by how much of its four sides runs along a strong
edge, so desk patterns, fingers and shadows lose to the page's own edges. The winner's sides are
then refined on the full frame, sampled only along each side's normal: the strongest brightness
step on each normal, a robust line through those points (fingers and glare are outliers), and
the corners where the lines meet. Corners come back ordered tl, tr, br, bl in frame pixels. The
textbook scanner (grey, blur, Canny, dilate, largest four-point contour) is here too, as the
benchmark's baseline.
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
CLEAR_SUPPORT = 0.9  # a candidate this well supported ends the search
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


def _masks(image: np.ndarray) -> Iterator[np.ndarray]:
    """Binary masks whose outlines may be the page, cheapest and likeliest first (made only as
    far as they are asked for): paper is bright and grey (skin, wood and coloured desks are not:
    their darkest channel is low), brighter than its surroundings, and its outline is an edge."""
    whiteness = cv2.min(cv2.min(image[:, :, 0], image[:, :, 1]), image[:, :, 2]) if image.ndim == 3 else image
    whiteness = cv2.GaussianBlur(whiteness, (5, 5), 0)
    level, bright = cv2.threshold(whiteness, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    sample = whiteness[::4, ::4].reshape(-1)
    top = float(np.partition(sample, len(sample) * 99 // 100)[len(sample) * 99 // 100])
    _, brighter = cv2.threshold(whiteness, (level + top) / 2, 255, cv2.THRESH_BINARY)
    opened = [cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)),
              cv2.morphologyEx(brighter, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))]
    yield from opened
    local = _locally_bright(whiteness)
    more = [cv2.morphologyEx(local, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))]
    more += [cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((13, 13), np.uint8)) for m in (brighter, local)]
    yield from more
    for mask in opened + more:
        yield cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    median = float(np.median(sample))
    edges = cv2.Canny(whiteness, max(10.0, 0.5 * median), max(30.0, 1.2 * median))
    yield cv2.dilate(edges, np.ones((3, 3), np.uint8))


def _locally_bright(whiteness: np.ndarray) -> np.ndarray:
    """Brighter than the surroundings: the light's unevenness (a glare spot, a shadow) taken out
    by subtracting a heavily blurred copy, then Otsu."""
    h, w = whiteness.shape
    tiny = cv2.resize(whiteness, (max(4, w // 8), max(4, h // 8)), interpolation=cv2.INTER_AREA)
    around = cv2.resize(cv2.GaussianBlur(tiny, (0, 0), 4), (w, h), interpolation=cv2.INTER_LINEAR)
    lift = cv2.subtract(whiteness, around)
    _, mask = cv2.threshold(lift, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask


def _candidates(small: np.ndarray) -> Iterator[list[np.ndarray]]:
    """Four-cornered outlines, one list per mask, none repeating an earlier one."""
    area = small.shape[0] * small.shape[1]
    found: list[np.ndarray] = []
    for mask in _masks(small):
        new = []
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
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


def _support(gx: np.ndarray, gy: np.ndarray, quad: np.ndarray, threshold: float) -> float:
    strength, _, _ = _side_profiles(gx, gy, quad, 1.5, 3)
    per_side = (strength.max(axis=2) > threshold).mean(axis=1)
    return float(per_side.min() * 0.5 + per_side.mean() * 0.5)


def _line_through(points: np.ndarray) -> np.ndarray | None:
    if len(points) < 6:
        return None
    vx, vy, x0, y0 = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(4)
    return np.array([vx, vy, x0, y0], np.float64)


def _intersect(l1: np.ndarray, l2: np.ndarray) -> np.ndarray | None:
    d = l1[0] * l2[1] - l1[1] * l2[0]
    if abs(d) < 1e-6:
        return None
    t = ((l2[2] - l1[2]) * l2[1] - (l2[3] - l1[3]) * l2[0]) / d
    return np.array([l1[2] + t * l1[0], l1[3] + t * l1[1]])


def _edge_offsets(image: np.ndarray, quad: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray,
                                                                             np.ndarray, np.ndarray]:
    """Where the strongest step in brightness lies along each side's normal, sampled straight
    from the full frame (no full-size filtering): offsets (4, SIDE_SAMPLES) in pixels, their
    step strengths, the side points and the unit normals."""
    steps = int(4 * reach) + 1
    a, b = quad, np.roll(quad, -1, axis=0)
    t = np.linspace(0.06, 0.94, SIDE_SAMPLES, dtype=np.float32)
    points = a[:, None, :] + (b - a)[:, None, :] * t[None, :, None]
    direction = (b - a) / np.maximum(np.linalg.norm(b - a, axis=1, keepdims=True), 1e-6)
    normals = np.stack([direction[:, 1], -direction[:, 0]], axis=1)
    offsets = np.linspace(-reach, reach, steps, dtype=np.float32)
    across = np.array([-1.5, 0.0, 1.5], np.float32)  # averaged along the side against noise
    where = (points[:, :, None, None, :] + normals[:, None, None, None, :] * offsets[None, None, None, :, None]
             + direction[:, None, None, None, :] * across[None, None, :, None, None])
    map_x = np.ascontiguousarray(where[..., 0].reshape(-1, steps))
    map_y = np.ascontiguousarray(where[..., 1].reshape(-1, steps))
    sampled = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if sampled.ndim == 3:
        sampled = sampled.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32)
    profile = sampled.astype(np.float32).reshape(4, SIDE_SAMPLES, len(across), steps).mean(axis=2)
    step = np.abs(profile[..., 2:] - profile[..., :-2])  # central difference at offsets[1:-1]
    best = np.clip(step.argmax(axis=2), 1, steps - 4)
    left = np.take_along_axis(step, (best - 1)[..., None], axis=2)[..., 0]
    mid = np.take_along_axis(step, best[..., None], axis=2)[..., 0]
    right = np.take_along_axis(step, (best + 1)[..., None], axis=2)[..., 0]
    denom = left - 2 * mid + right
    sub = np.clip(np.where(np.abs(denom) > 1e-6, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0),
                  -0.5, 0.5)
    shift = offsets[1 + best] + sub * (offsets[1] - offsets[0])
    return shift, mid, points, normals


def _refine(image: np.ndarray, quad: np.ndarray, reach: float) -> np.ndarray:
    """The quad's sides moved onto the frame's edges: a robust line per side, corners where they meet."""
    shift, strength, points, normals = _edge_offsets(image, quad, reach)
    lines = []
    for side in range(4):
        keep = strength[side] > 0.4 * np.median(strength[side])
        lines.append(_line_through((points[side] + normals[side] * shift[side][:, None])[keep]))
    if any(line is None for line in lines):
        return quad
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    refined = np.array(corners, np.float32)
    return quad if np.abs(refined - quad).max() > 3 * reach else refined


def find_page(image: np.ndarray) -> np.ndarray | None:
    """The page's corners (tl, tr, br, bl; float32 4x2, frame pixels) in a BGR or grey frame,
    or None when no outline has enough edge along its four sides."""
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"find_page wants a BGR or grey image, got shape {image.shape}")
    width = image.shape[1]
    scale = min(1.0, SMALL_WIDTH / width)
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) if scale < 1 else image
    small_gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    sgx, sgy = _gradients(cv2.GaussianBlur(small_gray, (3, 3), 0))
    threshold = max(MIN_EDGE, float(np.percentile(cv2.magnitude(sgx[::4, ::4], sgy[::4, ::4]), 90)) * 0.5)
    scored: list[tuple[float, float, np.ndarray]] = []
    for candidates in _candidates(small):
        scored += [(_support(sgx, sgy, quad, threshold), cv2.contourArea(quad), quad) for quad in candidates]
        if any(item[0] >= CLEAR_SUPPORT for item in scored):
            break  # a clear page: the remaining cues would only cost time
    scored = [item for item in scored if item[0] >= MIN_SUPPORT]
    if not scored:
        return None
    top = max(item[0] for item in scored)
    best = max((item for item in scored if item[0] >= top - 0.05), key=lambda item: item[1])[2]
    quad = _refine(image, best / scale, reach=max(4.0, 2.0 / scale))
    return order_corners(quad)


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
