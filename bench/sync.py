"""`yiciban bench sync`: a busy hall's day of outbox records drained to the reference platform.

Parts, measured in one run on one machine (results in docs/benchmarks/sync.md):

1. drain: 10,000 mixed records (queue events, ratings, applications with sealed identity,
   device health) in a hall database, drained by `python -m sync.relay --drain` (its own
   process) to `yiciban platform` on loopback: wall time, records per second, the relay's peak
   RSS; every record checked to be on the platform exactly once;
   baseline: the same rows bulk-inserted into a bare SQLite table in the platform's data
   directory (one transaction, same pragmas), and the ratio of the two;
2. memory: the relay's Python peak allocation (tracemalloc) and peak RSS draining a backlog
   of 10,000 and of 100,000 records (flat: at most twice);
3. hall: `yiciban hall` syncing to the platform, started with a 10,000-record backlog; the
   p99 latency of issuing tickets (a write that shares the database with the relay) and of
   reading the snapshot under a steady load, while the relay drains the backlog, beside the
   same before the relay starts and after it has caught up (idle).

One JSON object on stdout (progress on stderr). A missed target is reported, not an error.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform as platform_module
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FULL = {"count": 10_000, "big": 100_000, "rounds": 8}
QUICK = {"count": 500, "big": 2_000, "rounds": 1}
TARGETS = {"drain_seconds": 3.0, "hall_p99_ratio": 1.5, "memory_ratio": 2.0}
START_DEADLINE = 30.0
RELAY_START_DELAY = 2.5  # seconds the hall waits before relaying: the idle numbers come first
LOAD_RATE = 50.0  # requests per second of each kind (issue, snapshot) while the hall is measured


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def percentile(samples: list[float], p: float) -> float | None:
    """Nearest rank."""
    if not samples:
        return None
    ordered = sorted(samples)
    return round(ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)], 3)


def _proc(path: str, prefix: str) -> str | None:
    try:
        return next(line.split(":", 1)[1].strip() for line in Path(path).read_text().splitlines()
                    if line.startswith(prefix))
    except (OSError, StopIteration):
        return None


def machine() -> dict[str, Any]:
    mem = _proc("/proc/meminfo", "MemTotal")
    return {"cpu": _proc("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "memory_gib": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
            "os": platform_module.platform(), "python": platform_module.python_version(),
            "sqlite": sqlite3.sqlite_version, "load_average": list(os.getloadavg())}


# ---------------------------------------------------------------------------------------------
# Records, processes


def fill(db: Path, count: int, seed: int = 7) -> None:
    """A busy hall's day: 70% queue events, 15% ratings, 10% device health, 5% applications."""
    import random

    from sync.crypto import load_sealer
    from sync.outbox import Outbox, migrate, write

    rng = random.Random(seed)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    migrate(conn)
    outbox = Outbox(load_sealer(db.parent / "sync.key"))
    done = 0
    while done < count:
        with write(conn):
            for i in range(done, min(done + 1000, count)):
                roll = rng.random()
                if roll < 0.70:
                    outbox.add(conn, "queue.event", {"seq": i, "ts": 1.8e9 + i, "day": "2026-11-27",
                                                     "type": "ticket.issued",
                                                     "data": {"ticket": f"20261127-A{i:04d}", "queue": "general",
                                                              "number": f"A{i % 1000:03d}", "channel": "kiosk"}})
                elif roll < 0.85:
                    level = rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
                    outbox.add(conn, "rating", {"level": level, "reasons": ["等候时间过长"] if level <= 2 else [],
                                                "ticket": f"20261127-A{i:04d}", "window": "w1", "staff": "s1",
                                                "matter": "000131128000", "channel": "pad"})
                elif roll < 0.95:
                    outbox.add(conn, "device.health", {"device": f"kiosk-{i % 7}", "status": "ready",
                                                       "paper": "ok", "temperature_c": 41})
                else:
                    outbox.add(conn, "application", {"matter": "000131128000", "materials": ["登记申请书"]},
                               personal={"name": "测试", "id_number": "11010519491231002X"})
            done = min(done + 1000, count)
    conn.close()


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1", **extra}


