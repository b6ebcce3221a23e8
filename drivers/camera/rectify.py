"""Seeing a code straight on when the camera sees it at a steep angle.

Both readers find a QR code by its finder patterns, and both give up when perspective squeezes
one side of the code to a few pixels a module. The code usually sits in something with straight
edges: the printed ticket or card, a phone's screen, its own quiet-zone border. Such outlines
stay quadrilaterals under perspective, so: binarise, take the largest convex four-sided
contours, and warp each to a square; a reader then sees the code nearly straight on. Corners of
what it reads are mapped back to the original image.
"""
from __future__ import annotations

import cv2
import numpy as np

MAX_QUADS = 10  # the largest outlines only: each costs a warp and a read
MIN_AREA = 400  # pixels (after capping), below that a code is unreadable anyway
MAX_SHARE = 0.5  # an outline covering most of the picture is the frame, not a card
WARP_SIZE = 400
BLOCK, C = 31, 5
EPSILON = 0.03  # polygon approximation, share of the perimeter


def order_corners(quad: np.ndarray) -> np.ndarray:
    """Four points clockwise (in image coordinates) from the one nearest the top-left."""
    centre = quad.mean(axis=0)
    angles = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(angles)]
    return np.roll(quad, -int(np.argmin(quad.sum(axis=1))), axis=0)


def find_quads(gray: np.ndarray, max_side: int = 1280, limit: int = MAX_QUADS) -> list[np.ndarray]:
    """The largest convex quadrilateral outlines in `gray`, as 4x2 float32 corner arrays."""
    scale = 1.0
    small = gray
    if max(gray.shape[:2]) > max_side:
        scale = max_side / max(gray.shape[:2])
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    binary = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, BLOCK, C)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    area_limit = MAX_SHARE * small.shape[0] * small.shape[1]
    found: list[tuple[float, np.ndarray]] = []
    for contour in contours:
        area = cv2.contourArea(contour)
        if area < MIN_AREA or area > area_limit:
            continue
        approx = cv2.approxPolyDP(contour, EPSILON * cv2.arcLength(contour, True), True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            found.append((area, order_corners(approx.reshape(4, 2).astype(np.float32) / scale)))
    found.sort(key=lambda item: -item[0])
    return [quad for _, quad in found[:limit]]


def warp(gray: np.ndarray, quad: np.ndarray, size: int = WARP_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """`quad` warped to a `size` square with a white margin; and the homography back."""
    margin = size // 10
    target = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32) + margin
    forward = cv2.getPerspectiveTransform(quad, target)
    side = size + 2 * margin
    image = cv2.warpPerspective(gray, forward, (side, side), flags=cv2.INTER_LINEAR, borderValue=255)
    return image, np.linalg.inv(forward)


def map_back(points: list[tuple[float, float]], inverse: np.ndarray) -> list[tuple[float, float]]:
    src = np.array(points, np.float32).reshape(-1, 1, 2)
    return [(float(x), float(y)) for x, y in cv2.perspectiveTransform(src, inverse).reshape(-1, 2)]
