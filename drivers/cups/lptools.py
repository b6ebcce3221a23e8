"""The CUPS command-line tools (`lp`, `lpstat`, `cancel`): run with a timeout, read their output.

The tools run in the C.UTF-8 locale, so their messages are the English ones these parsers
know, while printer messages keep their Chinese. Parsing is pure and separate from running.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Sequence

from drivers.cups.model import PrinterCondition, PrinterState
from drivers.errors import DeviceError, DeviceProtocolError, DeviceTimeout, DeviceUnavailable

log = logging.getLogger(__name__)

_ENV_OVERRIDES = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "LANGUAGE": ""}


class ToolFailed(DeviceError):
    """A tool ran and exited non-zero; `stderr` holds what it said."""

    def __init__(self, message: str, *, stderr: str, device: str = "") -> None:
        super().__init__(message, device=device)
        self.stderr = stderr


def run(argv: Sequence[str], timeout: float, *, device: str = "") -> str:
    """Runs one tool; returns its stdout. Never waits longer than `timeout`."""
    env = {**os.environ, **_ENV_OVERRIDES}
    log.debug("running %s", " ".join(argv))
    try:
        proc = subprocess.run(
            list(argv), capture_output=True, text=True, encoding="utf-8", errors="replace",
            timeout=timeout, env=env,
            stdin=subprocess.DEVNULL, check=False,
        )
    except FileNotFoundError as exc:
        raise DeviceUnavailable(
            f"{argv[0]} is not installed (Debian package cups-client)", device=device
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise DeviceTimeout(f"{argv[0]} did not finish in {timeout:g} s", device=device) from exc
    except OSError as exc:
        raise DeviceUnavailable(f"cannot run {argv[0]}: {exc}", device=device) from exc
    if proc.returncode != 0:
        said = (proc.stderr or proc.stdout).strip()
        raise ToolFailed(f"{argv[0]} failed: {said or f'exit {proc.returncode}'}",
                         stderr=said, device=device)
    return proc.stdout


# -- parsing

_REQUEST_ID = re.compile(r"request id is (?P<queue>\S+)-(?P<job>\d+)\b")
_PRINTER_LINE = re.compile(
    r"^printer (?P<queue>\S+) (?:(?P<idle>is idle)|now printing (?P<dest>\S+)-(?P<job>\d+)"
    r"|(?P<disabled>disabled))"
)
_ACCEPTING_LINE = re.compile(r"^(?P<queue>\S+) (?P<no>not )?accepting requests")
# lines `lpstat -l -p` prints after the printer's message
_LONG_FIELDS = (
    "Form mounted:", "Content types:", "Printer types:", "Description:", "Alerts:",
    "Location:", "Connection:", "Interface:", "On fault:", "After fault:", "Users allowed:",
)


def parse_job_id(stdout: str) -> int:
    """The job number from `lp`'s "request id is QUEUE-17 (1 file(s))"."""
    match = _REQUEST_ID.search(stdout)
    if match is None:
        raise DeviceProtocolError(f"lp gave no job id: {stdout.strip()!r}")
    return int(match["job"])


def parse_printer(stdout: str, queue: str) -> PrinterState:
    """A `PrinterState` from `lpstat -l -p QUEUE -a QUEUE` output."""
    condition: PrinterCondition | None = None
    accepting: bool | None = None
    job: int | None = None
    message: list[str] = []
    alerts: tuple[str, ...] = ()
    section = ""
    for line in stdout.splitlines():
        if not line.startswith((" ", "\t")):
            section = ""
            printer = _PRINTER_LINE.match(line)
            if printer and printer["queue"] == queue:
                section = "printer"
                if printer["idle"]:
                    condition = PrinterCondition.IDLE
                elif printer["disabled"]:
                    condition = PrinterCondition.STOPPED
                else:
                    condition = PrinterCondition.PRINTING
                    job = int(printer["job"])
                continue
            acc = _ACCEPTING_LINE.match(line)
            if acc and acc["queue"] == queue:
                accepting = acc["no"] is None
            continue
        text = line.strip()
        if not section:
            continue  # the reason for "not accepting" repeats the printer's message
        if text.startswith("Alerts:"):
            alerts = tuple(a for a in text.removeprefix("Alerts:").split() if a != "none")
        if text.startswith(_LONG_FIELDS):
            section = "printer-long"
        elif text and section == "printer":
            message.append(text)
    if condition is None or accepting is None:
        raise DeviceProtocolError(f"lpstat said nothing about {queue!r}: {stdout.strip()!r}")
    return PrinterState(queue, condition, accepting, " ".join(message), alerts, job)


def says_scheduler_running(stdout: str) -> bool:
    """`lpstat -r` prints "scheduler is running" or "scheduler is not running" (exit 0 both)."""
    return "scheduler is running" in stdout


def looks_unreachable(stderr: str) -> bool:
    s = stderr.lower()
    return any(p in s for p in ("unable to connect", "scheduler is not running",
                                "connection refused", "no such file or directory",
                                "bad file descriptor"))


def looks_like_missing_queue(stderr: str) -> bool:
    s = stderr.lower()
    return ("does not exist" in s or "invalid destination" in s or "unknown destination" in s)
