"""Data directories 0700 and databases, keys and files 0600, made so by the program, under umask 022.

Each store is opened and written under the umask most systems give a user (022), then every
file it left (the database, SQLite's -wal and -shm) is checked, and its directory.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ground.paths import data_dir, private_dir, private_file
from hall.store import HallStore
from kiosk.pending import PendingRatings
from sync.crypto import create_key_file
from sync.outbox import migrate
from sync.platform.db import Database
from sync.platform.serve import build
from sync.reference import ReferenceStore
from sync.relay import open_db


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes(directory: Path) -> dict[str, int]:
    """Every file and directory under ``directory`` (itself as "."), with its mode."""
    found = {".": mode(directory)}
    for path in directory.rglob("*"):
        found[str(path.relative_to(directory))] = mode(path)
    return found


def assert_private(directory: Path, expected_files: set[str]) -> None:
    found = modes(directory)
    assert expected_files <= set(found), f"missing: {expected_files - set(found)}"
    wide = {name: f"{m:o}" for name, m in found.items()
            if m != (0o700 if (directory / name).is_dir() else 0o600)}
    assert wide == {}, f"not private under umask 022: {wide}"


def test_the_umask_would_make_files_readable_by_others(tmp_path):
    """The point of the tests below: without the program's care, files come out 0644."""
    plain = tmp_path / "plain"
    plain.write_text("x")
    assert mode(plain) == 0o644


def test_private_dir_makes_and_narrows(tmp_path):
    made = private_dir(tmp_path / "a" / "data")
    assert mode(made) == 0o700
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    private_dir(wide)
    assert mode(wide) == 0o700


def test_private_file_makes_and_narrows_the_file_and_sqlite_side_files(tmp_path):
    for name in ("x.db", "x.db-wal", "x.db-shm"):
        (tmp_path / name).write_text("old")
    assert mode(tmp_path / "x.db-wal") == 0o644
    private_file(tmp_path / "x.db")
    assert {n: mode(tmp_path / n) for n in ("x.db", "x.db-wal", "x.db-shm")} == {
        "x.db": 0o600, "x.db-wal": 0o600, "x.db-shm": 0o600}
    assert (tmp_path / "x.db").read_text() == "old"  # narrowed, not emptied


def test_the_data_directory_is_0700_even_when_it_existed_open_to_others(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    assert mode(data_dir(existing)) == 0o700


def test_a_group_only_grant_is_the_owners_choice(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o750)
    (shared / "x.db").write_text("")
    (shared / "x.db").chmod(0o640)
    private_file(shared / "x.db")
    assert (mode(private_dir(shared)), mode(shared / "x.db")) == (0o750, 0o640)


def test_the_hall_database(tmp_path):
    store = HallStore(tmp_path / "data" / "hall.db")
    store.add_session("h" * 64, "wang", 1.0, 2.0)
    assert_private(tmp_path / "data", {"hall.db", "hall.db-wal", "hall.db-shm"})
    store.close()


def test_the_reference_copy_and_the_relays_outbox(tmp_path):
    reference = ReferenceStore(tmp_path / "node" / "reference.db")
    conn = open_db(str(tmp_path / "node" / "outbox.db"))
    migrate(conn)
    assert_private(tmp_path / "node", {"reference.db", "reference.db-wal", "outbox.db",
                                       "outbox.db-wal", "outbox.db-shm"})
    conn.close()
    reference.conn.close()


def test_the_sealing_key(tmp_path):
    create_key_file(tmp_path / "keys" / "sync.key")
    assert_private(tmp_path / "keys", {"sync.key"})


def test_the_platform_data_directory_token_and_database(tmp_path):
    app = build(tmp_path / "platform", None)
    assert app is not None
    assert_private(tmp_path / "platform", {"platform.db", "admin.token"})


def test_a_platform_database_named_by_url(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    db._conn().execute("CREATE TABLE t (x)")
    assert {n: mode(tmp_path / n) for n in ("p.db", "p.db-wal", "p.db-shm")} == {
        "p.db": 0o600, "p.db-wal": 0o600, "p.db-shm": 0o600}


def test_a_pads_pending_ratings(tmp_path):
    PendingRatings(tmp_path / "pad" / "pending-ratings.db")
    assert_private(tmp_path / "pad", {"pending-ratings.db"})
