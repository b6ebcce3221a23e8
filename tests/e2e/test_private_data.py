"""The real `yiciban hall` process, started under umask 022, leaves nothing others can read."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import requests

from tests.support.halls import write_small_hall
from tests.support.hallserver import HallServer, free_port


def test_the_hall_keeps_its_data_directory_and_files_private_under_umask_022(tmp_path: Path):
    old = os.umask(0o022)
    try:
        server = HallServer(write_small_hall(tmp_path), tmp_path / "data",
                            tmp_path / "hall-server.log", free_port())
        server.start()
    finally:
        os.umask(old)
    try:
        r = requests.post(f"{server.base_url}/api/v1/tickets", json={"queue": "general"},
                          headers={"Authorization": f"Bearer {server.tokens['dispenser']}"},
                          timeout=10)
        assert r.status_code in (200, 201), r.text
        found = {str(p.relative_to(server.data_dir)): stat.S_IMODE(p.stat().st_mode)
                 for p in server.data_dir.rglob("*")}
    finally:
        server.kill()
    assert {"hall.db", "hall.db-wal", "hall.db-shm"} <= set(found), sorted(found)
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    wide = {name: f"{m:o}" for name, m in found.items()
            if m != (0o700 if (server.data_dir / name).is_dir() else 0o600)}
    assert wide == {}, f"readable by others: {wide}"
