"""A private CUPS scheduler with cups-pdf queues: a real A4 "printer" that writes PDF files.

`PrivateCupsd` runs `cupsd -f` (by PID) with its own ServerRoot, spool, cache, state and log
directories in a temporary directory, listening only on 127.0.0.1:<free port>; a cupsd the
system may run is not touched. It must run as root: the cups-pdf backend refuses otherwise.

cups-pdf reads its per-queue settings only from /etc/cups/cups-pdf-<name>.conf (the directory
is compiled in; the scheduler's ServerRoot does not move it), so each queue writes that one
file there and removes it again; every other path it uses (output, spool, log, temporary
files) is inside the private directory. Queues print PDF through pdftocairo rather than
Ghostscript's ps2write, which drops the text layer (pdftotext then reads nothing back).
"""
from __future__ import annotations

import contextlib
import grp
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from drivers.cups import lptools
from drivers.errors import DeviceError, DeviceUnavailable

log = logging.getLogger(__name__)

CUPSD = "/usr/sbin/cupsd"
CUPS_PDF_BACKEND = "/usr/lib/cups/backend/cups-pdf"
CUPS_PDF_CONF_DIR = Path("/etc/cups")
CUPS_PDF_PPD = "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd"
QUEUE_PREFIX = "yiciban-pdf"

CUPSD_CONF = """\
Listen 127.0.0.1:{port}
LogLevel info
WebInterface No
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
MaxJobs 200
<Location />
  Order deny,allow
  Deny from all
  Allow from 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """\
