"""`yiciban bench kiosk`: how fast a screen starts, and whether its memory stays flat.

Start: each run is a fresh process (offscreen, from compiled bytecode as installed) timed from
just before it is spawned to the first paint of its window, read on the system-wide monotonic
clock. The baseline, measured in
the same run and interleaved with ours, is a bare PySide6 window: what any Qt program pays.
Target: ours ≤ 2.5× the baseline and under 1.5 s (median of the runs).

Memory: one process plays N citizen sessions on a role's screens (every screen the role
has, with a card read into the session, then the idle wipe), and samples its resident set
size. Target: < 300 MB at the end, and growth under 5% over the last half of the sessions.

One JSON object on stdout; a missed target is `"met": false`, not an error.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 2.5
TARGET_START_S = 1.5
TARGET_RSS_MB = 300.0
TARGET_GROWTH = 0.05

BARE = """
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv)
w = QLabel("hello")
class First(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            sys.stdout.write(f"painted {time.monotonic()}\\n"); sys.stdout.flush(); app.quit()
        return False
f = First(); w.installEventFilter(f); w.resize(1280, 800); w.show(); app.exec()
"""

OURS = """
import sys, time
from PySide6.QtCore import QEvent, QObject
from kiosk.app import application, build
from kiosk.context import Settings
app = application()
shell = build(Settings(role=sys.argv[1], hall_url="http://127.0.0.1:9", token="bench", windowed=True,
                       size=(1280, 800), window="w01"))
class First(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            sys.stdout.write(f"painted {time.monotonic()}\\n"); sys.stdout.flush(); app.quit()
        return False
f = First(); shell.view.installEventFilter(f); shell.show(); app.exec()
"""


def _start_seconds(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    # an installed screen starts from compiled bytecode (pip and the Debian package compile it):
    # the warm-up run writes it, the measured runs use it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=60)
    for line in out.stdout.splitlines():
        if line.startswith("painted "):
            return float(line.split()[1]) - started
    raise RuntimeError(f"no first paint: exit {out.returncode}: {out.stderr.strip()[-400:]}")


def bench_start(role: str, runs: int) -> dict[str, Any]:
    bare: list[float] = []
    ours: list[float] = []
    _start_seconds(BARE)  # warm the page cache for both, outside the count
    _start_seconds(OURS, role)
    for _ in range(runs):
        bare.append(_start_seconds(BARE))
        ours.append(_start_seconds(OURS, role))
    b, o = statistics.median(bare), statistics.median(ours)
    return {
        "role": role, "runs": runs,
        "baseline_bare_pyside6_s": round(b, 3), "ours_s": round(o, 3), "ratio": round(o / b, 2),
        "ours_all_s": [round(v, 3) for v in ours], "baseline_all_s": [round(v, 3) for v in bare],
        "target": {"ratio_max": TARGET_RATIO, "start_max_s": TARGET_START_S},
        "met": o / b <= TARGET_RATIO and o <= TARGET_START_S,
    }


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def bench_memory(role: str, sessions: int, sample_every: int = 50) -> dict[str, Any]:
    """Plays `sessions` citizens through every sample screen of `role` and wipes each session,
    sampling the resident set every `sample_every` sessions."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import dataclasses
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    from drivers.idcard.simulator import sample_card
    from kiosk.app import application, build, shutdown
    from kiosk.context import Settings
    from kiosk.screenshots import sample_hall

    app = application()
    shell = build(Settings(role=role, hall_url="http://127.0.0.1:9", token="bench", windowed=True,
                           size=(1280, 800), window="w01"), load_hall=False)
    shell.context.set_hall(sample_hall())
    shell.show()
    screens = shell.view.sample_screens()
    card = sample_card("resident")
    samples: list[tuple[int, float]] = []
    for n in range(1, sessions + 1):
        shell.context.session.identity = dataclasses.replace(card)
        shell.context.session.scans.append(f"ticket-{n}")
        for _name, show in screens:
            show()
            QApplication.processEvents()
        shell.wipe_session()
        QApplication.processEvents()
        # what the event loop does between two events: widgets let go of are deleted now
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if n % sample_every == 0:
            gc.collect()
            samples.append((n, round(rss_mb(), 1)))
    shutdown(shell)
    app.processEvents()
    half = next(v for k, v in samples if k >= sessions // 2)
    end = samples[-1][1]
    growth = (end - half) / half
    return {
        "role": role, "sessions": sessions, "screens_per_session": len(screens),
        "rss_mb_end": end, "rss_mb_at_half": half, "growth_last_half": round(growth, 4),
        "rss_mb_samples": samples,
        "target": {"rss_mb_max": TARGET_RSS_MB, "growth_max": TARGET_GROWTH},
        "met": end < TARGET_RSS_MB and growth < TARGET_GROWTH,
    }


def main(args: argparse.Namespace) -> int:
    result: dict[str, Any] = {"bench": "kiosk", "python": sys.version.split()[0], "cpus": os.cpu_count()}
    if not args.skip_start:
        result["start"] = [bench_start(role, args.runs) for role in args.roles]
    if args.sessions:
        result["memory"] = bench_memory(args.memory_role, args.sessions)
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=7, help="cold starts per role and baseline")
    parser.add_argument("--roles", nargs="+", default=["kiosk", "dispenser", "display", "pad"])
    parser.add_argument("--sessions", type=int, default=1000, help="simulated sessions (0: skip)")
    parser.add_argument("--memory-role", default="kiosk")
    parser.add_argument("--skip-start", action="store_true")
