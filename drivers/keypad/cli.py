"""`yiciban sim keypad_bus` and `yiciban doctor` for the keypad bus.

The simulator reads commands from stdin, one a line::

    press 1 next            press 4 transfer 12      request 11 A017 3      rate 11 2 slow,attitude
    silent 2 on             corrupt 1 2              dropack 1 3
    garbage 20              state                    help
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import random
from collections.abc import Mapping
from typing import Any

from drivers.errors import DeviceError, DeviceUnavailable
from drivers.keypad.exchange import READ_SLICE, exchange
from drivers.keypad.messages import Info, Request, StatusQuery
from drivers.keypad.model import KEY_NAMES, BusDevice, RatingRefused, parse_reasons
from drivers.keypad.simulator import BusSimulator, SimPad
from drivers.simserve import SimServer, serve_commands
from drivers.transport import open_url

log = logging.getLogger(__name__)

Settings = Mapping[str, str | int | float | bool]

HELP = """commands:
  press ADDR KEY [VALUE]     KEY: next recall noshow transfer pause finish
  request ADDR TICKET [WIN]  a pad is asked to rate TICKET (as the hall does when service ends)
  rate ADDR LEVEL [REASONS]  LEVEL 1-5; REASONS e.g. slow,attitude (a 差评 needs one)
  silent ADDR [on|off]       the device stops (or starts again) answering
  corrupt ADDR [N]           its next N answers carry a bad CRC
  dropack ADDR [N]           the next N ACKs to it are lost, so it sends its event again
  garbage [N]                N random bytes on the line before the next answer
  state                      what every device shows and holds"""


def parse_addresses(value: str | int | float | bool | None) -> list[int]:
    if value is None or value == "" or isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [int(value)]
    return [int(part) for part in str(value).replace(" ", "").split(",") if part]


def devices_from_settings(settings: Settings) -> list[BusDevice]:
    """`keypads = "1,2"`, `pads = "11,12"`, optional `timeout` (seconds) for each device."""
    timeout = float(settings["timeout"]) if "timeout" in settings else None
    devices = [BusDevice(a, "keypad", timeout) for a in parse_addresses(settings.get("keypads"))]
    devices += [BusDevice(a, "pad", timeout) for a in parse_addresses(settings.get("pads"))]
    return devices


def doctor(url: str, settings: Settings, timeout: float = 3.0) -> dict[str, Any]:
    """Asks every configured address for its STATUS (never polls: polling takes events)."""
    try:
        devices = devices_from_settings(settings)
    except (ValueError, TypeError) as exc:
        return {"state": "error", "reason": f"bad settings: {exc}", "details": {}}
    if not devices:
        return {"state": "error", "reason": "no keypads or pads configured", "details": {}}
    try:
        port = open_url(url, baudrate=int(settings.get("baudrate", 9600)), timeout=READ_SLICE)
    except DeviceUnavailable as exc:
        return {"state": "disconnected", "reason": exc.message, "details": {}}
    answering: dict[str, dict[str, Any]] = {}
    missing: dict[str, str] = {}
    each = max(0.05, min(timeout / len(devices) / 2, 2 * (devices[0].timeout or 0.15)))
    seq = random.randrange(256)
    try:
        for dev in devices:
            seq = (seq + 1) % 256
            try:
                reply = _ask(port, dev.address, seq, each)
            except DeviceUnavailable as exc:
                return {"state": "disconnected", "reason": exc.message, "details": {}}
            except DeviceError as exc:
                missing[str(dev.address)] = exc.message
                continue
            answering[str(dev.address)] = {
                "type": reply.type.kind, "configured": dev.kind, "version": reply.version,
                "queued": reply.queued, "evaluating": reply.evaluating,
            }
    finally:
        with contextlib.suppress(Exception):
            port.close()
    details = {"answering": answering, "missing": missing}
    if not answering:
        return {"state": "disconnected", "reason": f"no device answers on {url}", "details": details}
    if missing:
        reason = f"{len(missing)} of {len(devices)} devices do not answer: {', '.join(missing)}"
        return {"state": "error", "reason": reason, "details": details}
    return {"state": "ready", "reason": f"all {len(devices)} devices answer", "details": details}


def _ask(port: Any, address: int, seq: int, timeout: float) -> Info:
    for attempt in range(2):
        try:
            reply = exchange(port, StatusQuery(), address, seq, timeout, device=f"address {address}")
        except DeviceUnavailable:
            raise
        except DeviceError:
            if attempt:
                raise
            continue
        if isinstance(reply, Info):
            return reply
        raise DeviceError(f"answered STATUS with {reply!r}", device=f"address {address}")
    raise AssertionError("unreachable")  # pragma: no cover


def run_command(sim: BusSimulator, line: str) -> str:
    """One stdin command against the simulated bus; the line to print back."""
    words = line.split()
    if not words:
        return ""
    verb, args = words[0].lower(), words[1:]
    try:
        if verb == "press":
            if args[1].lower() not in KEY_NAMES:
                return f"error: unknown key {args[1]!r} (keys: {', '.join(KEY_NAMES)})"
            key = KEY_NAMES[args[1].lower()]
            value = int(args[2]) if len(args) > 2 else 0
            counter = sim.press(int(args[0]), key, value)
            return f"ok press {args[0]} {key.name.lower()} counter={counter}"
        if verb == "request":  # what the hall does when service ends; here to try a pad by hand
            window = int(args[2]) if len(args) > 2 else 0
            with sim.lock:
                sim.pad(int(args[0])).request = Request(sim.rng.randrange(1, 0x10000), window, args[1])
            return f"ok pad {args[0]} rates ticket {args[1]}"
        if verb == "rate":
            reasons = parse_reasons(args[2]) if len(args) > 2 else ()
            counter = sim.rate(int(args[0]), int(args[1]), reasons)
            return f"ok rate {args[0]} level={args[1]} reasons={list(map(int, reasons))} counter={counter}"
        if verb in ("silent", "corrupt", "dropack"):
            dev = sim.device(int(args[0]))
            with sim.lock:
                if verb == "silent":
                    dev.silent = (args[1].lower() if len(args) > 1 else "on") in ("on", "1", "yes", "true")
                    return f"ok {args[0]} silent={dev.silent}"
                count = int(args[1]) if len(args) > 1 else 1
                if verb == "corrupt":
                    dev.corrupt_replies = count
                else:
                    dev.drop_acks = count
            return f"ok {verb} {args[0]} {count}"
        if verb == "garbage":
            sim.garbage(int(args[0]) if args else 16)
            return "ok garbage"
        if verb == "state":
            return "\n".join(_state(sim))
        if verb in ("help", "?"):
            return HELP
    except RatingRefused as exc:
        hint = " (the hall asks for a rating; by hand: request ADDR TICKET [WINDOW])" if "requested" in str(exc) else ""
        return f"refused: {exc}{hint}"
    except (IndexError, KeyError, ValueError) as exc:
        return f"error: {exc!s} (try: help)"
    return f"error: unknown command {verb!r} (try: help)"


def _state(sim: BusSimulator) -> list[str]:
    lines = []
    with sim.lock:
        for address, dev in sorted(sim.devices.items()):
            extra = ""
            if isinstance(dev, SimPad) and dev.request:
                extra = f" rating ticket={dev.request.ticket} request={dev.request.request_id}"
            lines.append(f"{address} {dev.type.kind} display={dev.display[:2]} queued={len(dev.queue)}"
                         f" silent={dev.silent}{extra}")
    return lines


def _say(line: str) -> None:
    print(line, flush=True)  # noqa: T201 - the simulator's console output


def sim_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban sim keypad_bus",
                                     description="caller keypads and evaluation pads on one simulated RS-485 bus",
                                     epilog=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on a TCP port (0: any free port)")
    parser.add_argument("--link", help="with --pty: a stable symlink to the pty (as a udev rule gives)")
    parser.add_argument("--host", default="127.0.0.1", help="with --tcp: the address to listen on")
    parser.add_argument("--keypads", default="1", help="caller keypad addresses, e.g. 1,2")
    parser.add_argument("--pads", default="11", help="evaluation pad addresses, e.g. 11,12")
    parser.add_argument("--silent", default="", help="addresses that never answer, e.g. 2")
    parser.add_argument("--garbage-rate", type=float, default=0.0, help="chance of line noise before an answer")
    parser.add_argument("--seed", type=int, help="random seed (event counters, noise)")
    args = parser.parse_args(argv)
    if args.link and not args.pty:
        parser.error("--link needs --pty")
    try:
        sim = BusSimulator.build(parse_addresses(args.keypads), parse_addresses(args.pads), seed=args.seed,
                                 notify=_say, garbage_rate=args.garbage_rate)
        for address in parse_addresses(args.silent):
            sim.device(address).silent = True
        server = SimServer(sim.feed, pty=args.pty, link=args.link, tcp=args.tcp, host=args.host,
                           name="keypad-bus-sim")
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    _say(f"listening {server.url}")
    server.start()
    return serve_commands(lambda line: run_command(sim, line), server.close)
