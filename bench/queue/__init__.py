"""`yiciban bench queue`: how fast the hall's queue is, each number beside its baseline.

Three parts, measured in one run on one machine (see docs/BENCHMARKS.md):

1. engine: tickets issued per second through `HallService.execute("issue")` on a HallStore
   on disk, against a bare sqlite3 loop that commits one row per transaction with the same
   pragmas in the same directory;
2. http: latency of issuing and calling over the real server (a separate process, uvicorn),
   against `GET /health` on the same server and the same keep-alive client;
3. fanout: time from a call-next request to each WebSocket subscriber receiving the call,
   with 200 and 1,000 subscribers in a separate process, against the same with 1 subscriber;
   and whether every subscriber received every event exactly once, in order.

The result is one JSON object on stdout (progress goes to stderr). A missed target is
reported (`"met": false`), not an error: the command exits 0. It exits 1 only when a part
could not be measured at all (its section then holds an "error").

The fan-out subscribers run in a child process started as `python -m bench.queue fanout`,
which reads its task as JSON on stdin and prints its result as JSON on stdout.

The parts live beside this module (`engine`, `http`, `fanout`, with the server they measure in
`server` and the machine's description in `machine`); this module runs them and sets each
number beside its target.
"""
from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.output import emit
from bench.queue.common import (
    API_P99_TARGET_MS,
    ENGINE_RATIO_TARGET,
    FANOUT_P99_TARGET_MS,
    FULL,
    QUICK,
    log,
    new_tokens,
    raise_open_files,
    summary,
)
from bench.queue.engine import engine_bench
from bench.queue.fanout import fanout_bench
from bench.queue.http import http_bench
from bench.queue.machine import _load_average, code_version, machine
from bench.queue.server import HallServer

__all__ = ["engine_bench", "main", "run", "summary"]

def _target(target: Any, measured: Any, met: bool | None) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": bool(met)}


def _targets(report: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    eng = report.get("engine", {})
    ratio = eng.get("engine_vs_bare_ratio")
    limit = ENGINE_RATIO_TARGET
    out["engine_vs_bare_ratio"] = _target(f"<= {limit:g}", ratio,
                                          ratio is not None and ratio <= limit)
    http = report.get("http", {})
    api_limit = API_P99_TARGET_MS
    for name in ("issue", "call_next"):
        p99 = http.get(name, {}).get("p99_ms")
        out[f"http_{name}_p99_ms"] = _target(f"< {api_limit:g} ms", p99,
                                             p99 is not None and p99 < api_limit)
    fan = report.get("fanout", {})
    for size, limit_ms in FANOUT_P99_TARGET_MS.items():
        if str(size) in fan:
            p99 = fan[str(size)].get("p99_ms")
            out[f"fanout_{size}_p99_ms"] = _target(f"< {limit_ms:g} ms", p99,
                                                   p99 is not None and p99 < limit_ms)
    if fan:
        once = [v.get("exactly_once_in_order") for v in fan.values()]
        out["fanout_exactly_once_in_order"] = _target(True, all(once), all(once))
    return out


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """The store's and service's INFO lines, once per run of the engine, are noise here."""
    import logging

    log_ = logging.getLogger(logger)
    level = log_.level
    log_.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log_.setLevel(level)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl+C, so that the cleanup below runs for both."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous: Any = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stage(report: dict[str, Any], name: str, fn: Callable[[], dict[str, Any]],
           label: str = "") -> bool:
    label = label or name
    log(f"{label} ...")
    t0 = time.monotonic()
    try:
        report[name] = fn()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        report[name] = {"error": f"{type(exc).__name__}: {exc}"}
        log(f"{label} failed: {exc}")
        return False
    log(f"{label} done in {time.monotonic() - t0:.1f} s")
    return True


def run(quick: bool = False) -> dict[str, Any]:
    sizes = QUICK if quick else FULL
    raise_open_files(max(sizes["fanout"]) * 2 + 512)  # inherited by the server and subscribers
    workdir = Path(tempfile.mkdtemp(prefix="yiciban-bench-"))
    started = time.time()
    report: dict[str, Any] = {"benchmark": "queue", "quick": quick,
                              "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                              "code": code_version(), "machine": machine(workdir)}
    ok = True
    server: HallServer | None = None
    try:
        with _quiet("hall"):
            ok &= _stage(report, "engine",
                         lambda: engine_bench(sizes["engine"], workdir / "engine"))
        server = HallServer(workdir / "server", new_tokens())
        server.workdir.mkdir()
        log("starting the hall server ...")
        server.start()
        ok &= _stage(report, "http", lambda: http_bench(server.base, server.tokens, sizes["http"]))
        fan: dict[str, Any] = {}
        report["fanout"] = fan
        for size in sizes["fanout"]:
            ok &= _stage(fan, str(size), lambda size=size: fanout_bench(server, size, sizes["calls"]),
                         f"fan-out to {size} subscriber{'s' if size != 1 else ''}")
            if "error" in fan[str(size)]:
                ok = False
        base_p99 = fan.get("1", {}).get("p99_ms")
        for key, value in fan.items():
            if key != "1" and base_p99 and value.get("p99_ms") is not None:
                value["p99_vs_1_subscriber"] = round(value["p99_ms"] / base_p99, 2)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:
        report["error"] = f"{type(exc).__name__}: {exc}"
        ok = False
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    report["targets"] = _targets(report)
    report["machine"]["load_average_after"] = _load_average()
    report["duration_seconds"] = round(time.time() - started, 1)
    report["complete"] = ok
    return report


def main(args: argparse.Namespace) -> int:
    with _terminate_as_interrupt():
        report = run(quick=bool(getattr(args, "quick", False)))
    emit(report, getattr(args, "output", None))
    return 0 if report["complete"] else 1

