"""`yiciban bench qr DIR`: how many QR codes of the BoofCV benchmark subset are read, how fast.

DIR holds one folder per category (nominal, perspective, shadows, pathological ...) of images
with their corner labels (`imageNNN.txt`; see ../shared/bench/boofcv_qr/README.md). For each
reader, per category: the reading rate by the benchmark's rule (a labelled code is read when
some decoded result with a non-empty payload has a bounding rectangle overlapping the label's by
more than 20% of the smaller of the two), and the milliseconds per image (median, p90). The
headline is the mean reading rate over categories.

Readers, all restricted to QR codes, each given the same BGR image (grey conversion is timed):
- `yiciban`: `drivers.camera.codes.decode`, the pipeline the kiosks use;
- `yiciban_exhaustive`: the same with every stage run (finds a second code a first stage missed);
- `yiciban_all_formats`: the pipeline with no format restriction, as `decode()` runs by default;
- `zxing_cpp`: plain zxing-cpp `read_barcodes` at the image's own scale (its defaults);
- `zbar`: plain pyzbar, single scale.

One core: OpenCV runs single-threaded and the process is pinned to one CPU where allowed. Each
image is decoded `--repeat` times after one untimed warm-up; an image's time is the median of its
runs. The load average before and after is recorded (other work on the machine shows in the
times). Images are loaded without applying EXIF orientation, because the labels are in the stored
pixel frame (four images of the subset carry an orientation tag). A missed target is reported
(`"met": false`), not an error; the exit code is 1 only when DIR holds no labelled images.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

TARGET_MEAN_RATE = 0.75
TARGET_MEDIAN_MS = 40.0
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
OVERLAP = 0.2

Rect = tuple[float, float, float, float]
Reader = Callable[[Any], list[Rect]]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# -- labels and the reading rule


def load_labels(path: Path) -> list[list[float]]:
    """The corners of each labelled code: lists of 8 numbers (x0 y0 ... x3 y3)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(line.split())
    if rows and rows[0] == ["SETS"]:
        return [[float(v) for v in row] for row in rows[1:] if row]
    values = [float(v) for row in rows for v in row]
    return [values[i : i + 8] for i in range(0, len(values) - 7, 8)]


