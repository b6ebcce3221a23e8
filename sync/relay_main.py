"""`python -m sync.relay`: one relay as its own process, on a node's database.

    python -m sync.relay --db hall.db --url https://platform.example --node-id county-hall

The token comes from --token or $YICIBAN_SYNC_TOKEN (better: not visible in `ps`), the sealing
key as for the hall (YICIBAN_SYNC_KEY, YICIBAN_SYNC_KEY_FILE, or --key-file). `--drain` exits
once nothing is pending, with a JSON report on stdout (the benchmark reads it). SIGTERM stops
after the current batch; SIGKILL at any point loses nothing (see the tests).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import signal
import sys
import time
import tracemalloc
from pathlib import Path

from ground import notify
from sync.crypto import load_sealer
from sync.node_settings import NodeSettings, RelayBusy, SingleRelay, Upstream
from sync.outbox import Outbox, migrate
from sync.relay import Relay, RelaySettings, open_db

log = logging.getLogger("sync.relay")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sync.relay", description="deliver a node's outbox")
    p.add_argument("--db", required=True, help="the node's SQLite database (hall.db)")
    p.add_argument("--url", required=True, help="the upstream: platform, or hall for a device")
    p.add_argument("--node-id", required=True)
    p.add_argument("--token", default=None, help="(default: $YICIBAN_SYNC_TOKEN)")
    p.add_argument("--ca-file", default=None)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--adapter", default="yiciban")
    p.add_argument("--key-file", default=None, help="sealing key file (default: sync.key beside --db)")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--interval", type=float, default=None)
    p.add_argument("--drain", action="store_true", help="exit when nothing is pending; print a JSON report")
    p.add_argument("--max-seconds", type=float, default=3600.0, help="with --drain: give up after this")
    p.add_argument("--trace-memory", action="store_true", help="report Python's peak allocation (slower)")
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--parent", type=int, default=None, help="stop when this process is gone (the hall)")
    p.add_argument("--nice", type=int, default=0, help="lower this process's CPU priority by N")
    return p


def peak_rss_kib() -> int:
    """This process's own peak resident memory. getrusage's ru_maxrss is not: a process started
    by a large one (a test run, say) reports its parent's peak, inherited through fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from ground.logs import setup_logging

    setup_logging(args.log_level)
    # on its own, a relay catches up flat out; the hall passes its pacing in the environment
    settings = NodeSettings.from_env(base=NodeSettings(relay=RelaySettings()))
    relay_settings = RelaySettings(**{
        **settings.relay.__dict__,
        **({"batch_size": args.batch_size} if args.batch_size else {}),
        **({"interval": args.interval} if args.interval is not None else {}),
    })
    db = Path(args.db)
    single = SingleRelay(db)
    try:
        single.acquire()
    except RelayBusy as exc:
        log.error("%s; this one exits", exc)
        return 3
    sealer = load_sealer(db.parent / "sync.key", key_file=args.key_file)
    outbox = Outbox(sealer)
    conn = open_db(str(db))
    migrate(conn)
    upstream = Upstream(args.url, args.node_id, args.token or os.environ.get("YICIBAN_SYNC_TOKEN"),
                        ca_file=args.ca_file, timeout=args.timeout, adapter=args.adapter)
    relay = Relay(conn, outbox, upstream.client(), relay_settings, where=str(db))
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    if args.nice:
        os.nice(args.nice)
    if not args.drain:
        log.info("relay for %s started on %s", args.node_id, db)
        parent = args.parent
        relay.run(alive=notify.beating(None if parent is None else lambda: os.getppid() == parent))
        return 0
    if args.trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    pushes = relay.drain(time.monotonic() + args.max_seconds)
    wall = time.perf_counter() - start
    report = {
        "wall_seconds": round(wall, 4),
        "pushes": pushes,
        "pending": relay.pending(),
        "peak_rss_kib": peak_rss_kib(),
        "python_peak_bytes": tracemalloc.get_traced_memory()[1] if args.trace_memory else None,
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0 if report["pending"] == 0 else 1
