"""The terminal's copy of the hall's service guides on disk: a small JSON file in the data
directory, so a terminal that starts while the hall is away still shows the guides it had.

Guides are public: the file holds nothing personal. It names the hall it came from, and a copy
from another hall is not used. Qt-free; `kiosk.roles.terminal.guide_store` reads and writes it
on the job pool.
"""
from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from ground.paths import private_file

log = logging.getLogger(__name__)

CACHE_NAME = "kiosk-guides.json"


def default_cache_path(explicit_dir: str | None = None) -> Path | None:
    """The cache file in the data directory (`explicit_dir` overrides ground.paths.data_dir())."""
    try:
        from ground.paths import data_dir

        return data_dir(explicit_dir) / CACHE_NAME
    except OSError as exc:
        log.warning("no data directory for the guides cache: %s", exc)
        return None


def write_cache(path: Path, hall_url: str, guides: list[dict[str, Any]]) -> None:
    """The guides of the hall at `hall_url`, replacing the file whole (a crash leaves the old one)."""
    tmp = private_file(path.with_suffix(".tmp"))  # guides only, but the data directory stays private
    tmp.write_text(json.dumps({"hall_url": hall_url, "saved_at": time.time(), "guides": guides},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def read_cache(path: Path, hall_url: str) -> tuple[list[dict[str, Any]], float] | None:
    """The guides and when they were saved, or None: no file, an unreadable one, or another hall's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("guides cache %s unreadable: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("hall_url") != hall_url or not isinstance(data.get("guides"), list):
        return None
    return [g for g in data["guides"] if isinstance(g, dict)], float(data.get("saved_at") or 0)
