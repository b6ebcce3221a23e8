"""The document camera's page finder on generated desk frames, and the page benchmark's metric
(SmartDoc 2015 Jaccard), truth.json handling and `--quads` output."""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench import pages as bench_pages
from bench.pages_set import write_set
from drivers.camera import desk
from drivers.camera.page import find_page, order_corners, textbook_page


def frames(seed: int, family: str, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    kinds = ("form", "idcard_front", "receipt", "form", "idcard_back")
    return [desk.scene(kinds[i % len(kinds)], family, 1280, 720, rng) for i in range(count)]


@pytest.mark.parametrize("family", ["tune", "unseen"])
def test_the_page_is_found_within_a_few_pixels(family: str) -> None:
    scores = [bench_pages.jaccard(truth, find_page(image)) for image, truth in frames(7, family, 6)]
    assert np.mean(scores) >= 0.95, scores
    assert sum(s >= 0.95 for s in scores) >= 5, scores


def test_a_clean_page_is_found_exactly_and_corners_come_tl_tr_br_bl() -> None:
    rng = np.random.default_rng(3)
    corners = np.array([[420, 110], [860, 140], [840, 650], [400, 620]], np.float32)
    image = desk.render("form", corners, desk.texture("wood", 1280, 720, rng), desk.Effects(), rng)
    found = find_page(image)
    assert found is not None
    assert np.abs(found - corners).max() < 2.0, found
    assert bench_pages.jaccard(corners, found) > 0.99


def test_an_empty_desk_has_no_page() -> None:
    rng = np.random.default_rng(5)
    assert find_page(desk.texture("cloth", 1280, 720, rng)) is None
    assert find_page(np.full((720, 1280, 3), 128, np.uint8), guess=True) is None  # no outline at all: no guess


def test_a_page_with_too_little_edge_is_only_a_guess() -> None:
    """A page whose sides barely stand out from the desk: no page for auto-capture, but the
    outline the preview offers to drag lies on it."""
    rng = np.random.default_rng(3)
    corners = np.array([[400, 150], [900, 170], [880, 600], [380, 580]], np.float32)
    frame = desk.render("form", corners, np.full((720, 1280, 3), 200, np.float32),
                        desk.Effects(), rng).astype(np.float32)
    faint = (frame - 200) * 0.25 + 200  # the page's edge a few grey levels off the desk
    faint = np.clip(faint, 0, 255).astype(np.uint8)
    assert find_page(faint) is None
    guessed = find_page(faint, guess=True)
    assert guessed is not None and bench_pages.jaccard(corners, guessed) > 0.9


def test_the_finder_says_what_it_wants() -> None:
    with pytest.raises(ValueError, match="BGR or grey"):
        find_page(np.zeros((10, 10, 4), np.uint8))


def test_jaccard_is_one_for_the_truth_zero_for_nothing_and_ignores_corner_order() -> None:
    truth = np.array([[100, 100], [500, 120], [480, 700], [90, 680]], np.float32)
    assert bench_pages.jaccard(truth, truth) == pytest.approx(1.0)
    assert bench_pages.jaccard(truth, np.roll(truth, 2, axis=0)) == pytest.approx(1.0)
    assert bench_pages.jaccard(truth, None) == 0.0
    half = truth.copy()
    half[1] = (truth[0] + truth[1]) / 2
    half[2] = (truth[3] + truth[2]) / 2
    assert bench_pages.jaccard(truth, half) == pytest.approx(0.5, abs=0.01)


def test_order_corners_starts_top_left_and_goes_clockwise() -> None:
    quad = np.array([[10, 90], [90, 90], [10, 10], [90, 10]], np.float32)
    assert order_corners(quad).tolist() == [[10, 10], [90, 10], [90, 90], [10, 90]]


def test_bench_pages_scores_a_set_and_writes_the_quads(tmp_path: Path) -> None:
    write_set(tmp_path, 3, seed=11, family="unseen", width=960, height=540)
    out = tmp_path / "quads.json"
    assert bench_pages.main([str(tmp_path), "--repeat", "1", "--quads", str(out)]) == 0
    quads = json.loads(out.read_text())
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert sorted(quads) == sorted(truth)
    for name, quad in quads.items():
        assert quad == [] or np.asarray(quad).shape == (4, 2), name
        scored = bench_pages.jaccard(np.asarray(truth[name]), np.asarray(quad) if quad else None)
        image = cv2.imread(str(tmp_path / name))
        assert scored == pytest.approx(bench_pages.jaccard(np.asarray(truth[name]), find_page(image)), abs=0.01)


def test_bench_pages_refuses_a_bad_truth_file(tmp_path: Path) -> None:
    (tmp_path / "truth.json").write_text(json.dumps({"a.jpg": [[1, 2], [3, 4]]}))
    with pytest.raises(ValueError, match="a.jpg must have four"):
        bench_pages.load_truth(tmp_path)
    assert bench_pages.main([str(tmp_path)]) == 1


def test_the_textbook_baseline_finds_a_clean_page() -> None:
    rng = np.random.default_rng(4)
    corners = np.array([[300, 100], [900, 100], [900, 650], [300, 650]], np.float32)
    image = desk.render("form", corners, desk.texture("cloth", 1280, 720, rng), desk.Effects(), rng)
    assert bench_pages.jaccard(corners, textbook_page(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))) > 0.95
