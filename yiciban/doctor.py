"""`yiciban doctor`: open every device the hall config lists, and say what answered.

It opens only the ports the configuration names (nothing is probed), one device at a time,
each within its timeout, and prints a table a hall's IT person can read over the phone.
With `--hall URL` it also compares this machine's clock and time zone with the hall's (a
screen whose clock is off prints wrong times; one in another zone logs other times than the
board), and passes on what the hall's `/health` says of the server machine's own zone; given
a supervisor's or operator's token too (`--token`, or `$YICIBAN_HALL_TOKEN`), it adds every
item of the hall's health: its devices, its screens' heartbeats and clocks, disk and sync.
"""
from __future__ import annotations

import argparse
import json
import os
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


def clock_rows(hall_url: str, timeout: float) -> list[dict[str, Any]]:
    """Rows for this machine's clock and zone against the hall's, and the hall server's own
    notes: `ready` when they agree, `warning` for a zone apart (the screens show the hall's
    zone anyway), `error` for a clock off by more than a minute or a hall that did not answer."""
    from ground.clocks import machine_zone_name, skew_note, zone_note
    from hall.client import HallClient, HallError

    def row(kind: str, state: str, reason: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"id": "hall", "kind": kind, "host": "this machine", "url": hall_url, "state": state,
                "reason": reason, "details": details or {}, "seconds": 0.0}

    started = time.monotonic()
    try:
        with HallClient(hall_url, timeout=timeout) as client:
            health = client.health()
            skew = client.clock_skew()
    except HallError as exc:
        return [row("clock", "error", exc.message)]
    rows = []
    note = skew_note(skew)
    hall_time = health.get("time", "?")
    if note:  # the table shows details, else the reason: a problem is said in the reason alone
        rows.append(row("clock", "error", f"{note} (the hall's time: {hall_time})"))
    else:
        rows.append(row("clock", "ready", "", {
            "hall_time": hall_time, "off_by": "unknown (no Date header)" if skew is None else "under a minute"}))
    zone = str(health.get("timezone") or "")
    here = zone_note(zone) if zone else "the hall did not say its time zone (an older hall server?)"
    rows.append(row("time_zone", "warning" if here else "ready", here or "",
                    {} if here else {"zone": zone, "this_machine": machine_zone_name()}))
    for said in health.get("notes", []):  # what the hall's /health says of its own machine
        rows.append({**row("time_zone", "warning", str(said)), "host": "hall server"})
    for r in rows:
        r["seconds"] = round(time.monotonic() - started, 2)
    return rows


def health_rows(hall_url: str, token: str, timeout: float) -> list[dict[str, Any]]:
    """The hall's own health, one row per item (`ok` reads `ready`), or one row saying why not."""
    from hall.client import HallClient, HallError

    started = time.monotonic()
    try:
        with HallClient(hall_url, token=token, timeout=timeout) as client:
            report = client.hall_health()
    except HallError as exc:
        return [{"id": "hall", "kind": "health", "host": "hall server", "url": hall_url, "state": "error",
                 "reason": exc.message, "details": {}, "seconds": round(time.monotonic() - started, 2)}]
    seconds = round(time.monotonic() - started, 2)
    return [{"id": item["id"], "kind": item["area"], "url": hall_url, "state": STATES[item["state"]],
             "host": str(item["details"].get("host") or item["details"].get("role") or "hall"),
             "reason": item["reason"], "details": {} if item["state"] != "ok" else {"ok": item["reason"]},
             "seconds": seconds} for item in report.get("items", [])]


STATES = {"ok": "ready", "warning": "warning", "error": "error"}


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
    if getattr(args, "hall", None):
        rows += clock_rows(args.hall, args.timeout)
        token = getattr(args, "token", None) or os.environ.get("YICIBAN_HALL_TOKEN")
        if token:
            rows += health_rows(args.hall, token, args.timeout)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))  # noqa: T201
    else:
        print(format_table(rows))  # noqa: T201
    return 0 if all(r["state"] in ("ready", "warning") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(run_doctor(argparse.Namespace(config=None, host=None, timeout=3.0, json=False, hall=None, token=None)))
