"""The A4 printer behind CUPS, for the screens: its state in the status row, and PDF prints.

The URL is the CUPS queue (`cups://QUEUE`, `cups://HOST:PORT/QUEUE`, `ipp://HOST:PORT/printers/QUEUE`).
The link asks CUPS about the queue every few seconds: a stopped or rejecting queue shows as a
fault, an unreachable CUPS as disconnected. `print_pdf(pdf, title=..., key=...)` makes the
action a view hands to `worker.act`: it submits the PDF and follows the job to its end on the
device's thread, and the action's result is the finished `PrintResult`. The key makes a retry
safe: a job already submitted under it is followed again, not printed twice. The keys are kept
across reconnects.
"""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from drivers.cups.model import PrintResult, PrintSettings
from drivers.cups.printer import CupsPrinter, JobKeys
from drivers.errors import DeviceError
from drivers.link import Link
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

KIND = "a4_printer"


def print_settings(settings: Mapping[str, Any]) -> PrintSettings:
    """PrintSettings from a device's settings (`job_timeout`, `poll_interval`, `command_timeout`)."""
    base = PrintSettings()
    return PrintSettings(
        job_timeout=float(settings.get("job_timeout", base.job_timeout)),
        poll_interval=float(settings.get("poll_interval", base.poll_interval)),
        command_timeout=float(settings.get("command_timeout", base.command_timeout)),
    )


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    ps = print_settings(settings)
    CupsPrinter.from_url(url, ps)  # a malformed URL is refused now, with its reason
    keys = JobKeys(ps.remembered_keys)
    server = settings.get("server") or None

    def connect() -> CupsPrinter:
        printer = CupsPrinter.from_url(url, ps, keys=keys)
        if server and not printer.server:
            printer.server = str(server)
        printer.device = name
        return printer

    def poll(printer: CupsPrinter) -> dict[str, Any]:
        return printer.poll()

    link: Link[CupsPrinter] = Link(name, KIND, connect, poll,
                                   poll_interval=float(settings.get("status_interval", 5.0)))
    return DeviceWorker(link)


def print_pdf(pdf: bytes, *, title: str, key: str) -> Callable[[CupsPrinter], PrintResult]:
    """The action printing `pdf` once under `key`: returns the finished job; a job that ended
    without printing (cancelled, aborted) is a DeviceError."""

    def action(printer: CupsPrinter) -> PrintResult:
        with tempfile.TemporaryDirectory(prefix="yiciban-a4-") as tmp:
            path = Path(tmp) / "document.pdf"
            path.write_bytes(pdf)
            result = printer.print_pdf(path, title=title, key=key)
        if not result.ok:
            raise DeviceError(f"job {result.job_id} ended {result.state}"
                              f"{': ' + result.reason if result.reason else ''}", device=printer.device)
        log.info("printed %s as job %d (%s pages)", title or "a document", result.job_id, result.pages)
        return result

    return action
