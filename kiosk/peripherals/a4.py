"""The A4 printer behind CUPS, for the screens: its state in the status row, and PDF prints.

The URL is the CUPS queue (`cups://QUEUE`, `cups://HOST:PORT/QUEUE`, `ipp://HOST:PORT/printers/QUEUE`).
The link (`drivers.cups.make_link`) asks CUPS about the queue every few seconds: a stopped or
rejecting queue shows as a fault, an unreachable CUPS as disconnected. `print_pdf(pdf, title=..., key=...)` makes the
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
from typing import TYPE_CHECKING, Any

from drivers.cups.model import PrintResult
from drivers.errors import DeviceError
from drivers.registry import make_link
from kiosk.devices import DeviceWorker

if TYPE_CHECKING:
    from drivers.cups.printer import CupsPrinter

log = logging.getLogger(__name__)

KIND = "a4_printer"


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The CUPS queue at `url` on its own thread (a malformed URL is refused now, with its reason)."""
    return DeviceWorker(make_link(KIND, name, url, settings))


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