ServerRoot {root}
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
Printcap {root}/printcap
FileDevice No
"""

CUPS_PDF_CONF = """\
# written by yiciban's private test cupsd (pid {pid}); removed when it stops
Out {out}
AnonDirName {out}
Label 2
DecodeHexStrings 0
Spool {root}/cups-pdf/spool
GSTmp {root}/cups-pdf
Log {root}/log
"""


@dataclass(frozen=True)
class PdfQueue:
    name: str
    out_dir: Path  # where cups-pdf writes `<title>-job_<id>.pdf`
    conf: Path

    def output(self, job_id: int) -> Path | None:
        found = sorted(self.out_dir.glob(f"*job_{job_id}.pdf"))
        return found[0] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_confs(conf_dir: Path = CUPS_PDF_CONF_DIR) -> None:
    """Removes cups-pdf confs left by a private cupsd whose process is gone (a killed test)."""
    for conf in conf_dir.glob(f"cups-pdf-{QUEUE_PREFIX}-*.conf"):
        pid = conf.name.removeprefix(f"cups-pdf-{QUEUE_PREFIX}-").split("-")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                conf.unlink()
                log.info("removed stale %s", conf)


class PrivateCupsd:
    def __init__(self, root: Path | str | None = None, *, startup_timeout: float = 15.0) -> None:
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="yiciban-cupsd-"))
        self.startup_timeout = startup_timeout
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.queues: list[PdfQueue] = []
        self._lock = threading.Lock()

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, queue: str) -> str:
        return f"cups://{self.server}/{queue}"

    def _tool(self, *args: str, timeout: float = 10.0) -> str:
        return lptools.run([args[0], "-h", self.server, *args[1:]], timeout)

    # -- life cycle

    def start(self) -> PrivateCupsd:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> PrivateCupsd:
        for tool in (CUPSD, CUPS_PDF_BACKEND):
            if not Path(tool).exists():
                raise DeviceUnavailable(f"{tool} is missing (Debian packages cups, "
                                        "printer-driver-cups-pdf)")
        if os.geteuid() != 0:
            raise DeviceUnavailable("a private cupsd with cups-pdf must run as root")
        remove_stale_confs()
        self._prepare_dirs()
        for _attempt in range(3):  # the free port may be taken between choosing and binding
            self.port = free_port()
            (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(port=self.port))
            if self._launch():
                log.info("private cupsd %d listening on %s", self.proc.pid if self.proc else 0,
                         self.server)
                return self
        raise DeviceUnavailable(f"private cupsd did not start:\n{self.log_tail()}")

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # filters run as user lp and read the spool below it
        for sub in ("log", "out", "cups-pdf"):
            (self.root / sub).mkdir(exist_ok=True)
        tmp = self.root / "tmp"
        tmp.mkdir(exist_ok=True)
        try:
            lp_gid = grp.getgrnam("lp").gr_gid
        except KeyError:
            lp_gid = 7
        os.chown(tmp, 0, lp_gid)
        tmp.chmod(0o1770)  # cupsd exits silently when TempDir is not usable by its filters
        (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))

    def _launch(self) -> bool:
        with open(self.root / "log" / "cupsd.out", "ab") as out:
            self.proc = subprocess.Popen(
                [CUPSD, "-f", "-c", str(self.root / "cupsd.conf"),
                 "-s", str(self.root / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log.warning("cupsd exited with %s", self.proc.returncode)
                return False
            with contextlib.suppress(DeviceError):
                if lptools.says_scheduler_running(self._tool("lpstat", "-r", timeout=2.0)):
                    return True
            time.sleep(0.05)
        self._kill()
        return False

    def add_pdf_queue(self, name: str | None = None) -> PdfQueue:
        """Adds an enabled, accepting cups-pdf queue whose PDFs land in a private directory."""
        with self._lock:
            name = name or f"{QUEUE_PREFIX}-{os.getpid()}-{len(self.queues) + 1}"
            out = self.root / "out" / name
            out.mkdir(parents=True, exist_ok=True)
            conf = CUPS_PDF_CONF_DIR / f"cups-pdf-{name}.conf"
            conf.write_text(CUPS_PDF_CONF.format(pid=os.getpid(), out=out, root=self.root))
            queue = PdfQueue(name, out, conf)
            self.queues.append(queue)
        self._tool("lpadmin", "-p", name, "-E", "-v", f"cups-pdf:/{name}", "-m", CUPS_PDF_PPD,
                   "-o", "pdftops-renderer-default=pdftocairo",
                   "-o", "printer-error-policy=abort-job")
        self.wait_ready(name)
        return queue

    def wait_ready(self, queue: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        out = ""
        while time.monotonic() < deadline:
            with contextlib.suppress(DeviceError):
                out = self._tool("lpstat", "-p", queue, "-a", queue, timeout=2.0)
                st = lptools.parse_printer(out, queue)
                if st.ready:
                    return
            time.sleep(0.05)
        raise DeviceUnavailable(f"queue {queue} did not become ready: {out!r}\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.root / "log" / "error_log").read_text(errors="replace")
        except OSError:
            text = ""
        with contextlib.suppress(OSError):
            text += (self.root / "log" / "cupsd.out").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def stop(self) -> None:
        self._kill()
        for queue in self.queues:
            with contextlib.suppress(FileNotFoundError):
                queue.conf.unlink()
        self.queues.clear()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivateCupsd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sim_main(argv: list[str]) -> int:
    """`yiciban sim a4_printer [--queue NAME]`: a private cupsd with one cups-pdf queue."""
    import argparse

    parser = argparse.ArgumentParser(prog="yiciban sim a4_printer", description=__doc__.split("\n")[0])
    parser.add_argument("--queue", help="queue name (default: a unique one)")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        cupsd = PrivateCupsd().start()
    except DeviceError as exc:
        print(f"cannot start the private cupsd: {exc}", flush=True)  # noqa: T201
        return 1
    try:
        queue = cupsd.add_pdf_queue(args.queue)
        print(f"listening {cupsd.url(queue.name)}", flush=True)  # noqa: T201
        print(f"PDFs are written to {queue.out_dir}", flush=True)  # noqa: T201
        while not stop.wait(0.5):
            if cupsd.proc is None or cupsd.proc.poll() is not None:
                print("cupsd exited:\n" + cupsd.log_tail(), flush=True)  # noqa: T201
                return 1
        return 0
    except DeviceError as exc:
        print(f"cannot set up the cups-pdf queue: {exc}", flush=True)  # noqa: T201
        return 1
    finally:
        cupsd.stop()
