"""The ID card reader driver: SAM status and ID, find → select → read, over any transport.

`SamReader` receives its transport (a pyserial object from `drivers.transport.open_url`).
Each command flushes what is waiting, writes its frame and reads until the answer's frame
is complete; it reads exactly the bytes the frame still needs, so the wire sets the pace.

Outcomes: no answer at all is `DeviceTimeout`; bytes that never make a frame (noise, a
truncated frame, a bad checksum, an impossible length) are `DeviceProtocolError`; the SAM's
own result codes become `DeviceFault` with a stable `code` (`no_card`, `read_failed` ...) or
`DeviceProtocolError` for the codes saying our frame arrived damaged (codec.SW3_CODES).
A pulled cable is `DeviceUnavailable`.

Some readers do not read the same card twice: once read, the card must be lifted and placed
again before find succeeds. So when find fails right after an attempt that had found a card,
the fault's code is `lift_card` ("lift the card and place it again") instead of `no_card`;
later failures are `no_card` again.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import serial

from drivers.errors import DeviceFault, DeviceProtocolError, DeviceTimeout, DeviceUnavailable
from drivers.idcard import codec
from drivers.idcard.card import IdCard, parse_text_block
from drivers.idcard.codec import Command, Response
from drivers.idcard.photo import NoPhotoDecoder, Photo, PhotoDecoder, decoder_from_settings
from drivers.link import Link
from drivers.transport import Transport, open_url

log = logging.getLogger(__name__)

try:  # a pulled USB adapter or a closed pty also fails inside termios calls
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - not POSIX
    _TermiosError = OSError
PORT_ERRORS = (serial.SerialException, OSError, _TermiosError)

KIND = "idcard"
SAM_ID_SIZE = 16
LIFT_MESSAGE = "未发现证件；如证件仍在阅读器上，请拿起后重新放置 (no card found: if the card is still on the reader, lift it and place it again)"


@dataclass(frozen=True)
class ReaderSettings:
    """Per-model data. Timeouts are for one command's whole answer."""

    baudrate: int = 115200
    command_timeout: float = 0.5
    read_timeout: float = 2.0  # the card answer: 1,295–2,321 bytes plus the card's own time

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any] | None) -> ReaderSettings:
        s = settings or {}
        return cls(
            baudrate=int(s.get("baudrate", cls.baudrate)),
            command_timeout=float(s.get("command_timeout", cls.command_timeout)),
            read_timeout=float(s.get("read_timeout", cls.read_timeout)),
        )


def format_sam_id(data: bytes) -> str:
    """The SAM ID as vendor tools print it, e.g. `05.01-20101216-000001234-000005678`.

    Bytes 0 and 2 as two digits, then three little-endian 32-bit numbers from bytes 4, 8
    and 12 (the last two zero-padded to 9 digits); single public source (HslCommunication).
    """
    if len(data) < SAM_ID_SIZE:
        raise DeviceProtocolError(f"SAM ID of {len(data)} bytes, expected {SAM_ID_SIZE}")
    part = [int.from_bytes(data[i : i + 4], "little") for i in (4, 8, 12)]
    return f"{data[0]:02d}.{data[2]:02d}-{part[0]}-{part[1]:09d}-{part[2]:09d}"


# what a success answer to each command carries; other answers are stale ones, skipped
_DATA_SIZE: dict[Command, Callable[[int], bool]] = {
    Command.FIND: lambda n: n == 4,
    Command.SELECT: lambda n: n == 8,
    Command.SAM_ID: lambda n: n == SAM_ID_SIZE,
    Command.SAM_STATUS: lambda n: n == 0,
    Command.RESET: lambda n: n == 0,
    Command.READ_BASE: lambda n: n >= 4 + 256,
    Command.READ_WITH_FINGERPRINT: lambda n: n >= 6 + 256,
}


def _any(_n: int) -> bool:
    return True


_SUCCESS = {Command.FIND: (codec.SW3_CARD_FOUND, codec.SW3_OK)}


