"""A4 printer through CUPS: submit a PDF with `lp`, follow the job, report the printer's state.

URLs: `cups://QUEUE` (the local CUPS), `cups://HOST:PORT/QUEUE`, `ipp://HOST:PORT/printers/QUEUE`.
The simulator is a private cupsd with a cups-pdf queue (`simulator.PrivateCupsd`).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from drivers.cups.model import (
    A4Printer,
    JobState,
    PrinterCondition,
    PrinterState,
    PrintResult,
    PrintSettings,
)

log = logging.getLogger(__name__)

__all__ = [
    "A4Printer",
    "JobState",
    "PrintResult",
    "PrintSettings",
    "PrinterCondition",
    "PrinterState",
    "doctor",
    "sim_main",
]


def sim_main(argv: list[str]) -> int:
    from drivers.cups.simulator import sim_main as run

    return run(argv)


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
