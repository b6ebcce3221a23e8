"""`yiciban bench idcard`: how long a card read takes, beside the wire time it cannot beat.

The simulator runs on a pty and paces its bytes at the reader's baud rate (115200 by
default), so one read (find → select → read, 1,359 bytes both ways for 30 01) spends
~118 ms on the wire. For each of N reads the driver's latency (request written to card
parsed) is set beside the simulator's own measured wire time for that read's bytes
(the baseline); the overhead is the difference. Target: overhead p99 < 20 ms.

One JSON object on stdout. A missed target is reported (`"met": false`), not an error;
the exit code is 1 only when reads failed.
"""
from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.output import emit
from drivers.idcard.reader import ReaderSettings, SamReader
from drivers.idcard.simulator import Exchange, SamSimulator, sample_card
from drivers.transport import open_url

TARGET_OVERHEAD_MS = 20.0


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Nearest-rank percentiles of values already in ms."""
    if not values:
        return {"count": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 3)

    return {"count": len(ordered), "p50_ms": rank(50), "p90_ms": rank(90), "p99_ms": rank(99),
            "max_ms": round(ordered[-1], 3), "mean_ms": round(statistics.fmean(ordered), 3)}


def _exchanges_of_one_read(sim: SamSimulator, timeout: float = 2.0) -> list[Exchange]:
    """The simulator records an answer once its last byte is out, which may be a moment after
    the driver has it: wait for the read's own record before summing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exchanges = list(sim.history)
        if exchanges and exchanges[-1].command.startswith("READ"):
            return exchanges
        time.sleep(0.001)
    raise RuntimeError("the simulator did not record the read")


def measure(reads: int, *, baud: int = 115200, fingerprint: bool = False, card: str = "resident",
            warmup: int = 2) -> dict[str, Any]:
    """N timed reads against the simulator on a pty; each read's latency beside its wire time."""
    expected = sample_card(card)
    latency: list[float] = []
    wire: list[float] = []
    overhead: list[float] = []
    failures: list[str] = []
    byte_count = 0
    with tempfile.TemporaryDirectory(prefix="yiciban-bench-") as tmp, SamSimulator(expected, baudrate=baud) as sim:
        port = sim.serve_pty(Path(tmp) / "idcard")
        reader = SamReader(open_url(port.path, baudrate=baud, timeout=0.05),
                           settings=ReaderSettings(baudrate=baud, read_timeout=5.0))
        try:
            for i in range(warmup + reads):
                sim.history.clear()
                start = time.perf_counter()
                try:
                    got = reader.read_card(fingerprint=fingerprint)
                except Exception as exc:  # the bench reports, whatever happened
                    failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                took = (time.perf_counter() - start) * 1000
                if got.id_number != (expected.id_number if expected else None):
                    failures.append("a read returned another card")
                if i < warmup:
                    continue
                exchanges = _exchanges_of_one_read(sim)
                spent = sum(e.rx_wire + e.tx_wire for e in exchanges) * 1000
                byte_count = sum(e.request_bytes + e.answer_bytes for e in exchanges)
                latency.append(took)
                wire.append(spent)
                overhead.append(took - spent)
        finally:
            reader.close()
    lat, base, over = summary(latency), summary(wire), summary(overhead)
    return {
        "reads": reads,
        "card": card,
        "command": "30 10" if fingerprint else "30 01",
        "bytes_per_read": byte_count,
        "theoretical_wire_ms": round(byte_count * 10 / baud * 1000, 3),
        "latency": lat,
        "baseline_wire": base,
        "overhead": over,
        "ratio_p50": round(lat["p50_ms"] / base["p50_ms"], 4) if latency else None,
        "failures": failures[:5],
        "failure_count": len(failures),
        "met": bool(latency) and not failures and over["p99_ms"] < TARGET_OVERHEAD_MS,
    }


def run(reads: int = 50, baud: int = 115200) -> dict[str, Any]:
    base = measure(reads, baud=baud)
    with_fp = measure(max(5, reads // 5), baud=baud, fingerprint=True)
    return {
        "bench": "idcard",
        "baud": baud,
        "method": "driver read latency (find, select, read) against the simulator on a pty; "
                  "baseline = the simulator's measured wire time for the same bytes (10 bits a byte)",
        "target": {"overhead_p99_ms": f"< {TARGET_OVERHEAD_MS:g}", "met": base["met"] and with_fp["met"]},
        "read_base": base,
        "read_with_fingerprint": with_fp,
        "complete": not base["failure_count"] and not with_fp["failure_count"],
    }


def _options(args: argparse.Namespace | Sequence[str] | None) -> argparse.Namespace:
    if isinstance(args, argparse.Namespace):
        return args
    parser = argparse.ArgumentParser(prog="yiciban bench idcard")
    parser.add_argument("--reads", type=int, default=50)
    parser.add_argument("--baud", type=int, default=115200)
    parser.add_argument("--quick", action="store_true", help="10 reads")
    parser.add_argument("--output", help="also write the JSON to this file")
    return parser.parse_args(list(args or []))


def main(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    opts = _options(args)
    reads = 10 if getattr(opts, "quick", False) else int(getattr(opts, "reads", 50) or 50)
    report = run(reads, int(getattr(opts, "baud", 115200) or 115200))
    emit(report, getattr(opts, "output", None))
    return 0 if report["complete"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
