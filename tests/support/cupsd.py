"""A private cupsd with one cups-pdf queue, for tests: started by PID, removed afterwards.

The scheduler runs in the foreground (`cupsd -f`) with its own ServerRoot, spool, cache, state
and logs in a temporary directory, listening on 127.0.0.1:<free port> only, so a system cupsd
(if one runs) is neither used nor disturbed. The one file outside the temporary directory is
/etc/cups/cups-pdf-<queue>.conf: cups-pdf reads its settings from /etc/cups whatever the
scheduler's ServerRoot, so the helper writes it there and removes it at teardown (and removes
files left by a killed run on the next start). The machinery lives in
`drivers.cups.simulator`, shared with `yiciban sim a4_printer`.
"""
from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from drivers.cups.simulator import CUPS_PDF_BACKEND, CUPSD, PdfQueue, PrivateCupsd


def unavailable_reason() -> str:
    """Why a private cupsd cannot run here, or "" when it can."""
    if os.geteuid() != 0:
        return "a private cupsd with the cups-pdf backend needs root"
    missing = [tool for tool in (CUPSD, CUPS_PDF_BACKEND, "/usr/bin/pdftotext")
               if not Path(tool).exists()]
    if missing:
        return f"missing {', '.join(missing)} (apt: cups printer-driver-cups-pdf poppler-utils)"
    return ""


@dataclass(frozen=True)
class CupsTestServer:
    cupsd: PrivateCupsd
    queue: PdfQueue

    @property
    def server(self) -> str:
        return self.cupsd.server

    @property
    def url(self) -> str:
        return self.cupsd.url(self.queue.name)

    def admin(self, tool: str, *args: str) -> str:
        """Runs a CUPS admin tool (cupsdisable, cupsenable, cupsreject, cupsaccept, lp, lpstat)
        against this server; returns stdout, raises on failure."""
        proc = subprocess.run(
            [tool, "-h", self.server, *args], capture_output=True, text=True, timeout=10,
            env={**os.environ, "LC_ALL": "C.UTF-8"}, check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(f"{tool} {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def restore(self) -> None:
        """Back to enabled and accepting, whatever a test did to the queue."""
        self.admin("cupsenable", self.queue.name)
        self.admin("cupsaccept", self.queue.name)


@contextmanager
def private_cupsd() -> Iterator[CupsTestServer]:
    cupsd = PrivateCupsd()
    try:
        cupsd.start()
        yield CupsTestServer(cupsd, cupsd.add_pdf_queue())
    finally:
        cupsd.stop()


def pdftotext(pdf: Path) -> str:
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, timeout=20, check=True)
    return proc.stdout