def bounding(points: Sequence[float]) -> Rect:
    xs, ys = points[0::2], points[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def overlaps(label: Rect, found: Rect, share: float = OVERLAP) -> bool:
    """The benchmark's rule: intersection > `share` of the smaller rectangle's area."""
    w = min(label[2], found[2]) - max(label[0], found[0])
    h = min(label[3], found[3]) - max(label[1], found[1])
    if w <= 0 or h <= 0:
        return False
    area_label = (label[2] - label[0]) * (label[3] - label[1])
    smaller = min(area_label, (found[2] - found[0]) * (found[3] - found[1]))
    return w * h > share * smaller


def count_read(labels: list[list[float]], found: list[Rect]) -> int:
    return sum(any(overlaps(bounding(label), rect) for rect in found) for label in labels)


def dataset(root: Path) -> dict[str, list[tuple[Path, Path]]]:
    """category -> [(image, label)] for every image with a label beside it."""
    out: dict[str, list[tuple[Path, Path]]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        pairs = [
            (img, img.with_suffix(".txt"))
            for img in sorted(folder.iterdir())
            if img.suffix.lower() in IMAGE_SUFFIXES and img.with_suffix(".txt").is_file()
        ]
        if pairs:
            out[folder.name] = pairs
    return out


# -- readers


def readers() -> dict[str, Reader]:
    import cv2
    import zxingcpp
    from pyzbar import pyzbar

    from drivers.camera.codes import decode

    def gray(image: Any) -> Any:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)

    def pipeline(**kwargs: Any) -> Reader:
        return lambda image: [c.rect for c in decode(image, **kwargs)]

    def plain_zxing(image: Any) -> list[Rect]:
        out = []
        for b in zxingcpp.read_barcodes(gray(image), formats=zxingcpp.BarcodeFormat.QRCode):
            if b.text or b.bytes:
                p = b.position
                corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
                out.append(bounding([v for c in corners for v in (c.x, c.y)]))
        return out

    def plain_zbar(image: Any) -> list[Rect]:
        found = pyzbar.decode(gray(image), symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [bounding([v for p in d.polygon for v in (p.x, p.y)]) for d in found if d.data]

    return {
        "yiciban": pipeline(formats={"QRCode"}),
        "yiciban_exhaustive": pipeline(formats={"QRCode"}, exhaustive=True),
        "yiciban_all_formats": pipeline(),
        "zxing_cpp": plain_zxing,
        "zbar": plain_zbar,
    }


# -- measuring


def nearest_rank(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def timed(reader: Reader, image: Any, repeat: int) -> tuple[list[Rect], float]:
    runs, found = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        found = reader(image)
        runs.append((time.perf_counter() - start) * 1000)
    return found, statistics.median(runs)


def pin_one_core() -> int | None:
    """Pins this process to one CPU it may run on; returns that CPU (None where not possible)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


def machine(cpu: int | None, dists: Sequence[str] = ("opencv-python-headless", "zxing-cpp", "pyzbar", "numpy"),
            ) -> dict[str, Any]:
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in dists:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        if "pyzbar" not in dists:
            raise LookupError("libzbar not asked for")
        import ctypes

        from pyzbar.wrapper import zbar_version

        major, minor = ctypes.c_uint(), ctypes.c_uint()
        zbar_version(ctypes.byref(major), ctypes.byref(minor))
        versions["libzbar"] = f"{major.value}.{minor.value}"
    except Exception:
        versions["libzbar"] = None
    return {
        "cpu": model,
        "cpus_online": os.cpu_count(),
        "pinned_cpu": cpu,
        "opencv_threads": 1,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
    }


def _load() -> list[float] | None:
    """1, 5 and 15 minute load averages: a busy machine shows in the result."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def peak_rss_mb() -> float | None:
    """This process's peak resident memory so far, in MB (None where the OS does not say)."""
    try:
        import resource
    except ImportError:
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KB


def read_image(path: Path) -> Any:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if image is None:
        raise ValueError(f"cannot read {path}")
    return image


def measure(root: Path, repeat: int = 3) -> dict[str, Any]:
    """Every reader on every image, loading one image at a time: memory stays flat however
    large the set (each image is read from disk, decoded by all readers, and dropped)."""
    import cv2

    data = dataset(root)
    if not data:
        raise ValueError(f"no labelled images under {root}")
    load_before = _load()
    rss_start = peak_rss_mb()
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    old_affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpu = pin_one_core()
    try:
        all_readers = readers()
        first = read_image(next(iter(data.values()))[0][0])
        for reader in all_readers.values():
            reader(first)  # warm-up: libraries load, caches fill
        del first
        tallies = {name: _Tally() for name in all_readers}
        stages: dict[str, int] = {}
        rss_after_first: float | None = None
        for category, pairs in data.items():
            log(f"{category}: {len(pairs)} images ...")
            for img_path, label_path in pairs:
                image, labels = read_image(img_path), load_labels(label_path)
                for name, reader in all_readers.items():
                    found, ms = timed(reader, image, repeat)
                    tallies[name].add(category, count_read(labels, found), len(labels), ms)
                _count_stage(image, stages)
                del image
                rss_after_first = rss_after_first or peak_rss_mb()
        results = {name: tally.result() for name, tally in tallies.items()}
        results["yiciban"]["stages"] = stages
    finally:
        cv2.setNumThreads(threads)
        if old_affinity is not None and cpu is not None:
            os.sched_setaffinity(0, old_affinity)
    ours = results["yiciban"]
    about = machine(cpu)
    about["load_average"] = {"before": load_before, "after": _load()}
    about["peak_rss_mb"] = {"start": rss_start, "after_first_image": rss_after_first, "end": peak_rss_mb()}
    return {
        "dataset": {
            "dir": str(root),
            "categories": {c: {"images": len(v), "codes": tallies["yiciban"].codes[c]} for c, v in data.items()},
        },
        "machine": about,
        "method": {"repeat": repeat, "rule": f"bounding-rectangle overlap > {OVERLAP:.0%} of the smaller",
                   "formats": "QRCode (yiciban_all_formats: every format)", "exif_orientation": "ignored",
                   "loading": "one image at a time, every reader on it, then dropped"},
        "readers": results,
        "targets": {
            "mean_rate": {"target": f">= {TARGET_MEAN_RATE}", "measured": ours["mean_rate"],
                          "met": ours["mean_rate"] >= TARGET_MEAN_RATE},
            "median_ms": {"target": f"< {TARGET_MEDIAN_MS}", "measured": ours["median_ms"],
                          "met": ours["median_ms"] < TARGET_MEDIAN_MS},
        },
    }


def _count_stage(image: Any, counts: dict[str, int]) -> None:
    """Which stage of the default pipeline read the image (QR only): why each stage is there."""
    from drivers.camera.codes import decode

    codes = decode(image, formats={"QRCode"})
    if codes:
        counts[codes[0].stage] = counts.get(codes[0].stage, 0) + 1


class _Tally:
    """One reader's counts and times per category, added image by image."""

    def __init__(self) -> None:
        self.read: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}

    def add(self, category: str, read: int, codes: int, ms: float) -> None:
        self.read[category] = self.read.get(category, 0) + read
        self.codes[category] = self.codes.get(category, 0) + codes
        self.times.setdefault(category, []).append(ms)

    def result(self) -> dict[str, Any]:
        per_category: dict[str, Any] = {}
        for category, times in self.times.items():
            read, codes = self.read[category], self.codes[category]
            per_category[category] = {
                "read": read, "codes": codes, "rate": round(read / codes, 4) if codes else None,
                "median_ms": round(statistics.median(times), 2),
                "p90_ms": round(nearest_rank(times, 90) or 0, 2),
            }
        all_ms = [ms for times in self.times.values() for ms in times]
        rates = [c["rate"] for c in per_category.values() if c["rate"] is not None]
        return {
            "mean_rate": round(sum(rates) / len(rates), 4) if rates else None,
            "median_ms": round(statistics.median(all_ms), 2),
            "p90_ms": round(nearest_rank(all_ms, 90) or 0, 2),
            "max_ms": round(max(all_ms), 2),
            "categories": per_category,
        }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="yiciban bench qr", description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="the benchmark folder (e.g. ../shared/bench/boofcv_qr)")
    parser.add_argument("--output", help="also write the JSON to this file")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per image (default 3)")
    return parser.parse_args(argv)


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    if not isinstance(args, argparse.Namespace):
        args = parse_args(args)
    repeat = max(1, int(getattr(args, "repeat", 3) or 3))
    try:
        result = measure(Path(args.dir), repeat)
    except (ValueError, OSError) as exc:
        log(str(exc))
        return 1
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    output = getattr(args, "output", None)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
