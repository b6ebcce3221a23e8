"""The screen's ESC/POS ticket printer: a `DeviceWorker` over the driver's `Link`.

The link keeps the printer connected and polls its status (paper, cover) for the status row.
A ticket is printed as a `PrintJob` whose key is the ticket's id: the driver records the key
only once the printer has confirmed the whole ticket, and acknowledges a job whose key it has
already printed without printing it again. So a citizen's ticket retried after a fault, a
reconnect or a double tap comes out once. `keys_file` in the device settings keeps that memory
across restarts of the screen.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from drivers.escpos.jobs import JobResult, PrintJob
from drivers.escpos.ticket import Document
from drivers.registry import make_link
from kiosk.devices import DeviceWorker

log = logging.getLogger(__name__)

KIND = "receipt_printer"  # the device's name on a screen, as the registry names its kind
ACTION_PREFIX = "print:"
FAULT_CODES = ("paper_out", "cover_open", "offline", "cutter_error")  # what DeviceFault.code may say


def worker(name: str, url: str, settings: Mapping[str, Any]) -> DeviceWorker:
    """The printer at `url` (a serial device or pty, socket://host:9100, /dev/usb/lp0, file:PATH)
    on its own thread. Settings as `drivers.escpos.printer.connect` takes them (width, baudrate,
    job_timeout, keys_file ...); `status_interval` is the seconds between status polls."""
    return DeviceWorker(make_link(KIND, name, url, settings))


def action_name(key: str) -> str:
    """The name `action_finished` / `action_failed` carry for the job with this key."""
    return ACTION_PREFIX + key


def print_document(printer: DeviceWorker, key: str, document: Document) -> str:
    """Queues `document` on the printer's thread as the job `key` (a ticket's id); returns the
    action's name. Retrying with the same key prints nothing more once the job is printed:
    `action_finished` then carries a `JobResult` with `duplicate=True`."""
    job = PrintJob(key, document)

    def run(session: Any) -> JobResult:
        return session.print_job(job)

    name = action_name(key)
    printer.act(name, run)
    return name
