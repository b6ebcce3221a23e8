"""Where yiciban keeps its data, finds its hall configuration and reads its assets.

A packaged install (the Debian package, systemd units) uses the FHS places: data in
/var/lib/yiciban, configuration in /etc/yiciban, assets in /usr/share/yiciban. A checkout
uses the XDG data directory and the repository's own assets, and without a configuration
file runs the embedded demo hall. A command-line argument or an environment variable
overrides either.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGED_DATA_DIR = Path("/var/lib/yiciban")
PACKAGED_CONFIG_FILE = Path("/etc/yiciban/hall.toml")
PACKAGED_ASSETS_DIR = Path("/usr/share/yiciban/assets")

DATA_DIR_ENV = "YICIBAN_DATA_DIR"
CONFIG_ENV = "YICIBAN_CONFIG"
ASSETS_ENV = "YICIBAN_ASSETS"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _default_data_dir() -> Path:
    # XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "yiciban"
    return Path.home() / ".local" / "share" / "yiciban"


def data_dir(explicit: str | Path | None = None, *, packaged: bool = False) -> Path:
    """The data directory, created (mode 0700: it holds personal data) if missing.

    Precedence: `explicit` > $YICIBAN_DATA_DIR > /var/lib/yiciban when packaged >
    $XDG_DATA_HOME/yiciban > ~/.local/share/yiciban.
    """
    if explicit is not None and str(explicit).strip():
        path = Path(explicit).expanduser()
    elif (from_env := _env_path(DATA_DIR_ENV)) is not None:
        path = from_env
    elif packaged:
        path = PACKAGED_DATA_DIR
    else:
        path = _default_data_dir()
    if not path.is_dir():
        log.info("creating data directory %s", path)
    return private_dir(path)


def private_dir(path: str | Path) -> Path:
    """``path`` as a directory only its owner may enter (0700), made if missing, whatever the umask.

    An existing directory that others may enter is narrowed to 0700; one opened to a group only
    (0750, say for a backup group) is the owner's choice and stays. Directories above it that
    have to be made get the umask's usual mode: only the last one holds the data.
    """
    path = Path(path)
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        _narrow(path, 0o700, always=True)  # mkdir's mode passes through the umask
    else:
        _narrow(path, 0o700)
    return path


def private_file(path: str | Path) -> Path:
    """``path`` as a file only its owner may read or write (0600), made empty if missing.

    Call it before SQLite opens a database: SQLite then gives the ``-wal``, ``-shm`` and
    ``-journal`` files the database's own mode. An existing file (or side file) that others may
    read is narrowed to 0600; a group-only grant stays.
    """
    path = Path(path)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        _narrow(path, 0o600, always=True)
    except FileExistsError:
        pass
    for each in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if each.exists():
            _narrow(each, 0o600)
    return path


def _narrow(path: Path, mode: int, *, always: bool = False) -> None:
    """Set ``mode`` if others have any access (or ``always``, for what we just made)."""
    current = path.stat().st_mode & 0o777
    if current == mode or not (always or current & 0o007):
        return
    try:
        path.chmod(mode)
    except PermissionError:  # someone else's: say so, and go on with what the owner chose
        log.warning("%s is open to other users (mode %o) and belongs to another user; "
                    "it should be %o", path, current, mode)
        return
    if not always:
        log.warning("%s was open to other users (mode %o): now %o", path, current, mode)


def config_file(explicit: str | Path | None = None, *, packaged: bool = False) -> Path | None:
    """The hall configuration file, or None to run the embedded demo hall.

    Precedence: `explicit` > $YICIBAN_CONFIG > /etc/yiciban/hall.toml when packaged and
    present. An explicit or environment path is returned as given; reading it (and
    reporting that it is missing) is the loader's job.
    """
    if explicit is not None and str(explicit).strip():
        return Path(explicit).expanduser()
    if (from_env := _env_path(CONFIG_ENV)) is not None:
        return from_env
    if packaged and PACKAGED_CONFIG_FILE.is_file():
        return PACKAGED_CONFIG_FILE
    return None


def _source_assets_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "assets"


def assets_dir() -> Path:
    """Styles, icons, translations, voice clips and sample halls.

    Precedence: $YICIBAN_ASSETS > the repository's assets/ (a checkout or an editable
    install) > /usr/share/yiciban/assets.
    """
    if (from_env := _env_path(ASSETS_ENV)) is not None:
        return from_env
    source = _source_assets_dir()
    if source.is_dir():
        return source
    return PACKAGED_ASSETS_DIR
