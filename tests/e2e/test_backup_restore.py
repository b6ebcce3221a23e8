"""`yiciban backup` of a hall that is issuing tickets, restored into a fresh directory: the
restored hall carries on the day's numbering without issuing a number twice."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HallClient
from tests.support.hallserver import REPO, HallServer, free_port, running


def yiciban(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "yiciban.cli", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[HallServer]:
    (tmp_path / "before").mkdir()
    yield from running(tmp_path / "before")


def _numbers(client: HallClient) -> list[str]:
    events = client.events(0, 5000)["events"]
    ids = [e["data"]["ticket"] for e in events if e["type"] == "ticket.issued"]
    return [client.ticket(i)["number"] for i in ids]


def test_a_hall_restored_from_a_backup_taken_under_load_never_repeats_a_number(
        hall: HallServer, tmp_path: Path) -> None:
    issued: list[str] = []
    stop = threading.Event()

    def load() -> None:
        with HallClient(hall.base_url, hall.tokens["dispenser"]) as client:
            while not stop.is_set() and len(issued) < 400:
                issued.append(client.issue(queue="general").ticket.number)

    worker = threading.Thread(target=load)
    worker.start()
    try:
        while len(issued) < 20:
            worker.join(0.05)
        before = list(issued)
        archive = tmp_path / "hall-backup.tar.gz"
        done = yiciban("backup", "--data-dir", str(hall.data_dir), str(archive))
        during = len(issued)
    finally:
        stop.set()
        worker.join(30)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "hall.db", "identity.key"} <= set(names), names
    assert len(issued) > during >= len(before), "the hall kept issuing while the backup ran"

    restored_dir = tmp_path / "after" / "data"
    done = yiciban("restore", str(archive), "--data-dir", str(restored_dir))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(restored_dir.stat().st_mode) == 0o700
    again = yiciban("restore", str(archive), "--data-dir", str(restored_dir))
    assert again.returncode == 2 and "not an empty directory" in again.stderr

    restored = HallServer(hall.config_path, restored_dir, tmp_path / "after.log", free_port())
    restored.start()
    try:
        with HallClient(restored.base_url, hall.tokens["dispenser"]) as client:
            kept = _numbers(client)
            assert set(before) <= set(kept), "a ticket issued before the backup began is missing"
            assert kept == sorted(kept) and len(set(kept)) == len(kept)
            new = [client.issue(queue="general").ticket.number for _ in range(3)]
        assert not set(new) & set(kept)
        last = int(kept[-1][1:])
        assert new == [f"A{n:03d}" for n in range(last + 1, last + 4)]
    finally:
        restored.kill()


def test_a_damaged_archive_is_refused_and_nothing_is_written(hall: HallServer, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    assert yiciban("backup", "--data-dir", str(hall.data_dir), str(archive)).returncode == 0
    again = yiciban("backup", "--data-dir", str(hall.data_dir), str(archive))
    assert again.returncode == 2 and "already exists" in again.stderr
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(bytes(data))
    target = tmp_path / "restored"
    done = yiciban("restore", str(broken), "--data-dir", str(target))
    assert done.returncode == 2 and str(broken) in done.stderr
    assert not target.exists()
    empty = yiciban("backup", "--data-dir", str(tmp_path / "nowhere"), str(tmp_path / "x.tar.gz"))
    assert empty.returncode == 2 and "no such data directory" in empty.stderr
