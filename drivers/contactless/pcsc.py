"""PC/SC through pyscard's low-level `scard` API: result codes become our errors.

The low-level API returns a result code instead of raising, and lets the driver own its
contexts: each is established, used and released explicitly, so nothing is released under
us by garbage collection (pyscard's high-level `CardRequest.waitforcard()` result must be
kept alive for that reason; we do not use it).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from smartcard import scard

from drivers.errors import DeviceError, DeviceFault, DeviceTimeout, DeviceUnavailable

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"

NO_SERVICE = 0x8010001D
SERVICE_STOPPED = 0x8010001E
NO_READERS = 0x8010002E
UNKNOWN_READER = 0x80100009
READER_UNAVAILABLE = 0x80100017
NO_SMARTCARD = 0x8010000C
REMOVED_CARD = 0x80100069
RESET_CARD = 0x80100068
UNRESPONSIVE_CARD = 0x80100066
UNPOWERED_CARD = 0x80100067
TIMEOUT = 0x8010000A
CANCELLED = 0x80100002
NOT_TRANSACTED = 0x80100016
SHARING_VIOLATION = 0x8010000B
COMM_ERROR = 0x80100013
INVALID_HANDLE = 0x80100003

NAMES = {
    NO_SERVICE: "SCARD_E_NO_SERVICE",
    SERVICE_STOPPED: "SCARD_E_SERVICE_STOPPED",
    NO_READERS: "SCARD_E_NO_READERS_AVAILABLE",
    UNKNOWN_READER: "SCARD_E_UNKNOWN_READER",
    READER_UNAVAILABLE: "SCARD_E_READER_UNAVAILABLE",
    NO_SMARTCARD: "SCARD_E_NO_SMARTCARD",
    REMOVED_CARD: "SCARD_W_REMOVED_CARD",
    RESET_CARD: "SCARD_W_RESET_CARD",
    UNRESPONSIVE_CARD: "SCARD_W_UNRESPONSIVE_CARD",
    UNPOWERED_CARD: "SCARD_W_UNPOWERED_CARD",
    TIMEOUT: "SCARD_E_TIMEOUT",
    CANCELLED: "SCARD_E_CANCELLED",
    NOT_TRANSACTED: "SCARD_E_NOT_TRANSACTED",
    SHARING_VIOLATION: "SCARD_E_SHARING_VIOLATION",
    COMM_ERROR: "SCARD_F_COMM_ERROR",
    INVALID_HANDLE: "SCARD_E_INVALID_HANDLE",
}

CARD_GONE = frozenset({NO_SMARTCARD, REMOVED_CARD})


def code(hresult: int) -> int:
    return hresult & 0xFFFFFFFF


def error(hresult: int, doing: str, device: str = "") -> DeviceError:
    """Our error for a PC/SC result code, saying what was being done and the code's name."""
    c = code(hresult)
    tag = f"0x{c:08X} {NAMES.get(c, '')}".rstrip()
    if c in (NO_SERVICE, SERVICE_STOPPED):
        return DeviceUnavailable(
            f"{doing}: the PC/SC service is not running ({tag}); pcscd must run "
            "(systemctl start pcscd.socket, or pcscd -f)", device=device)
    if c == COMM_ERROR:  # what libpcsclite says when its socket to pcscd breaks
        return DeviceUnavailable(f"{doing}: lost the connection to pcscd ({tag})", device=device)
    if c in (NO_READERS, UNKNOWN_READER, READER_UNAVAILABLE):
        return DeviceUnavailable(f"{doing}: reader not connected ({tag})", device=device)
    if c in CARD_GONE:
        return DeviceFault(f"{doing}: no card on the reader ({tag})", device=device,
                           code="card-removed" if c == REMOVED_CARD else "no-card")
    if c in (UNRESPONSIVE_CARD, UNPOWERED_CARD):
        return DeviceFault(f"{doing}: the card does not answer ({tag})", device=device,
                           code="card-mute")
    if c == TIMEOUT:
        return DeviceTimeout(f"{doing}: timed out ({tag})", device=device)
    try:
        text = scard.SCardGetErrorMessage(hresult)
    except Exception:  # only decoration for the message
        text = ""
    return DeviceError(f"{doing}: {text or 'PC/SC error'} ({tag})", device=device)


def check(hresult: int, doing: str, device: str = "") -> None:
    if hresult != scard.SCARD_S_SUCCESS:
        raise error(hresult, doing, device)


class Context:
    """One PC/SC context (a connection to pcscd), released on `release()` or `with` exit."""

    def __init__(self, device: str = "") -> None:
        self.device = device
        hresult, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        check(hresult, "connecting to pcscd", device)
        self.handle = handle
        self.released = False

    def readers(self) -> list[str]:
        hresult, names = scard.SCardListReaders(self.handle, [])
        if code(hresult) == NO_READERS:
            return []
        check(hresult, "listing readers", self.device)
        return [str(n) for n in names]

    def status_change(
        self, states: Sequence[tuple[str, int]], timeout_ms: int
    ) -> tuple[int, list[tuple[str, int, bytes]]]:
        """(result code, [(reader, event state, ATR)]); the caller decides what a timeout means."""
        hresult, result = scard.SCardGetStatusChange(self.handle, timeout_ms, list(states))
        if hresult != scard.SCARD_S_SUCCESS:
            return code(hresult), []
        return 0, [(str(r), int(e), bytes(a)) for r, e, a in result]

    def cancel(self) -> None:
        """Wakes a `status_change` waiting on another thread."""
        if not self.released:
            scard.SCardCancel(self.handle)

    def release(self) -> None:
        if not self.released:
            self.released = True
            scard.SCardReleaseContext(self.handle)

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def present(event_state: int) -> bool:
    return bool(event_state & scard.SCARD_STATE_PRESENT)


def event_count(event_state: int) -> int:
    """pcsc-lite counts card insertions and removals in the high word of the event state."""
    return (event_state >> 16) & 0xFFFF
