"""The demo's screens: dispenser, self-service kiosk, hall display and one pad, each its own
`yiciban kiosk` process beside the autopilot hall, on simulated devices.

With a display (a desktop session) they open as windows. Without one (an SSH session, a
server) the demo says so and runs them on a virtual screen (Xvfb) when it is installed, or
offscreen otherwise; either way each screen writes a fresh screenshot every few seconds to
`<data>/screens/<role>.png`, so there is always something to look at.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hall.config import HallConfig
from hall.identity import KEY_ENV, KEY_FILE, KEY_FILE_ENV

log = logging.getLogger(__name__)

SHOT_SECONDS = 5.0
# each screen's shape (and its size offscreen, where there is no monitor to fit)
SIZES = {"dispenser": "540x960", "kiosk": "540x960", "display": "960x540", "pad": "640x400"}
# side by side on one monitor or virtual screen, as fractions of its free area (x, y, w, h):
# the two portrait screens a column each, the display and the pad one above the other; each
# opens as large as its shape allows there (`yiciban kiosk --region`), so none covers another
REGIONS: dict[str, tuple[float, float, float, float]] = {
    "dispenser": (0.0, 0.0, 0.3, 1.0), "kiosk": (0.3, 0.0, 0.3, 1.0),
    "display": (0.6, 0.0, 0.4, 0.45), "pad": (0.6, 0.45, 0.4, 0.55),
}


@dataclass
class ScreenPlan:
    role: str
    token: str
    devices: dict[str, str] = field(default_factory=dict)
    window: str | None = None


def plan(config: HallConfig, devices: dict[str, dict[str, str]] | None = None) -> list[ScreenPlan]:
    """One screen per role the hall has a device token for (the pad: the first window whose pad
    is not on the RS-485 bus, so two pads never rate the same service)."""
    devices = devices or {}
    from hall.peripherals import parse_window_map

    bus_windows = {w for p in config.peripherals if p.kind == "keypad_bus"
                   for w in parse_window_map(str(p.settings.get("windows", ""))).values()}
    plans: list[ScreenPlan] = []
    for role in ("dispenser", "kiosk", "display"):
        token = next((d.token for d in config.devices if d.role == role), None)
        if token:
            plans.append(ScreenPlan(role, token, devices.get(role, {})))
    pads = [d for d in config.devices if d.role == "pad" and d.window]
    pad = next((d for d in pads if d.window not in bus_windows), None)
    if pad is not None:
        plans.append(ScreenPlan("pad", pad.token, devices.get("pad", {}), pad.window))
    return plans


class VirtualScreen:
    """An Xvfb server for the screens when this machine has no display."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.display = ""

    def start(self, timeout: float = 10.0) -> str:
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise FileNotFoundError("Xvfb is not installed")
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [xvfb, "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            pass_fds=(write,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(write)
        deadline = time.monotonic() + timeout
        number = b""
        with os.fdopen(read, "rb") as pipe:
            while time.monotonic() < deadline and not number.endswith(b"\n"):
                chunk = pipe.read(1)
                if not chunk:
                    break
                number += chunk
        if not number.strip():
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{int(number)}"
        return self.display

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


class DemoScreens:
    def __init__(self, base_url: str, config: HallConfig, data_dir: Path,
                 devices: dict[str, dict[str, str]] | None = None) -> None:
        self.base_url, self.config = base_url, config
        self.dir = Path(data_dir) / "screens"
        self.identity_key = Path(data_dir) / KEY_FILE  # the kiosk's, to match ID cards while the hall is away
        self.plans = plan(config, devices)
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.virtual: VirtualScreen | None = None
        self.where = ""

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
            self.where = "windows on this display"
            return env
        try:
            self.virtual = VirtualScreen()
            env["DISPLAY"] = self.virtual.start()
            env.pop("QT_QPA_PLATFORM", None)
            self.where = f"a virtual screen (Xvfb {env['DISPLAY']}): no display here"
        except (OSError, RuntimeError) as exc:
            log.info("no virtual screen (%s): the screens run offscreen", exc)
            self.virtual = None
            env["QT_QPA_PLATFORM"] = "offscreen"
            self.where = "offscreen: no display here, and no Xvfb"
        return env

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        env = self._environment()
        for p in self.plans:
            cmd = [sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", "kiosk", p.role,
                   "--hall", self.base_url, "--windowed", "--size", SIZES[p.role],
                   "--shots", str(self.dir), "--shot-every", str(SHOT_SECONDS)]
            for name, url in p.devices.items():
                cmd += ["--device", f"{name}={url}"]
            if p.window:
                cmd += ["--window", p.window]
            if env.get("QT_QPA_PLATFORM") != "offscreen":
                cmd += ["--region", ",".join(f"{v:g}" for v in REGIONS[p.role])]
            own = {"YICIBAN_TOKEN": p.token}
            if p.role == "kiosk" and self.identity_key.exists() and not env.get(KEY_ENV):
                own[KEY_FILE_ENV] = str(self.identity_key)  # as a hall's IT person would give it
            with open(self.dir / f"{p.role}.log", "ab") as log_file:
                self.children[p.role] = subprocess.Popen(
                    cmd, env={**env, **own}, stdin=subprocess.DEVNULL,
                    stdout=log_file, stderr=log_file)
            log.info("demo screen %s started (pid %d)", p.role, self.children[p.role].pid)

    def describe(self) -> list[str]:
        if not self.plans:
            return []
        roles = ", ".join(p.role + (f" ({p.window})" if p.window else "") for p in self.plans)
        return [f"  Screens: {roles}", f"    on {self.where}",
                f"    screenshots every {SHOT_SECONDS:g} s: {self.dir}/<role>.png", ""]

    def running(self) -> dict[str, bool]:
        return {role: child.poll() is None for role, child in self.children.items()}

    def close(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        for role, child in self.children.items():
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                log.warning("demo screen %s did not stop; killing it", role)
                child.kill()
        self.children.clear()
        if self.virtual is not None:
            self.virtual.stop()
