"""Printing the dispenser's ticket: one job at a time, an answer always, even from a silent printer.

`TicketPrinting.start()` says at once when no printer can print (none configured, out of paper,
cover open, away): the screen shows the ticket instead. Otherwise the job goes to the printer's
thread with the ticket's id as its key, and `finished(printed, fault)` follows: from the driver,
or from a guard timer when the printer never answers.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from drivers.errors import DeviceError
from drivers.status import State
from kiosk.devices import DeviceHub
from kiosk.peripherals import printer as ticket_printer

log = logging.getLogger(__name__)

DEVICE = ticket_printer.KIND
GUARD_MS = 30_000  # beyond the driver's own job timeout: the screen never waits forever


class TicketPrinting(QObject):
    finished = Signal(bool, str)  # printed; the fault's code when not ("paper_out" ...), or ""

    def __init__(self, devices: DeviceHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.devices = devices
        self.action: str | None = None
        self.fault = ""
        self._hooked: Any = None
        self.guard = QTimer(self)
        self.guard.setSingleShot(True)
        self.guard.setInterval(GUARD_MS)
        self.guard.timeout.connect(self.on_guard_timeout)

    def start(self, key: str, document: Any) -> bool:
        """Sends the job; False (and `fault`) when no printer can take it now."""
        self.cancel()
        printer = self.devices.get(DEVICE)
        status = self.devices.states.get(DEVICE)
        if printer is None or (status is not None and status.state in (State.ERROR, State.DISCONNECTED)):
            self.fault = str(status.details.get("code", "")) if status is not None else ""
            return False
        if self._hooked is not printer:
            printer.action_finished.connect(self.on_printer_action_finished)
            printer.action_failed.connect(self.on_printer_action_failed)
            self._hooked = printer
        self.fault = ""
        self.action = ticket_printer.print_document(printer, key, document)
        self.guard.start()
        return True

    def cancel(self) -> None:
        """Forget the job in progress: a late answer to it is ignored."""
        self.action = None
        self.guard.stop()

    def _finish(self, printed: bool, fault: str) -> None:
        self.cancel()
        self.fault = fault
        self.finished.emit(printed, fault)

    @Slot(str, object)
    def on_printer_action_finished(self, name: str, _result: Any) -> None:
        if name == self.action:
            self._finish(True, "")

    @Slot(str, object)
    def on_printer_action_failed(self, name: str, exc: Any) -> None:
        if name == self.action:
            log.warning("ticket not printed: %s", exc.message if isinstance(exc, DeviceError) else exc)
            self._finish(False, str(getattr(exc, "code", "") or ""))

    @Slot()
    def on_guard_timeout(self) -> None:
        if self.action is not None:
            log.warning("the printer did not finish within %d s; ticket shown on screen", GUARD_MS // 1000)
            self._finish(False, "")
