"""A self-service application (自助申报) being put together at the kiosk, without Qt: the matter's
materials checklist, the pages captured for each material, and the case the hall is sent.

Each material of the matter's guide (`materials`: name, form, count, required) gets the pages the
citizen lays under the document camera, cleaned to paper size and sealed in a `CaptureStore`
under a key of this application alone; a page can be taken again (`retake`) or removed
(`delete`). `case_body` is what the kiosk posts for 预审 (`channel: kiosk`): every material
either `image` (pages captured) or `missing`; `material_pdf` is one material's pages as a PDF.
`move` puts a page elsewhere in its material; `sign` keeps the applicant's signature (a PNG of
the strokes on the touch screen), sealed like the pages; `uploads()` is what goes to the hall,
one PDF per material captured and the signature's page. A 补正 is an application of the
materials the notice listed only (`for_correction`).
`last` is the frame and outline the newest page was cleaned from, kept in memory only (never
sealed, never written) so the citizen can drag its corners: `replace` cleans that page again
from corners they set. It goes with the next capture, when a page of its material is removed
or moved, when the citizen turns to another material (`forget`), and at `wipe()`.
`wipe()` overwrites and removes every sealed page: when the application is sent, abandoned, or
the terminal goes home. Nothing here logs a page, a name or an ID number.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from drivers.camera.clean import Mode, clean_page
from drivers.camera.pdf import pages_pdf
from drivers.camera.store import CaptureStore, new_key
from kiosk.models.terminal.copying import DPI, on_a4
from kiosk.models.terminal.outline import outline_problem

MAX_PAGES = 20  # per material: more is a bundle for the window
SIGNATURE = "申请人签名"  # the material name the hall keeps the signature's page under (hall.case_pages)


@dataclass(frozen=True)
class Kept:
    """The frame a page was cleaned from and its outline (tl, tr, br, bl), in memory only."""

    material: str
    page: int  # 1-based
    image: np.ndarray
    quad: np.ndarray


@dataclass(frozen=True)
class Material:
    name: str  # the hall's Chinese name: the key the pages and the case are kept under
    form: str
    count: int
    required: bool
    name_en: str = ""  # the hall's English, for an English screen ("" where the hall gave none)

    def shown(self, language: str) -> str:
        """The name as a screen in `language` shows it."""
        return self.name_en if language == "en" and self.name_en else self.name


def checklist(guide: dict[str, Any]) -> tuple[Material, ...]:
    """The materials a matter's guide lists, in its order; ValueError when it lists none."""
    found = tuple(Material(str(m.get("name", "")).strip(), str(m.get("form", "")), int(m.get("count", 1) or 1),
                           bool(m.get("required", True)), str(m.get("name_en") or "").strip())
                  for m in guide.get("materials") or [] if str(m.get("name", "")).strip())
    if not found:
        raise ValueError(f"the matter {guide.get('code', '?')} lists no materials to capture")
    return found


def for_correction(case: dict[str, Any]) -> dict[str, Any]:
    """The guide of a 补正: the case's matter, and only the materials its notice listed."""
    items = (case.get("correction") or {}).get("items") or []
    if not items:
        raise ValueError(f"case {case.get('number', '?')} has no 补正 list")
    return {"code": case.get("matter", ""), "materials": [
        {"name": i.get("material", ""), "name_en": i.get("material_en", ""), "form": i.get("form", ""),
         "required": True} for i in items]}