def wait_healthy(url: str, process: subprocess.Popen, what: str) -> None:
    import requests

    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if requests.get(f"{url}/health", timeout=0.5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not start within {START_DEADLINE} s")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    def __init__(self, directory: Path, nodes: list[str], database: str | None = None) -> None:
        self.tokens = {n: secrets.token_urlsafe(24) for n in nodes}
        self.admin = secrets.token_urlsafe(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = directory
        config = directory / "platform.toml"
        where = f'database = "{database}"\n' if database else ""  # default: SQLite in its data directory
        config.write_text(where + f'admin_token = "{self.admin}"\n' + "".join(
            f'[[nodes]]\nid = "{n}"\ntoken = "{t}"\n' for n, t in self.tokens.items()), encoding="utf-8")
        self.log = open(directory / "platform.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", "platform", "--config", str(config),
             "--data-dir", str(directory / "data"), "--port", str(self.port)],
            cwd=REPO, env=child_env(), stdout=self.log, stderr=self.log)
        wait_healthy(self.url, self.process, "the platform")

    def count(self, node: str) -> tuple[int, int]:
        """(records stored, distinct keys) for a node."""
        conn = sqlite3.connect(self.dir / "data" / "platform.db")
        try:
            return conn.execute("SELECT count(*), count(DISTINCT key) FROM records WHERE node = ?",
                                (node,)).fetchone()
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.log.close()


def relay_drain(db: Path, platform: Platform, node: str, trace: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "sync.relay", "--db", str(db), "--url", platform.url, "--node-id", node,
           "--drain", "--max-seconds", "600"] + (["--trace-memory"] if trace else [])
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=REPO, env=child_env(YICIBAN_SYNC_TOKEN=platform.tokens[node]),
                         capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"relay failed ({out.returncode}): {out.stderr[-2000:]}")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    report["process_wall_seconds"] = round(wall, 3)
    return report


# ---------------------------------------------------------------------------------------------
# Parts


def drain_part(tmp: Path, platform: Platform, count: int) -> dict[str, Any]:
    db = tmp / "drain" / "hall.db"
    db.parent.mkdir()
    fill(db, count)
    log(f"draining {count} records")
    report = relay_drain(db, platform, "drain")
    stored, distinct = platform.count("drain")
    wall = report["wall_seconds"]
    return {"records": count, "wall_seconds": wall, "records_per_second": round(count / wall, 1),
            "pushes": report["pushes"], "relay_peak_rss_mib": round(report["peak_rss_kib"] / 1024, 1),
            "relay_process_wall_seconds": report["process_wall_seconds"],
            "platform_records": stored, "exactly_once": stored == distinct == count}


def baseline_part(platform: Platform, count: int) -> dict[str, Any]:
    """The same rows, bulk-inserted into a bare table beside the platform's database."""
    src = sqlite3.connect(platform.dir / "data" / "platform.db")
    rows = src.execute("SELECT key, node, seq, type, created, received_at, origin, origin_seq, payload,"
                       " personal, digest FROM records WHERE node = 'drain' ORDER BY seq").fetchall()
    src.close()
    path = platform.dir / "data" / "baseline.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE bulk (key TEXT PRIMARY KEY, node TEXT, seq INTEGER, type TEXT, created REAL,"
                 " received_at REAL, origin TEXT, origin_seq INTEGER, payload TEXT, personal TEXT, digest TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO bulk VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    wall = time.perf_counter() - start
    conn.close()
    return {"rows": len(rows), "wall_seconds": round(wall, 4),
            "rows_per_second": round(len(rows) / wall, 1) if wall else None,
            "method": "one transaction of executemany into a bare table, WAL, synchronous=FULL"}


