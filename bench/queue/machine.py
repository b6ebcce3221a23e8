"""The machine a queue benchmark ran on, and the code it measured, for the report's header."""
from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from bench.queue.common import REPO


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _filesystem_of(directory: Path) -> str:
    best, found = "", "unknown"
    target = str(directory.resolve())
    for line in _read("/proc/mounts").splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        mount = parts[1]
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, found = mount, f"{parts[2]} on {mount} ({parts[0]})"
    return found


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def _load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def code_version() -> dict[str, Any] | None:
    """The commit measured, and the files of the code under test that differ from it.

    Read-only (no index refresh, no locks). None outside a git checkout."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str | None:
        try:
            p = subprocess.run(["git", *args], cwd=REPO, env=env, capture_output=True, text=True,
                               timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return p.stdout.strip() if p.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    changed = git("diff", "--name-only", "HEAD", "--", "hall", "yiciban", "bench")
    return {"commit": commit, "changed_files": changed.splitlines() if changed else []}


def machine(directory: Path) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        (int(line.split()[1]) for line in _read("/proc/meminfo").splitlines()
         if line.startswith("MemTotal:")),
        0,
    )
    release = next(
        (line.split("=", 1)[1].strip().strip('"') for line in _read("/etc/os-release").splitlines()
         if line.startswith("PRETTY_NAME=")),
        platform.system(),
    )
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "memory_mib": mem_kb // 1024,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "sqlite": sqlite3.sqlite_version,
        "os": f"{release}, Linux {platform.release()}" if platform.system() == "Linux"
        else f"{platform.system()} {platform.release()}",
        "filesystem": _filesystem_of(directory),
        # other work on the machine during the run shows here (1, 5 and 15 minute averages)
        "load_average_before": _load_average(),
        "libraries": {name: _version(name) for name in
                      ("uvicorn", "fastapi", "websockets", "uvloop", "httptools", "requests", "httpx")},
    }


