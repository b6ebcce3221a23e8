"""Caller keypads and evaluation pads on one simulated bus, speaking the device side.

`BusSimulator.feed(bytes)` takes what the master wrote and returns what the devices answer, so
it runs behind a pty, a TCP port or directly in a test. People press keys (`press`) and rate
(`rate`); a pad refuses a 差评 without a reason, as a real one must. Faults, per device or for
the line: `silent` (does not answer), `corrupt_replies` (next answers carry a bad CRC),
`drop_acks` (next ACKs are lost on the line, so the event is sent again), and `garbage(n)`
(noise on the line before the next answer).
"""
from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable

from drivers.errors import DeviceProtocolError
from drivers.keypad.codec import (
    BROADCAST,
    ETX,
    STX,
    Deframer,
    Frame,
    crc16_modbus,
    decode_frame,
    stuff,
)
from drivers.keypad.messages import (
    Ack,
    Cancel,
    Cmd,
    Display,
    Event,
    Idle,
    Info,
    KeyEvent,
    Message,
    Nak,
    NakError,
    Ok,
    Poll,
    Request,
    ResultEvent,
    Signal,
    StatusQuery,
    TimeSync,
    from_frame,
    to_frame,
)
from drivers.keypad.model import DeviceType, Key, RatingRefused, check_rating

log = logging.getLogger(__name__)

Notify = Callable[[str], None]


class SimDevice:
    type: DeviceType = DeviceType.KEYPAD
    version = 1

    def __init__(self, address: int, *, rng: random.Random | None = None, notify: Notify | None = None) -> None:
        self.address = address
        self.rng = rng or random.Random()
        self.notify = notify or (lambda _line: None)
        # a real device keeps its counter across power cycles (or starts anywhere): never 0
        self.counter = self.rng.randrange(1, 0x10000)
        self.queue: deque[Event] = deque()
        self.display = [""] * 4
        self.signals: list[Signal] = []
        self.clock: dt.datetime | None = None
        self.silent = False
        self.corrupt_replies = 0
        self.drop_acks = 0
        self.sent: dict[int, int] = {}  # event counter -> times sent
        self.handled = 0
        self._last: tuple[int, int, bytes, Frame] | None = None

    @property
    def resent(self) -> int:
        return sum(n - 1 for n in self.sent.values())

    def _next_counter(self) -> int:
        self.counter = self.counter % 0xFFFF + 1
        return self.counter

    def handle(self, frame: Frame) -> Frame | None:
        """The answer to a (CRC-checked) frame from the master, or None to stay silent."""
        if frame.address == BROADCAST:
            self._broadcast(frame)
            return None
        if frame.address != self.address or frame.from_device or self.silent:
            return None
        if frame.command == Cmd.ACK and self.drop_acks > 0:
            self.drop_acks -= 1
            return None  # lost on the line: the device never saw it
        last = self._last
        if frame.command != Cmd.POLL and last and last[:3] == (frame.seq, frame.command, frame.payload):
            return last[3]  # the master's retry of what we already did: answer again, do not redo
        try:
            msg = from_frame(frame)
        except DeviceProtocolError:
            known = frame.command in {int(c) for c in Cmd}
            reply: Message = Nak(frame.command, NakError.BAD_PAYLOAD if known else NakError.UNKNOWN_COMMAND)
        else:
            reply = self.dispatch(msg, frame.command)
        self.handled += 1
        answer = to_frame(reply, self.address, frame.seq)
        self._last = (frame.seq, frame.command, frame.payload, answer)
        return answer

    def _broadcast(self, frame: Frame) -> None:
        try:
            msg = from_frame(frame)
        except DeviceProtocolError:
            return
        if isinstance(msg, TimeSync):
            self.clock = msg.at

    def dispatch(self, msg: Message, command: int) -> Message:
        match msg:
            case Poll():
                if not self.queue:
                    return Idle(self.type, self.evaluating)
                event = self.queue[0]
                self.sent[event.counter] = self.sent.get(event.counter, 0) + 1
                return event
            case Ack(counter, refused):
                if self.queue and self.queue[0].counter == counter:
                    self._acked(self.queue.popleft(), refused)
                return Ok(command)
            case Display(line, text):
                self.display[line] = text
                self.notify(f"{self.address} display {line} {text}")
                return Ok(command)
            case Signal():
                self.signals.append(msg)
                self.notify(f"{self.address} signal beeps={msg.beeps} led={msg.led.name.lower()}")
                return Ok(command)
            case StatusQuery():
                return Info(self.type, self.version, self.evaluating, len(self.queue), self.request_id)
            case TimeSync(at):
                self.clock = at
                return Ok(command)
        return Nak(command, NakError.UNSUPPORTED)

    def _acked(self, event: Event, refused: bool) -> None:
        pass

    @property
    def evaluating(self) -> bool:
        return False

    @property
    def request_id(self) -> int:
        return 0


class SimKeypad(SimDevice):
    type = DeviceType.KEYPAD

    def press(self, key: Key, value: int = 0) -> int:
        """A press of `key` (with a number typed before it); returns the event counter."""
        counter = self._next_counter()
        self.queue.append(KeyEvent(counter, key, value))
        return counter


