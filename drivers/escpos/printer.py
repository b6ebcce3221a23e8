"""The ESC/POS printer driver: prints jobs exactly once, and reports faults as status, never a hang.

It receives its transport: a pyserial object (`open_url`: a serial device or pty, `socket://host:9100`),
a USB printer-class device file (/dev/usb/lp0) or a capture file. `open_transport` makes one from a
URL. Every read is bounded by a deadline, every write by a write timeout.

A job, precisely:
1. A key already printed: acknowledged (`duplicate=True`), nothing is sent.
2. DLE EOT 1-4 first: paper out, cover open, offline or an error raise `DeviceFault(code)` and
   nothing is sent.
3. The job's bytes go out (ESC @ FS & ... cut), followed by GS r 1, which the printer answers only
   after it has worked through everything before it, i.e. printed and cut the ticket.
4. That answer is the confirmation: the key is recorded, the job is printed.
5. While waiting, DLE EOT is asked every `poll_interval`. A fault (the paper ran out mid-ticket,
   the cover was opened), or no confirmation within `job_timeout`, fails the job: the driver
   tells the printer to drop what it has not printed yet (DLE DC4 fn=8, where the profile has it)
   so nothing of the job comes out later, raises `DeviceFault(code)` or `DeviceTimeout`, and does
   not record the key. Retried after the fault is cleared, the job prints once, in full.
Without GS r support (`confirm` off) step 4 becomes "no fault after sending"; a write-only
transport (capture file) records the key once the bytes are written.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import serial

from drivers.errors import DeviceError, DeviceFault, DeviceTimeout, DeviceUnavailable
from drivers.escpos import commands as cmd
from drivers.escpos.jobs import JobResult, PrintedKeys, PrintJob
from drivers.escpos.profiles import Profile, profile_for
from drivers.escpos.status import (
    PrinterStatus,
    ReplySplitter,
    parse_asb,
    parse_eot,
    parse_paper_sensor,
)
from drivers.escpos.ticket import encode
from drivers.transport import open_url

log = logging.getLogger(__name__)

READ_SLICE = 0.05  # seconds a transport read may block; deadlines are kept above it


class Transport(Protocol):
    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int = 1) -> bytes: ...
    def close(self) -> None: ...


class FileTransport:
    """A USB printer-class device (read and write) or a capture file (write only): plain file I/O,
    non-blocking underneath so that a printer that stops taking data cannot hang a write."""

    def __init__(self, path: str, *, capture: bool = False, timeout: float = READ_SLICE,
                 write_timeout: float = 5.0) -> None:
        self.path, self.timeout, self.write_timeout = path, timeout, write_timeout
        self.can_read = not capture
        flags = (os.O_WRONLY | os.O_CREAT | os.O_APPEND) if capture else (os.O_RDWR | os.O_NONBLOCK)
        self.fd: int | None = os.open(path, flags | os.O_CLOEXEC, 0o644)

    def _fd(self) -> int:
        if self.fd is None:
            raise OSError(f"{self.path} is closed")
        return self.fd

    def write(self, data: bytes) -> int:
        fd, view, deadline = self._fd(), memoryview(data), time.monotonic() + self.write_timeout
        while view:
            try:
                n = os.write(fd, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [fd], [], left)[1]:
                raise serial.SerialTimeoutException(f"{self.path} takes no more data")
        return len(data)

    @property
    def in_waiting(self) -> int:
        """1 while something is there to read (as pyserial's socket transport says it)."""
        if not self.can_read or self.fd is None:
            return 0
        return 1 if select.select([self.fd], [], [], 0)[0] else 0

    def read(self, size: int = 1) -> bytes:
        if not self.can_read:
            return b""
        fd = self._fd()
        if not select.select([fd], [], [], self.timeout)[0]:
            return b""
        try:
            return os.read(fd, size)
        except BlockingIOError:
            return b""

    def close(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


def _flag(settings: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = settings.get(name, default)
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")


def open_transport(url: str, settings: Mapping[str, Any] | None = None) -> Transport:
    """`file:PATH` a capture file; `usblp:PATH` or /dev/usb/lp* a USB printer-class device; anything
    else goes to pyserial (a serial device or pty, `socket://host:9100`, `spy://` ...)."""
    settings = settings or {}
    write_timeout = float(settings.get("write_timeout", 5.0))
    try:
        if url.startswith("file:"):
            return FileTransport(url.removeprefix("file:").removeprefix("//"), capture=True)
        if url.startswith(("usblp:", "/dev/usb/lp")):
            path = url.removeprefix("usblp:").removeprefix("//")
            return FileTransport(path, write_timeout=write_timeout)
    except OSError as exc:
        raise DeviceUnavailable(f"cannot open {url}: {exc}") from exc
    return open_url(url, baudrate=int(settings.get("baudrate", 9600)), timeout=READ_SLICE,
                    write_timeout=write_timeout, rtscts=_flag(settings, "rtscts"),
                    dsrdtr=_flag(settings, "dsrdtr"), xonxoff=_flag(settings, "xonxoff"))


class EscPosPrinter:
    def __init__(self, transport: Transport, profile: Profile, *, keys: PrintedKeys | None = None,
                 device: str = "", reply_timeout: float = 1.0, job_timeout: float = 20.0,
                 poll_interval: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        self.transport, self.profile = transport, profile
        self.keys = keys if keys is not None else PrintedKeys()
        self.device = device
        self.reply_timeout, self.job_timeout, self.poll_interval = reply_timeout, job_timeout, poll_interval
        self.clock = clock
        self.can_read = bool(getattr(transport, "can_read", True))
        self.last_asb: PrinterStatus | None = None
        self._splitter = ReplySplitter()
        self._replies: deque[tuple[str, bytes]] = deque()
        self._lock = threading.RLock()

    # -- I/O: library errors become DeviceError

    def _io(self, what: str, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return fn(*args)
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"{what} timed out: {exc}", device=self.device) from exc
        except DeviceError:
            raise
        except (serial.SerialException, OSError, ValueError, AttributeError, TypeError) as exc:
            # pyserial reports a closed or vanished port in several ways
            raise DeviceUnavailable(f"{what} failed: {exc}", device=self.device) from exc

    def _write(self, data: bytes) -> None:
        self._io("write", self.transport.write, data)

    def _take_in(self, chunk: bytes) -> None:
        for kind, raw in self._splitter.feed(chunk):
            if kind == "asb":
                self.last_asb = parse_asb(raw)
                log.info("%s reports %s", self.device or "printer", self.last_asb.message)
            else:
                self._replies.append((kind, raw))

    def _pump(self) -> None:
        """Reads what arrives within one read slice."""
        chunk = self._io("read", self.transport.read, 1)
        if chunk:
            waiting = int(getattr(self.transport, "in_waiting", 0) or 0)
            if waiting:
                chunk += self._io("read", self.transport.read, waiting)
            self._take_in(chunk)

    def _take(self, kind: str) -> bytes | None:
        for i, (k, raw) in enumerate(self._replies):
            if k == kind:
                del self._replies[i]
                return raw
        return None

    def _await(self, kind: str, count: int, timeout: float, what: str) -> list[bytes]:
        deadline = self.clock() + timeout
        got: list[bytes] = []
        while True:
            while len(got) < count and (raw := self._take(kind)) is not None:
                got.append(raw)
            if len(got) == count:
                return got
            if self.clock() >= deadline:
                raise DeviceTimeout(f"no answer to {what} within {timeout:g} s "
                                    f"({len(got)} of {count} replies)", device=self.device)
            self._pump()

    def _drop_stale(self, kind: str) -> None:
        while int(getattr(self.transport, "in_waiting", 0) or 0):
            self._pump()
        self._replies = deque(r for r in self._replies if r[0] != kind)

    # -- status

    def status(self) -> PrinterStatus:
        """DLE EOT 1-4, answered in real time even while the printer is stopped."""
        with self._lock:
            if not self.can_read:
                return PrinterStatus()
            self._drop_stale("eot")
            ns = self.profile.status_requests
            self._write(b"".join(cmd.status_request(n) for n in ns))
            replies = self._await("eot", len(ns), self.reply_timeout, "DLE EOT")
            return parse_eot(dict(zip(ns, (r[0] for r in replies), strict=True)))

    def poll(self) -> dict[str, Any]:
        """For `Link`: the status details, or `DeviceFault` with the fault's code."""
        st = self.status()
        if st.fault:
            raise DeviceFault(st.message, device=self.device, code=st.fault)
        details = st.details()
        if self.last_asb is not None:
            details["asb"] = self.last_asb.details()
        return details

    def _fault(self, st: PrinterStatus) -> DeviceFault:
        return DeviceFault(st.message, device=self.device, code=st.fault or "")

    # -- printing

    def print_job(self, job: PrintJob) -> JobResult:
        with self._lock:
            if job.key in self.keys:
                if self.keys.digest(job.key) not in ("", job.digest):
                    log.warning("job %s was printed before with other content; not printing again", job.key)
                log.info("job %s already printed; acknowledged without printing", job.key)
                return JobResult(job.key, printed=False, duplicate=True)
            data = encode(job.document, self.profile)
            before = self.status() if self.can_read else None
            if before is not None and before.fault:
                raise self._fault(before)
            confirm = self.can_read and self.profile.confirm
            try:
                if confirm:
                    self._drop_stale("paper")
                self._write(data + (cmd.PAPER_SENSOR if confirm else b""))
                if confirm:
                    after = self._await_printed(job, before or PrinterStatus())
                else:
                    after = self.status() if self.can_read else None
                    if after is not None and after.fault:
                        raise self._fault(after)
            except DeviceUnavailable:
                raise
            except DeviceError:
                self._abandon(job)
                raise
            self.keys.add(job.key, job.digest)
            log.info("job %s printed (%d bytes%s)", job.key, len(data), ", confirmed" if confirm else "")
            return JobResult(job.key, printed=True, confirmed=confirm, bytes_sent=len(data),
                             status=after, warnings=after.warnings if after else ())

    def _await_printed(self, job: PrintJob, last: PrinterStatus) -> PrinterStatus:
        deadline = self.clock() + self.job_timeout
        next_poll = self.clock() + self.poll_interval
        while True:
            raw = self._take("paper")
            if raw is not None:
                near, _ = parse_paper_sensor(raw[0])
                return dataclasses.replace(last, paper_near_end=near)
            now = self.clock()
            if now >= deadline:
                raise DeviceTimeout(f"the printer did not confirm job {job.key} within "
                                    f"{self.job_timeout:g} s", device=self.device)
            if now >= next_poll:
                last = self.status()
                if last.fault:
                    raise self._fault(last)
                next_poll = self.clock() + self.poll_interval
            self._pump()

    def _abandon(self, job: PrintJob) -> None:
        """After a failed job: the printer drops what it has not printed, so nothing of the job
        comes out when the fault is cleared and the retry prints the ticket once."""
        if not self.profile.clear_buffers or not self.can_read:
            log.warning("job %s failed; the printer may print its unprinted rest later", job.key)
            return
        try:
            self._write(cmd.CLEAR_BUFFERS)
            self._await("clear", 1, self.reply_timeout, "clear buffers")
            log.warning("job %s failed; the printer dropped its unprinted rest", job.key)
        except DeviceError as exc:
            log.warning("job %s failed, and clearing the printer's buffer failed too: %s", job.key, exc)

    def close(self) -> None:
        with self._lock:
            try:
                self.transport.close()
            except Exception:
                log.debug("closing %s failed", self.device, exc_info=True)


def _num(settings: Mapping[str, Any], name: str, default: float) -> float:
    return float(settings.get(name, default))


def keys_for(settings: Mapping[str, Any]) -> PrintedKeys:
    path = settings.get("keys_file") or None
    return PrintedKeys(int(settings.get("keys_capacity", 2000)), str(path) if path else None)


def connect(url: str, settings: Mapping[str, Any] | None = None, *, keys: PrintedKeys | None = None,
            device: str = "") -> EscPosPrinter:
    """Opens the transport the URL names and returns the driver on it (settings: width, font,
    baudrate, reply_timeout, job_timeout, poll_interval, keys_file, enable_asb ...)."""
    settings = settings or {}
    printer = EscPosPrinter(
        open_transport(url, settings), profile_for(settings),
        keys=keys if keys is not None else keys_for(settings), device=device or url,
        reply_timeout=_num(settings, "reply_timeout", 1.0), job_timeout=_num(settings, "job_timeout", 20.0),
        poll_interval=_num(settings, "poll_interval", 0.5))
    if _flag(settings, "enable_asb") and printer.can_read:
        try:
            printer._write(cmd.auto_status_back())
        except DeviceError:
            printer.close()
            raise
    return printer
