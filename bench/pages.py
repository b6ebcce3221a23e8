"""`yiciban bench pages DIR [--quads FILE]`: how exactly and how fast the document camera finds
the page, beside the textbook OpenCV scanner measured in the same run.

DIR holds images and `truth.json` = {"NAME.jpg": [[x, y] x 4 in order tl, tr, br, bl]} in pixel
coordinates. Each found quadrilateral is scored with the SmartDoc 2015 metric: both polygons are
warped into the truth's page frame (the homography taking the truth's corners to a rectangle of
the truth's mean side lengths) and their intersection over union is taken there; a frame where
nothing was found scores 0. Times are milliseconds per frame (median and p90 over frames, each
frame's time the median of `--repeat` runs after one warm-up), on one core: OpenCV runs single
threaded and the process is pinned to one CPU where allowed. Both finders get the BGR frame;
the textbook's grey conversion is timed.
With `--quads FILE` our quadrilaterals are written in truth.json's format (an empty list where
none was found). A missed target is reported (`"met": false`), not an error; the exit code is 1
only when DIR has no readable truth.json or no image it names.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from bench.qr import _load, log, machine, nearest_rank, peak_rss_mb, pin_one_core

TARGET_MEAN_JACCARD = 0.97
TARGET_MS_1080P = 30.0

Finder = Callable[[np.ndarray], "np.ndarray | None"]


def jaccard(truth: np.ndarray, found: np.ndarray | None) -> float:
    """SmartDoc 2015: the polygons' intersection over union in the truth's page frame."""
    if found is None or len(found) != 4:
        return 0.0
    truth = np.asarray(truth, np.float32).reshape(4, 2)
    width = (np.linalg.norm(truth[1] - truth[0]) + np.linalg.norm(truth[2] - truth[3])) / 2
    height = (np.linalg.norm(truth[3] - truth[0]) + np.linalg.norm(truth[2] - truth[1])) / 2
    frame = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(truth, frame)
    mapped = cv2.perspectiveTransform(np.asarray(found, np.float32).reshape(-1, 1, 2), matrix).reshape(4, 2)
    hull = cv2.convexHull(mapped)  # a self-crossing order would otherwise give a wrong area
    if cv2.contourArea(hull) <= 0:
        return 0.0
    inter, _ = cv2.intersectConvexConvex(frame, hull.reshape(-1, 2).astype(np.float32))
    union = width * height + cv2.contourArea(hull) - inter
    return float(inter / union) if union > 0 else 0.0


def load_truth(root: Path) -> dict[str, np.ndarray]:
    path = root / "truth.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{path} must be an object of NAME: four [x, y] corners")
    truth = {}
    for name, corners in raw.items():
        quad = np.asarray(corners, np.float32)
        if quad.shape != (4, 2):
            raise ValueError(f"{path}: {name} must have four [x, y] corners, has shape {list(quad.shape)}")
        truth[name] = quad
    return truth


def finders() -> dict[str, Finder]:
    from drivers.camera.page import find_page, textbook_page

    def grey(finder: Callable[[np.ndarray], Any]) -> Finder:
        return lambda image: finder(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))

    def with_guesses(image: np.ndarray) -> np.ndarray | None:
        return find_page(image, guess=True)

    # "yiciban" is what auto-capture acts on; "yiciban_guess" adds, where that found nothing,
    # the outline the preview offers the citizen to drag (find_page's `guess`)
    return {"yiciban": find_page, "yiciban_guess": with_guesses, "textbook": grey(textbook_page)}


class _Tally:
    def __init__(self) -> None:
        self.scores: list[float] = []
        self.times: list[float] = []
        self.times_1080p: list[float] = []
        self.missed = 0
        self.quads: dict[str, list[list[float]]] = {}


def _run(finder: Finder, image: np.ndarray, repeat: int) -> tuple[np.ndarray | None, float]:
    runs, found = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        found = finder(image)
        runs.append((time.perf_counter() - start) * 1000)
    return found, statistics.median(runs)


def _summary(tally: _Tally) -> dict[str, Any]:
    scores = tally.scores
    return {
        "mean_jaccard": round(float(np.mean(scores)), 4),
        "median_jaccard": round(float(np.median(scores)), 4),
        "share_at_least_0.95": round(float(np.mean([s >= 0.95 for s in scores])), 4),
        "not_found": tally.missed,
        "median_ms": round(statistics.median(tally.times), 2),
        "p90_ms": round(nearest_rank(tally.times, 90) or 0, 2),
        "median_ms_1080p": round(statistics.median(tally.times_1080p), 2) if tally.times_1080p else None,
        "p90_ms_1080p": round(nearest_rank(tally.times_1080p, 90) or 0, 2) if tally.times_1080p else None,
    }


def measure(root: Path, repeat: int = 3) -> tuple[dict[str, Any], dict[str, list[list[float]]]]:
    truth = load_truth(root)
    names = [n for n in truth if (root / n).is_file()]
    if not names:
        raise ValueError(f"none of the images truth.json names is in {root}")
    load_before = _load()
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    old_affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpu = pin_one_core()
    all_finders = finders()
    tallies = {name: _Tally() for name in all_finders}
    try:
        first = cv2.imread(str(root / names[0]), cv2.IMREAD_COLOR)
        for finder in all_finders.values():
            finder(first)  # warm-up
        for n in names:
            image = cv2.imread(str(root / n), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError(f"cannot read {root / n}")
            is_1080p = image.shape[:2] == (1080, 1920)
            for name, finder in all_finders.items():
                found, ms = _run(finder, image, repeat)
                tally = tallies[name]
                tally.scores.append(jaccard(truth[n], found))
                tally.times.append(ms)
                if is_1080p:
                    tally.times_1080p.append(ms)
                tally.missed += found is None
                tally.quads[n] = [] if found is None else [[round(float(x), 2), round(float(y), 2)] for x, y in found]
    finally:
        cv2.setNumThreads(threads)
        if old_affinity is not None and cpu is not None:
            os.sched_setaffinity(0, old_affinity)
    ours = _summary(tallies["yiciban"])
    about = machine(cpu, ("opencv-python-headless", "numpy"))
    about["load_average"] = {"before": load_before, "after": _load()}
    about["peak_rss_mb"] = peak_rss_mb()
    result = {
        "dataset": {"dir": str(root), "images": len(names), "missing_images": len(truth) - len(names)},
        "machine": about,
        "method": {"repeat": repeat, "metric": "SmartDoc 2015 Jaccard in the truth's page frame",
                   "baseline": "textbook: 500 px high, blur 5, Canny 75/200, dilate, largest 4-point contour"},
        "finders": {name: _summary(tally) for name, tally in tallies.items()},
        "targets": {
            "mean_jaccard": {"target": f">= {TARGET_MEAN_JACCARD}", "measured": ours["mean_jaccard"],
                             "met": ours["mean_jaccard"] >= TARGET_MEAN_JACCARD},
            "median_ms_1080p": {"target": f"<= {TARGET_MS_1080P}", "measured": ours["median_ms_1080p"],
                                "met": ours["median_ms_1080p"] is not None
                                and ours["median_ms_1080p"] <= TARGET_MS_1080P},
        },
    }
    return result, tallies["yiciban"].quads


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", help="images and their truth.json")
    parser.add_argument("--quads", help="write the quadrilaterals found, in truth.json's format")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per image (default 3)")
    parser.add_argument("--output", help="also write the JSON to this file")


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    if not isinstance(args, argparse.Namespace):
        parser = argparse.ArgumentParser(prog="yiciban bench pages", description=__doc__.split("\n\n")[0])
        add_arguments(parser)
        args = parser.parse_args(args)
    try:
        result, quads = measure(Path(args.dir), max(1, int(args.repeat or 1)))
    except (ValueError, OSError) as exc:
        log(str(exc))
        return 1
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)  # noqa: T201
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    if args.quads:
        Path(args.quads).write_text(json.dumps(quads, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