def memory_part(tmp: Path, platform: Platform, small: int, big: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, count in (("small", small), ("big", big)):
        for trace in (False, True):
            node = f"mem-{name}-{'traced' if trace else 'plain'}"
            db = tmp / node / "hall.db"
            db.parent.mkdir()
            log(f"memory: {count} records ({'tracemalloc' if trace else 'RSS'})")
            fill(db, count)
            report = relay_drain(db, platform, node, trace=trace)
            stored, distinct = platform.count(node)
            entry = out.setdefault(name, {"records": count, "exactly_once": True})
            entry["exactly_once"] = entry["exactly_once"] and stored == distinct == count
            if trace:
                entry["python_peak_mib"] = round(report["python_peak_bytes"] / 2**20, 2)
            else:
                entry["peak_rss_mib"] = round(report["peak_rss_kib"] / 1024, 1)
                entry["wall_seconds"] = report["wall_seconds"]
    out["python_peak_ratio"] = round(out["big"]["python_peak_mib"] / out["small"]["python_peak_mib"], 2)
    out["rss_ratio"] = round(out["big"]["peak_rss_mib"] / out["small"]["peak_rss_mib"], 2)
    return out


def hall_toml(node: str, token: str, platform_url: str, tokens: dict[str, str]) -> str:
    return f"""
queues = [{{id = "general", prefix = "A", name = "综合受理"}}]
windows = [{{id = "w1", number = 1, name = "1号窗口", queues = ["general"]}}]
devices = [{{id = "dispenser-1", role = "dispenser", token = "{tokens['dispenser']}"}},
           {{id = "operator-1", role = "operator", token = "{tokens['operator']}"}}]
[hall]
id = "bench-hall"
name = "基准测试大厅"
area_code = "370829"
[policy]
ticket_digits = 5
[platform]
url = "{platform_url}"
node_id = "{node}"
token = "{token}"
"""


def _load(url: str, headers: dict[str, str], kind: str, rate: float, stop: threading.Event,
          samples: list[tuple[float, str, float]]) -> None:
    """Requests at a steady `rate` per second (open loop): each latency is counted from the moment
    the request was due, so a stall also delays, and is charged to, the requests behind it."""
    import requests

    interval = 1.0 / rate
    with requests.Session() as s:
        due = time.monotonic()
        while not stop.is_set():
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if kind == "issue":
                r = s.post(f"{url}/api/v1/tickets", json={"queue": "general"}, headers=headers, timeout=10)
            else:
                r = s.get(f"{url}/api/v1/snapshot", headers=headers, timeout=10)
            ms = (time.monotonic() - due) * 1000
            if r.status_code >= 400:
                raise RuntimeError(f"hall answered {r.status_code}: {r.text[:200]}")
            samples.append((due, kind, ms))
            due += interval


def hall_round(tmp: Path, platform: Platform, count: int, index: int) -> dict[str, Any]:
    node = f"hall-{index}"
    directory = tmp / node
    (directory / "data").mkdir(parents=True)
    fill(directory / "data" / "hall.db", count, seed=index)
    tokens = {"dispenser": secrets.token_urlsafe(24), "operator": secrets.token_urlsafe(24)}
    (directory / "hall.toml").write_text(hall_toml(node, platform.tokens[node], platform.url, tokens),
                                         encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(directory / "hall.log", "ab") as hall_log:
        hall = subprocess.Popen(
            [sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", "hall", "--config",
             str(directory / "hall.toml"), "--data-dir", str(directory / "data"), "--port", str(port)],
            cwd=REPO, env=child_env(YICIBAN_SYNC_START_DELAY=str(RELAY_START_DELAY)), stdout=hall_log,
            stderr=hall_log)
    try:
        wait_healthy(url, hall, "the hall")
        samples: list[tuple[float, str, float]] = []
        stop = threading.Event()
        auth = {"Authorization": f"Bearer {tokens['dispenser']}"}
        threads = [threading.Thread(target=_load, args=(url, auth, kind, LOAD_RATE, stop, samples), daemon=True)
                   for kind in ("issue", "snapshot")]
        for t in threads:
            t.start()
        zero_until = started = drained = None
        deadline = time.monotonic() + 120
        pdb = sqlite3.connect(platform.dir / "data" / "platform.db")
        while time.monotonic() < deadline:
            now = time.monotonic()
            stored, top = pdb.execute("SELECT count(*), coalesce(max(seq), 0) FROM records WHERE node = ?",
                                      (node,)).fetchone()
            if stored == 0:
                zero_until = now
            elif started is None:
                started = now
            if top >= count and drained is None:
                drained = now
            if drained is not None and now > drained + RELAY_START_DELAY:
                break
            time.sleep(0.02)
        stop.set()
        for t in threads:
            t.join(15)
        if drained is None or zero_until is None:
            raise RuntimeError("the hall's relay did not drain its backlog within 120 s")
        # the load's own records are delivered too; then every row of the hall is on the platform once
        hdb = sqlite3.connect(f"file:{directory / 'data' / 'hall.db'}?mode=ro", uri=True)
        total = hdb.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
        settle = time.monotonic() + 30
        while time.monotonic() < settle and pdb.execute(
                "SELECT count(*) FROM records WHERE node = ?", (node,)).fetchone()[0] < total:
            time.sleep(0.1)
        stored, distinct = pdb.execute("SELECT count(*), count(DISTINCT key) FROM records WHERE node = ?",
                                       (node,)).fetchone()
        pdb.close()
        hdb.close()
    finally:
        hall.terminate()
        try:
            hall.wait(10)
        except subprocess.TimeoutExpired:
            hall.kill()
            hall.wait()
    begin = samples[0][0] if samples else 0.0
    during = [(k, ms) for t, k, ms in samples if zero_until <= t <= drained]
    idle = [(k, ms) for t, k, ms in samples if begin + 0.3 <= t < zero_until or t > drained + 0.3]
    return {"during": during, "idle": idle, "drain_seconds": round(drained - zero_until, 3),
            "exactly_once": stored == distinct == total, "records": total}


def hall_part(tmp: Path, platform: Platform, count: int, rounds: int) -> dict[str, Any]:
    during: list[tuple[str, float]] = []
    idle: list[tuple[str, float]] = []
    runs = []
    for i in range(rounds):
        log(f"hall round {i + 1}/{rounds}: {count} records backlog")
        r = hall_round(tmp, platform, count, i)
        during += r.pop("during")
        idle += r.pop("idle")
        runs.append(r)
    drains = sorted(r["drain_seconds"] for r in runs)
    out: dict[str, Any] = {"rounds": runs, "load": f"{LOAD_RATE:g} ticket issues and {LOAD_RATE:g} snapshot"
                           " reads per second, open loop (latency counted from when each was due)",
                           "drain_seconds_median": drains[len(drains) // 2], "drain_seconds_max": drains[-1]}
    for kind in ("issue", "snapshot"):
        d = [ms for k, ms in during if k == kind]
        i = [ms for k, ms in idle if k == kind]
        out[kind] = {"idle_p99_ms": percentile(i, 99), "drain_p99_ms": percentile(d, 99),
                     "idle_p50_ms": percentile(i, 50), "drain_p50_ms": percentile(d, 50),
                     "idle_samples": len(i), "drain_samples": len(d)}
        idle_p99, drain_p99 = out[kind]["idle_p99_ms"], out[kind]["drain_p99_ms"]
        out[kind]["p99_ratio"] = round(drain_p99 / idle_p99, 2) if idle_p99 and drain_p99 else None
    return out


def _target(measured: float | None, limit: float, strict: bool = False) -> dict[str, Any]:
    met = measured is not None and (measured < limit if strict else measured <= limit)
    return {"measured": measured, "limit": limit, "met": met}


def main(args: argparse.Namespace) -> int:
    sizes = dict(QUICK if getattr(args, "quick", False) else FULL)
    if getattr(args, "count", None):
        sizes["count"] = args.count
        sizes["big"] = args.count * 10
    count = sizes["count"]
    result: dict[str, Any] = {"machine": machine(), "sizes": sizes}
    with tempfile.TemporaryDirectory(prefix="yiciban-bench-sync-") as name:
        tmp = Path(name)
        nodes = ["drain", *(f"mem-{s}-{t}" for s in ("small", "big") for t in ("plain", "traced")),
                 *(f"hall-{i}" for i in range(sizes["rounds"]))]
        (tmp / "platform").mkdir()
        platform = Platform(tmp / "platform", nodes)
        try:
            result["drain"] = drain_part(tmp, platform, count)
            result["baseline"] = baseline_part(platform, count)
            result["drain_vs_baseline_ratio"] = round(
                result["drain"]["wall_seconds"] / result["baseline"]["wall_seconds"], 1)
            result["memory"] = memory_part(tmp, platform, count, sizes["big"])
            result["hall_api"] = hall_part(tmp, platform, count, sizes["rounds"])
        finally:
            platform.stop()
    issue_ratio, memory = result["hall_api"]["issue"]["p99_ratio"], result["memory"]
    once = (result["drain"]["exactly_once"] and all(r["exactly_once"] for r in result["hall_api"]["rounds"])
            and memory["small"]["exactly_once"] and memory["big"]["exactly_once"])
    result["targets"] = {
        "drain_under_3_s": _target(result["drain"]["wall_seconds"], TARGETS["drain_seconds"], strict=True),
        "hall_drain_under_3_s": _target(result["hall_api"]["drain_seconds_max"], TARGETS["drain_seconds"],
                                        strict=True),
        "hall_issue_p99_within_1.5x": _target(issue_ratio, TARGETS["hall_p99_ratio"]),
        "memory_flat_python_peak": _target(memory["python_peak_ratio"], TARGETS["memory_ratio"]),
        "memory_flat_rss": _target(memory["rss_ratio"], TARGETS["memory_ratio"]),
        "exactly_once": {"met": once},
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if getattr(args, "output", None):
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0

