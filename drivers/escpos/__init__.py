"""Receipt and ticket printers speaking ESC/POS (serial, TCP 9100, USB printer class, capture file).

- `commands`: byte builders; `ticket`: the document model and its bytes (GB18030 in Chinese mode,
  raster fallback); `profiles`: 58 and 80 mm printers as data; `status`: DLE EOT and ASB parsing;
  `jobs`: print jobs and the printed-key memory; `printer`: the driver and its transports;
  `parser`, `engine`, `draw`, `simulator`: the simulated printer.

Importing this package does no work and loads neither Pillow nor pyserial.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.escpos.jobs import PrintedKeys
    from drivers.escpos.printer import EscPosPrinter
    from drivers.link import Link

KIND = "receipt_printer"


def sim_main(argv: list[str] | None = None) -> int:
    """`yiciban sim receipt_printer [--pty [--link PATH] | --tcp PORT] [--width 58|80] [--out DIR] ...`"""
    from drivers.escpos.simulator import main

    return main(argv)


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None, *,
              keys: PrintedKeys | None = None, **link_options: Any) -> Link[EscPosPrinter]:
    """A `Link` that keeps the printer connected and polls it with DLE EOT. The printed-key memory
    outlives reconnects, so a job retried across an unplug still prints once."""
    from drivers.escpos.printer import connect, keys_for
    from drivers.link import Link

    settings = dict(settings or {})
    memory = keys if keys is not None else keys_for(settings)
    link_options.setdefault("poll_interval", float(settings.get("status_interval", 2.0)))
    return Link(device, KIND, lambda: connect(url, settings, keys=memory, device=device),
                lambda printer: printer.poll(), **link_options)


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 2.0) -> dict[str, Any]:
    """Opens the printer the URL names, asks DLE EOT 1-4, and says what it found. Never raises."""
    from drivers.errors import DeviceError, DeviceTimeout, DeviceUnavailable
    from drivers.escpos.printer import connect

    settings = {**(settings or {}), "reply_timeout": timeout}
    try:
        printer = connect(url, settings)
    except DeviceUnavailable as exc:
        return {"state": "disconnected", "reason": exc.message, "details": {"url": url}}
    except Exception as exc:  # bad settings, or anything else: a doctor reports, it does not crash
        return {"state": "error", "reason": str(exc), "details": {"url": url}}
    details: dict[str, Any] = {"url": url, "profile": printer.profile.name, "font": printer.profile.font}
    try:
        if not printer.can_read:
            return {"state": "ready", "reason": "write-only transport: no status to read",
                    "details": details}
        st = printer.status()
        details.update(st.details())
        if st.fault:
            return {"state": "error", "reason": st.message, "details": details}
        return {"state": "ready", "reason": "ok", "details": details}
    except DeviceTimeout as exc:
        return {"state": "disconnected", "reason": f"no answer: {exc.message}", "details": details}
    except DeviceError as exc:
        state = "disconnected" if isinstance(exc, DeviceUnavailable) else "error"
        return {"state": state, "reason": exc.message, "details": details}
    except Exception as exc:
        return {"state": "error", "reason": str(exc), "details": details}
    finally:
        printer.close()
