"""The free copy service (复印) without Qt: what the citizen lays down, what gets printed, and
that nothing stays behind.

A copy is of an ID card (the front, then the back, both at true size on one A4 sheet: the
身份证正反面复印件 offices ask for) or of a document (each capture one A4 page). Each cleaned
capture is sealed in a `CaptureStore` under a key made for this copy alone and held only in
memory, so even a crash leaves nothing readable; `wipe()` overwrites and removes every file
when the copy is printed, abandoned, or the terminal goes home. Nothing here logs a picture.
`last` is the frame and outline of the newest capture, in memory only, so the citizen can drag
its corners (`replace_last`); it goes with the next capture, a retake and `wipe()`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np

from drivers.camera.clean import A4, ID_CARD, Mode, clean_page, id_card_sheet, side_lengths
from drivers.camera.pdf import pages_pdf
from drivers.camera.store import CaptureStore, new_key
from kiosk.models.terminal.outline import outline_problem

DPI = 200
MAX_DOCUMENT_PAGES = 10  # a free copy is a few pages; more is a job for the window


class CopyKind(StrEnum):
    ID_CARD = "id_card"
    DOCUMENT = "document"


class Step(StrEnum):
    """What the citizen is asked to lay down next (or that the copy is ready to print)."""

    FRONT = "front"
    BACK = "back"
    PAGE = "page"
    READY = "ready"


@dataclass(frozen=True)
class Progress:
    step: Step
    pages: int  # captures kept so far


class CopyJob:
    """One citizen's copy: captures in, a PDF out, nothing kept after `wipe()`."""

    def __init__(self, kind: CopyKind | str, directory: str | Path, *, mode: Mode | str = Mode.GREY) -> None:
        self.kind = CopyKind(kind)
        self.mode = Mode(mode)
        self.store = CaptureStore(directory, new_key())
        self._items: list[str] = []
        self._done = False  # a document copy the citizen said was complete
        self.last: tuple[np.ndarray, np.ndarray] | None = None  # the newest capture's frame and outline

    @property
    def pages(self) -> int:
        return len(self._items)

    def progress(self) -> Progress:
        if self.kind is CopyKind.ID_CARD:
            step = (Step.FRONT, Step.BACK, Step.READY)[min(self.pages, 2)]
        else:
            step = Step.READY if self._done or self.pages >= MAX_DOCUMENT_PAGES else Step.PAGE
        return Progress(step, self.pages)

    def add(self, image: np.ndarray, quad: np.ndarray, cleaned: np.ndarray | None = None) -> Progress:
        """A captured frame and the page's outline in it: cleaned and sealed as the next capture.
        `cleaned`: the page already cleaned from `image` within `quad` as this job would (a sample's)."""
        if self.progress().step is Step.READY:
            raise ValueError("the copy already has all its pages; print it or start again")
        self._items.append(self._seal(image, quad, cleaned))
        self.last = (image, np.asarray(quad, np.float32).reshape(4, 2).copy())
        return self.progress()

    def replace_last(self, image: np.ndarray, quad: np.ndarray) -> None:
        """The newest capture cleaned again from `image` within corners the citizen dragged."""
        if not self._items:
            raise ValueError("the copy has no capture to adjust")
        problem = outline_problem(quad)
        if problem is not None:
            raise ValueError(problem)
        item = self._seal(image, quad)
        self.store.delete(self._items[-1])
        self._items[-1] = item
        self.last = (image, np.asarray(quad, np.float32).reshape(4, 2).copy())

    def _seal(self, image: np.ndarray, quad: np.ndarray, cleaned: np.ndarray | None = None) -> str:
        """The capture within `quad` cleaned (a card lying, a sheet upright) and sealed: its item."""
        card = self.kind is CopyKind.ID_CARD
        shape = None
        if card:  # a card even where glare or a finger makes the outline look otherwise
            width, height = side_lengths(quad)
            shape = ID_CARD if width >= height else ID_CARD.turned()
        page = clean_page(image, quad, self.mode, DPI, shape)[0] if cleaned is None else cleaned
        landscape = page.shape[1] > page.shape[0]
        if landscape != card:  # a card prints lying, a sheet upright
            page = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)
        ok, png = cv2.imencode(".png", page)
        if not ok:
            raise ValueError("the captured page could not be encoded")
        return self.store.put(png.tobytes())

    def drop_last(self) -> Progress:
        """The last capture removed (a retake)."""
        if self._items:
            self.store.delete(self._items.pop())
        self._done = False
        self.last = None
        return self.progress()

    def finish(self) -> Progress:
        """A document copy with the pages taken so far is complete."""
        if self.kind is CopyKind.DOCUMENT and self.pages:
            self._done = True
        return self.progress()

    def images(self) -> list[np.ndarray]:
        return [cv2.imdecode(np.frombuffer(self.store.get(item), np.uint8), cv2.IMREAD_UNCHANGED)
                for item in self._items]

    def sheets(self) -> list[np.ndarray]:
        """The A4 pages to print: the card's two sides on one sheet, or each document page on A4."""
        images = self.images()
        if self.kind is CopyKind.ID_CARD:
            if len(images) != 2:
                raise ValueError(f"an ID card copy needs its front and back, not {len(images)} sides")
            return [id_card_sheet(images[0], images[1], DPI)]
        return [on_a4(image) for image in images]

    def pdf(self) -> bytes:
        if self.progress().step is not Step.READY:
            raise ValueError("the copy is not complete yet")
        return pages_pdf(self.sheets(), DPI, title="copy")

    def wipe(self) -> int:
        self._items.clear()
        self._done = False
        self.last = None
        return self.store.wipe()


def on_a4(image: np.ndarray) -> np.ndarray:
    """A page that is A4 already as it is; a smaller one centred at true size on a white A4 sheet."""
    width, height = A4.pixels(DPI)
    h, w = image.shape[:2]
    if abs(w - width) <= 2 and abs(h - height) <= 2:
        return image
    scale = min(1.0, width / w, height / h)
    if scale < 1.0:
        image = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
        h, w = image.shape[:2]
    sheet = np.full((height, width, *image.shape[2:]), 255, np.uint8)
    top, left = (height - h) // 2, (width - w) // 2
    sheet[top:top + h, left:left + w] = image
    return sheet
