"""Part 2 of the queue benchmark: the latency of issuing and calling over the real server,
against `GET /health` on the same server and the same keep-alive client.
"""
from __future__ import annotations

import time
from typing import Any

from bench.queue.common import (
    API,
    HTTP_STAGE_DEADLINE,
    HTTP_WAITING,
    HTTP_WARMUP,
    IDLE_GAP,
    IDLE_SHARE,
    QUEUE,
    REQUEST_TIMEOUT,
    WINDOW,
    summary,
)


def http_bench(base: str, tokens: dict[str, str], count: int) -> dict[str, Any]:
    """Times `count` issues, call-nexts and health checks, interleaved, over one keep-alive
    session. Every called ticket is finished (untimed) before the next call."""
    import requests

    deadline = time.monotonic() + HTTP_STAGE_DEADLINE
    dispenser = {"Authorization": f"Bearer {tokens['dispenser']}"}
    operator = {"Authorization": f"Bearer {tokens['operator']}"}
    errors: dict[str, int] = {"health": 0, "issue": 0, "call_next": 0, "finish": 0}
    times: dict[str, list[float]] = {"health": [], "issue": [], "call_next": [],
                                     "idle_health": [], "idle_issue": []}

    with requests.Session() as s:

        def post(path: str, headers: dict[str, str], body: dict[str, Any] | None, want: int,
                 kind: str) -> tuple[float, Any]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the HTTP part took over {HTTP_STAGE_DEADLINE:g} s")
            t0 = time.perf_counter()
            r = s.post(f"{base}{path}", json=body, headers=headers, timeout=REQUEST_TIMEOUT)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != want:
                errors[kind] += 1
                if sum(errors.values()) > 10:
                    raise RuntimeError(f"{path} answered {r.status_code}: {r.text[:300]}")
            return elapsed, r.json() if r.content else None

        def health() -> float:
            t0 = time.perf_counter()
            r = s.get(f"{base}/health", timeout=REQUEST_TIMEOUT)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                errors["health"] += 1
            return elapsed

        def issue() -> float:
            return post(f"{API}/tickets", dispenser, {"queue": QUEUE, "channel": "bench"}, 201,
                        "issue")[0]

        def call_next() -> float:
            return post(f"{API}/windows/{WINDOW}/call-next", operator, None, 200, "call_next")[0]

        def finish() -> None:
            post(f"{API}/windows/{WINDOW}/finish", operator, {}, 200, "finish")

        post(f"{API}/windows/{WINDOW}/open", operator, {}, 200, "call_next")
        for _ in range(HTTP_WAITING):  # the line that is there when the timing starts
            issue()
        for _ in range(HTTP_WARMUP):
            health()
            issue()
            call_next()
            finish()
        for _ in range(count):
            times["health"].append(health())
            times["issue"].append(issue())
            times["call_next"].append(call_next())
            finish()
        # the same after a pause, as a hall's sparse traffic arrives (an idle machine wakes up)
        for _ in range(max(10, count // IDLE_SHARE)):
            time.sleep(IDLE_GAP)
            times["idle_health"].append(health())
            time.sleep(IDLE_GAP)
            times["idle_issue"].append(issue())
        head = s.get(f"{base}/health", timeout=REQUEST_TIMEOUT).json()["seq"]

    tenth = max(1, count // 10)
    out: dict[str, Any] = {
        "requests_each": count,
        "health": summary(times["health"]),
        "issue": summary(times["issue"]),
        "call_next": summary(times["call_next"]),
        "issue_vs_health_p99": _ratio(times["issue"], times["health"]),
        "call_next_vs_health_p99": _ratio(times["call_next"], times["health"]),
        "issue_p50_first_tenth_ms": summary(times["issue"][:tenth])["p50_ms"],
        "issue_p50_last_tenth_ms": summary(times["issue"][-tenth:])["p50_ms"],
        "after_idle": {
            "gap_ms": IDLE_GAP * 1000,
            "health": summary(times["idle_health"]),
            "issue": summary(times["idle_issue"]),
        },
        "errors": errors,
        "server_events_after": head,
        "method": (
            "one requests.Session (keep-alive) to a uvicorn server in another process; each round "
            "times GET /health, POST /tickets and POST /windows/w1/call-next, then finishes the "
            f"called ticket untimed; {HTTP_WAITING} tickets wait throughout, {HTTP_WARMUP} "
            "untimed rounds first; after_idle: GET /health and POST /tickets each after "
            f"{IDLE_GAP * 1000:g} ms without traffic"
        ),
    }
    return out


def _ratio(samples: list[float], baseline: list[float]) -> float | None:
    a, b = summary(samples)["p99_ms"], summary(baseline)["p99_ms"]
    return round(a / b, 2) if a is not None and b else None