class Application:
    def __init__(self, guide: dict[str, Any], directory: str | Path, *, mode: Mode | str = Mode.GREY) -> None:
        self.matter = str(guide.get("code", ""))
        if not self.matter:
            raise ValueError("the guide has no matter code")
        self.materials = checklist(guide)
        self.mode = Mode(mode)
        self.store = CaptureStore(directory, new_key())
        self._pages: dict[str, list[str]] = {m.name: [] for m in self.materials}
        self._signature: str | None = None
        self.last: Kept | None = None

    def _items(self, material: str) -> list[str]:
        try:
            return self._pages[material]
        except KeyError:
            raise ValueError(f"{material!r} is not a material of matter {self.matter}") from None

    def shown(self, material: str, language: str) -> str:
        """A material's name as a screen in `language` shows it (the name itself if unknown)."""
        found = next((m for m in self.materials if m.name == material), None)
        return found.shown(language) if found is not None else material

    def pages(self, material: str) -> int:
        return len(self._items(material))

    def add(self, material: str, image: np.ndarray, quad: np.ndarray, cleaned: np.ndarray | None = None) -> int:
        """A captured frame's page, cleaned and sealed as the material's next page; its page count.
        `cleaned`: the page already cleaned from `image` within `quad` in this mode (a sample's)."""
        items = self._items(material)
        if len(items) >= MAX_PAGES:
            raise ValueError(f"{material} already has {MAX_PAGES} pages")
        items.append(self._seal(image, quad, cleaned))
        self.last = Kept(material, len(items), image, np.asarray(quad, np.float32).reshape(4, 2).copy())
        return len(items)

    def replace(self, material: str, page: int, image: np.ndarray, quad: np.ndarray) -> None:
        """Page `page` (1-based) of the material cleaned again from `image` within `quad`, sealed
        in place of the old one (which is removed); the old page stays when `quad` is no page."""
        items = self._items(material)
        if not 1 <= page <= len(items):
            raise ValueError(f"{material} has no page {page} (it has {len(items)})")
        problem = outline_problem(quad)
        if problem is not None:
            raise ValueError(problem)
        item = self._seal(image, quad)
        self.store.delete(items[page - 1])
        items[page - 1] = item
        if self.last is not None and (self.last.material, self.last.page) == (material, page):
            self.last = Kept(material, page, image, np.asarray(quad, np.float32).reshape(4, 2).copy())

    def _seal(self, image: np.ndarray, quad: np.ndarray, cleaned: np.ndarray | None = None) -> str:
        """The page within `quad` of `image`, cleaned, upright, sealed: its item in the store."""
        page = clean_page(image, quad, self.mode, DPI)[0] if cleaned is None else cleaned
        if page.shape[1] > page.shape[0]:
            page = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)  # a sheet laid sideways, upright
        ok, png = cv2.imencode(".png", page)
        if not ok:
            raise ValueError("the captured page could not be encoded")
        return self.store.put(png.tobytes())

    def kept(self, material: str) -> Kept | None:
        """The frame of the material's newest page, while it is still kept."""
        return self.last if self.last is not None and self.last.material == material else None

    def forget(self) -> None:
        """Drops the kept frame (the citizen turned to another material, or left)."""
        self.last = None

    def delete(self, material: str, page: int) -> int:
        """Page `page` (1-based) of the material removed; the pages left."""
        items = self._items(material)
        if not 1 <= page <= len(items):
            raise ValueError(f"{material} has no page {page} (it has {len(items)})")
        self.store.delete(items.pop(page - 1))
        if self.last is not None and self.last.material == material:
            self.last = None
        return len(items)

    def retake(self, material: str) -> int:
        """The material's last page removed, to be captured again; the pages left."""
        items = self._items(material)
        return self.delete(material, len(items)) if items else 0

    def move(self, material: str, page: int, to: int) -> None:
        """Page `page` (1-based) of the material put at place `to` (1-based), the others kept in order."""
        items = self._items(material)
        if not (1 <= page <= len(items) and 1 <= to <= len(items)):
            raise ValueError(f"{material} has pages 1 to {len(items)}, not {page} → {to}")
        items.insert(to - 1, items.pop(page - 1))
        if self.last is not None and self.last.material == material:
            self.last = None

    def sign(self, png: bytes) -> None:
        """The applicant's signature (a PNG), kept sealed in place of any earlier one."""
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        if image is None or not (image < 128).any():
            raise ValueError("the signature is empty")
        if self._signature is not None:
            self.store.delete(self._signature)
        self._signature = self.store.put(png)

    @property
    def signed(self) -> bool:
        return self._signature is not None

    def signature_image(self) -> np.ndarray | None:
        if self._signature is None:
            return None
        return cv2.imdecode(np.frombuffer(self.store.get(self._signature), np.uint8), cv2.IMREAD_GRAYSCALE)

    def uploads(self) -> list[tuple[str, bytes]]:
        """(material, PDF) for each material with pages, in the checklist's order, and the signature's page."""
        out = [(m.name, self.material_pdf(m.name)) for m in self.materials if self._pages[m.name]]
        image = self.signature_image()
        if image is not None:
            out.append((SIGNATURE, pages_pdf([image], DPI, title=SIGNATURE)))
        return out

    def images(self, material: str) -> list[np.ndarray]:
        return [cv2.imdecode(np.frombuffer(self.store.get(item), np.uint8), cv2.IMREAD_UNCHANGED)
                for item in self._items(material)]

    def material_pdf(self, material: str) -> bytes:
        images = self.images(material)
        if not images:
            raise ValueError(f"no page of {material} was captured")
        return pages_pdf([on_a4(image) for image in images], DPI, title=material)

    def missing(self) -> list[Material]:
        """Required materials with no page captured."""
        return [m for m in self.materials if m.required and not self._pages[m.name]]

    def case_body(self, id_number: str, name: str = "") -> dict[str, Any]:
        """The hall's create-case body for 预审 at the kiosk."""
        return {"matter": self.matter, "channel": "kiosk",
                "applicant": {"id_number": id_number, "name": name},
                "materials": {m.name: "image" if self._pages[m.name] else "missing" for m in self.materials},
                "applies": [m.name for m in self.materials if not m.required and self._pages[m.name]]}

    def wipe(self) -> int:
        for items in self._pages.values():
            items.clear()
        self._signature = None
        self.last = None
        return self.store.wipe()
