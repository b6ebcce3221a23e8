"""How a node's sync is doing, for operators: `GET /api/v1/sync/status` and `yiciban sync status`.

Counts and ages only, and for set-aside (dead) records their key, type and the reason the
platform gave: never a payload, so nothing personal is shown.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from sync.outbox import read_state
from sync.reference import ReferenceStore

DEAD_SHOWN = 50


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def outbox_status(conn: sqlite3.Connection, now: float) -> dict[str, Any]:
    try:
        counts = dict(conn.execute("SELECT state, count(*) FROM sync_outbox GROUP BY state").fetchall())
    except sqlite3.OperationalError:  # no outbox in this database yet
        return {"pending": 0, "acked": 0, "dead": 0, "oldest_pending": None, "relay": {}, "dead_letters": []}
    oldest = conn.execute("SELECT id, created FROM sync_outbox WHERE state = 'pending' ORDER BY id LIMIT 1").fetchone()
    sealed = conn.execute("SELECT count(*) FROM sync_outbox WHERE sealed IS NOT NULL").fetchone()[0]
    dead = conn.execute(
        "SELECT key, type, id, created, attempts, last_error, origin FROM sync_outbox WHERE state = 'dead'"
        " ORDER BY id LIMIT ?", (DEAD_SHOWN,)).fetchall()
    state = read_state(conn)
    last_success = _float(state.get("last_success"))
    return {
        "pending": counts.get("pending", 0),
        "acked": counts.get("acked", 0),
        "dead": counts.get("dead", 0),
        "sealed_personal": sealed,
        "oldest_pending": None if oldest is None else {
            "seq": oldest[0], "created": _iso(oldest[1]), "age_seconds": round(max(now - oldest[1], 0.0), 1)},
        "relay": {
            "last_attempt": _iso(_float(state.get("last_attempt"))),
            "last_success": _iso(last_success),
            "seconds_since_success": None if last_success is None else round(max(now - last_success, 0.0), 1),
            "last_error": state.get("last_error"),
            "last_error_at": _iso(_float(state.get("last_error_at"))),
            "consecutive_failures": int(state.get("consecutive_failures", "0") or 0),
        },
        "dead_letters": [
            {"key": k, "type": t, "seq": i, "created": _iso(c), "attempts": a, "reason": e, "origin": o}
            for k, t, i, c, a, e, o in dead
        ],
    }


def status(conn: sqlite3.Connection, reference: ReferenceStore | None, now: float) -> dict[str, Any]:
    out = outbox_status(conn, now)
    out["reference"] = reference.info() if reference is not None else {}
    return out


def describe(report: dict[str, Any]) -> str:
    """The status as lines for a terminal."""
    lines = [f"upstream: {report.get('upstream') or 'none configured (records are kept until one is)'}"]
    oldest = report.get("oldest_pending")
    lines.append(f"outbox: {report['pending']} waiting, {report['acked']} delivered (kept for the"
                 f" retention period), {report['dead']} set aside")
    if oldest:
        lines.append(f"oldest waiting: seq {oldest['seq']}, created {oldest['created']},"
                     f" {oldest['age_seconds']:.0f} s ago")
    relay = report.get("relay") or {}
    if relay.get("last_success"):
        lines.append(f"last delivery: {relay['last_success']} ({relay['seconds_since_success']:.0f} s ago)")
    if relay.get("consecutive_failures"):
        lines.append(f"failing: {relay['consecutive_failures']} attempts in a row; last error at"
                     f" {relay['last_error_at']}: {relay['last_error']}")
    for d in report.get("dead_letters", []):
        lines.append(f"set aside: {d['key']} {d['type']} seq {d['seq']} (created {d['created']},"
                     f" {d['attempts']} attempts): {d['reason']}")
    for name, info in (report.get("reference") or {}).items():
        age = "never fetched" if info["age_seconds"] is None else f"checked {info['age_seconds']:.0f} s ago"
        lines.append(f"reference {name}: version {info['version']}, {info['items']} items, {age}")
    return "\n".join(lines)
