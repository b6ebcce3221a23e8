"""`yiciban kiosk ROLE`: one screen role (dispenser, kiosk, display, pad) on this machine.

Devices are given as URLs (`--device receipt_printer=/dev/ttyUSB0`, `--device idcard=socket://…`), the
hall by its URL and this device's token (`--token`, or YICIBAN_TOKEN so it stays out of `ps`).
Without a display (an SSH session, a server) the screen runs offscreen and writes a fresh
screenshot every few seconds instead of aborting.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

ROLES = ("dispenser", "kiosk", "display", "pad")
IDLE_DEFAULTS = {"dispenser": 45.0, "kiosk": 120.0, "display": 0.0, "pad": 30.0}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--hall", default=os.environ.get("YICIBAN_HALL_URL", "http://127.0.0.1:8470"),
                        help="the hall server's URL (default: $YICIBAN_HALL_URL or http://127.0.0.1:8470)")
    parser.add_argument("--token", default=None, help="this device's token (default: $YICIBAN_TOKEN)")
    parser.add_argument("--device", action="append", default=[], metavar="KIND[:NAME]=URL",
                        help="a device of a kind `yiciban sim` lists, e.g. receipt_printer=/dev/ttyUSB0, "
                             "led_strip:w01=socket://10.0.3.21:5005")
    parser.add_argument("--setting", action="append", default=[], metavar="DEVICE.KEY=VALUE",
                        help="a device setting, e.g. receipt_printer.width=58")
    parser.add_argument("--window", help="the pad's window id (pad role)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--elder", action="store_true", help="start in elder mode")
    parser.add_argument("--idle", type=float, help="seconds without a touch before going home")
    parser.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    parser.add_argument("--size", help="WIDTHxHEIGHT, e.g. 1080x1920 for a portrait screen")
    parser.add_argument("--screen", type=int, help="which monitor (0, 1, ...)")
    parser.add_argument("--region", metavar="X,Y,W,H",
                        help="with --windowed: open in this part of the monitor (fractions, e.g. 0.5,0,0.5,1), "
                             "as large as fits with the shape of --size")
    parser.add_argument("--admin-pin-hash", default=os.environ.get("YICIBAN_ADMIN_PIN_HASH"),
                        help="scrypt hash of the admin exit PIN (`yiciban staff hash-password`)")
    parser.add_argument("--shots", metavar="DIR", help="write a screenshot here every few seconds")
    parser.add_argument("--shot-every", type=float, default=5.0)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"{what} must look like NAME=VALUE, not {item!r}")
        found[name.strip()] = value.strip()
    return found


def _screen_device(name: str) -> str:
    """A `--device` name under its kind's own name; an unknown kind, or one only the hall PC
    drives, is a `ValueError` saying which kinds a screen takes."""
    from drivers import registry

    try:
        canonical = registry.device_name(name)
    except registry.UnknownKind as exc:
        raise ValueError(f"--device {name}: {exc}") from None
    if canonical.split(":", 1)[0] not in registry.SCREEN_KINDS:
        raise ValueError(f"--device {name}: a screen drives {', '.join(registry.SCREEN_KINDS)}; "
                         f"{canonical} belongs in the hall config")
    return canonical


def settings_from(args: argparse.Namespace):
    from kiosk.context import Settings

    token = args.token or os.environ.get("YICIBAN_TOKEN", "")
    if not token:
        raise ValueError("no device token: give --token or set YICIBAN_TOKEN")
    size = None
    if args.size:
        try:
            w, h = (int(v) for v in args.size.lower().split("x"))
        except ValueError:
            raise ValueError(f"--size must look like 1920x1080, not {args.size!r}") from None
        size = (w, h)
    region = None
    if args.region:
        if not args.windowed:
            raise ValueError("--region places a window: give --windowed too")
        from kiosk.models.placement import parse_region

        region = parse_region(args.region)
    device_settings: dict[str, dict[str, str]] = {}
    for key, value in _pairs(args.setting, "--setting").items():
        device, dot, name = key.partition(".")
        if not dot:
            raise ValueError(f"--setting must look like DEVICE.KEY=VALUE, not {key}={value}")
        device_settings.setdefault(device, {})[name] = value
    if args.role == "pad" and not args.window:
        raise ValueError("the pad role needs --window (the window it rates)")
    devices = _pairs(args.device, "--device")
    for name in devices:
        _screen_device(name)
    return Settings(role=args.role, hall_url=args.hall, token=token, devices=devices,
                    device_settings=device_settings, window=args.window,
                    idle_seconds=args.idle if args.idle is not None else IDLE_DEFAULTS[args.role],
                    admin_pin_hash=args.admin_pin_hash, windowed=args.windowed, language=args.lang,
                    elder=args.elder, screen=args.screen, size=size, region=region)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from(args)
    except ValueError as exc:
        sys.stderr.write(f"yiciban kiosk: {exc}\n")
        return 2
    shots = args.shots
    if not has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        shots = shots or str(Path.cwd() / f"yiciban-{settings.role}-shots")
        sys.stderr.write(f"yiciban kiosk: no display here; running offscreen, screenshots in {shots}\n")
        settings.windowed = True
        settings.size = settings.size or ((1080, 1920) if settings.role == "kiosk" else (1920, 1080))
    from kiosk.app import run as run_app

    return run_app(settings, shots=Path(shots) if shots else None, shot_every=args.shot_every)
