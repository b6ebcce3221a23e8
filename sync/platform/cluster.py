"""A private PostgreSQL cluster in a directory of its own: initdb, pg_ctl start, pg_ctl stop.

The reference platform runs on PostgreSQL in a city; its tests and `yiciban bench platform`
need a real server without touching the machine's own (no service, no system cluster, no TCP
port): `initdb` makes a cluster in a temporary directory, `pg_ctl` starts it listening on a
Unix socket in that directory only, and `stop()` shuts it down and removes the directory.

PostgreSQL refuses to run as root. Run as root, the cluster belongs to the `postgres` user that
Debian's package creates (or `nobody`), its directory is given to that user, and the server is
started through `runuser`; root still reaches the socket. The databases' owner is `yiciban`,
trusted on the socket alone (the socket's directory is the server user's, mode 0700).
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

SUPERUSER = "yiciban"
START_SECONDS = 60  # initdb and the first start on a busy two-core machine: a guard, not a measure
# a throwaway cluster for tests: a crash loses it anyway, so it need not survive one
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class ClusterError(Exception):
    """The private cluster could not be made, started or reached; the message says why."""


def binaries() -> Path | None:
    """The newest installed server's bin directory (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _server_user() -> str | None:
    """Whom the server runs as: None for the current user, else a system user when root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return None


def unavailable_reason() -> str:
    """Why a private cluster cannot run here, or "" when it can."""
    if binaries() is None:
        return "PostgreSQL's initdb and pg_ctl are not installed (apt: postgresql)"
    if os.geteuid() == 0 and _server_user() is None:
        return "running as root with neither a postgres nor a nobody user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the psycopg package is not installed (pip install 'psycopg[binary]')"
    return ""


class PrivateCluster:
    """One PostgreSQL server in `directory` (a new temporary one by default).

    `settings` are extra `-c name=value` server settings, e.g. FAST for a throwaway test
    cluster; the default is PostgreSQL's own (durable) configuration.
    """

    def __init__(self, directory: Path | None = None, settings: Sequence[str] = (),
                 port: int = 5432) -> None:
        self.owned = directory is None
        self.base = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="yiciban-pg-"))
        self.data, self.socket_dir, self.log = self.base / "data", self.base / "run", self.base / "server.log"
        self.settings, self.port = tuple(settings), port
        self.user = _server_user()
        self.bin = binaries()
        self.started = False

    # -- running the tools

    def _run(self, tool: str, *args: str, timeout: float = START_SECONDS) -> str:
        if self.bin is None:
            raise ClusterError(unavailable_reason())
        cmd = [str(self.bin / tool), *args]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                                  cwd=self.base, env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{tool} did not finish within {timeout:.0f} s") from None
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip()[-1500:]
            raise ClusterError(f"{tool} {' '.join(args[:2])} failed (exit {proc.returncode}): {tail}"
                               + self._log_tail())
        return proc.stdout

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\nserver log:\n" + self.log.read_text(encoding="utf-8", errors="replace")[-1500:]
        return ""

    def _give(self, *paths: Path) -> None:
        if self.user is None:
            return
        entry = pwd.getpwnam(self.user)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- life

    def start(self) -> PrivateCluster:
        reason = unavailable_reason()
        if reason:
            raise ClusterError(reason)
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o711)  # the server user passes through to its own directories
        for path in (self.data, self.socket_dir):
            path.mkdir(mode=0o700, exist_ok=True)
        self.log.touch()
        self._give(self.data, self.socket_dir, self.log)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
        options = [f"-k {self.socket_dir}", "-c listen_addresses=''", f"-p {self.port}",
                   *(f"-c {s}" for s in self.settings)]
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_SECONDS),
                  "-o", " ".join(options), "start")
        self.started = True
        return self

    def stop(self) -> None:
        """Stops the server (fast shutdown) and removes the directory if this made it."""
        if self.started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            finally:
                self.started = False
        if self.owned:
            shutil.rmtree(self.base, ignore_errors=True)

    def stop_server(self) -> None:
        """Stops the server and keeps its data: `start()` brings it back."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.started = False

    def restart(self) -> None:
        """Stops and starts the server on the same data: every open connection is cut."""
        self.stop_server()
        self.start()

    def __enter__(self) -> PrivateCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases

    def url(self, database: str = "postgres") -> str:
        """A `postgresql://` URL over the socket, as the platform's `database` setting takes it."""
        return (f"postgresql://{SUPERUSER}@/{quote(database)}"
                f"?host={quote(str(self.socket_dir), safe='/')}&port={self.port}")

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ClusterError(f"database name {name!r}: letters, digits and '_' only")
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
