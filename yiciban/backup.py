"""`yiciban backup` and `yiciban restore`: a hall's data directory in one archive and back.

A hall PC holds the day's queue, the outbox to the platform and the keys that sign tickets and
seal records; a disk that dies takes them all. A backup copies every SQLite database with
SQLite's online backup API (a consistent copy while the hall keeps writing: no stop needed)
and the key files beside them, into one tar.gz readable by its owner only (0600), with a
manifest of each file's SHA-256. A restore checks the whole archive first (names, checksums,
each database's integrity) and only then writes a data directory that must be new or empty:
a bad archive or a used directory is refused and nothing is changed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = "manifest.json"
FORMAT = "yiciban-backup/1"
SQLITE_MAGIC = b"SQLite format 3\x00"
SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal", ".lock", ".partial")


class BackupError(Exception):
    """A backup or restore that could not be made; the message says what was wrong."""


@dataclass(frozen=True)
class Entry:
    name: str  # relative to the data directory, '/'-separated
    kind: str  # "sqlite" or "key"
    sha256: str
    size: int


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def collect(data_dir: Path) -> tuple[list[Path], list[Path]]:
    """The databases and the key files (`*.key`) under `data_dir`, each sorted."""
    databases, keys = [], []
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name.endswith(SKIPPED_SUFFIXES):
            continue
        if _is_sqlite(path):
            databases.append(path)
        elif path.suffix == ".key":
            keys.append(path)
    return databases, keys


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_database(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # one step: a consistent snapshot even while the hall writes
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: could not be copied: {exc}") from None
    finally:
        dst.close()
        src.close()


def backup(data_dir: Path, out: Path) -> list[Entry]:
    """Write the archive `out` (refused if it exists) of `data_dir`; returns what it holds."""
    data_dir, out = Path(data_dir), Path(out)
    if not data_dir.is_dir():
        raise BackupError(f"{data_dir}: no such data directory")
    if out.exists():
        raise BackupError(f"{out}: already exists; give a new file name (nothing was written)")
    databases, keys = collect(data_dir)
    if not databases:
        raise BackupError(f"{data_dir}: no SQLite database in it; is this a hall's data directory?")
    entries: list[Entry] = []
    with tempfile.TemporaryDirectory(prefix="yiciban-backup-") as tmp:
        staged: list[tuple[Path, str]] = []
        for path in databases + keys:
            name = path.relative_to(data_dir).as_posix()
            copy = Path(tmp) / f"{len(staged)}"
            if path in databases:
                _copy_database(path, copy)
            else:
                copy.write_bytes(path.read_bytes())
            entries.append(Entry(name, "sqlite" if path in databases else "key", _sha256(copy),
                                 copy.stat().st_size))
            staged.append((copy, name))
        manifest = {"format": FORMAT, "created": dt.datetime.now(dt.UTC).isoformat(),
                    "files": [e.__dict__ for e in entries]}
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
                for copy, name in staged:
                    _add_bytes(tar, name, copy.read_bytes())
                tar.close()
                raw.flush()
                os.fsync(raw.fileno())
            os.chmod(partial, 0o600)
            os.replace(partial, out)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return entries


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not PurePosixPath(name).is_absolute() and ".." not in parts


def read_archive(archive: Path) -> dict[str, bytes]:
    """Every file of the archive, checked against its manifest; BackupError names what is wrong."""
    archive = Path(archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            files: dict[str, bytes] = {}
            for member in tar.getmembers():
                if not member.isfile() or not _safe_name(member.name):
                    raise BackupError(f"{archive}: unexpected entry {member.name!r} (not a yiciban backup?)")
                handle = tar.extractfile(member)
                files[member.name] = handle.read() if handle else b""
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{archive}: not a readable backup archive: {exc}") from None
    try:
        manifest = json.loads(files.pop(MANIFEST))
    except (KeyError, ValueError):
        raise BackupError(f"{archive}: no valid {MANIFEST} in it (not a yiciban backup?)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    listed = {f["name"]: f for f in manifest.get("files", [])}
    if set(listed) != set(files):
        raise BackupError(f"{archive}: the manifest lists {sorted(listed)} but the archive holds {sorted(files)}")
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() != listed[name]["sha256"]:
            raise BackupError(f"{archive}: {name} does not match its checksum (damaged archive)")
    return files


def restore(archive: Path, data_dir: Path) -> list[str]:
    """Write the archive's files into `data_dir` (new or empty); returns their names."""
    data_dir = Path(data_dir)
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(f"{data_dir}: not an empty directory; restore into a new one "
                          "(nothing was changed)")
    files = read_archive(archive)
    parent = data_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".yiciban-restore-", dir=parent) as tmp:
        stage = Path(tmp) / "data"
        stage.mkdir(mode=0o700)
        for name, data in files.items():
            target = stage / name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            if _is_sqlite(target):
                _check_database(archive, name, target)
        stage.chmod(0o700)
        if data_dir.exists():
            data_dir.rmdir()  # empty, checked above
        os.replace(stage, data_dir)
    return sorted(files)


def _check_database(archive: Path, name: str, path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        result = str(exc)
    finally:
        conn.close()
    if result != "ok":
        raise BackupError(f"{archive}: database {name} fails its integrity check: {result}")


def backup_command(args: argparse.Namespace) -> int:
    from ground.paths import data_dir

    try:
        source = Path(args.data_dir) if args.data_dir else data_dir(packaged=Path("/var/lib/yiciban").is_dir())
        entries = backup(source, Path(args.out))
    except BackupError as exc:
        sys.stderr.write(f"yiciban backup: {exc}\n")
        return 2
    for e in entries:
        sys.stdout.write(f"{e.kind:6} {e.name} ({e.size} bytes)\n")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0


def restore_command(args: argparse.Namespace) -> int:
    try:
        names = restore(Path(args.archive), Path(args.data_dir))
    except BackupError as exc:
        sys.stderr.write(f"yiciban restore: {exc}\n")
        return 2
    sys.stdout.write(f"restored {len(names)} files into {args.data_dir}\n")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("backup", help="every database (online, while the hall runs) and key file "
                       "in one archive")
    b.add_argument("--data-dir", help="the hall's data directory (default /var/lib/yiciban when installed)")
    b.add_argument("out", metavar="OUT", help="the archive to write (.tar.gz, mode 0600; must not exist)")
    b.set_defaults(func=backup_command)
    r = sub.add_parser("restore", help="a backup archive into a new, empty data directory")
    r.add_argument("archive", metavar="ARCHIVE")
    r.add_argument("--data-dir", required=True, help="a new or empty directory")
    r.set_defaults(func=restore_command)