class SimPad(SimDevice):
    type = DeviceType.PAD

    def __init__(self, address: int, *, rng: random.Random | None = None, notify: Notify | None = None) -> None:
        super().__init__(address, rng=rng, notify=notify)
        self.request: Request | None = None
        self.refused_by_master = 0

    @property
    def evaluating(self) -> bool:
        return self.request is not None

    @property
    def request_id(self) -> int:
        return self.request.request_id if self.request else 0

    def dispatch(self, msg: Message, command: int) -> Message:
        match msg:
            case Request():
                self.request = msg
                self.notify(f"{self.address} request {msg.request_id} ticket {msg.ticket} window {msg.window}")
                return Ok(command)
            case Cancel(request_id):
                if self.request and request_id in (0, self.request.request_id):
                    self.request = None
                    self.notify(f"{self.address} cancelled")
                return Ok(command)
        return super().dispatch(msg, command)

    def rate(self, level: int, reasons: Iterable[int] = (), *, check: bool = True) -> int:
        """A citizen's rating; returns the event counter.

        The pad enforces the rules (`RatingRefused`: nothing requested, a level out of 1-5, a
        差评 without a reason). `check=False` plays a faulty pad that sends it anyway.
        """
        reasons = tuple(reasons)
        if check:
            if self.request is None:
                raise RatingRefused("no evaluation has been requested on this pad")
            check_rating(level, reasons)
        req = self.request or Request(0, 0, "")
        counter = self._next_counter()
        self.queue.append(ResultEvent(counter, req.request_id, req.window, level, reasons, req.ticket))
        self.request = None
        return counter

    def _acked(self, event: Event, refused: bool) -> None:
        if refused and isinstance(event, ResultEvent):
            self.refused_by_master += 1
            self.request = Request(event.request_id, event.window, event.ticket)  # ask again
            self.notify(f"{self.address} rating refused by the master: rate again")


class BusSimulator:
    """Several devices sharing one line. Thread-safe: the line and the people share a lock."""

    def __init__(self, devices: Iterable[SimDevice], *, rng: random.Random | None = None,
                 garbage_rate: float = 0.0) -> None:
        self.devices = {d.address: d for d in devices}
        self.rng = rng or random.Random()
        self.garbage_rate = garbage_rate
        self.lock = threading.RLock()
        self.deframer = Deframer()
        self.bad_frames = 0
        self._garbage = 0

    @classmethod
    def build(cls, keypads: Iterable[int] = (), pads: Iterable[int] = (), *, seed: int | None = None,
              notify: Notify | None = None, garbage_rate: float = 0.0) -> BusSimulator:
        rng = random.Random(seed)
        devices: list[SimDevice] = [SimKeypad(a, rng=rng, notify=notify) for a in keypads]
        devices += [SimPad(a, rng=rng, notify=notify) for a in pads]
        return cls(devices, rng=rng, garbage_rate=garbage_rate)

    def device(self, address: int) -> SimDevice:
        try:
            return self.devices[address]
        except KeyError:
            raise ValueError(f"no simulated device at address {address}") from None

    def keypad(self, address: int) -> SimKeypad:
        dev = self.device(address)
        if not isinstance(dev, SimKeypad):
            raise ValueError(f"address {address} is not a caller keypad")
        return dev

    def pad(self, address: int) -> SimPad:
        dev = self.device(address)
        if not isinstance(dev, SimPad):
            raise ValueError(f"address {address} is not an evaluation pad")
        return dev

    def press(self, address: int, key: Key, value: int = 0) -> int:
        with self.lock:
            return self.keypad(address).press(key, value)

    def rate(self, address: int, level: int, reasons: Iterable[int] = (), *, check: bool = True) -> int:
        with self.lock:
            return self.pad(address).rate(level, reasons, check=check)

    def garbage(self, count: int = 16) -> None:
        """Noise on the line: `count` random bytes arrive before the next answer."""
        with self.lock:
            self._garbage += count

    def feed(self, data: bytes) -> bytes:
        """Bytes from the master in, the devices' answers (and any line noise) out."""
        out = bytearray()
        with self.lock:
            for raw in self.deframer.feed(data):
                try:
                    frame = decode_frame(raw)
                except DeviceProtocolError as exc:
                    self.bad_frames += 1  # a device cannot trust the address of a bad frame: silence
                    log.debug("simulated bus ignored a bad frame: %s", exc.message)
                    continue
                for dev in self._targets(frame):
                    reply = dev.handle(frame)
                    if reply is not None:
                        out += self._noise() + self._wire(dev, reply)
        return bytes(out)

    def _targets(self, frame: Frame) -> list[SimDevice]:
        if frame.address == BROADCAST:
            return list(self.devices.values())
        dev = self.devices.get(frame.address)
        return [dev] if dev else []

    def _noise(self) -> bytes:
        count, self._garbage = self._garbage, 0
        if self.garbage_rate and self.rng.random() < self.garbage_rate:
            count += self.rng.randrange(1, 24)
        return bytes(self.rng.randrange(256) for _ in range(count))

    @staticmethod
    def _wire(dev: SimDevice, frame: Frame) -> bytes:
        body = bytes((frame.address, frame.command, frame.seq, len(frame.payload))) + frame.payload
        crc = crc16_modbus(body)
        if dev.corrupt_replies > 0:
            dev.corrupt_replies -= 1
            crc ^= 0x0100  # one flipped bit, as line noise would
        return bytes((STX,)) + stuff(body + bytes((crc & 0xFF, crc >> 8))) + bytes((ETX,))
