"""`yiciban bench notices`: how long a case notice takes to render and how big it is.

Each sample notice (`hall.notices.samples`) is rendered N times after one untimed warm-up
(the font is parsed once per process, measured apart in a fresh child process); its time is set beside a baseline measured in the same
run: a one-line reportlab PDF in the same embedded CJK font, which is the least any notice
costs. Targets (issue 11): rendered in < 300 ms, < 200 KB with the font subset.

One JSON object on stdout. A missed target is reported (`"met": false`), not an error.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from hall.notices.base import register_font
from hall.notices.render import case_notice_pdf
from hall.notices.samples import sample_notices

TARGET_MS = 300.0
TARGET_BYTES = 200_000


def one_line_pdf() -> bytes:
    """The baseline: one line of Chinese on an A4 page, the font subset embedded."""
    font = register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont(font, 12)
    canvas.drawString(72, 760, "受理通知书 第 0001 号")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def timed(render: Callable[[], bytes], rounds: int) -> dict[str, Any]:
    render()  # warm-up: imports, font parsing
    times, size = [], 0
    for _ in range(rounds):
        start = time.perf_counter()
        size = len(render())
        times.append((time.perf_counter() - start) * 1000)
    ordered = sorted(times)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {"rounds": rounds, "median_ms": round(statistics.median(ordered), 2),
            "p90_ms": round(p90, 2), "max_ms": round(ordered[-1], 2), "bytes": size}


COLD = """
import time
from hall.notices.render import case_notice_pdf
from hall.notices.samples import sample_notices
notice = sample_notices()["acceptance"]
start = time.perf_counter()
case_notice_pdf(notice)
print((time.perf_counter() - start) * 1000)
"""


def cold_ms() -> float:
    """The first notice a fresh process renders (the font file parsed then), in a child."""
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True,
                         timeout=120)
    return round(float(out.stdout.strip().splitlines()[-1]), 2)


def measure(rounds: int) -> dict[str, Any]:
    cold = cold_ms()
    baseline = timed(one_line_pdf, rounds)
    notices: dict[str, Any] = {}
    for kind, notice in sample_notices().items():
        result = timed(lambda n=notice: case_notice_pdf(n), rounds)
        result["ratio_to_baseline"] = round(result["median_ms"] / max(baseline["median_ms"], 1e-6), 1)
        notices[kind] = result
    worst_ms = max(r["max_ms"] for r in notices.values())
    worst_bytes = max(r["bytes"] for r in notices.values())
    return {
        "benchmark": "notices", "baseline_one_line_pdf": baseline, "notices": notices,
        "first_render_in_a_fresh_process_ms": cold,
        "targets": {
            "render_ms": {"target": TARGET_MS, "worst": worst_ms, "met": worst_ms < TARGET_MS,
                          "first_render_met": cold < TARGET_MS},
            "size_bytes": {"target": TARGET_BYTES, "worst": worst_bytes, "met": worst_bytes < TARGET_BYTES},
        },
    }


def main(args: argparse.Namespace | None = None) -> int:
    if args is None:
        parser = argparse.ArgumentParser(prog="python -m bench.notices", description=__doc__)
        parser.add_argument("--rounds", type=int, default=20)
        parser.add_argument("--output")
        args = parser.parse_args()
    if args.rounds < 1:
        print("bench notices: --rounds must be 1 or more", file=sys.stderr)
        return 2
    text = json.dumps(measure(args.rounds), ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
