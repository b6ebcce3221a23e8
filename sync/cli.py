"""`yiciban sync status` and `yiciban sync retry`: read and fix a node's outbox from a shell.

They open the node's database directly (no server needed) with a short busy timeout: reading
never blocks the hall, and `retry` is one short write transaction.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from sync.outbox import Outbox, OutboxError, describe
from sync.reference import ReferenceStore
from sync.status import describe as describe_status
from sync.status import status

DB_NAME = "hall.db"


def _open(args: argparse.Namespace) -> tuple[sqlite3.Connection, Path]:
    from ground.paths import data_dir

    directory = data_dir(args.data_dir)
    path = directory / DB_NAME
    if not path.exists():
        raise OutboxError(f"no hall database in {directory} (give --data-dir)")
    conn = sqlite3.connect(path, isolation_level=None, timeout=2)
    conn.execute("PRAGMA busy_timeout=2000")
    return conn, directory


def status_command(args: argparse.Namespace) -> int:
    """Exit status 1 when records are set aside (a monitoring check can alert on it)."""
    try:
        conn, directory = _open(args)
        ref_path = directory / "reference.db"
        reference = ReferenceStore(ref_path) if ref_path.exists() else None
        report = status(conn, reference, time.time())
    except (OutboxError, sqlite3.Error) as exc:
        message = describe(exc, DB_NAME) if isinstance(exc, sqlite3.Error) else str(exc)
        print(f"yiciban sync status: {message}", file=sys.stderr)  # noqa: T201
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))  # noqa: T201
    else:
        print(describe_status(report))  # noqa: T201
    return 1 if report["dead"] else 0


def retry_command(args: argparse.Namespace) -> int:
    try:
        conn, _ = _open(args)
        count = Outbox().requeue(conn, args.keys or None)
    except (OutboxError, sqlite3.Error) as exc:
        message = describe(exc, DB_NAME) if isinstance(exc, sqlite3.Error) else str(exc)
        print(f"yiciban sync retry: {message}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"{count} records back in line")  # noqa: T201
    return 0
