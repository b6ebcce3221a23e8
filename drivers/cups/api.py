"""The A4 printer's typed interface: what the screens program against.

`drivers.cups.printer.CupsPrinter` implements it over a CUPS queue.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from drivers.cups.model import PrinterState, PrintResult


class A4Printer(Protocol):
    def print_pdf(
        self, pdf: Path | str, *, title: str = "", key: str | None = None, timeout: float | None = None
    ) -> PrintResult: ...

    def job(self, job_id: int) -> PrintResult: ...

    def state(self) -> PrinterState: ...

    def cancel(self, job_id: int) -> None: ...

    def close(self) -> None: ...
