"""Writes a labelled set for `yiciban bench pages`: synthetic document-camera frames and truth.json.

`python -m bench.pages_set DIR [--images N] [--seed S] [--family tune|unseen] [--size WxH]`
draws Chinese forms, ID cards and receipts (drivers/camera/desk.py) under random homographies on
desk textures, with shadows, glare, fingers on edges, blur, noise and JPEG loss. The "tune"
family's textures are the ones the page finder was tuned on; "unseen" has other textures (and
should get another seed), to score it honestly on frames it was never tuned on. The images are
not committed: this generator is, and the same seed writes the same set.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from drivers.camera.desk import TEXTURES, scene

KINDS = ("form", "form", "idcard_front", "idcard_back", "receipt")


def write_set(root: Path, images: int, seed: int, family: str, width: int, height: int) -> dict[str, list]:
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    truth: dict[str, list] = {}
    for n in range(images):
        kind = KINDS[int(rng.integers(len(KINDS)))]
        image, corners = scene(kind, family, width, height, rng)
        name = f"{family}_{seed}_{n:04d}_{kind}.jpg"
        cv2.imwrite(str(root / name), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
        truth[name] = [[round(float(x), 2), round(float(y), 2)] for x, y in corners]
    (root / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages_set", description=__doc__.split("\n\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--family", choices=sorted(TEXTURES), default="tune")
    parser.add_argument("--size", default="1920x1080", help="WxH of each frame (default 1920x1080)")
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must be WxH, e.g. 1920x1080, not {args.size!r}")
    truth = write_set(Path(args.dir), args.images, args.seed, args.family, width, height)
    print(f"{len(truth)} frames in {args.dir}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
