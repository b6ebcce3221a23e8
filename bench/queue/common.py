"""The queue benchmark's shared ground: the hall it measures, its sizes and targets, and the
small helpers every part uses (percentiles, free ports, child processes, CPU time).
"""
from __future__ import annotations

import contextlib
import math
import os
import resource
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
API = "/api/v1"
QUEUE = "general"
WINDOW = "w1"
HALL_TZ = "Asia/Shanghai"
# the fake clock of the engine part: one morning of one hall day, a ticket every 50 ms
ENGINE_START = (2026, 11, 27, 9, 0, 0)
ENGINE_STEP = 0.05

FULL = {"engine": 3000, "http": 1000, "fanout": (1, 200, 1000), "calls": 30}
QUICK = {"engine": 1000, "http": 300, "fanout": (1, 50, 200), "calls": 15}
# the targets: engine at most 2x a bare commit; API p99; call-to-display p99 by subscribers
ENGINE_RATIO_TARGET = 2.0
API_P99_TARGET_MS = 20.0
FANOUT_P99_TARGET_MS = {200: 50.0, 1000: 200.0}

HTTP_WARMUP = 20  # untimed requests of each kind first
HTTP_WAITING = 100  # tickets kept waiting while issue and call-next are timed
IDLE_GAP, IDLE_SHARE = 0.02, 5  # then 1/5 as many requests, each after 20 ms of quiet
REQUEST_TIMEOUT = 10.0
SERVER_START_DEADLINE = 30.0
SERVER_STOP_DEADLINE = 8.0
HTTP_STAGE_DEADLINE = 600.0
CONNECT_BATCH = 50
FANOUT_EVENT_DEADLINE = 15.0  # one call's events must reach every subscriber within this
FANOUT_PAUSE = 0.02  # between two measured calls, once the previous one has fully arrived
BURST_CLIENTS, BURST_EACH = 8, 2  # concurrent issues after the timed calls, for the order check


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def now_shared() -> float:
    """Seconds on CLOCK_MONOTONIC: one clock for every process on this Linux machine."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# ---------------------------------------------------------------------------------------------
# The hall measured: one queue and window taken, a second queue beside it, random device tokens


def new_tokens() -> dict[str, str]:
    return {role: secrets.token_urlsafe(24) for role in ("dispenser", "display", "operator")}


def hall_toml(tokens: dict[str, str]) -> str:
    return f"""
[hall]
id = "bench-hall"
name = "基准测试大厅"
area_code = "370829"
timezone = "{HALL_TZ}"

[[queues]]
id = "{QUEUE}"
prefix = "A"
name = "综合受理"
service_minutes = 6

[[queues]]
id = "property"
prefix = "B"
name = "不动产登记"
service_minutes = 15

[[windows]]
id = "{WINDOW}"
number = 1
name = "1号窗口"
queues = ["{QUEUE}"]

[[windows]]
id = "w2"
number = 2
name = "2号窗口"
queues = ["{QUEUE}", "property"]

[[devices]]
id = "dispenser-1"
role = "dispenser"
token = "{tokens['dispenser']}"

[[devices]]
id = "display-1"
role = "display"
token = "{tokens['display']}"

[[devices]]
id = "operator-1"
role = "operator"
token = "{tokens['operator']}"
"""


# ---------------------------------------------------------------------------------------------
# Small helpers


def summary(samples_ms: list[float]) -> dict[str, Any]:
    """Count, mean and nearest-rank percentiles, in milliseconds."""
    if not samples_ms:
        return {"count": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None,
                "mean_ms": None}
    xs = sorted(samples_ms)

    def pct(p: float) -> float:
        return round(xs[max(0, math.ceil(p / 100 * len(xs)) - 1)], 3)

    return {
        "count": len(xs),
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": round(xs[-1], 3),
        "mean_ms": round(sum(xs) / len(xs), 3),
    }


def raise_open_files(needed: int) -> int:
    """Raises this process's soft RLIMIT_NOFILE towards `needed` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In a child before exec: get SIGTERM if the benchmark dies without cleaning up (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU time of a process so far, from /proc (None if unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

