"""Part 3 of the queue benchmark: WebSocket fan-out, in a subscriber process of its own.

The time from a call-next request to each WebSocket subscriber receiving the call, and whether
every subscriber received every event exactly once, in order. The subscribers run in a child
process started as `python -m bench.queue fanout`, which reads its task as JSON on stdin and
prints its result as JSON on stdout.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench.queue.common import (
    API,
    BURST_CLIENTS,
    BURST_EACH,
    CONNECT_BATCH,
    FANOUT_EVENT_DEADLINE,
    FANOUT_PAUSE,
    QUEUE,
    REPO,
    REQUEST_TIMEOUT,
    WINDOW,
    _child_env,
    _die_with_parent,
    cpu_seconds_of,
    now_shared,
    raise_open_files,
    summary,
)
from bench.queue.server import HallServer


class _Subscriber:
    def __init__(self) -> None:
        self.ws: Any = None
        self.task: asyncio.Task[None] | None = None
        self.received: list[tuple[int, float]] = []  # (seq, CLOCK_MONOTONIC at receipt)
        self.last = -1
        self.other = 0  # heartbeats and anything that is not an event

    async def read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for message in self.ws:
                t = now_shared()
                seq = _seq_of(message)
                if seq is None:
                    self.other += 1
                    continue
                self.received.append((seq, t))
                self.last = seq
        except ConnectionClosed:
            pass


def _seq_of(message: str | bytes) -> int | None:
    """The event's sequence number, read without parsing all of it (events start with it)."""
    text = message.decode() if isinstance(message, bytes) else message
    if text.startswith('{"seq":'):
        end = text.find(",", 7)
        with contextlib.suppress(ValueError):
            return int(text[7:end])
    try:
        value = json.loads(text)
    except ValueError:
        return None
    seq = value.get("seq") if isinstance(value, dict) and "type" in value else None
    return seq if isinstance(seq, int) and value.get("type") != "heartbeat" else None


@dataclass
class _Timed:
    """What the timed calls left: when each call was sent, how long each request took, how many
    calls did not reach every subscriber in time, and the CPU spent on both sides."""

    starts: list[tuple[int, float]] = field(default_factory=list)  # (seq of ticket.called, sent)
    call_ms: list[float] = field(default_factory=list)
    incomplete: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    server_cpu0: float | None = None
    server_cpu: float | None = None


async def _delivered(subs: list[_Subscriber], seq: int) -> bool:
    """Waits (with a deadline) until every subscriber has had event `seq`."""
    until = time.monotonic() + FANOUT_EVENT_DEADLINE
    while min(s.last for s in subs) < seq:
        if time.monotonic() > until:
            return False
        await asyncio.sleep(0.002)
    return True


async def _attach_all(subs: list[_Subscriber], url: str, compression: str | None,
                      out: dict[str, Any]) -> None:
    """Connects the subscribers in batches and starts each one's reader."""
    from websockets.asyncio.client import connect

    async def attach(sub: _Subscriber) -> None:
        sub.ws = await connect(url, open_timeout=REQUEST_TIMEOUT, ping_interval=None,
                               close_timeout=2, max_queue=None, compression=compression)
        sub.task = asyncio.create_task(sub.read())

    t0 = time.monotonic()
    for i in range(0, len(subs), CONNECT_BATCH):
        await asyncio.gather(*(attach(s) for s in subs[i:i + CONNECT_BATCH]))
    out["connect_seconds"] = round(time.monotonic() - t0, 2)
    out["connected"] = sum(1 for s in subs if s.ws is not None)
    ext = subs[0].ws.response.headers.get("Sec-WebSocket-Extensions") if subs else None
    out["compression"] = ext or "none"


async def _timed_calls(http: Any, subs: list[_Subscriber], calls: int,
                       operator: dict[str, str], server_pid: int | None) -> _Timed:
    """Calls and finishes `calls` tickets, one at a time, each once every subscriber has had
    the previous one."""
    timed = _Timed()
    # this process's own garbage collections would show up as server latency: none while
    # timing (the pauses of the server's collector are part of what is measured)
    gc.collect()
    gc.disable()
    try:
        cpu0, timed.server_cpu0, wall0 = time.process_time(), _cpu(server_pid), now_shared()
        for _ in range(calls):
            t_send = now_shared()
            r = await http.post(f"{API}/windows/{WINDOW}/call-next", headers=operator)
            timed.call_ms.append((now_shared() - t_send) * 1000)
            r.raise_for_status()
            called = r.json()["seq"]
            timed.starts.append((called, t_send))
            if not await _delivered(subs, called):
                timed.incomplete += 1
                break  # the count check says what is missing
            r = await http.post(f"{API}/windows/{WINDOW}/finish", json={}, headers=operator)
            r.raise_for_status()
            if not await _delivered(subs, r.json()["seq"]):
                timed.incomplete += 1
                break
            await asyncio.sleep(FANOUT_PAUSE)
        timed.wall = now_shared() - wall0
        timed.cpu, timed.server_cpu = time.process_time() - cpu0, _cpu(server_pid)
    finally:
        gc.enable()
    return timed


async def _burst(base: str, dispenser: dict[str, str]) -> None:
    """Untimed: a burst of tickets from concurrent clients, whose requests overlap on the
    server; the hub must deliver these in order too."""
    import httpx

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as own:
            for _ in range(BURST_EACH):
                r = await own.post(f"{API}/tickets", headers=dispenser,
                                   json={"queue": QUEUE, "channel": "bench"})
                r.raise_for_status()

    await asyncio.gather(*(client() for _ in range(BURST_CLIENTS)))


