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
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
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


# ---------------------------------------------------------------------------------------------
# The machine


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _filesystem_of(directory: Path) -> str:
    best, found = "", "unknown"
    target = str(directory.resolve())
    for line in _read("/proc/mounts").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1]
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, found = mount, f"{parts[2]} on {mount} ({parts[0]})"
    return found


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def code_version() -> dict[str, Any] | None:
    """The commit measured, and the files of the code under test that differ from it.

    Read-only (no index refresh, no locks). None outside a git checkout."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str | None:
        try:
            p = subprocess.run(["git", *args], cwd=REPO, env=env, capture_output=True, text=True,
                               timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return p.stdout.strip() if p.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    changed = git("diff", "--name-only", "HEAD", "--", "hall", "yiciban", "bench")
    return {"commit": commit, "changed_files": changed.splitlines() if changed else []}


def machine(directory: Path) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
         if line.startswith("MemTotal:")),
        0,
    )
    release = next(
        (line.split("=", 1)[1].strip().strip('"') for line in _read("/etc/os-release").splitlines()
         if line.startswith("PRETTY_NAME=")),
        platform.system(),
    )
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "memory_mib": mem_kb // 1024,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "os": f"{release}, Linux {platform.release()}" if platform.system() == "Linux"
        else f"{platform.system()} {platform.release()}",
        "filesystem": _filesystem_of(directory),
        # other work on the machine during the run shows here (1, 5 and 15 minute averages)
        "load_average_before": _load_average(),
        "libraries": {name: _version(name) for name in
                      ("uvicorn", "fastapi", "websockets", "uvloop", "httptools", "requests", "httpx")},
    }


# ---------------------------------------------------------------------------------------------
# 1. The engine in process, against bare sqlite3


# the store's events table and its indexes, so that the baseline writes what the store writes
BARE_SCHEMA = (
    """CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        day TEXT NOT NULL,
        type TEXT NOT NULL,
        ticket TEXT,
        window TEXT,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX events_day ON events(day, seq)",
    "CREATE INDEX events_ticket ON events(ticket, seq) WHERE ticket IS NOT NULL",
)


