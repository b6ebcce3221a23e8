"""A4 printer through CUPS: submit a PDF with `lp`, follow the job, report the printer's state.

URLs: `cups://QUEUE` (the local CUPS), `cups://HOST:PORT/QUEUE`, `ipp://HOST:PORT/printers/QUEUE`.
The simulator is a private cupsd with a cups-pdf queue (`simulator.PrivateCupsd`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from drivers.cups.api import A4Printer
from drivers.cups.model import (
    JobState,
    PrinterCondition,
    PrinterState,
    PrintResult,
    PrintSettings,
)

if TYPE_CHECKING:
    from drivers.cups.printer import CupsPrinter
    from drivers.link import Link

log = logging.getLogger(__name__)

KIND = "a4_printer"

__all__ = [
    "A4Printer",
    "JobState",
    "PrintResult",
    "PrintSettings",
    "PrinterCondition",
    "PrinterState",
    "doctor",
    "make_link",
    "print_settings",
    "sim_main",
]


def sim_main(argv: list[str]) -> int:
    from drivers.cups.simulator import sim_main as run

    return run(argv)


def print_settings(settings: Mapping[str, Any]) -> PrintSettings:
    """PrintSettings from a device's settings (`job_timeout`, `poll_interval`, `command_timeout`)."""
    base = PrintSettings()
    return PrintSettings(
        job_timeout=float(settings.get("job_timeout", base.job_timeout)),
        poll_interval=float(settings.get("poll_interval", base.poll_interval)),
        command_timeout=float(settings.get("command_timeout", base.command_timeout)),
    )


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None,
              **link_options: Any) -> Link[CupsPrinter]:
    """A `Link` asking CUPS about the queue every `status_interval` seconds (5): a stopped or
    rejecting queue is a fault, an unreachable CUPS is disconnected. The job keys outlive
    reconnects, so a PDF retried under its key is followed again, not printed twice.
    A malformed URL is refused now (`ValueError`)."""
    from drivers.cups.printer import CupsPrinter, JobKeys
    from drivers.link import Link

    settings = dict(settings or {})
    ps = print_settings(settings)
    CupsPrinter.from_url(url, ps)
    keys = JobKeys(ps.remembered_keys)
    server = settings.get("server") or None

    def connect() -> CupsPrinter:
        printer = CupsPrinter.from_url(url, ps, keys=keys)
        if server and not printer.server:
            printer.server = str(server)
        printer.device = device
        return printer

    link_options.setdefault("poll_interval", float(settings.get("status_interval", 5.0)))
    return Link(device, KIND, connect, lambda printer: printer.poll(), **link_options)


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 5.0) -> dict[str, Any]:
    """Asks CUPS about the configured queue (and nothing else). Never raises."""
    from drivers.cups.printer import CupsPrinter, parse_url
    from drivers.errors import DeviceError, DeviceUnavailable

    details: dict[str, Any] = {"url": url}
    try:
        queue, server = parse_url(url)
        server = server or (settings or {}).get("server") or None
        details.update(queue=queue, server=server or "default")
        st = CupsPrinter(queue, server, PrintSettings(command_timeout=timeout)).state()
    except ValueError as exc:
        return {"state": "disconnected", "reason": str(exc), "details": details}
    except DeviceUnavailable as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except DeviceError as exc:
        return {"state": "error", "reason": exc.message, "details": details}
    except Exception as exc:  # the doctor reports; it does not crash
        log.exception("cups doctor failed")
        return {"state": "error", "reason": f"unexpected: {exc}", "details": details}
    details.update(condition=str(st.condition), accepting=st.accepting, message=st.message,
                   alerts=list(st.alerts))
    if st.ready:
        return {"state": "ready", "reason": f"printer {queue} is {st.condition}", "details": details}
    return {"state": "error", "reason": st.problem, "details": details}
