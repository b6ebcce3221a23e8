"""A scanner in serial line mode: USB-CDC (`/dev/ttyACM*`), TTL or RS-232, over `open_url`.

The driver only reads: it never writes to the port (a setup command sent to the wrong device
could reconfigure it). The scanner's own settings (suffix, encoding, AIM prefix) are configured
on the scanner by its vendor's setup codes and told to the driver in a `LineConfig`.

Framing is the codec's. Two timers live here, because they need a clock:
- with suffix `none`, a line ends after `idle_flush` seconds without bytes;
- with any other suffix, bytes left without a suffix for `stale_after` seconds are reported as
  `Rejected` (a scanner whose suffix differs from the configuration shows up, not a silent hang).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import serial

from drivers.errors import DeviceUnavailable
from drivers.link import StatusCallback
from drivers.scanner.codec import DEFAULT_BAUDRATE, LineConfig, ScanCodec
from drivers.scanner.reader import LinkedScanner, RejectedCallback
from drivers.scanner.scan import RAW_HEAD, Rejected, Scan
from drivers.transport import Transport, open_url

log = logging.getLogger(__name__)

CHUNK_TIMEOUT = 0.05


class SerialSession:
    def __init__(self, port: Transport, codec: ScanCodec) -> None:
        self.port = port
        self.codec = codec
        self.last_byte = time.monotonic()

    def close(self) -> None:
        self.port.close()


class SerialScanner(LinkedScanner[SerialSession]):
    def __init__(
        self,
        url: str,
        config: LineConfig | None = None,
        *,
        device: str = "scanner",
        baudrate: int = DEFAULT_BAUDRATE,
        idle_flush: float = 0.1,
        stale_after: float = 2.0,
        port_factory: Callable[[], Transport] | None = None,
        backoff: tuple[float, float] = (0.2, 5.0),
        clock: Callable[[], float] = time.time,
        on_status: StatusCallback | None = None,
        on_rejected: RejectedCallback | None = None,
    ) -> None:
        self.url = url
        self.config = config or LineConfig()
        self.baudrate = baudrate
        self.idle_flush = idle_flush
        self.stale_after = stale_after
        self._port_factory = port_factory or (
            lambda: open_url(url, baudrate=baudrate, timeout=CHUNK_TIMEOUT)
        )
        super().__init__(
            device, backoff=backoff, clock=clock, on_status=on_status, on_rejected=on_rejected
        )

    def _open(self) -> SerialSession:
        port = self._port_factory()
        log.info("scanner %s opened %s (%s)", self.device, self.url, self.config)
        return SerialSession(port, ScanCodec(self.config))

    def _read_chunk(self, session: SerialSession) -> list[Scan | Rejected]:
        port = session.port
        try:
            waiting = port.in_waiting
            data = port.read(max(1, waiting))
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"{self.url}: {exc}", device=self.device) from exc
        now = time.monotonic()
        codec = session.codec
        if data:
            session.last_byte = now
            return codec.feed(data, self.clock())
        if not codec.pending:
            return []
        idle = now - session.last_byte
        if self.config.suffix == "none" and idle >= self.idle_flush:
            return codec.flush(self.clock())
        if self.config.suffix != "none" and idle >= self.stale_after:
            head = codec.splitter.held()[:RAW_HEAD]
            codec.flush()
            return [
                Rejected(
                    f"no {self.config.suffix} suffix within {self.stale_after:g} s; "
                    "check the scanner's suffix setting",
                    head,
                    self.clock(),
                )
            ]
        return []

    def _details(self) -> dict[str, Any]:
        return {"url": self.url, "baudrate": self.baudrate, "suffix": self.config.suffix,
                "encoding": self.config.encoding, "rejected": self.rejected}