async def _close_all(subs: list[_Subscriber]) -> None:
    with contextlib.suppress(Exception):
        async with asyncio.timeout(20):
            await asyncio.gather(*(s.ws.close() for s in subs if s.ws is not None),
                                 return_exceptions=True)
    for s in subs:
        if s.task is not None:
            s.task.cancel()
    await asyncio.gather(*(s.task for s in subs if s.task is not None), return_exceptions=True)


def _tally(subs: list[_Subscriber], head: int, final: int, timed: _Timed,
           calls: int) -> dict[str, Any]:
    """Every subscriber must have every event after `head` up to `final`, once, in order; and
    how long each call took to reach them."""
    expected = list(range(head + 1, final + 1))
    latencies: list[float] = []
    spreads: list[float] = []
    missing = duplicates = disordered = complete = 0
    arrival: list[dict[int, float]] = []
    for s in subs:
        seqs = [seq for seq, _ in s.received]
        complete += seqs == expected
        missing += len(set(expected) - set(seqs))
        duplicates += len(seqs) - len(set(seqs))
        disordered += sum(1 for a, b in zip(seqs, seqs[1:], strict=False) if b <= a)
        arrival.append(dict(s.received))
    for seq, t_send in timed.starts:
        got = [a[seq] for a in arrival if seq in a]
        latencies.extend((t - t_send) * 1000 for t in got)
        if got:
            spreads.append((max(got) - min(got)) * 1000)
    lat = summary(latencies)
    server_ms = (round((timed.server_cpu - timed.server_cpu0) * 1000 / calls, 2)
                 if timed.server_cpu is not None and timed.server_cpu0 is not None else None)
    return {
        "latency_ms": lat,
        "p50_ms": lat["p50_ms"],
        "p99_ms": lat["p99_ms"],
        "spread_first_to_last_ms": summary(spreads),
        "call_next_http_ms": summary(timed.call_ms),
        "events_per_subscriber": len(expected),
        "subscribers_complete": complete,
        "missing": missing,
        "duplicates": duplicates,
        "out_of_order": disordered,
        "deliveries_past_deadline": timed.incomplete,
        "concurrent_issues_checked": BURST_CLIENTS * BURST_EACH,
        "exactly_once_in_order": complete == len(subs) and len(subs) > 0,
        "client_cpu_share": round(timed.cpu / timed.wall, 3) if timed.wall > 0 else None,
        "server_cpu_ms_per_call": server_ms,
    }


async def _fanout(spec: dict[str, Any]) -> dict[str, Any]:
    import httpx

    n: int = spec["subscribers"]
    calls: int = spec["calls"]
    base: str = spec["base"]
    raise_open_files(n + 256)
    dispenser = {"Authorization": f"Bearer {spec['dispenser']}"}
    operator = {"Authorization": f"Bearer {spec['operator']}"}
    subs = [_Subscriber() for _ in range(n)]
    out: dict[str, Any] = {"subscribers": n, "calls": calls}

    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as http:
        try:
            # the tickets to call, then the head every subscriber starts after
            for _ in range(calls):
                r = await http.post(f"{API}/tickets", json={"queue": QUEUE, "channel": "bench"},
                                    headers=dispenser)
                r.raise_for_status()
            head = (await http.get("/health")).json()["seq"]
            out["server_events_before"] = head
            url = f"ws{base.removeprefix('http')}{API}/events/ws?token={spec['display']}&after={head}"
            await _attach_all(subs, url, spec.get("compression", "deflate"), out)
            await asyncio.sleep(0.2)
            timed = await _timed_calls(http, subs, calls, operator, spec.get("server_pid"))
            if not timed.incomplete:
                await _burst(base, dispenser)
            final = (await http.get("/health")).json()["seq"]
            timed.incomplete += not await _delivered(subs, final)
            await asyncio.sleep(0.3)  # anything sent twice or late arrives now
        finally:
            await _close_all(subs)
    out.update(_tally(subs, head, final, timed, calls))
    return out


def _cpu(pid: int | None) -> float | None:
    return cpu_seconds_of(pid) if pid else None


def fanout_child(argv: list[str]) -> int:
    """`python -m bench.queue fanout`: the task as JSON on stdin, the result as JSON on stdout."""
    spec = json.loads(sys.stdin.read())
    try:
        result = asyncio.run(asyncio.wait_for(_fanout(spec), spec["deadline"]))
    except TimeoutError:
        result = {"subscribers": spec.get("subscribers"),
                  "error": f"the fan-out did not finish within {spec['deadline']:g} s"}
    except Exception as exc:
        result = {"subscribers": spec.get("subscribers"), "error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def fanout_deadline(subscribers: int, calls: int) -> float:
    """How long one subscriber process may take in all, connecting and closing included."""
    return 60 + 0.05 * subscribers + 3 * calls


def fanout_bench(server: HallServer, subscribers: int, calls: int,
                 compression: str | None = "deflate") -> dict[str, Any]:
    """Runs the subscriber process against `server`. `compression`: what the subscribers offer
    (browsers offer "deflate", permessage-deflate; None offers nothing)."""
    deadline = fanout_deadline(subscribers, calls)
    spec = {
        "base": server.base, "subscribers": subscribers, "calls": calls, "deadline": deadline,
        "server_pid": server.pid, "compression": compression, **server.tokens,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bench.queue", "fanout"],
        input=json.dumps(spec).encode(), capture_output=True, cwd=REPO, env=_child_env(),
        timeout=deadline + 30, start_new_session=True, preexec_fn=_die_with_parent,
    )
    lines = proc.stdout.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = proc.stderr.decode(errors="replace")[-1500:]
        raise RuntimeError(f"the subscriber process exited with {proc.returncode}: {err}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result
