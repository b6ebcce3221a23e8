"""`yiciban sim led_strip` and `yiciban doctor` for window LED strips.

The simulator prints what the strip shows after every change and, with `--out DIR`, keeps
DIR/<name>.png current. Commands on stdin: `corrupt N`, `silent on|off`, `garbage N`, `state`.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from drivers.errors import DeviceError
from drivers.ledstrip.area import FONT_CODES
from drivers.ledstrip.settings import colour_of, open_strip
from drivers.ledstrip.simulator import StripSimulator
from drivers.simserve import SimServer, serve_commands
from drivers.status import State

log = logging.getLogger(__name__)

Settings = Mapping[str, str | int | float | bool]


def doctor(url: str, settings: Settings, timeout: float = 3.0) -> dict[str, Any]:
    """Asks the configured strip whether it is there (BX-5: ping; line: STATUS). Never raises."""
    merged = {**settings, "timeout": min(float(settings.get("timeout", 1.0)), max(0.2, timeout / 3))}
    try:
        strip = open_strip(url, merged, name="doctor")
    except (ValueError, TypeError) as exc:
        return {"state": "error", "reason": f"bad settings: {exc}", "details": {}}
    try:
        status = strip.status()
    except DeviceError as exc:  # status() does not raise; this is belt and braces
        return {"state": "disconnected", "reason": exc.message, "details": {}}
    finally:
        with contextlib.suppress(Exception):
            strip.close()
    state = {State.READY: "ready", State.ERROR: "error"}.get(status.state, "disconnected")
    return {"state": state, "reason": status.reason, "details": dict(status.details)}


def run_command(sim: StripSimulator, line: str) -> str:
    words = line.split()
    if not words:
        return ""
    verb, args = words[0].lower(), words[1:]
    try:
        with sim.lock:
            if verb == "corrupt":
                sim.corrupt_incoming = int(args[0]) if args else 1
                return f"ok the next {sim.corrupt_incoming} frames arrive corrupted"
            if verb == "silent":
                sim.silent = (args[0].lower() if args else "on") in ("on", "1", "yes", "true")
                return f"ok silent={sim.silent}"
            if verb == "garbage":
                sim.garbage(int(args[0]) if args else 16)
                return "ok garbage"
            if verb == "state":
                return f"showing {sim.text!r} frames={sim.frames} naks={sim.naks} bad={sim.bad} png={sim.png}"
    except ValueError as exc:
        return f"error: {exc}"
    return "commands: corrupt N | silent on|off | garbage N | state"


def _say(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the simulator's console output


def _size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size {value!r} is not WIDTHxHEIGHT, e.g. 192x32") from None
    if not (0 < width <= 1024 and 0 < height <= 256):
        raise argparse.ArgumentTypeError(f"size {value!r} is out of range")
    return width, height


def sim_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban sim led_strip",
                                     description="a window LED strip: Onbon BX-5 frames or the plain line protocol")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on a TCP port (BX-5 uses 5005; 0: any)")
    parser.add_argument("--link", help="with --pty: a stable symlink to the pty")
    parser.add_argument("--host", default="127.0.0.1", help="with --tcp: the address to listen on")
    parser.add_argument("--protocol", choices=("bx5", "line"), default="bx5")
    parser.add_argument("--out", help="directory where the strip's PNG is kept current")
    parser.add_argument("--name", default="ledstrip", help="the PNG's name (without .png)")
    parser.add_argument("--size", type=_size, default=(192, 32), help="dots, WIDTHxHEIGHT (192x32, 128x32 ...)")
    parser.add_argument("--screen", type=int, default=1, help="BX-5 screen address")
    parser.add_argument("--encoding", default="utf-8", choices=("utf-8", "gb18030"), help="line protocol text")
    parser.add_argument("--colour", default="red", help="line protocol colour: red, green, amber")
    parser.add_argument("--font-size", type=int, default=16, choices=sorted(FONT_CODES),
                        help="the controller's default font, in dots")
    args = parser.parse_args(argv)
    if args.link and not args.pty:
        parser.error("--link needs --pty")
    try:
        sim = StripSimulator(protocol=args.protocol, width=args.size[0], height=args.size[1], screen=args.screen,
                             out_dir=args.out, png_name=f"{args.name}.png", encoding=args.encoding,
                             colour=colour_of(args.colour), font_size=args.font_size, notify=_say)
        server = SimServer(sim.feed, pty=args.pty, link=args.link, tcp=args.tcp, host=args.host,
                           name="led-strip-sim")
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    _say(f"listening {server.url}")
    if args.out:
        _say(f"rendering to {sim.render()}")
    server.start()
    return serve_commands(lambda line: run_command(sim, line), server.close)
