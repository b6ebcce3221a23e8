"""The systemd units and the package's maintainer scripts, checked by the tools that will read them:
`systemd-analyze verify` on every role's unit (in a root where the commands they run exist),
`sh -n` on every maintainer script."""
from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
UNITS = PACKAGING / "systemd"
ROLES = ("yiciban-hall.service", "yiciban-relay.service", "yiciban-platform.service",
         *(f"yiciban-screen@{role}.service" for role in ("kiosk", "dispenser", "display", "pad")))
EXECUTABLES = ("usr/bin/yiciban", "opt/yiciban/venv/bin/python", "usr/bin/cage")


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]
    parser.read(UNITS / re.sub(r"@\w+\.service$", "@.service", name))
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_every_role_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    root = tmp_path / "root"
    system = root / "etc" / "systemd" / "system"
    system.mkdir(parents=True)
    for relative in EXECUTABLES:  # what the units run, as the packages install it
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    # the system's own units (sysinit.target, dbus.socket ...) that ours are ordered against
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    for unit in UNITS.glob("*.service"):
        shutil.copy(unit, system / unit.name)
    for name in ROLES:
        done = subprocess.run(["systemd-analyze", "verify", f"--root={root}", "--man=no", name],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "SYSTEMD_LOG_LEVEL": "notice"})
        problems = [line for line in (done.stdout + done.stderr).splitlines() if "yiciban" in line]
        assert done.returncode == 0 and not problems, f"{name}: {done.stdout}{done.stderr}"


def test_every_service_restarts_logs_to_the_journal_and_is_hardened() -> None:
    for name in ROLES:
        service = _unit(name)["Service"]
        assert service["Restart"] == "always", name
        assert service["StandardOutput"] == "journal", name
        for option in ("NoNewPrivileges", "ProtectSystem", "PrivateTmp", "ProtectHome"):
            assert service.get(option) in ("yes", "strict"), f"{name}: {option}"
        assert service["UMask"] == "0077", name


def test_the_servers_tell_systemd_they_are_ready_and_alive() -> None:
    for name in ROLES[:3]:
        service = _unit(name)["Service"]
        assert service["Type"] == "notify" and service["NotifyAccess"] == "main", name
        assert service["WatchdogSec"].endswith("s"), name


def test_a_screen_runs_under_cage_on_the_console_with_its_own_session() -> None:
    unit = _unit("yiciban-screen@kiosk.service")
    assert unit["Service"]["ExecStart"].startswith("/usr/bin/cage -d -- /usr/bin/yiciban kiosk %i")
    assert unit["Service"]["TTYPath"] == "/dev/tty1" and unit["Service"]["PAMName"] == "yiciban-screen"
    assert (PACKAGING / "debian" / "yiciban-screen.pam").read_text().count("pam_systemd.so") == 1
    assert "getty@tty1.service" in unit["Unit"]["Conflicts"]


def test_maintainer_scripts_are_valid_shell() -> None:
    scripts = sorted(PACKAGING.glob("debian/*.post*")) + sorted(PACKAGING.glob("debian/*.prerm"))
    assert len(scripts) == 6
    for script in scripts + [PACKAGING / "build-deb.sh"]:
        done = subprocess.run(["sh" if script.suffix != ".sh" else "bash", "-n", str(script)],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{script.name}: {done.stderr}"
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
