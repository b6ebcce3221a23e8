"""`yiciban doctor`: open every device the hall config lists, and say what answered.

It opens only the ports the configuration names (nothing is probed), one device at a time,
each within its timeout, and prints a table a hall's IT person can read over the phone.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any


def check_all(peripherals: list[Any], timeout: float) -> list[dict[str, Any]]:
    from drivers import registry

    rows = []
    for p in peripherals:
        started = time.monotonic()
        try:
            result = registry.doctor(p.kind, p.url, p.settings, timeout)
        except Exception as exc:  # a doctor must report, not crash: this is the tool for broken halls
            result = {"state": "error", "reason": f"check failed: {exc}", "details": {}}
        rows.append({
            "id": p.id, "kind": p.kind, "host": p.host, "url": p.url,
            "state": result.get("state", "error"), "reason": result.get("reason", ""),
            "details": result.get("details", {}),
            "seconds": round(time.monotonic() - started, 2),
        })
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no devices are configured ([[peripherals]] in the hall config)"
    header = ("device", "kind", "host", "where", "state", "details")
    lines = [header]
    for r in rows:
        details = ", ".join(f"{k}={v}" for k, v in r["details"].items()) or r["reason"]
        lines.append((r["id"], r["kind"], r["host"], r["url"], r["state"].upper(), details))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header) - 1)]
    out = []
    for line in lines:
        cells = [str(c).ljust(w) for c, w in zip(line[:-1], widths, strict=True)]
        out.append("  ".join([*cells, str(line[-1])]))
    return "\n".join(out)


def run_doctor(args: argparse.Namespace) -> int:
    from ground.paths import config_file
    from hall.config import load_config, load_demo_config

    path = config_file(args.config, packaged=args.config is None)
    config = load_config(path) if path else load_demo_config()
    peripherals = [p for p in config.peripherals if args.host in (None, p.host)]
    rows = check_all(peripherals, args.timeout)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))  # noqa: T201
    else:
        print(format_table(rows))  # noqa: T201
    return 0 if all(r["state"] == "ready" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(run_doctor(argparse.Namespace(config=None, host=None, timeout=3.0, json=False)))
