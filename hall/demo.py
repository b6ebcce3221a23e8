"""`yiciban demo`: the sample hall on this machine, with an autopilot playing citizens and staff.

The hall server runs in the main thread (uvicorn, on a socket bound here first, so a busy port
is one clear sentence); the autopilot starts on its own thread once the server answers.
"""
from __future__ import annotations

import argparse
import errno
import logging
import shutil
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import FrameType

import requests
import uvicorn

from hall.app import uvicorn_config
from hall.config import HallConfig, load_config, load_demo_config
from hall.passwords import verify_password

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo1234"  # the sample hall's published password (assets/halls/demo/hall.toml)
SHOWN_DEVICE_ROLES = ("display", "operator", "dispenser", "kiosk")
STARTUP_SECONDS = 30.0


def run_demo(args: argparse.Namespace) -> int:
    """The body of `yiciban demo`. Returns the process exit code."""
    from ground.paths import PACKAGED_DATA_DIR, data_dir

    config = load_config(args.config) if args.config else load_demo_config()
    hours = _hours_options(config, getattr(args, "hall_time", None))
    if hours is None:
        return 2
    data = Path(args.data_dir).expanduser() if args.data_dir else data_dir() / "demo"
    if args.fresh and data.resolve() == PACKAGED_DATA_DIR:
        _say(f"yiciban demo: --fresh would delete the hall database in {data}; refusing.", error=True)
        return 2
    try:  # first the port: a demo still running there keeps its database, even with --fresh
        sock = _bind(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            _say(f"yiciban demo: port {args.port} on {args.host} is already in use "
                 "(another demo or hall server?). Stop it, or pick another port: "
                 f"yiciban demo --port {args.port + 1}", error=True)
        else:
            _say(f"yiciban demo: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                 error=True)
        return 1
    if args.fresh:  # an empty hall; device and screen folders hold only this run's
        for old in sorted(data.glob("hall.db*")):
            old.unlink()
            log.info("removed %s (--fresh)", old)
        for folder in (data / "devices", data / "screens"):
            if folder.is_dir():
                shutil.rmtree(folder)
                log.info("removed %s (--fresh)", folder)
    data.mkdir(mode=0o700, parents=True, exist_ok=True)

    devices = None
    if not getattr(args, "no_devices", False):
        from hall.demo_devices import DemoDevices

        try:
            devices = DemoDevices(config, data, seed=args.seed)
            config = devices.config  # the hall drives the simulated keypads, pads and strips
            if not getattr(args, "no_screens", False):
                devices.system_lines = devices.start_system_devices()
        except Exception as exc:  # the demo runs without devices rather than not at all
            log.warning("demo devices not started: %s", exc)
    stop = threading.Event()
    try:
        server = _DemoServer(uvicorn_config(config, data, args.host, args.port, **hours), stop)
    except BaseException:
        sock.close()
        if devices is not None:
            devices.close()
        raise
    base_url = f"http://{_url_host(args.host)}:{args.port}"
    screens = None
    if not getattr(args, "no_screens", False):
        from hall.demo_screens import DemoScreens

        screens = DemoScreens(base_url, config, data, devices.screen_devices if devices else None)
    watcher = threading.Thread(
        target=_when_up, args=(base_url, config, data, args, stop, devices, screens), name="demo-start",
        daemon=True,
    )
    watcher.start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has already shut down gracefully; it re-raises the signal afterwards
    except SystemExit as exc:  # uvicorn gives up on a failed start-up this way, having logged why
        return exc.code if isinstance(exc.code, int) and exc.code else 1
    finally:
        stop.set()
        sock.close()
        if screens is not None:
            screens.close()
        if devices is not None:
            devices.close()
    _say(f"\nDemo stopped. Its data stays in {data} (yiciban demo --fresh starts empty).")
    return 0


def _hours_options(config: HallConfig, hall_time: str | None) -> dict[str, object] | None:
    """The demo's hall is open whatever the time; `--hall-time 12:05` runs its opening hours
    from that hall time on (lunch, the cut-off, closing, the 24-hour self-service mode).
    None (and a sentence on stderr) for a time that is not one."""
    if hall_time is None:
        return {"always_open": True}
    from hall.opening import hall_time_offset

    try:
        offset = hall_time_offset(hall_time, config.hall.timezone, time.time())
    except ValueError as exc:
        _say(f"yiciban demo: --hall-time: expected {exc}", error=True)
        return None
    if config.opening is None:
        _say("yiciban demo: --hall-time: this hall has no [opening] hours; it stays open", error=True)
    return {"hall_time_offset": offset, "always_open": False}


class _DemoServer(uvicorn.Server):
    """Stops the autopilot as soon as Ctrl+C arrives, before the server goes away under it."""

    def __init__(self, config: uvicorn.Config, stop: threading.Event) -> None:
        super().__init__(config)
        self.stop_event = stop

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.stop_event.set()
        super().handle_exit(sig, frame)


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


def _url_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _when_up(base_url: str, config: HallConfig, data: Path, args: argparse.Namespace,
             stop: threading.Event, devices=None, screens=None) -> None:
    """Waits for /health, tells the newcomer where everything is, then runs the autopilot."""
    deadline = time.monotonic() + STARTUP_SECONDS
    with requests.Session() as session:
        while not stop.is_set():
            try:
                if session.get(f"{base_url}/health", timeout=1.0).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                log.error("the demo hall did not answer at %s within %.0f s", base_url, STARTUP_SECONDS)
                return
            stop.wait(0.1)
    if stop.is_set():
        return
    _say(banner(config, base_url, data, args))
    if devices is not None:
        display = next((d.token for d in config.devices if d.role == "display"), None)
        devices.start(base_url, display)
    if screens is not None:
        try:
            screens.start()
            lines = screens.describe()
            if devices is not None:
                lines[-1:-1] = [f"    {line}" for line in devices.system_lines]
            _say("\n".join(lines))
        except Exception as exc:  # the hall and its web pages go on without the screens
            log.warning("demo screens not started: %s", exc)
    if args.no_autopilot:
        return
    from hall.autopilot import Autopilot

    try:
        known = bool(config.staff) and verify_password(DEMO_PASSWORD, config.staff[0].password_hash)
        pilot = Autopilot(base_url, config, pace=args.pace, seed=args.seed,
                          staff_password=DEMO_PASSWORD if known else None)  # staff work the 差评 ledger
    except ValueError as exc:
        log.warning("no autopilot: %s", exc)
        return
    pilot.run(stop)


def _display_fragment(config: HallConfig) -> str:
    """A link that opens the board already signed in as the hall's display, when it has one."""
    display = next((d for d in config.devices if d.role == "display"), None)
    return f"#token={display.token}" if display else ""


def banner(config: HallConfig, base_url: str, data: Path, args: argparse.Namespace) -> str:
    """What a newcomer needs to find their way around the demo."""
    rule = "=" * 72
    lines = [
        rule,
        f"  {config.hall.name} — yiciban demo",
        "  DEMO DATA: a sample hall with simulated citizens and staff. Nothing here is real.",
        "",
        f"  Hall board      {base_url}/ui/{_display_fragment(config)}",
        f"  Staff console   {base_url}/ui/staff.html",
        f"  Hall health     {base_url}/ui/health",
        f"  API docs        {base_url}/docs",
        "",
    ]
    if config.staff:
        password = config.staff[0].password_hash
        known = verify_password(DEMO_PASSWORD, password)
        lines.append(f"  Staff logins (password {DEMO_PASSWORD}):" if known
                     else "  Staff logins (passwords as set in the hall's configuration):")
        number = {w.id: w.number for w in config.windows}
        staff = []
        for s in config.staff:
            where = ({"supervisor": "all windows", "operator": "operators' console"}.get(s.role)
                     or "window " + ",".join(str(number.get(w, w)) for w in s.windows))
            staff.append(f"{s.username} ({where})")
        lines += textwrap.wrap(", ".join(staff), 68, initial_indent="    ", subsequent_indent="    ")
        lines.append("")
    devices = [d for d in config.devices if d.role in SHOWN_DEVICE_ROLES]
    if devices:
        lines.append("  Device tokens (Authorization: Bearer TOKEN, or ?token= on the event stream):")
        lines += [f"    {d.role:<10}{d.token}" for d in devices]
        lines.append("")
    if getattr(args, "hall_time", None):
        lines.append(f"  Hall time: from {args.hall_time}; tickets follow the hall's opening hours ([opening]).")
    else:
        lines.append("  Hall hours: open at any time (--hall-time 12:05 starts at lunch, 21:00 at night).")
    if args.no_autopilot:
        lines.append("  Autopilot: off (--no-autopilot). The hall waits for you.")
    else:
        lines.append(f"  Autopilot: on, pace {args.pace:g}: citizens arrive, windows call and serve.")
    if any(p.id.startswith("demo-") for p in config.peripherals):
        lines += [
            "  Devices (simulated): window 1's caller keypad and the pads of windows 1-4 on",
            "  an RS-485 bus, LED strips over windows 1-4, the dispenser's ticket printer.",
            f"  What they show: {data / 'devices'}: led-*.png, and printer/<device>/ticket-*.png,",
            "  a folder per printer, each ticket named by its number and time.",
            "",
        ]
    lines += [
        f"  Data: {data} (yiciban demo --fresh starts empty)",
        "",
        "  Ctrl+C to stop.",
        rule,
    ]
    return "\n".join(lines)


def _say(text: str, error: bool = False) -> None:
    # the demo talks to the person who started it
    print(text, file=sys.stderr if error else sys.stdout, flush=True)  # noqa: T201
