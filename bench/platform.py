"""`yiciban bench platform`: a city's halls pushing at once into the reference platform on PostgreSQL.

A city with a few hundred halls is where one platform machine ends, so this measures how many
records a second one platform process stores, and how long a hall waits for its answer, with
N halls pushing side by side. Measured in one run on one machine (results in docs/BENCHMARKS.md):

1. push: a private PostgreSQL cluster (`sync.platform.cluster`, PostgreSQL's own durable
   settings), `yiciban platform` on it as its own process on loopback, and N simulated halls
   (one thread and one HTTP connection each, released at once) each pushing its day's records
   in batches, one batch after the other, as a hall's relay does (a 503 is sent again after its
   Retry-After, spread as the relay spreads it): records per second over the wall time, the
   latency of each push (p50, p90, p99, max), the time from a batch's first sending to its
   answer with results (the same, counting 503s and waits), the 503s; every record checked to be
   stored exactly once;
2. baseline, into the same database: the same rows (as the platform stores them) written by
   `COPY` in one transaction, and by multi-row `INSERT`s, one transaction per batch, from N
   connections side by side (the platform's shape without HTTP, JSON, checks or look-ups);
   the platform's rate as a share of each.

One JSON object on stdout (progress on stderr). The benchmark's own halls run on the same two
cores as the platform and the server: the machine is shared three ways, as a test box would be.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from bench.output import emit
from bench.sync import Platform, log, machine, percentile
from sync import records as rec
from sync.outbox import after_retry_after
from sync.platform.cluster import PrivateCluster
from sync.platform.store import digest

FULL = {"halls": 50, "batches": 20, "batch": 100}
QUICK = {"halls": 8, "batches": 3, "batch": 50}
SERVER = ("max_connections=200",)  # the platform's threads and the baseline's connections; durable otherwise
PUSH_TIMEOUT = 120.0
DAY = 1_800_000_000.0


def hall_records(hall: int, count: int) -> list[dict[str, Any]]:
    """A hall's records in its own order: 70% queue events, 20% ratings, 10% device health."""
    rng = random.Random(hall)
    out = []
    for seq in range(1, count + 1):
        roll, ticket = rng.random(), f"20261127-A{seq:04d}"
        if roll < 0.70:
            kind, payload = rec.QUEUE_EVENT, {"seq": seq, "ts": DAY + seq, "day": "2026-11-27",
                                              "type": "ticket.issued",
                                              "data": {"ticket": ticket, "queue": "general",
                                                       "number": f"A{seq % 1000:03d}", "channel": "kiosk"}}
        elif roll < 0.90:
            level = rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
            kind, payload = rec.RATING, {"level": level, "reasons": ["等候时间过长"] if level <= 2 else [],
                                         "ticket": ticket, "window": "w1", "staff": "s1",
                                         "matter": "000131128000", "channel": "pad"}
        else:
            kind, payload = rec.DEVICE_HEALTH, {"device": f"kiosk-{seq % 7}", "status": "ready",
                                                "paper": "ok", "temperature_c": 41}
        out.append({"key": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "seq": seq, "type": kind,
                    "created": DAY + seq, "payload": payload})
    return out


def stored_row(node: str, item: dict[str, Any]) -> tuple:
    """The row the platform stores for `item` (sync.platform.store), for the baseline."""
    payload = rec.dumps(item["payload"])
    subtype = item["payload"].get("type") if item["type"] == rec.QUEUE_EVENT else None
    return (item["key"], node, item["seq"], item["type"], item["created"], DAY, None, None, payload, None,
            digest(item["type"], payload, None), subtype)


def _pusher(url: str, token: str, node: str, bodies: list[bytes], gate: threading.Barrier,
            out: dict[str, Any]) -> None:
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    latencies, stored, answers, retries = [], [], Counter(), 0
    rng = random.Random(node)
    try:
        gate.wait()
        for body in bodies:
            first = time.perf_counter()
            while True:
                start = time.perf_counter()
                r = session.post(f"{url}/api/v1/sync/push", data=body, timeout=PUSH_TIMEOUT)
                latencies.append(time.perf_counter() - start)
                if r.status_code != 503:
                    break
                retries += 1  # the platform asked to come back: as a relay does, after Retry-After
                time.sleep(after_retry_after(float(r.headers.get("Retry-After", "1")), rng))
            stored.append(time.perf_counter() - first)
            r.raise_for_status()
            answers.update(x["status"] for x in r.json()["results"])
    except Exception as exc:  # noqa: BLE001 - reported in the result, not lost in a thread
        out["error"] = f"{node}: {exc}"
    finally:
        session.close()
    out.update(latencies=latencies, stored=stored, answers=answers, retries=retries)


