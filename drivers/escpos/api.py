"""The receipt printer's typed interface: what the screens program against, whatever the model.

`drivers.escpos.printer.EscPosPrinter` implements it over serial, TCP 9100, USB or a file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from drivers.escpos.jobs import JobResult, PrintJob
    from drivers.escpos.profiles import Profile
    from drivers.escpos.status import PrinterStatus


class ReceiptPrinter(Protocol):
    profile: Profile

    def print_job(self, job: PrintJob) -> JobResult: ...
    def status(self) -> PrinterStatus: ...
    def poll(self) -> dict[str, Any]: ...
    def close(self) -> None: ...
