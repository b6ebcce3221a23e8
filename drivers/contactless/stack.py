"""pcscd with the vsmartcard vpcd reader driver: the PC/SC stack of the tests and the demo.

If a pcscd already serves /run/pcscd/pcscd.comm, it is used as it is, with the vpcd port of
the reader configuration it was started with (`-c DIR`, else /etc/reader.conf.d; 35963 by
default). Otherwise `pcscd -f` is started by PID with a private reader.conf.d that puts vpcd
on a free port pair (readers "Virtual PCD 00 00" and "00 01" listen on PORT and PORT+1), and
stopped at the end, its socket and pid files removed.

There is one pcscd per machine and one virtual reader in it, so sessions running at the
same time (two `pytest` runs, or a demo) take turns: each holds a file lock while it uses the stack.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from drivers.contactless import pcsc
from drivers.contactless.vpcd import DEFAULT_PORT
from drivers.errors import DeviceError

PCSCD = Path("/usr/sbin/pcscd")
RUN_DIR = Path("/run/pcscd")
SOCKET = RUN_DIR / "pcscd.comm"
PIDFILE = RUN_DIR / "pcscd.pid"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_READER_CONF = Path("/etc/reader.conf.d")
READER = "Virtual PCD 00 00"
LOCK = Path(tempfile.gettempdir()) / "yiciban-pcscd.lock"

VPCD_CONF = """\
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x{port:04X}
LIBPATH      {driver}
CHANNELID    0x{port:04X}
"""


def unavailable_reason() -> str:
    """Why pcscd with vpcd cannot run here, or "" when it can."""
    for need, package in ((PCSCD, "pcscd"), (VPCD_DRIVER, "vsmartcard-vpcd")):
        if not need.exists():
            return f"{need} is missing (apt: {package})"
    if os.geteuid() != 0 and not pcscd_answers():
        return "no pcscd is running, and starting one needs root"
    return ""


def pcscd_answers(path: Path = SOCKET) -> bool:
    """A pcscd is listening on the socket (not merely a file left by a dead one)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


def system_vpcd_port(conf_dir: Path = SYSTEM_READER_CONF) -> int:
    for conf in sorted(conf_dir.glob("*")):
        with contextlib.suppress(OSError):
            text = conf.read_text(errors="replace")
            if "libifdvpcd" in text:
                match = re.search(r"^\s*DEVICENAME\s+\S*:0x([0-9A-Fa-f]+)", text, re.M)
                if match:
                    return int(match[1], 16)
    return DEFAULT_PORT


def running_vpcd_port() -> int:
    """The vpcd port of the running pcscd: from the `-c DIR` it was started with, if any."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(PIDFILE.read_text().split()[0])
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        for flag in ("-c", "--config"):
            if flag in args[:-1]:
                return system_vpcd_port(Path(args[args.index(flag) + 1]))
    return system_vpcd_port()


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            if port >= 0xFFFF:
                continue
            with socket.socket() as b:
                try:
                    b.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return int(port)
    raise RuntimeError("no two free consecutive ports")


class PcscdStack:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = DEFAULT_PORT
        self.dir: Path | None = None
        self.started = False
        self._lock_fd: int | None = None

    def start(self, timeout: float = 10.0, lock_timeout: float = 120.0) -> PcscdStack:
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self._lock(lock_timeout)
        try:
            if pcscd_answers():
                self.port = running_vpcd_port()
            else:
                self._launch()
            self.wait_for_reader(READER, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _lock(self, timeout: float) -> None:
        fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise RuntimeError(f"another session kept {LOCK} for {timeout:g} s") from None
                time.sleep(0.1)
        self._lock_fd = fd

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _launch(self) -> None:
        for stale in (SOCKET, PIDFILE):  # left by a pcscd that was killed
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        self.dir = Path(tempfile.mkdtemp(prefix="yiciban-pcscd-"))
        conf_dir = self.dir / "reader.conf.d"
        conf_dir.mkdir()
        self.port = free_port_pair()
        (conf_dir / "vpcd").write_text(VPCD_CONF.format(port=self.port, driver=VPCD_DRIVER))
        with open(self.dir / "pcscd.log", "ab") as log_file:
            self.proc = subprocess.Popen(
                [str(PCSCD), "-f", "-c", str(conf_dir)],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            )
        self.started = True

    def wait_for_reader(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        seen: list[str] = []
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"pcscd exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(DeviceError), pcsc.Context() as ctx:
                seen = ctx.readers()
                if name in seen:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"reader {name!r} did not appear in {timeout:g} s (readers: {seen})\n"
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        if self.dir is None:
            return "(system pcscd: see its journal)"
        try:
            text = (self.dir / "pcscd.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self.started:
            for leftover in (SOCKET, PIDFILE):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
            self.started = False
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        self._unlock()


@contextlib.contextmanager
def running_pcscd(timeout: float = 10.0) -> Iterator[PcscdStack]:
    stack = PcscdStack().start(timeout)
    try:
        yield stack
    finally:
        stack.stop()
