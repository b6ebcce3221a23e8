"""Captured pages made clean: shape recognised (A4, ID card), dewarped, light flattened, in three
modes; an ID card's two sides on one A4 sheet; multi-page PDFs within 300 KB a grey page; and the
sealed capture store, its wipe included."""
from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import desk
from drivers.camera.clean import A4, ID_CARD, Mode, clean_page, flatten, id_card_sheet, recognise
from drivers.camera.page import find_page
from drivers.camera.pdf import pages_pdf
from drivers.camera.store import CaptureStore, StoreError, new_key

SHEET = np.array([[500, 120], [1100, 160], [1060, 990], [470, 950]], np.float32)
CARD = np.array([[700, 400], [1100, 420], [1090, 670], [690, 650]], np.float32)


def photographed(kind: str, corners: np.ndarray, seed: int = 1, shadow: float = 0.4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return desk.render(kind, corners, desk.texture("wood", 1920, 1080, rng),
                       desk.Effects(shadow=shadow, noise=3.0, jpeg=85), rng)


def test_sheets_and_cards_are_told_apart_by_their_proportions() -> None:
    assert recognise(SHEET) == A4
    assert recognise(CARD) == ID_CARD
    assert recognise(CARD[[1, 2, 3, 0]]) == ID_CARD.turned()  # the card seen upright
    receipt = recognise(np.array([[0, 0], [80, 0], [80, 200], [0, 200]], np.float32))
    assert receipt.name == "document"
    assert receipt.height_mm == pytest.approx(297.0) and receipt.width_mm == pytest.approx(118.8)


def test_a_photographed_sheet_comes_out_a4_upright_and_evenly_lit() -> None:
    image = photographed("form", SHEET)
    page, shape = clean_page(image, find_page(image), Mode.GREY, dpi=200)
    assert shape == A4 and page.shape == (2339, 1654)
    paper = page[page > 200]
    corners = [page[100:300, 100:300], page[100:300, -300:-100], page[-300:-100, 100:300], page[-300:-100, -300:-100]]
    brightness = [float(np.median(c)) for c in corners]
    assert max(brightness) - min(brightness) < 12, brightness  # the shadow's 40% is divided out
    assert paper.size > 0.6 * page.size
    # the title sits at the top, centred: the page was not turned or mirrored
    rows = np.where((page[:400] < 128).sum(axis=1) > 20)[0]
    assert rows.size and rows.min() > 120


def test_modes_and_300_dpi() -> None:
    image = photographed("idcard_front", CARD)
    quad = find_page(image)
    colour, shape = clean_page(image, quad, "colour", dpi=300)
    assert shape == ID_CARD and colour.shape == (638, 1011, 3)
    bw, _ = clean_page(image, quad, "bw")
    assert set(np.unique(bw)) == {0, 255}
    with pytest.raises(ValueError, match="dpi must be one of"):
        clean_page(image, quad, "grey", dpi=150)
    with pytest.raises(ValueError):
        clean_page(image, quad, "sepia")


def test_flatten_removes_a_gradient_and_keeps_ink() -> None:
    ramp = np.tile(np.linspace(120, 250, 800, dtype=np.float32), (600, 1))
    page = ramp.copy()
    page[280:320, 100:700] *= 0.2  # a line of ink across the gradient
    flat = flatten(page.astype(np.uint8))
    across = np.median(flat[:200], axis=0)
    assert np.ptp(across[50:-50]) < 10 and np.ptp(across) < 15  # the closing leans on the edges a little
    assert flat[300, 150] < 100 and flat[300, 650] < 100


def test_both_sides_of_an_id_card_on_one_a4_sheet() -> None:
    front = clean_page(photographed("idcard_front", CARD), CARD, "grey")[0]
    back = clean_page(photographed("idcard_back", CARD, seed=2), CARD, "grey")[0]
    sheet = id_card_sheet(front, back)
    assert sheet.shape == (2339, 1654)
    ink_rows = np.where((sheet < 200).any(axis=1))[0]
    card_h = ID_CARD.pixels(200)[1]
    assert ink_rows.min() >= 2339 // 4 - card_h // 2 and ink_rows.max() <= 2339 * 5 // 8 + card_h // 2
    assert (sheet[2339 // 4 + card_h // 2 + 5: 2339 * 5 // 8 - card_h // 2 - 5] == 255).all()  # a gap between


def pdf_pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def test_a_multi_page_pdf_keeps_grey_pages_within_300_kb(tmp_path: Path) -> None:
    pages = []
    for seed in range(3):
        image = photographed("form", SHEET, seed=seed)
        pages.append(clean_page(image, find_page(image), "grey")[0])
    data = pages_pdf(pages, dpi=200)
    assert data.startswith(b"%PDF")
    assert pdf_pages(data, tmp_path) == 3
    assert len(data) <= 3 * 300_000
    info = subprocess.run(["pdfinfo", str(tmp_path / "out.pdf")], capture_output=True, text=True).stdout
    assert "595.4 x 842" in info or "595.44 x 842" in info  # A4 in points, from 1654 x 2339 px at 200 dpi


def test_a_page_that_cannot_fit_says_so() -> None:
    noise = np.random.default_rng(0).integers(0, 255, (2339, 1654), dtype=np.uint8)
    with pytest.raises(ValueError, match="does not fit 300000 bytes"):
        pages_pdf([noise])
    with pytest.raises(ValueError, match="at least one page"):
        pages_pdf([])


def test_the_store_seals_opens_and_wipes(tmp_path: Path) -> None:
    key = new_key()
    store = CaptureStore(tmp_path / "captures", key)
    secret = b"%PDF-1.4 110101199003071234 name"
    items = [store.put(secret), store.put(b"second")]
    assert store.get(items[0]) == secret
    assert stat.S_IMODE((tmp_path / "captures").stat().st_mode) == 0o700
    for path in (tmp_path / "captures").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert b"110101199003071234" not in path.read_bytes()
    with pytest.raises(StoreError, match="another key"):
        CaptureStore(tmp_path / "captures", new_key()).get(items[0])
    assert store.wipe() == 2
    assert list((tmp_path / "captures").iterdir()) == []
    with pytest.raises(StoreError, match="not in the store"):
        store.get(items[0])


def test_a_file_moved_to_another_id_does_not_open(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path, new_key())
    a, b = store.put(b"a"), store.put(b"b")
    (tmp_path / f"{a}.sealed").replace(tmp_path / f"{b}.sealed")
    with pytest.raises(StoreError, match="altered, moved"):
        store.get(b)
    with pytest.raises(StoreError, match="not a capture id"):
        store.get("../../etc/passwd")
