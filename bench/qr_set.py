"""A generated image set in the BoofCV QR benchmark's layout, to measure `bench qr`'s memory.

`python -m bench.qr_set DIR [--images N] [--size WxH] [--seed S]` writes DIR/generated/imageNNN.jpg
with imageNNN.txt beside each (the code's four corners, as the BoofCV labels give them): one QR
code per photo-sized image, turned and placed at random on a noisy background. Large images are
the point: a run that kept every image in memory grew with the set; one that loads them one at a
time stays flat.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import segno


def qr_image(text: str, module: int) -> np.ndarray:
    matrix = np.array([[0 if dark else 255 for dark in row] for row in segno.make_qr(text, error="m").matrix],
                      np.uint8)
    matrix = np.pad(matrix, 4, constant_values=255)  # the quiet zone
    return cv2.resize(matrix, None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST)


def one_image(rng: np.random.Generator, width: int, height: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A BGR photo-sized image with one code; and the code's corners (4x2, clockwise from top-left)."""
    background = rng.integers(60, 200, (height // 8, width // 8, 3), dtype=np.uint8)
    image = cv2.resize(background, (width, height), interpolation=cv2.INTER_CUBIC)
    code = qr_image(f"YCB-{n:05d}-{int(rng.integers(1e9))}", 1)
    module = max(2, min(int(rng.integers(8, 20)), min(width, height) // (3 * code.shape[0])))
    code = cv2.resize(code, None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST)
    side = code.shape[0]
    inner = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    angle = float(rng.uniform(0, 2 * np.pi))
    cx, cy = rng.uniform(0.75 * side, width - 0.75 * side), rng.uniform(0.75 * side, height - 0.75 * side)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    corners = (inner - side / 2) @ rot.T + np.array([cx, cy], np.float32)
    matrix = cv2.getPerspectiveTransform(inner, corners.astype(np.float32))
    warped = cv2.warpPerspective(cv2.cvtColor(code, cv2.COLOR_GRAY2BGR), matrix, (width, height))
    mask = cv2.warpPerspective(np.full(code.shape, 255, np.uint8), matrix, (width, height))
    image[mask > 0] = warped[mask > 0]
    return image, corners


def write_set(root: Path, images: int, width: int, height: int, seed: int) -> Path:
    folder = root / "generated"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for n in range(images):
        image, corners = one_image(rng, width, height, n)
        cv2.imwrite(str(folder / f"image{n:03d}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        (folder / f"image{n:03d}.txt").write_text(
            "SETS\n" + " ".join(f"{v:.1f}" for v in corners.reshape(-1)) + "\n", encoding="utf-8")
    return folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qr_set", description=__doc__.split("\n\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--size", default="4000x3000", help="WxH of each image (default 4000x3000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must be WxH, e.g. 4000x3000, not {args.size!r}")
    print(write_set(Path(args.dir), args.images, width, height, args.seed))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
