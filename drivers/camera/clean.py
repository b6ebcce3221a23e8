"""From a captured frame and the page's outline to a clean, flat page the size it is on paper.

The outline's proportions say what lies there: an ID card (85.6 x 54 mm, ISO/IEC 7810 ID-1) or
a sheet, A4 by default; anything else keeps its own proportions inside an A4 page. The page is
warped to its shape at the chosen resolution (200 dpi; 300 selectable), uneven light (a shadow,
the lamp's falloff) is divided out against a background estimated with the text removed, and
the result is kept in colour, grey, or black and white. An ID card's two sides are laid on one
A4 sheet at their true size, as offices ask for a 身份证正反面复印件.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

MM_PER_INCH = 25.4
DPIS = (200, 300)
TRIM_MM = 0.8  # cut from each edge of a dewarped page


@dataclass(frozen=True)
class Shape:
    name: str
    width_mm: float
    height_mm: float

    def pixels(self, dpi: int) -> tuple[int, int]:
        return round(self.width_mm / MM_PER_INCH * dpi), round(self.height_mm / MM_PER_INCH * dpi)

    def turned(self) -> Shape:
        return Shape(self.name, self.height_mm, self.width_mm)


A4 = Shape("a4", 210.0, 297.0)
ID_CARD = Shape("id_card", 85.6, 54.0)
CARD_TOLERANCE = 0.05  # share by which a card's measured proportions may differ from 85.6:54


class Mode(StrEnum):
    COLOUR = "colour"
    GREY = "grey"
    BW = "bw"


def side_lengths(quad: np.ndarray) -> tuple[float, float]:
    """The outline's mean width (top and bottom sides) and mean height (left and right sides)."""
    q = np.asarray(quad, np.float64).reshape(4, 2)
    width = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    height = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return float(width), float(height)


def recognise(quad: np.ndarray) -> Shape:
    """The document's shape, turned as it lies in the frame: an ID card when its proportions are
    a card's, otherwise a sheet (A4, or the measured proportions fitted inside A4)."""
    width, height = side_lengths(quad)
    if min(width, height) <= 0:
        raise ValueError("the page outline has a side of zero length")
    ratio = max(width, height) / min(width, height)
    card = ID_CARD.width_mm / ID_CARD.height_mm
    sheet = A4.height_mm / A4.width_mm
    if abs(ratio - card) / card <= CARD_TOLERANCE:
        shape = ID_CARD
    elif abs(ratio - sheet) / sheet <= 0.04:
        shape = A4.turned()  # landscape first, turned below like the card
    else:
        fit = min(A4.height_mm / ratio, A4.width_mm)
        shape = Shape("document", fit * ratio, fit)
    landscape = width >= height
    long_first = shape.width_mm >= shape.height_mm
    return shape if landscape == long_first else shape.turned()


def dewarp(image: np.ndarray, quad: np.ndarray, shape: Shape, dpi: int = 200) -> np.ndarray:
    """The outline's content warped to `shape` at `dpi` (corners tl, tr, br, bl)."""
    if dpi not in DPIS:
        raise ValueError(f"dpi must be one of {DPIS}, not {dpi}")
    width, height = shape.pixels(dpi)
    m = TRIM_MM / MM_PER_INCH * dpi  # the outline's own pixels mix paper and desk: trimmed off
    target = np.array([[-m, -m], [width + m, -m], [width + m, height + m], [-m, height + m]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.asarray(quad, np.float32).reshape(4, 2), target)
    return cv2.warpPerspective(image, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def background(channel: np.ndarray) -> np.ndarray:
    """The paper's brightness without the ink: text closed away on a small copy, then smoothed."""
    h, w = channel.shape[:2]
    small = cv2.resize(channel, (max(8, w // 8), max(8, h // 8)), interpolation=cv2.INTER_AREA)
    small = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8), borderType=cv2.BORDER_REPLICATE)
    small = cv2.GaussianBlur(small, (0, 0), 2, borderType=cv2.BORDER_REPLICATE)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def flatten(image: np.ndarray, white: float = 245.0) -> np.ndarray:
    """Uneven light divided out: paper comes out an even `white`, ink stays dark. Colour pages are
    flattened per channel, which also takes out the light's colour cast."""
    channels = cv2.split(image) if image.ndim == 3 else [image]
    out = []
    for channel in channels:
        paper = np.maximum(background(channel).astype(np.float32), 1.0)
        out.append(np.clip(channel.astype(np.float32) / paper * white, 0, 255).astype(np.uint8))
    return cv2.merge(out) if len(out) > 1 else out[0]


def render(image: np.ndarray, mode: Mode | str) -> np.ndarray:
    """A flattened page in `mode`: BGR for colour, one channel for grey and black-and-white."""
    mode = Mode(mode)
    flat = flatten(image)
    if mode is Mode.COLOUR:
        return flat if flat.ndim == 3 else cv2.cvtColor(flat, cv2.COLOR_GRAY2BGR)
    grey = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY) if flat.ndim == 3 else flat
    if mode is Mode.GREY:
        return grey
    level, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, bw = cv2.threshold(grey, min(level, 200.0), 255, cv2.THRESH_BINARY)
    return bw


def clean_page(image: np.ndarray, quad: np.ndarray, mode: Mode | str = Mode.GREY, dpi: int = 200,
               shape: Shape | None = None) -> tuple[np.ndarray, Shape]:
    """A captured frame's page, dewarped to its shape and flattened in `mode`; and that shape."""
    shape = shape or recognise(quad)
    return render(dewarp(image, quad, shape, dpi), mode), shape


def id_card_sheet(front: np.ndarray, back: np.ndarray, dpi: int = 200) -> np.ndarray:
    """Both sides of an ID card at true size on one portrait A4 sheet, front above back."""
    width, height = A4.pixels(dpi)
    card_w, card_h = ID_CARD.pixels(dpi)
    colour = front.ndim == 3 or back.ndim == 3
    sheet = np.full((height, width, 3) if colour else (height, width), 255, np.uint8)
    x = (width - card_w) // 2
    for side, top in ((front, height // 4 - card_h // 2), (back, height * 5 // 8 - card_h // 2)):
        if side.shape[1] < side.shape[0]:
            side = cv2.rotate(side, cv2.ROTATE_90_CLOCKWISE)  # a card photographed upright
        side = cv2.resize(side, (card_w, card_h), interpolation=cv2.INTER_AREA)
        if colour and side.ndim == 2:
            side = cv2.cvtColor(side, cv2.COLOR_GRAY2BGR)
        sheet[top:top + card_h, x:x + card_w] = side
    return sheet
