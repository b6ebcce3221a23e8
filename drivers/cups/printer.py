"""An A4 printer behind CUPS: submit a PDF with `lp`, follow the job to its end, report state.

A print carries an idempotency key: a retried print with a key already seen follows the job
submitted the first time instead of printing again. Only a job that ended cancelled or aborted
is submitted anew; one CUPS no longer remembers is not. A job the driver gives up on (deadline,
stopped printer, held or stopped job) is cancelled unless the settings say otherwise, so
nothing comes out after the citizen has left.

Jobs are submitted and cancelled with `lp` and `cancel`, the printer's state comes from
`lpstat`, and the job's state from IPP Get-Job-Attributes (see `ipp.py` for why).
"""
from __future__ import annotations

import getpass
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from drivers.cups import ipp, lptools
from drivers.cups.model import JobState, PrinterCondition, PrinterState, PrintResult, PrintSettings
from drivers.errors import DeviceError, DeviceFault, DeviceTimeout, DeviceUnavailable

log = logging.getLogger(__name__)


def parse_url(url: str) -> tuple[str, str | None]:
    """(queue, server or None for the default one) from `cups://QUEUE`,
    `cups://HOST:PORT/QUEUE`, `ipp://HOST:PORT/printers/QUEUE` or a bare queue name."""
    if "://" not in url:
        return url, None
    parts = urlsplit(url)
    path = unquote(parts.path).strip("/")
    if parts.scheme == "cups" and not path:
        return unquote(parts.netloc), None
    if parts.scheme in ("cups", "ipp") and parts.netloc:
        queue = path.removeprefix("printers/")
        if queue and "/" not in queue:
            port = parts.port or 631
            return queue, f"{parts.hostname}:{port}"
    raise ValueError(f"not a CUPS printer URL: {url!r} (cups://QUEUE or ipp://host:port/printers/QUEUE)")


class JobKeys:
    """Idempotency key -> job id, the newest `limit` only. Share one between printer objects
    to keep keys across reconnects."""

    def __init__(self, limit: int = 256) -> None:
        self.limit = limit
        self._jobs: OrderedDict[str, int] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> int | None:
        job = self._jobs.get(key)
        if job is not None:
            self._jobs.move_to_end(key)
        return job

    def put(self, key: str, job_id: int) -> None:
        self._jobs[key] = job_id
        self._jobs.move_to_end(key)
        while len(self._jobs) > self.limit:
            self._jobs.popitem(last=False)

    def __len__(self) -> int:
        return len(self._jobs)