class _FakeClock:
    """A clock that moves only when told: every ticket lands in the same hall day."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def _start_ts() -> float:
    return datetime(*ENGINE_START, tzinfo=ZoneInfo(HALL_TZ)).timestamp()


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _tenths(marks: list[float], count: int) -> tuple[float, float]:
    """Rates of the first and of the last tenth of a run, from a timestamp per operation."""
    tenth = max(1, count // 10)
    first = marks[tenth] - marks[0]
    last = marks[count] - marks[count - tenth]
    return (tenth / first if first > 0 else math.inf, tenth / last if last > 0 else math.inf)


def _rates(marks: list[float], count: int) -> dict[str, float]:
    """The rate of a whole run and of its first and last tenth (does the cost grow with the count?)."""
    first, last = _tenths(marks, count)
    return {
        "per_second": round(count / (marks[-1] - marks[0]), 1),
        "first_tenth_per_second": round(first, 1),
        "last_tenth_per_second": round(last, 1),
    }


def _engine_run(count: int, path: Path) -> dict[str, Any]:
    from hall.config import parse_config
    from hall.domain import events as ev
    from hall.service import HallService
    from hall.store import HallStore

    setup = parse_config(tomllib.loads(hall_toml(new_tokens()))).setup()
    clock = _FakeClock(_start_ts())
    store = HallStore(path)
    try:
        service = HallService(setup, store, clock=clock)  # the day starts here, untimed
        first_seq = service.last_seq
        marks = [time.perf_counter()]
        for _ in range(count):
            clock.now += ENGINE_STEP
            service.execute("issue", {"queue": QUEUE, "channel": "bench"})
            marks.append(time.perf_counter())
        stored = store.conn.execute(
            "SELECT count(*) FROM events WHERE type = ? AND seq > ?", [ev.TICKET_ISSUED, first_seq]
        ).fetchone()[0]
        days = store.conn.execute("SELECT count(DISTINCT day) FROM events").fetchone()[0]
        issued = service.state.counters.get(QUEUE, 0)
        waiting = len(service.state.waiting())
    finally:
        store.close()
        _remove_db(path)
    return {
        **_rates(marks, count),
        "tickets_issued": issued,
        "tickets_waiting": waiting,
        "events_stored": stored,
        "hall_days": days,
    }


def _issue_row(serial: int, ts: float) -> tuple[Any, ...]:
    number = f"A{serial:03d}"
    data = {"ticket": f"20261127-{number}", "number": number, "serial": serial, "queue": QUEUE,
            "priority": "normal", "channel": "bench"}
    return (serial, ts, "2026-11-27", "ticket.issued", data["ticket"], None,
            json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _bare_run(count: int, path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        for sql in BARE_SCHEMA:
            conn.execute(sql)
        ts = _start_ts()
        rows = [_issue_row(i + 1, ts + i * ENGINE_STEP) for i in range(count)]
        marks = [time.perf_counter()]
        for row in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?)", row)
            conn.execute("COMMIT")
            marks.append(time.perf_counter())
        stored = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        conn.close()
        _remove_db(path)
    return {
        **_rates(marks, count),
        "rows_stored": stored,
        "journal_mode": mode,
        "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(sync, str(sync)),
    }


def engine_bench(count: int, directory: str | Path, rounds: int = 3) -> dict[str, Any]:
    """Issues `count` tickets through the service, and commits `count` bare rows, `rounds`
    times each, alternating which goes first; the best round of each is compared."""
    if count < 10 or rounds < 1:
        raise ValueError("engine_bench needs count >= 10 and rounds >= 1")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    engine_rounds: list[dict[str, Any]] = []
    bare_rounds: list[dict[str, Any]] = []
    for r in range(rounds):
        order: list[str] = ["bare", "engine"] if r % 2 == 0 else ["engine", "bare"]
        for which in order:
            if which == "engine":
                engine_rounds.append(_engine_run(count, directory / f"engine-{r}.db"))
            else:
                bare_rounds.append(_bare_run(count, directory / f"bare-{r}.db"))
    engine_best = max(x["per_second"] for x in engine_rounds)
    bare_best = max(x["per_second"] for x in bare_rounds)
    counts_ok = all(
        x["tickets_issued"] == count and x["events_stored"] == count and x["hall_days"] == 1
        for x in engine_rounds
    ) and all(x["rows_stored"] == count for x in bare_rounds)
    return {
        "count": count,
        "rounds": rounds,
        "engine_issues_per_second": engine_best,
        "bare_commits_per_second": bare_best,
        "engine_vs_bare_ratio": round(bare_best / engine_best, 3),
        "counts_ok": counts_ok,
        "engine_runs": engine_rounds,
        "bare_runs": bare_rounds,
        "method": (
            f"best of {rounds} alternating runs; engine: HallService.execute('issue') on a "
            f"HallStore file (WAL, synchronous=FULL), fake clock {ENGINE_STEP} s per ticket in "
            "one hall day, one queue, every ticket left waiting; bare: sqlite3 INSERT of the "
            "same event row into the same table and indexes, BEGIN IMMEDIATE/COMMIT per row"
        ),
    }


# ---------------------------------------------------------------------------------------------
# The hall server, in its own process


class HallServer:
    """`python -m yiciban.cli hall` on a free port of 127.0.0.1, with a fresh data directory."""

    def __init__(self, workdir: Path, tokens: dict[str, str]) -> None:
        self.workdir = workdir
        self.tokens = tokens
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import requests

        config = self.workdir / "hall.toml"
        config.write_text(hall_toml(self.tokens), encoding="utf-8")
        last_error = ""
        for _attempt in range(3):  # the free port may be taken between finding and binding it
            self.port = free_port()
            with self.log_path.open("ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", "hall",
                     "--config", str(config), "--data-dir", str(self.workdir / "data"),
                     "--host", "127.0.0.1", "--port", str(self.port)],
                    cwd=REPO, env=_child_env(), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                    start_new_session=True, preexec_fn=_die_with_parent,
                )
            deadline = time.monotonic() + SERVER_START_DEADLINE
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    last_error = f"the server exited with {self.process.returncode}"
                    break
                try:
                    if requests.get(f"{self.base}/health", timeout=1.0).status_code == 200:
                        return
                except requests.RequestException as exc:
                    last_error = str(exc)
                time.sleep(0.1)
            else:
                last_error = f"no answer on /health within {SERVER_START_DEADLINE:g} s"
            self.stop()
        tail = self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"the hall server did not start: {last_error}; its log ends: {tail}")

    def stop(self) -> None:
        p, self.process = self.process, None
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            p.wait(SERVER_STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            p.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(SERVER_STOP_DEADLINE)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None


# ---------------------------------------------------------------------------------------------
# 2. HTTP latency, against GET /health


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


# ---------------------------------------------------------------------------------------------
# 3. WebSocket fan-out: the subscriber process


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


async def _fanout(spec: dict[str, Any]) -> dict[str, Any]:
    import httpx
    from websockets.asyncio.client import connect

    n: int = spec["subscribers"]
    calls: int = spec["calls"]
    base: str = spec["base"]
    server_pid: int | None = spec.get("server_pid")
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

            async def attach(sub: _Subscriber) -> None:
                sub.ws = await connect(url, open_timeout=REQUEST_TIMEOUT, ping_interval=None,
                                       close_timeout=2, max_queue=None,
                                       compression=spec.get("compression", "deflate"))
                sub.task = asyncio.create_task(sub.read())

            t0 = time.monotonic()
            for i in range(0, n, CONNECT_BATCH):
                batch = subs[i:i + CONNECT_BATCH]
                await asyncio.gather(*(attach(s) for s in batch))
            out["connect_seconds"] = round(time.monotonic() - t0, 2)
            out["connected"] = sum(1 for s in subs if s.ws is not None)
            ext = subs[0].ws.response.headers.get("Sec-WebSocket-Extensions") if subs else None
            out["compression"] = ext or "none"
            await asyncio.sleep(0.2)

            starts: list[tuple[int, float]] = []  # (seq of ticket.called, CLOCK_MONOTONIC sent)
            call_ms: list[float] = []
            incomplete = 0

            async def delivered(seq: int) -> bool:
                """Waits (with a deadline) until every subscriber has had event `seq`."""
                until = time.monotonic() + FANOUT_EVENT_DEADLINE
                while min(s.last for s in subs) < seq:
                    if time.monotonic() > until:
                        return False
                    await asyncio.sleep(0.002)
                return True

            # this process's own garbage collections would show up as server latency: none
            # while timing (the pauses of the server's collector are part of what is measured)
            gc.collect()
            gc.disable()
            cpu0, server_cpu0, wall0 = time.process_time(), _cpu(server_pid), now_shared()
            for _ in range(calls):
                t_send = now_shared()
                r = await http.post(f"{API}/windows/{WINDOW}/call-next", headers=operator)
                call_ms.append((now_shared() - t_send) * 1000)
                r.raise_for_status()
                called = r.json()["seq"]
                starts.append((called, t_send))
                if not await delivered(called):
                    incomplete += 1
                    break  # the count check below says what is missing
                r = await http.post(f"{API}/windows/{WINDOW}/finish", json={}, headers=operator)
                r.raise_for_status()
                if not await delivered(r.json()["seq"]):
                    incomplete += 1
                    break
                await asyncio.sleep(FANOUT_PAUSE)
            wall = now_shared() - wall0
            cpu, server_cpu = time.process_time() - cpu0, _cpu(server_pid)
            gc.enable()

            # untimed: a burst of tickets from concurrent clients, whose requests overlap on
            # the server; the hub must deliver these in order too
            async def burst_client() -> None:
                async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT) as own:
                    for _ in range(BURST_EACH):
                        r = await own.post(f"{API}/tickets", headers=dispenser,
                                           json={"queue": QUEUE, "channel": "bench"})
                        r.raise_for_status()

            if not incomplete:
                await asyncio.gather(*(burst_client() for _ in range(BURST_CLIENTS)))
            final = (await http.get("/health")).json()["seq"]
            incomplete += not await delivered(final)
            await asyncio.sleep(0.3)  # anything sent twice or late arrives now
        finally:
            gc.enable()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(20):
                    await asyncio.gather(*(s.ws.close() for s in subs if s.ws is not None),
                                         return_exceptions=True)
            for s in subs:
                if s.task is not None:
                    s.task.cancel()
            await asyncio.gather(*(s.task for s in subs if s.task is not None),
                                 return_exceptions=True)

    # every subscriber must have every event after `head` up to `final`, once, in order
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
    for seq, t_send in starts:
        got = [a[seq] for a in arrival if seq in a]
        latencies.extend((t - t_send) * 1000 for t in got)
        if got:
            spreads.append((max(got) - min(got)) * 1000)
    lat = summary(latencies)
    out.update({
        "latency_ms": lat,
        "p50_ms": lat["p50_ms"],
        "p99_ms": lat["p99_ms"],
        "spread_first_to_last_ms": summary(spreads),
        "call_next_http_ms": summary(call_ms),
        "events_per_subscriber": len(expected),
        "subscribers_complete": complete,
        "missing": missing,
        "duplicates": duplicates,
        "out_of_order": disordered,
        "deliveries_past_deadline": incomplete,
        "concurrent_issues_checked": BURST_CLIENTS * BURST_EACH,
        "exactly_once_in_order": complete == n and n > 0,
        "client_cpu_share": round(cpu / wall, 3) if wall > 0 else None,
        "server_cpu_ms_per_call": (round((server_cpu - server_cpu0) * 1000 / calls, 2)
                                   if server_cpu is not None and server_cpu0 is not None else None),
    })
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


# ---------------------------------------------------------------------------------------------
# The whole run


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
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    output = getattr(args, "output", None)
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
    return 0 if report["complete"] else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["fanout"]:
        sys.exit(fanout_child(sys.argv[2:]))
    parser = argparse.ArgumentParser(prog="python -m bench.queue")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output")
    sys.exit(main(parser.parse_args()))