def _cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def push_part(platform: Platform, halls: dict[str, list[dict[str, Any]]], batch: int) -> dict[str, Any]:
    bodies = {node: [json.dumps({"node": node, "items": items[i:i + batch]}, ensure_ascii=False).encode()
                     for i in range(0, len(items), batch)] for node, items in halls.items()}
    outs: dict[str, dict[str, Any]] = {node: {} for node in halls}
    gate = threading.Barrier(len(halls) + 1)
    threads = [threading.Thread(target=_pusher, args=(platform.url, platform.tokens[node], node, bodies[node],
                                                      gate, outs[node]), daemon=True) for node in halls]
    for t in threads:
        t.start()
    cpu_before = _cpu_seconds(platform.process.pid)
    gate.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(timeout=PUSH_TIMEOUT * 10)
    wall = time.perf_counter() - start
    errors = [o["error"] for o in outs.values() if "error" in o]
    if errors:
        raise RuntimeError(f"{len(errors)} halls failed, first: {errors[0]}")
    latencies = [s * 1000 for o in outs.values() for s in o["latencies"]]
    stored = [s * 1000 for o in outs.values() for s in o["stored"]]
    answers = sum((o["answers"] for o in outs.values()), Counter())
    total = sum(len(items) for items in halls.values())
    cpu = _cpu_seconds(platform.process.pid) - cpu_before
    return {"records": total, "pushes": len(latencies), "wall_seconds": round(wall, 3),
            "records_per_second": round(total / wall), "platform_cpu_seconds": round(cpu, 2),
            # what one core given to the platform alone would store: the machine is shared
            "records_per_platform_cpu_second": round(total / cpu) if cpu > 0 else None,
            "latency_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                           "p99": percentile(latencies, 99), "max": round(max(latencies), 3)},
            # from a batch's first sending to its results, 503s and the waits after them included
            "batch_stored_ms": {"p50": percentile(stored, 50), "p90": percentile(stored, 90),
                                "p99": percentile(stored, 99), "max": round(max(stored), 3)},
            "answers_over_10s": sum(1 for x in latencies if x > 10_000),
            "answers": dict(answers), "retries_after_503": sum(o["retries"] for o in outs.values())}


def exactly_once(url: str, halls: dict[str, list[dict[str, Any]]]) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT node, count(*), count(DISTINCT key) FROM records GROUP BY node").fetchall()
    return {node: (n, k) for node, n, k in rows} == {node: (len(i), len(i)) for node, i in halls.items()}


def baseline_part(url: str, halls: dict[str, list[dict[str, Any]]], batch: int) -> dict[str, Any]:
    import psycopg

    rows = {node: [stored_row(node, item) for item in items] for node, items in halls.items()}
    every = [row for node_rows in rows.values() for row in node_rows]
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("bench_copy", "bench_insert"):
            conn.execute(f"CREATE TABLE {table} (LIKE records INCLUDING ALL)")
        start = time.perf_counter()
        with conn.transaction(), conn.cursor().copy("COPY bench_copy FROM STDIN") as copy:
            for row in every:
                copy.write_row(row)
        copy_seconds = time.perf_counter() - start
    gate = threading.Barrier(len(rows) + 1)
    failures: list[str] = []

    def insert(node_rows: list[tuple]) -> None:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                gate.wait()
                for i in range(0, len(node_rows), batch):
                    chunk = node_rows[i:i + batch]
                    marks = ",".join(["(" + ",".join(["%s"] * 12) + ")"] * len(chunk))
                    with conn.transaction():
                        conn.execute(f"INSERT INTO bench_insert VALUES {marks}", [v for r in chunk for v in r])
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(str(exc))
            gate.abort()

    threads = [threading.Thread(target=insert, args=(r,), daemon=True) for r in rows.values()]
    for t in threads:
        t.start()
    gate.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    insert_seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"baseline INSERT failed: {failures[0]}")
    return {"copy": {"wall_seconds": round(copy_seconds, 3), "records_per_second": round(len(every) / copy_seconds)},
            "insert": {"wall_seconds": round(insert_seconds, 3),
                       "records_per_second": round(len(every) / insert_seconds),
                       "transactions": sum(-(-len(r) // batch) for r in rows.values())}}


def main(args: argparse.Namespace) -> int:
    sizes = dict(QUICK if getattr(args, "quick", False) else FULL)
    for name in ("halls", "batches", "batch"):
        if getattr(args, name, None):
            sizes[name] = getattr(args, name)
    halls = {f"hall-{i:03d}": hall_records(i, sizes["batches"] * sizes["batch"]) for i in range(sizes["halls"])}
    result: dict[str, Any] = {"machine": machine(), "sizes": sizes}
    with tempfile.TemporaryDirectory(prefix="yiciban-bench-platform-") as name:
        log("starting a private PostgreSQL cluster")
        with PrivateCluster(settings=SERVER) as cluster:
            url = cluster.create_database("platform")
            result["machine"]["postgresql"] = _server_version(url)
            platform = Platform(Path(name), list(halls), database=url)
            try:
                log(f"{sizes['halls']} halls pushing {sizes['batches']} batches of {sizes['batch']} records each")
                result["platform"] = push_part(platform, halls, sizes["batch"])
            finally:
                platform.stop()
            result["platform"]["exactly_once"] = exactly_once(url, halls)
            log("baseline: COPY, then INSERTs from as many connections as halls")
            result["baseline"] = baseline_part(url, halls, sizes["batch"])
    rate = result["platform"]["records_per_second"]
    result["platform_share_of_copy"] = round(rate / result["baseline"]["copy"]["records_per_second"], 3)
    result["platform_share_of_insert"] = round(rate / result["baseline"]["insert"]["records_per_second"], 3)
    emit(result, getattr(args, "output", None))
    return 0 if result["platform"]["exactly_once"] else 1


def _server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="8 halls, 3 batches of 50: a smoke run")
    parser.add_argument("--halls", type=int, help=f"halls pushing at once (default {FULL['halls']})")
    parser.add_argument("--batches", type=int, help=f"batches each hall pushes (default {FULL['batches']})")
    parser.add_argument("--batch", type=int, help=f"records in a batch (default {FULL['batch']})")
    parser.add_argument("--output", help="also write the JSON to this file")