class SamReader:
    def __init__(
        self,
        port: Transport,
        *,
        device: str = KIND,
        settings: ReaderSettings | None = None,
        photo_decoder: PhotoDecoder | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.port = port
        self.device = device
        self.settings = settings or ReaderSettings()
        self.photo_decoder: PhotoDecoder = photo_decoder or NoPhotoDecoder()
        self.clock = clock
        self._decoder = codec.FrameDecoder(min_len=4)
        self._found_last = False  # the previous attempt found a card (see the module doc)
        if port.timeout is None or port.timeout > 0.1:
            port.timeout = 0.05  # one read call never outlasts a command's deadline by much

    # -- wire

    def _io(self, action: Callable[[], Any], what: str) -> Any:
        try:
            return action()
        except PORT_ERRORS as exc:
            raise DeviceUnavailable(f"{what} failed: {exc}", device=self.device) from exc

    def transact(self, command: Command, data: bytes = b"", *, timeout: float | None = None) -> Response:
        """Sends one command and returns the reader's answer to it (whatever its SW3)."""
        timeout = self.settings.command_timeout if timeout is None else timeout
        self._io(self.port.reset_input_buffer, "flushing the port")
        self._decoder.reset()
        self._io(lambda: self.port.write(codec.encode_request(command, data=data)), "writing")
        deadline = self.clock() + timeout
        received = skipped = 0
        while True:
            try:
                body = self._decoder.next_body()
            except DeviceProtocolError as exc:  # the answer is lost: say so at once
                raise DeviceProtocolError(f"answer to {command.name}: {exc.message}", device=self.device) from exc
            if body is not None:
                response = Response.from_body(body)
                if response.sw3 not in self._success(command) or _DATA_SIZE.get(command, _any)(len(response.data)):
                    return response
                skipped += 1
                log.debug("%s: skipped an answer of %d bytes to an earlier command", self.device, len(response.data))
                continue
            if self.clock() >= deadline:
                break
            chunk = self._io(lambda: self.port.read(self._decoder.wanted()), "reading")
            received += len(chunk)
            self._decoder.feed(chunk)
        waited = f"after {timeout:.2f} s"
        if received == 0:
            raise DeviceTimeout(f"no answer to {command.name} {waited}", device=self.device)
        if self._decoder.in_frame():
            raise DeviceProtocolError(
                f"truncated answer to {command.name}: {self._decoder.buffered} bytes, "
                f"{self._decoder.wanted()} missing {waited}", device=self.device)
        if skipped:
            raise DeviceTimeout(f"no answer to {command.name} {waited} (skipped {skipped} "
                                "answers to earlier commands)", device=self.device)
        raise DeviceProtocolError(
            f"no frame in {received} bytes answering {command.name} (noise on the line?)", device=self.device)

    @staticmethod
    def _success(command: Command) -> tuple[int, ...]:
        return _SUCCESS.get(command, (codec.SW3_OK,))

    def command(self, command: Command, *, timeout: float | None = None, doing: str = "") -> Response:
        """`transact`, raising the SAM's result code as an error unless it means success."""
        response = self.transact(command, timeout=timeout)
        if response.sw3 not in self._success(command):
            raise codec.sw3_error(response.sw3, device=self.device, doing=doing or command.name.lower())
        return response

    # -- IdCardReader

    def sam_status(self) -> None:
        self.command(Command.SAM_STATUS, doing="checking the SAM")

    def sam_id(self) -> str:
        return format_sam_id(self.command(Command.SAM_ID, doing="reading the SAM ID").data)

    def read_card(self, *, fingerprint: bool = False) -> IdCard:
        found_before, self._found_last = self._found_last, False
        try:
            self.command(Command.FIND, doing="finding the card")
        except DeviceFault as exc:
            if exc.code == "no_card" and found_before:
                raise DeviceFault(LIFT_MESSAGE, device=self.device, code="lift_card") from exc
            raise
        self._found_last = True
        self.command(Command.SELECT, doing="selecting the card")
        read = Command.READ_WITH_FINGERPRINT if fingerprint else Command.READ_BASE
        response = self.command(read, timeout=self.settings.read_timeout, doing="reading the card")
        try:
            data = codec.split_read_data(response.data)
            card = parse_text_block(data.text, photo=data.photo, fingerprint=data.fingerprint)
        except DeviceProtocolError as exc:
            raise DeviceProtocolError(exc.message, device=self.device) from exc
        log.info("%s: read a %s (%d warnings)", self.device, card.card_type.value, len(card.warnings))
        return card

    def decode_photo(self, card: IdCard) -> Photo:
        return self.photo_decoder.decode(card.photo)

    def close(self) -> None:
        try:
            self.port.close()
        except PORT_ERRORS:
            log.debug("%s: closing the port failed", self.device, exc_info=True)


# -- long-lived reader, doctor


def connect(url: str, settings: Mapping[str, Any] | None = None, *, device: str = KIND) -> SamReader:
    """Opens the port and checks the SAM: the `connect` of a `Link`."""
    s = ReaderSettings.from_mapping(settings)
    reader = SamReader(open_url(url, baudrate=s.baudrate, timeout=0.05), device=device, settings=s,
                       photo_decoder=decoder_from_settings(settings))
    try:
        reader.sam_status()
    except DeviceFault:
        pass  # it answers: connected, and the first poll reports the SAM's fault
    except (DeviceTimeout, DeviceProtocolError, DeviceUnavailable) as exc:
        reader.close()
        raise DeviceUnavailable(f"no ID card reader answers on {url}: {exc.message}", device=device) from exc
    except BaseException:
        reader.close()
        raise
    return reader


def poll(reader: SamReader) -> dict[str, Any]:
    reader.sam_status()
    return {"sam": "ok"}


def make_link(device: str, url: str, settings: Mapping[str, Any] | None = None,
              **link_options: Any) -> Link[SamReader]:
    """The reader kept connected: SAM status on connect and as the poll."""
    return Link(device, KIND, lambda: connect(url, settings, device=device), poll, **link_options)


def doctor(url: str, settings: Mapping[str, Any] | None = None, timeout: float = 2.0) -> dict[str, Any]:
    """SAM status and SAM ID of the reader at `url`. Never raises."""
    s = ReaderSettings.from_mapping(settings)
    s = ReaderSettings(s.baudrate, min(s.command_timeout, timeout), s.read_timeout)
    details: dict[str, Any] = {"url": url, "sam_id": None}
    try:
        reader = SamReader(open_url(url, baudrate=s.baudrate, timeout=0.05), settings=s)
    except DeviceUnavailable as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except Exception as exc:  # doctor reports, whatever happened
        return {"state": "disconnected", "reason": f"cannot open {url}: {exc}", "details": details}
    try:
        reader.sam_status()
        details["sam_status"] = "ok"
        details["sam_id"] = reader.sam_id()
        return {"state": "ready", "reason": "SAM ok", "details": details}
    except DeviceFault as exc:
        details["code"] = exc.code
        return {"state": "error", "reason": exc.message, "details": details}
    except (DeviceTimeout, DeviceUnavailable) as exc:
        return {"state": "disconnected", "reason": exc.message, "details": details}
    except DeviceProtocolError as exc:
        return {"state": "error", "reason": exc.message, "details": details}
    except Exception as exc:
        log.exception("doctor of %s failed", url)
        return {"state": "error", "reason": f"unexpected failure: {exc}", "details": details}
    finally:
        reader.close()
