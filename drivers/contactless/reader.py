"""The contactless reader driver: readers, card events, ATR, UID, APDU scripts over PC/SC.

Every operation opens its own PC/SC context and card connection and closes them before it
returns, so a pcscd restart or a swapped card never leaves a stale handle behind. Card
insert/remove events come from `SCardGetStatusChange` on a worker thread (`CardWatcher`),
which waits at most `status_timeout` per call and is woken by `SCardCancel` to stop.
Logs name commands by their header (CLA INS P1 P2) and status word only, never their data.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from smartcard import scard

from drivers.contactless import pcsc
from drivers.contactless.model import (
    ApduScript,
    ApduStep,
    CardEvent,
    CardEventCallback,
    CardEventKind,
    CardInfo,
    ScriptResult,
    StepResult,
)
from drivers.errors import (
    DeviceError,
    DeviceFault,
    DeviceProtocolError,
    DeviceTimeout,
    DeviceUnavailable,
)

log = logging.getLogger(__name__)

GET_UID = bytes.fromhex("FFCA000000")
ErrorCallback = Callable[[DeviceError], None]


@dataclass(frozen=True)
class ReaderSettings:
    reader: str = ""  # a reader name, or the start of one ("Virtual PCD"); "" = any reader
    status_timeout: float = 0.5  # longest single wait inside pcscd
    removal_grace: float = 1.5  # after a failed APDU, how long to wait to see the card gone
    transaction: bool = True  # scripts run inside SCardBeginTransaction


class _Card:
    """One connection to the card in one reader."""

    def __init__(self, ctx: pcsc.Context, reader: str, device: str) -> None:
        self.ctx, self.reader, self.device = ctx, reader, device
        hresult, self.handle, self.protocol = scard.SCardConnect(
            ctx.handle, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        pcsc.check(hresult, f"connecting to the card in {reader}", device)
        self.pci = scard.SCARD_PCI_T0 if self.protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1

    def atr(self) -> bytes:
        hresult, _reader, _state, _protocol, atr = scard.SCardStatus(self.handle)
        pcsc.check(hresult, f"reading the ATR in {self.reader}", self.device)
        return bytes(atr)

    def gone(self, grace: float) -> bool:
        """Whether the card has left the reader, waiting up to `grace` seconds for pcscd to
        notice (vpcd, for one, answers an APDU cut short by a removal with 0 bytes, and pcscd
        sees the card gone only at its next poll)."""
        hresult, *_ = scard.SCardStatus(self.handle)
        if pcsc.code(hresult) in pcsc.CARD_GONE:
            return True
        deadline = time.monotonic() + grace
        state = scard.SCARD_STATE_UNAWARE
        while True:
            hresult, states = self.ctx.status_change([(self.reader, state)],
                                                     int(max(0.0, deadline - time.monotonic()) * 1000))
            if hresult or not states:
                return hresult in (pcsc.UNKNOWN_READER, pcsc.READER_UNAVAILABLE)
            state = states[0][1]
            if not pcsc.present(state) or time.monotonic() >= deadline:
                return not pcsc.present(state)
            state &= ~scard.SCARD_STATE_CHANGED

    def transmit(self, apdu: bytes) -> tuple[bytes, bytes]:
        """(data, SW1 SW2); follows 61xx (GET RESPONSE) and 6Cxx (resend with Le) answers."""
        data = b""
        command = apdu
        resent = False
        for _ in range(32):
            hresult, response = scard.SCardTransmit(self.handle, self.pci, list(command))
            pcsc.check(hresult, f"sending {apdu[:4].hex(' ').upper()}", self.device)
            response = bytes(response)
            if len(response) < 2:
                raise DeviceProtocolError(f"answer of {len(response)} bytes, without a status word",
                                          device=self.device)
            body, sw = response[:-2], response[-2:]
            if sw[0] == 0x61:
                data += body
                command = bytes([apdu[0], 0xC0, 0x00, 0x00, sw[1]])
            elif sw[0] == 0x6C and not resent and (retry := _with_le(apdu, sw[1])) is not None:
                command, resent = retry, True
            else:
                return data + body, sw
        raise DeviceError("the card keeps asking for GET RESPONSE", device=self.device)

    def close(self) -> None:
        scard.SCardDisconnect(self.handle, scard.SCARD_LEAVE_CARD)


def _with_le(apdu: bytes, le: int) -> bytes | None:
    """The same command asking for `le` bytes (cases 2 and 4 only)."""
    if len(apdu) == 5:
        return apdu[:4] + bytes([le])
    if len(apdu) > 5 and len(apdu) == 6 + apdu[4]:
        return apdu[:-1] + bytes([le])
    return None


class PcscReader:
    def __init__(self, settings: ReaderSettings | None = None) -> None:
        self.settings = settings or ReaderSettings()
        self.device = f"pcsc:{self.settings.reader or '*'}"
        self._watchers: list[CardWatcher] = []

    def _matches(self, name: str) -> bool:
        return name.startswith(self.settings.reader)

    def readers(self) -> list[str]:
        """The readers pcscd knows (those the settings name, when they name one)."""
        with pcsc.Context(self.device) as ctx:
            return [r for r in ctx.readers() if self._matches(r)]

    def _states(self, ctx: pcsc.Context) -> list[tuple[str, int, bytes]]:
        names = [r for r in ctx.readers() if self._matches(r)]
        if not names:
            wanted = self.settings.reader
            raise DeviceUnavailable(f"no reader {wanted!r}" if wanted else "no reader connected",
                                    device=self.device)
        hresult, states = ctx.status_change([(r, scard.SCARD_STATE_UNAWARE) for r in names], 0)
        if hresult:
            raise pcsc.error(hresult, "asking the readers' state", self.device)
        return states

    def card_present(self) -> CardInfo | None:
        """The first card on a matching reader (reader and ATR), or None."""
        with pcsc.Context(self.device) as ctx:
            for reader, state, atr in self._states(ctx):
                if pcsc.present(state):
                    return CardInfo(reader, atr, events=pcsc.event_count(state))
        return None

    def wait_for_card(self, timeout: float) -> CardInfo:
        """Reader and ATR of a card, as soon as one is on a matching reader."""
        card = self._wait(True, timeout)
        assert card is not None
        return card

    def wait_for_removal(self, timeout: float) -> None:
        self._wait(False, timeout)

    def _wait(self, want_card: bool, timeout: float) -> CardInfo | None:
        deadline = time.monotonic() + timeout
        with pcsc.Context(self.device) as ctx:
            states = self._states(ctx)
            while True:
                cards = [(r, a) for r, s, a in states if pcsc.present(s)]
                if want_card and cards:
                    return CardInfo(*cards[0])
                if not want_card and not cards:
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    what = "a card" if want_card else "the card to be taken away"
                    raise DeviceTimeout(f"waited {timeout:g} s for {what}", device=self.device)
                wait_ms = int(min(left, self.settings.status_timeout) * 1000)
                query = [(r, s & ~scard.SCARD_STATE_CHANGED) for r, s, _ in states]
                hresult, new = ctx.status_change(query, wait_ms)
                if hresult == pcsc.TIMEOUT:
                    continue
                if hresult:
                    raise pcsc.error(hresult, "waiting for a card", self.device)
                states = new

    @contextlib.contextmanager
    def _card(self) -> Iterator[_Card]:
        with pcsc.Context(self.device) as ctx:
            readers = [r for r, s, _ in self._states(ctx) if pcsc.present(s)]
            if not readers:
                raise DeviceFault("no card on the reader", device=self.device, code="no-card")
            card = _Card(ctx, readers[0], self.device)
            try:
                yield card
            finally:
                card.close()

    def read_card(self) -> CardInfo:
        """Reader, ATR and UID (`FF CA 00 00 00`; None if the card or reader declines)."""
        with self._card() as card:
            atr = card.atr()
            data, sw = card.transmit(GET_UID)
            uid = data if sw == b"\x90\x00" else None
            log.info("card in %s: ATR of %d bytes, UID %s", card.reader, len(atr),
                     "read" if uid else f"refused ({sw.hex()})")
            return CardInfo(card.reader, atr, uid)

    def run_script(self, script: ApduScript) -> ScriptResult:
        """Runs the steps in order (stopping at an unexpected status word, unless the script
        says not to). A card taken away midway is `DeviceFault` code "card-removed"."""
        with self._card() as card:
            info = CardInfo(card.reader, card.atr())
            if self.settings.transaction:
                pcsc.check(scard.SCardBeginTransaction(card.handle), "locking the card", self.device)
            results: list[StepResult] = []
            try:
                for number, step in enumerate(script.steps, 1):
                    results.append(self._step(card, script, number, step))
                    log.debug("%s step %d %s -> %s", script.name, number, step.label, results[-1].sw_hex)
                    if not results[-1].ok and script.stop_on_mismatch:
                        log.info("script %s stopped at step %d (%s): SW %s", script.name, number,
                                 step.label, results[-1].sw_hex)
                        break
            finally:
                if self.settings.transaction:
                    scard.SCardEndTransaction(card.handle, scard.SCARD_LEAVE_CARD)
            return ScriptResult(script.name, info, tuple(results))

    def _step(self, card: _Card, script: ApduScript, number: int, step: ApduStep) -> StepResult:
        where = f"step {number} of {len(script.steps)} of script {script.name!r} ({step.label})"
        try:
            data, sw = card.transmit(step.apdu)
        except DeviceError as exc:
            if getattr(exc, "code", "") in ("card-removed", "no-card") or card.gone(
                self.settings.removal_grace
            ):
                raise DeviceFault(f"card removed during {where}", device=self.device,
                                  code="card-removed") from exc
            if isinstance(exc, DeviceFault):
                raise DeviceFault(f"{where} failed: {exc.message}", device=self.device,
                                  code=exc.code) from exc
            raise type(exc)(f"{where} failed: {exc.message}", device=self.device) from exc
        return StepResult(step, data, sw)

    def watch(self, on_event: CardEventCallback, on_error: ErrorCallback | None = None) -> CardWatcher:
        """Starts a worker thread that reports card events until `stop()` (or `close()`)."""
        watcher = CardWatcher(self.settings, on_event, on_error, matches=self._matches)
        self._watchers.append(watcher)
        watcher.start()
        return watcher

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.stop()
        self._watchers.clear()


class CardWatcher:
    """Card inserted/removed events from a worker thread, through a callback on that thread.

    A card already on the reader at start is reported as inserted. A pcscd that goes away is
    reported to `on_error`, its cards as removed, and the watcher reconnects with backoff.
    """

    def __init__(
        self,
        settings: ReaderSettings,
        on_event: CardEventCallback,
        on_error: ErrorCallback | None = None,
        *,
        matches: Callable[[str], bool] = lambda name: True,
    ) -> None:
        self.settings = settings
        self.on_event, self.on_error = on_event, on_error
        self.matches = matches
        self._stop = threading.Event()
        self._ctx: pcsc.Context | None = None
        self._cards: dict[str, tuple[bool, int]] = {}  # reader -> (present, event count)
        self._thread = threading.Thread(target=self._run, name="contactless-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        ctx = self._ctx
        if ctx is not None:
            with contextlib.suppress(Exception):
                ctx.cancel()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _emit(self, kind: CardEventKind, reader: str, atr: bytes = b"") -> None:
        log.info("card %s on %s", kind, reader)
        try:
            self.on_event(CardEvent(kind, reader, atr))
        except Exception:
            log.exception("card event callback failed")

    def _run(self) -> None:
        backoff, last = 0.5, ""
        while not self._stop.is_set():
            try:
                with pcsc.Context() as ctx:
                    self._ctx = ctx
                    backoff, last = 0.5, ""
                    self._watch(ctx)
            except DeviceError as exc:
                (log.debug if exc.message == last else log.warning)("card watch: %s", exc.message)
                last = exc.message
                for reader, (was_present, _count) in list(self._cards.items()):
                    if was_present:
                        self._emit(CardEventKind.REMOVED, reader)
                self._cards.clear()
                if self.on_error is not None:
                    try:
                        self.on_error(exc)
                    except Exception:
                        log.exception("card watch error callback failed")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                self._ctx = None

    def _watch(self, ctx: pcsc.Context) -> None:
        readers = [r for r in ctx.readers() if self.matches(r)]
        known: dict[str, int] = {r: scard.SCARD_STATE_UNAWARE for r in readers}
        pnp = 0
        timeout_ms = int(self.settings.status_timeout * 1000)
        while not self._stop.is_set():
            query = [*known.items(), (pcsc.PNP_NOTIFICATION, pnp)]
            hresult, states = ctx.status_change(query, timeout_ms)
            if hresult in (pcsc.TIMEOUT, pcsc.CANCELLED):
                continue
            if hresult:
                raise pcsc.error(hresult, "watching the readers")
            for reader, state, atr in states:
                if reader == pcsc.PNP_NOTIFICATION:
                    if state & scard.SCARD_STATE_CHANGED:
                        readers = [r for r in ctx.readers() if self.matches(r)]
                        known = {r: known.get(r, scard.SCARD_STATE_UNAWARE) for r in readers}
                        self._forget_missing(readers)
                    pnp = state & ~scard.SCARD_STATE_CHANGED
                elif reader in known:
                    known[reader] = state & ~scard.SCARD_STATE_CHANGED
                    self._update(reader, state, atr)

    def _forget_missing(self, readers: list[str]) -> None:
        for reader in [r for r in self._cards if r not in readers]:
            was_present, _ = self._cards.pop(reader)
            if was_present:
                self._emit(CardEventKind.REMOVED, reader)

    def _update(self, reader: str, state: int, atr: bytes) -> None:
        if state & (scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_UNKNOWN):
            return
        now, count = pcsc.present(state), pcsc.event_count(state)
        before, before_count = self._cards.get(reader, (False, count))
        self._cards[reader] = (now, count)
        if now and before and count - before_count >= 2:  # taken away and back between polls
            self._emit(CardEventKind.REMOVED, reader)
            self._emit(CardEventKind.INSERTED, reader, atr)
        elif now and not before:
            self._emit(CardEventKind.INSERTED, reader, atr)
        elif before and not now:
            self._emit(CardEventKind.REMOVED, reader)