class CupsPrinter:
    def __init__(
        self,
        queue: str,
        server: str | None = None,
        settings: PrintSettings | None = None,
        *,
        keys: JobKeys | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue, self.server = queue, server
        self.settings = settings or PrintSettings()
        self.keys = keys or JobKeys(self.settings.remembered_keys)
        self.clock = clock
        self.device = f"cups:{queue}"
        self._closed = threading.Event()
        self._ipp_server = ""
        try:
            self._user = getpass.getuser()
        except (KeyError, OSError):
            self._user = "yiciban"

    @classmethod
    def from_url(cls, url: str, settings: PrintSettings | None = None, **kw: Any) -> CupsPrinter:
        queue, server = parse_url(url)
        return cls(queue, server, settings, **kw)

    # -- tools

    def _host_args(self) -> list[str]:
        return ["-h", self.server] if self.server else []

    def _run(self, argv: list[str]) -> str:
        try:
            return lptools.run(argv, self.settings.command_timeout, device=self.device)
        except lptools.ToolFailed as exc:
            raise self._classify(exc) from exc

    def _classify(self, exc: lptools.ToolFailed) -> DeviceError:
        where = self.server or "the local CUPS"
        if lptools.looks_unreachable(exc.stderr) or (
            lptools.looks_like_missing_queue(exc.stderr) and not self._scheduler_running()
        ):  # libcups says "does not exist" for every queue when it cannot reach the server
            return DeviceUnavailable(f"CUPS at {where} is not reachable", device=self.device)
        if lptools.looks_like_missing_queue(exc.stderr):
            return DeviceUnavailable(f"CUPS at {where} has no printer {self.queue!r}",
                                     device=self.device)
        if "not accepting" in exc.stderr:
            return DeviceFault(f"printer {self.queue} is not accepting jobs", device=self.device,
                               code="not-accepting")
        return DeviceError(exc.message, device=self.device)

    def _scheduler_running(self) -> bool:
        try:
            out = lptools.run(["lpstat", *self._host_args(), "-r"],
                              self.settings.command_timeout, device=self.device)
        except DeviceError:
            return False
        return lptools.says_scheduler_running(out)

    def _ipp_address(self) -> str:
        """Where to send IPP: the configured server, else the one libcups uses (`lpstat -H`)."""
        if self.server:
            return self.server
        if not self._ipp_server:
            self._ipp_server = self._run(["lpstat", "-H"]).strip() or "localhost:631"
        return self._ipp_server

    # -- the A4Printer protocol

    def state(self) -> PrinterState:
        out = self._run(["lpstat", *self._host_args(), "-l", "-p", self.queue, "-a", self.queue])
        return lptools.parse_printer(out, self.queue)

    def poll(self) -> dict[str, Any]:
        """For a `Link`: the printer's state as details; a stopped printer is a `DeviceFault`."""
        st = self.state()
        if not st.ready:
            raise DeviceFault(st.problem, device=self.device, code=_fault_code(st))
        return {"condition": str(st.condition), "message": st.message, "alerts": list(st.alerts)}

    def job(self, job_id: int) -> PrintResult:
        try:
            attrs = ipp.get_job_attributes(self._ipp_address(), job_id, self._user,
                                           self.settings.command_timeout)
        except ipp.JobNotFound as exc:
            return PrintResult(job_id, JobState.UNKNOWN, None, exc.message)
        except DeviceError as exc:
            exc.device = exc.device or self.device
            raise
        reasons = attrs.get("job-state-reasons", [])
        reasons = tuple(reasons if isinstance(reasons, list) else [reasons])
        pages = attrs.get("job-impressions-completed")
        return PrintResult(
            job_id,
            JobState.from_ipp(int(attrs.get("job-state", 0))),
            pages if isinstance(pages, int) else None,
            str(attrs.get("job-printer-state-message", "") or ""),
            tuple(str(r) for r in reasons if r != "none"),
        )

    def cancel(self, job_id: int) -> None:
        """Cancels a job; one already finished or gone is left as it is."""
        try:
            lptools.run(["cancel", *self._host_args(), str(job_id)],
                        self.settings.command_timeout, device=self.device)
        except lptools.ToolFailed as exc:
            if "already" in exc.stderr or f"#{job_id} does not exist" in exc.stderr:
                return
            raise self._classify(exc) from exc

    def print_pdf(
        self, pdf: Path | str, *, title: str = "", key: str | None = None, timeout: float | None = None
    ) -> PrintResult:
        """Prints and waits for the job's end; returns the finished job (check `.ok`).

        Raises `DeviceFault` (printer stopped or not accepting; job held, or stopped by an
        error such as a damaged PDF), `DeviceTimeout` (not finished by the deadline),
        `DeviceUnavailable` (CUPS not reachable, no such queue).
        """
        path = Path(pdf).resolve()
        if not path.is_file():
            raise DeviceError(f"nothing to print: {path} does not exist", device=self.device)
        deadline = self.clock() + (self.settings.job_timeout if timeout is None else timeout)
        with self.keys.lock:  # a retry racing its original still submits once
            job_id = self.keys.get(key) if key else None
            if job_id is not None:
                earlier = self.job(job_id)
                if earlier.state in (JobState.CANCELED, JobState.ABORTED):
                    log.info("job %d for key %s ended %s; printing again", job_id, key, earlier.state)
                    job_id = None
                else:
                    log.info("key %s is job %d (%s); not printing it again", key, job_id, earlier.state)
            if job_id is None:
                job_id = self._submit(path, title)
                if key:
                    self.keys.put(key, job_id)
        return self.follow(job_id, deadline=deadline)

    def _submit(self, path: Path, title: str) -> int:
        st = self.state()
        if not st.ready:  # a job queued on a stopped printer would print whenever it restarts
            raise DeviceFault(st.problem, device=self.device, code=_fault_code(st))
        argv = ["lp", *self._host_args(), "-d", self.queue]
        if title:
            argv += ["-t", title]
        for option in self.settings.extra_options:
            argv += ["-o", option]
        job_id = lptools.parse_job_id(self._run([*argv, str(path)]))
        log.info("submitted job %d to %s (%d bytes)", job_id, self.queue, path.stat().st_size)
        return job_id

    def follow(self, job_id: int, *, deadline: float | None = None) -> PrintResult:
        """Waits until the job is finished, the printer cannot go on, or the deadline."""
        if deadline is None:
            deadline = self.clock() + self.settings.job_timeout
        while True:
            result = self.job(job_id)
            if result.state.finished:
                log.info("job %d %s (%s pages) %s", job_id, result.state, result.pages, result.reason)
                return result
            if result.state is not JobState.PROCESSING:
                self._check_blocked(result)
            remaining = deadline - self.clock()
            if remaining <= 0:
                self._give_up(job_id)
                raise DeviceTimeout(f"job {job_id} not finished in time ({result.state}"
                                    f"{': ' + result.reason if result.reason else ''})",
                                    device=self.device)
            if self._closed.wait(min(self.settings.poll_interval, remaining)):
                raise DeviceUnavailable("printer closed while following a job", device=self.device)

    def _check_blocked(self, result: PrintResult) -> None:
        """A held or stopped job, or one waiting for a printer that will not print it, is a fault:
        CUPS keeps such a job until someone acts, and nobody waits at the kiosk that long."""
        if result.state is JobState.HELD:
            self._give_up(result.job_id)
            raise DeviceFault(f"job {result.job_id} is held ({', '.join(result.reasons)})",
                              device=self.device, code="job-held")
        st = self.state()
        if st.condition is PrinterCondition.STOPPED:  # not accepting new jobs is no matter here
            self._give_up(result.job_id)
            raise DeviceFault(st.problem, device=self.device, code=_fault_code(st))
        if result.state is JobState.STOPPED:  # e.g. a filter failed: CUPS keeps it until told
            self._give_up(result.job_id)
            raise DeviceFault(f"job {result.job_id} stopped: {result.reason or 'no reason given'}",
                              device=self.device, code="job-stopped")

    def _give_up(self, job_id: int) -> None:
        if not self.settings.cancel_unfinished:
            return
        try:
            self.cancel(job_id)
            log.info("cancelled job %d", job_id)
        except DeviceError as exc:
            log.warning("could not cancel job %d: %s", job_id, exc.message)

    def close(self) -> None:
        self._closed.set()


def _fault_code(st: PrinterState) -> str:
    return "printer-stopped" if st.condition is PrinterCondition.STOPPED else "not-accepting"
