"""The bus master: the hall PC polls every keypad and pad on one RS-485 line in turn.

Only the master talks unasked, so devices never collide. A device with an event answers a poll
with its oldest unacknowledged one; the master hands it to `on_event`, then acknowledges it. A
lost ACK brings the same event (same counter) again: acknowledged again, not delivered again.
Each address has its own status: READY when it answers, DISCONNECTED only after `missed_polls`
unanswered polls in a row, then polled every `absent_every` rounds only. The port is kept by a
`Link`: an unplugged adapter drops every address and is reopened with backoff. Callbacks run on
the polling thread with the bus locked: keep them short.
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from drivers.errors import (
    DeviceError,
    DeviceFault,
    DeviceProtocolError,
    DeviceTimeout,
    DeviceUnavailable,
)
from drivers.keypad.codec import BROADCAST, encode_frame
from drivers.keypad.exchange import PORT_ERRORS, READ_SLICE, exchange, write
from drivers.keypad.messages import (
    Ack,
    Cancel,
    Display,
    Idle,
    Info,
    KeyEvent,
    Message,
    Nak,
    Ok,
    Poll,
    Request,
    ResultEvent,
    Signal,
    StatusQuery,
    TimeSync,
    to_frame,
)
from drivers.keypad.model import (
    BusDevice,
    BusEvent,
    DeviceInfo,
    EvaluationResult,
    Key,
    KeyPressed,
    Led,
    Level,
    RatingRefused,
    check_rating,
)
from drivers.link import Link
from drivers.status import DeviceStatus, State
from drivers.transport import Transport

log = logging.getLogger(__name__)

EventCallback = Callable[[BusEvent], None]


class _Refused(Exception):
    """An event whose content the master does not accept: acknowledged as refused, not delivered."""
StatusCallback = Callable[[DeviceStatus], None]


@dataclass
class _Device:
    spec: BusDevice
    status: DeviceStatus
    seq: int = 0
    missed: int = 0
    last_counter: int | None = None  # the last event delivered: a re-sent one is not delivered again
    request: Request | None = None  # the evaluation the pad was last asked for
    warned: bool = False  # about a device type other than configured (said once)
    counts: dict[str, int] = field(default_factory=lambda: {"events": 0, "resent": 0, "refused": 0})


class KeypadBus:
    def __init__(
        self,
        connect: Callable[[], Transport],
        devices: Iterable[BusDevice],
        *,
        name: str = "keypad-bus",
        on_event: EventCallback | None = None,
        on_status: StatusCallback | None = None,
        timeout: float = 0.15,
        retries: int = 2,
        missed_polls: int = 3,
        absent_every: int = 5,
        max_events: int = 4,
        poll_interval: float = 0.05,
        backoff: tuple[float, float] = (0.5, 10.0),
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self._connect = connect
        self.on_event, self.on_status = on_event, on_status
        self.timeout, self.retries = timeout, retries
        self.missed_polls, self.absent_every, self.max_events = missed_polls, absent_every, max_events
        self.clock = clock
        self._rng = rng or random.Random()
        self._devices: dict[int, _Device] = {}
        for spec in devices:
            if spec.address in self._devices:
                raise ValueError(f"bus address {spec.address} is configured twice")
            status = DeviceStatus(self._id(spec.address), spec.kind, State.CONNECTING, "not polled yet", clock())
            self._devices[spec.address] = _Device(spec, status, seq=self._rng.randrange(256))
        self._broadcast_seq = self._rng.randrange(256)
        self._rounds = 0
        self._next_request = self._rng.randrange(1, 0x10000)
        self.link: Link[Transport] = Link(
            name, "keypad_bus", self._open, self._round, poll_interval=poll_interval,
            backoff=backoff, clock=clock, rng=self._rng, on_status=self._on_port_status,
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- running

    def step(self) -> float:
        """Opens the port or polls every device once; the seconds to wait before the next round."""
        return self.link.step()

    def run(self, stop: threading.Event) -> None:
        self.link.run(stop)

    def start(self) -> None:
        """Polls on a thread of its own (named after the bus) until `close()`."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self.run, args=(self._stop,), name=self.name, daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.link.close()

    # -- status

    @property
    def port_status(self) -> DeviceStatus:
        return self.link.status

    def status(self, address: int) -> DeviceStatus:
        return self._device(address).status

    def statuses(self) -> dict[int, DeviceStatus]:
        return {a: d.status for a, d in self._devices.items()}

    # -- commands (any thread)

    def show(self, address: int, text: str, line: int = 0) -> None:
        """Shows text (e.g. the ticket being served) on a line of the device's small screen."""
        self._expect_ok(address, Display(line, text))

    def signal(self, address: int, beeps: int = 1, led: Led = Led.OFF, blink: bool = False) -> None:
        self._expect_ok(address, Signal(beeps, led, blink))

    def request_evaluation(self, address: int, ticket: str, *, window: int = 0,
                           request_id: int | None = None) -> int:
        """Asks a pad to rate the service of `ticket`; the result carries the returned request id."""
        if self._device(address).spec.kind != "pad":
            raise ValueError(f"address {address} is not an evaluation pad")
        asked: list[Request] = []

        def ask(port: Transport, dev: _Device) -> Message:  # under the bus lock
            number = request_id
            if number is None:
                number, self._next_request = self._next_request, self._next_request % 0xFFFF + 1
            asked.append(Request(number, window, ticket))
            reply = self._command(port, dev, asked[0])
            if isinstance(reply, Ok):
                dev.request = asked[0]
            return reply

        self._check_ok(address, Request(0, window, ticket), self._use(address, ask))
        return asked[0].request_id

    def cancel_evaluation(self, address: int) -> None:
        def cancel(port: Transport, dev: _Device) -> Message:
            reply = self._command(port, dev, Cancel(dev.request.request_id if dev.request else 0))
            dev.request = None
            return reply

        self._check_ok(address, Cancel(), self._use(address, cancel))

    def query(self, address: int) -> DeviceInfo:
        reply = self._use(address, lambda port, dev: self._command(port, dev, StatusQuery()))
        if not isinstance(reply, Info):
            raise DeviceProtocolError(f"answered STATUS with {reply!r}", device=self._id(address))
        return DeviceInfo(address, reply.type, reply.version, reply.evaluating, reply.queued, reply.request_id)

    def sync_time(self, at: dt.datetime | None = None) -> None:
        """Broadcasts the wall-clock time to every device (nobody answers a broadcast)."""
        at = (at or dt.datetime.now()).replace(microsecond=0)
        self._broadcast_seq = (self._broadcast_seq + 1) % 256
        frame = encode_frame(to_frame(TimeSync(at), BROADCAST, self._broadcast_seq))
        self.link.use(lambda port: self._write(port, frame))

    # -- internals: one round

    def _open(self) -> Transport:
        port = self._connect()
        try:
            port.timeout = READ_SLICE
        except PORT_ERRORS as exc:  # gone again at once
            port.close()
            raise DeviceUnavailable(f"bus port failed: {exc}", device=self.name) from exc
        for dev in self._devices.values():  # poll everyone at once on a fresh port
            if dev.status.state is State.DISCONNECTED:
                self._set(dev, State.CONNECTING, "bus port open, not polled yet")
        return port

    def _round(self, port: Transport) -> Mapping[str, Any]:
        self._rounds += 1
        for dev in self._devices.values():
            if dev.status.state is State.DISCONNECTED and self._rounds % self.absent_every:
                continue
            self._poll(port, dev)
        answering = sum(d.status.state is State.READY for d in self._devices.values())
        return {"devices": len(self._devices), "answering": answering}

    def _poll(self, port: Transport, dev: _Device) -> None:
        for _ in range(self.max_events):
            dev.seq = (dev.seq + 1) % 256
            try:
                reply = self._exchange(port, dev, Poll(), dev.seq)
            except DeviceUnavailable:
                raise
            except DeviceError as exc:
                self._missed(dev, exc.message)
                return
            self._answered(dev)
            if isinstance(reply, KeyEvent | ResultEvent):
                if self._event(port, dev, reply):
                    continue  # drain: the device may hold more
                return  # the ACK got no answer: the event comes again next round
            if isinstance(reply, Idle) and reply.type.kind != dev.spec.kind and not dev.warned:
                dev.warned = True
                log.warning("%s says it is a %s, configured as a %s", self._id(dev.spec.address),
                            reply.type.kind, dev.spec.kind)
            elif not isinstance(reply, Idle):
                log.warning("%s answered POLL with %r", self._id(dev.spec.address), reply)
            return

    def _event(self, port: Transport, dev: _Device, reply: KeyEvent | ResultEvent) -> bool:
        """Delivers a new event (not a re-sent one) and acknowledges it; whether the ACK got through."""
        address = dev.spec.address
        try:
            event = self._to_event(dev, reply)
        except _Refused as exc:
            self._count(dev, "refused")
            log.warning("%s: refused event %d: %s", self._id(address), reply.counter, exc)
            return self._ack(port, dev, reply.counter, refused=True)
        if reply.counter == dev.last_counter:
            self._count(dev, "resent")
            log.debug("%s re-sent event %d (its ACK was lost): not delivered again",
                      self._id(address), reply.counter)
        else:
            dev.last_counter = reply.counter
            self._count(dev, "events")
            self._deliver(event)
        return self._ack(port, dev, reply.counter)

    def _to_event(self, dev: _Device, reply: KeyEvent | ResultEvent) -> BusEvent:
        address = dev.spec.address
        if isinstance(reply, KeyEvent):
            if dev.spec.kind != "keypad" or not isinstance(reply.key, Key):
                raise _Refused(f"key code {int(reply.key)} from a {dev.spec.kind}")
            return KeyPressed(address, reply.key, reply.counter, reply.value)
        if dev.spec.kind != "pad":
            raise _Refused("a rating from a caller keypad")
        try:
            check_rating(int(reply.level), reply.reasons)  # the 差评 rule, here as well as on the pad
        except RatingRefused as exc:
            raise _Refused(str(exc)) from exc
        if dev.request is not None and dev.request.request_id == reply.request_id:
            dev.request = None
        return EvaluationResult(address, Level(reply.level), reply.reasons, reply.counter,
                                reply.request_id, reply.ticket, reply.window)

    def _ack(self, port: Transport, dev: _Device, counter: int, refused: bool = False) -> bool:
        try:
            self._command(port, dev, Ack(counter, refused))
        except DeviceUnavailable:
            raise
        except DeviceError as exc:  # the device will send the event again; it is not delivered twice
            log.info("%s: ACK of event %d not confirmed: %s", self._id(dev.spec.address), counter, exc.message)
            return False
        return True

    def _deliver(self, event: BusEvent) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:
            log.exception("event callback of %s failed on %r", self.name, event)

    # -- internals: one exchange

    def _use(self, address: int, action: Callable[[Transport, _Device], Message]) -> Message:
        dev = self._device(address)
        if dev.status.state is State.DISCONNECTED:
            raise DeviceUnavailable(dev.status.reason or "not answering", device=dev.status.device)
        return self.link.use(lambda port: action(port, dev))

    def _expect_ok(self, address: int, msg: Message) -> None:
        self._check_ok(address, msg, self._use(address, lambda port, dev: self._command(port, dev, msg)))

    def _check_ok(self, address: int, msg: Message, reply: Message) -> None:
        if not isinstance(reply, Ok):
            raise DeviceProtocolError(f"answered {type(msg).__name__} with {reply!r}", device=self._id(address))

    def _command(self, port: Transport, dev: _Device, msg: Message) -> Message:
        """Sends a command, retrying with the same sequence number (the device runs it once)."""
        dev.seq = (dev.seq + 1) % 256
        error: DeviceError = DeviceTimeout("no attempt")
        for _ in range(1 + self.retries):
            try:
                reply = self._exchange(port, dev, msg, dev.seq)
            except DeviceUnavailable:
                raise
            except DeviceError as exc:
                error = exc
                continue
            self._answered(dev)
            if isinstance(reply, Nak):
                raise DeviceFault(f"refused {type(msg).__name__}: {reply.error.name.lower()}",
                                  device=self._id(dev.spec.address), code=f"nak:{int(reply.error)}")
            return reply
        self._missed(dev, error.message)
        raise error

    def _exchange(self, port: Transport, dev: _Device, msg: Message, seq: int) -> Message:
        return exchange(port, msg, dev.spec.address, seq, dev.spec.timeout or self.timeout,
                        clock=self.clock, device=self._id(dev.spec.address))

    def _write(self, port: Transport, data: bytes) -> None:
        write(port, data, self.name)

    # -- internals: presence

    def _id(self, address: int) -> str:
        return f"{self.name}/{address}"

    def _device(self, address: int) -> _Device:
        try:
            return self._devices[address]
        except KeyError:
            raise ValueError(f"no device at address {address} on {self.name}") from None

    def _answered(self, dev: _Device) -> None:
        dev.missed = 0
        self._set(dev, State.READY, "answering")

    def _missed(self, dev: _Device, reason: str) -> None:
        dev.missed += 1
        if dev.missed >= self.missed_polls:
            self._set(dev, State.DISCONNECTED, f"no answer to {dev.missed} polls: {reason}")
        else:
            log.debug("%s missed poll %d: %s", dev.status.device, dev.missed, reason)

    def _on_port_status(self, status: DeviceStatus) -> None:
        if status.state is State.DISCONNECTED:
            for dev in self._devices.values():
                dev.missed = 0
                self._set(dev, State.DISCONNECTED, f"bus port: {status.reason}")
        if self.on_status is not None:
            self.on_status(status)

    def _count(self, dev: _Device, what: str) -> None:
        """Counts in the status details; a count alone is no status change to announce."""
        dev.counts[what] += 1
        dev.status = replace(dev.status, details={**dev.status.details, what: dev.counts[what]})

    def _set(self, dev: _Device, state: State, reason: str) -> None:
        old = dev.status
        if old.state is state and old.reason == reason:
            return
        dev.status = DeviceStatus(old.device, old.kind, state, reason, self.clock(),
                                  {"address": dev.spec.address, **dev.counts})
        if old.state is not state:
            log.info("%s %s: %s -> %s %s", dev.spec.kind, old.device, old.state, state, reason)
        if self.on_status is not None:
            try:
                self.on_status(dev.status)
            except Exception:
                log.exception("status callback of %s failed", old.device)

