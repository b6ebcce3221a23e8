"""The devices plugged into the hall PC: caller keypads and evaluation pads on the RS-485 bus,
and the window LED strips. They act on the queue like a staff member at the window would.

Keypad keys become window commands (下一位 finishes the current ticket and calls the next);
each window's keypad display and LED strip follow that window's calls; the window's pad is
asked to rate each finished service, and its rating is stored like any other (一次一评).

Device I/O never happens under the queue's lock: events reach a worker thread through a queue.
The devices are opened as `drivers.registry` says for their kind: each LED strip through the
`Link` the registry builds (kept connected on a thread of its own, and given again what it
should show when it comes back), the bus as `drivers.keypad.open_bus` makes it.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from drivers import registry
from drivers.errors import DeviceError
from drivers.link import Link
from drivers.status import DeviceStatus, State
from hall.config import HallConfig, PeripheralConfig
from hall.domain import events as ev
from hall.domain.errors import QueueError
from hall.domain.model import TicketState

log = logging.getLogger(__name__)
SCHEDULE_CHECK = 60.0  # seconds between checks of the strips' on/off schedule


def parse_window_map(text: str) -> dict[int, str]:
    """`"1:w01, 2:w02, 11:w01"`: bus address -> window id."""
    out: dict[int, str] = {}
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        address, sep, window = part.partition(":")
        if not sep or not address.strip().isdigit() or not window.strip():
            raise ValueError(f"expected address:window pairs like '1:w01', found {part!r}")
        out[int(address)] = window.strip()
    return out


@dataclass
class _Bus:
    bus: Any  # drivers.keypad.KeypadBus
    windows: dict[int, str]  # address -> window id
    kinds: dict[int, str]  # address -> keypad | pad

    def addresses(self, window: str, kind: str) -> list[int]:
        return [a for a, w in self.windows.items() if w == window and self.kinds.get(a) == kind]


@dataclass
class _Strip:
    link: Link[Any]  # session: a drivers.ledstrip.LedStrip
    wanted: str | None = None  # what the window's state says it should show ("" dark)
    shown: str | None = None  # what it last showed, None when unknown (failed, reconnected)
    brightness: int | None = None  # the percent it was last set to, None when unknown


class HallPeripherals:
    def __init__(self, config: HallConfig, service: Any,
                 on_device_status: Callable[[Any], None] | None = None) -> None:
        self.config = config
        self.service = service  # hall.service.HallService
        self.windows = {w.id: w for w in config.windows}
        self.on_device_status = on_device_status
        self.buses: list[_Bus] = []
        self.strips: dict[str, list[_Strip]] = {}  # window id -> LED strips
        self.statuses: dict[str, Any] = {}
        # an open window's LED text when it calls nobody: the operators' idle text, if they set one
        self.idle_text: Callable[[str], str | None] = lambda window: None
        # whether the strips are lit now (the operators' on/off schedule): dark ones are cleared
        self.lit: Callable[[], bool] = lambda: True
        # the operators' LED brightness (percent); None: leave each strip as it is set
        self.brightness: Callable[[], int | None] = lambda: None
        self._dark = False
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        for p in config.peripherals:
            if p.host == "hall":
                self._attach(p)

    @property
    def active(self) -> bool:
        return bool(self.buses or self.strips)

    def _attach(self, p: PeripheralConfig) -> None:
        settings = dict(p.settings)
        kind = registry.canonical(p.kind)
        if kind == "keypad_bus":
            from drivers.keypad import open_bus

            windows = parse_window_map(str(settings.pop("windows", "")))
            bus = open_bus(p.id, p.url, settings, on_event=self._on_bus_event, on_status=self._on_status)
            bus.link.where = p.url  # its reasons say which port it opens
            self.buses.append(_Bus(bus, windows, {a: bus.status(a).kind for a in bus.statuses()}))
        elif kind == "led_strip" and p.window:
            strip = _Strip(registry.make_link(kind, p.id, p.url, settings))
            strip.link.on_status = partial(self._on_strip_status, strip)
            self.strips.setdefault(p.window, []).append(strip)

    # -- running

    def start(self) -> None:
        if not self.active:
            return
        self.service.subscribe(self.publish)
        for b in self.buses:
            b.bus.start()
        for strip in self._all_strips():
            self._thread(strip.link.device, partial(strip.link.run, self._stop))
        self._thread("hall-peripherals", self._work)
        log.info("hall peripherals: %d keypad buses, LED strips at %d windows", len(self.buses), len(self.strips))

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _all_strips(self) -> list[_Strip]:
        return [s for strips in self.strips.values() for s in strips]

    def close(self) -> None:
        self._stop.set()
        self._jobs.put(None)
        for thread in self._threads:  # a strip's link closes its strip when it stops
            thread.join(timeout=5)
        for b in self.buses:
            b.bus.close()
        if not self._threads:
            for strip in self._all_strips():
                strip.link.close()

    def publish(self, events: list[ev.Event]) -> None:
        """The service's subscriber: called under its lock, so it only queues."""
        self._jobs.put(partial(self._follow_all, events))

    def _on_status(self, status: DeviceStatus) -> None:
        self.statuses[status.device] = status
        if self.on_device_status is not None:
            self.on_device_status(status)

    def _on_strip_status(self, strip: _Strip, status: DeviceStatus) -> None:
        """On the strip's link thread: back after a cut, it is given again what it should show."""
        self._on_status(status)
        if status.state is not State.READY:
            strip.shown = strip.brightness = None  # it may come back switched off and on
            return
        if strip.wanted is not None and strip.shown != strip.wanted:
            self._jobs.put(partial(self._show, strip))
        if strip.brightness is None:
            self._jobs.put(partial(self._set_brightness, strip))

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._jobs.get(timeout=SCHEDULE_CHECK)
            except queue.Empty:
                job = self._follow_schedule
            if job is None:
                return
            job()

    def _follow_schedule(self) -> None:
        """Lights or darkens every strip when the schedule's hour has come (checked each minute)."""
        dark = not self.lit()
        if dark != self._dark:
            self._dark = dark
            for strip in self._all_strips():
                self._show(strip, again=True)

    def _follow_all(self, events: list[ev.Event]) -> None:
        for e in events:
            try:
                self._follow(e)
            except Exception:
                log.exception("peripherals could not follow %s", e.type)

    # -- the queue's events, shown on the devices

    def _follow(self, e: ev.Event) -> None:
        from drivers.ledstrip.texts import call_text, open_text, paused_text

        if e.type == ev.BOARD_CHANGED:  # the operators' idle texts, brightness and schedule, followed now
            self._dark = not self.lit()
            for strip in self._all_strips():
                self._set_brightness(strip)
            for wid, strips in self.strips.items():
                rec = self.service.state.window(wid)
                if rec.state.value == "open" and rec.ticket is None:
                    for strip in strips:
                        strip.wanted = self.idle_text(wid) or open_text(self.windows[wid].number)
                for strip in strips:
                    self._show(strip, again=True)
            return
        window = e.data.get("window")
        if window not in self.windows:
            return
        number = self.windows[window].number
        if e.type in (ev.TICKET_CALLED, ev.TICKET_RECALLED):
            ticket = self.service.state.tickets.get(e.data["ticket"])
            label = ticket.number if ticket else e.data.get("number", "")
            self._strips(window, call_text(label, number))
            self._keypads(window, label)
        elif e.type == ev.WINDOW_PAUSED:
            self._strips(window, paused_text(number))
            self._keypads(window, "暂停")
        elif e.type in (ev.WINDOW_OPENED, ev.WINDOW_RESUMED):
            self._strips(window, self.idle_text(window) or open_text(number))
            self._keypads(window, "----")
        elif e.type == ev.WINDOW_CLOSED:
            self._strips(window, "")
            self._keypads(window, "关闭")
        elif e.type == ev.SERVICE_FINISHED:
            self._keypads(window, "----")
            for b in self.buses:
                for address in b.addresses(window, "pad"):
                    self._device_call(b.bus.request_evaluation, address, e.data["ticket"], window=number)

    def _strips(self, window: str, text: str) -> None:
        for strip in self.strips.get(window, []):
            strip.wanted = text
            self._show(strip, again=True)  # a recall is shown anew

    def _show(self, strip: _Strip, *, again: bool = False) -> None:
        text = "" if self._dark and strip.wanted is not None else strip.wanted
        if text is None or (text == strip.shown and not again):
            return
        if strip.link.session is None:  # not connected (yet): shown once it is
            strip.shown = None
            return
        try:
            strip.link.use(lambda s: s.show(text) if text else s.clear())
        except DeviceError as exc:  # shown when the strip is back; the queue goes on
            strip.shown = None
            log.warning("device: %s", exc.message)
            return
        strip.shown = text

    def _set_brightness(self, strip: _Strip) -> None:
        """Sends the operators' brightness to a strip whose protocol has the command (BX-5's A3 02;
        the line protocol has none, and such a strip keeps its own)."""
        wanted = self.brightness()
        session = strip.link.session
        if wanted is None or wanted == strip.brightness or session is None:
            return
        if getattr(session, "set_brightness", None) is None:
            return
        try:
            strip.link.use(lambda s: s.set_brightness(wanted))
        except DeviceError as exc:  # sent again when the strip is back
            strip.brightness = None
            log.warning("device: %s", exc.message)
            return
        strip.brightness = wanted

    def _keypads(self, window: str, text: str) -> None:
        for b in self.buses:
            for address in b.addresses(window, "keypad"):
                self._device_call(b.bus.show, address, text)

    @staticmethod
    def _device_call(fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
        try:
            fn(*args, **kw)
        except DeviceError as exc:  # shown in the device's status; the queue goes on
            log.warning("device: %s", exc.message)

    def window_devices(self, window: str) -> list[dict[str, Any]]:
        """The state of the devices of one window plugged into the hall PC (strips, keypads, pads),
        each since when (seconds since the epoch: the links' own clocks are monotonic)."""
        found = [s.link.status for s in self.strips.get(window, [])]
        found += [b.bus.status(a) for b in self.buses for a, w in b.windows.items() if w == window]
        wall, now = time.time(), time.monotonic()
        return [{"device": st.device, "kind": st.kind, "state": st.state.value, "reason": st.reason,
                 "since": round(wall - (now - st.since), 1)} for st in found]

    def bus_pad_windows(self) -> set[str]:
        """The windows whose evaluation pad is on a bus of the hall PC."""
        return {w for b in self.buses for a, w in b.windows.items() if b.kinds.get(a) == "pad"}

    def device_states(self) -> list[dict[str, Any]]:
        """Every device on the hall PC (strips, bus ports, keypads, pads): state, why, for how
        long (the links' clocks are monotonic: an age is what survives the trip)."""
        now = time.monotonic()
        found = [s.link.status for s in self._all_strips()]
        for b in self.buses:
            found += [b.bus.link.status, *b.bus.statuses().values()]
        return [{"device": st.device, "kind": st.kind, "state": st.state.value, "reason": st.reason,
                 "for_seconds": max(0.0, now - st.since),
                 "details": {k: v for k, v in st.details.items() if isinstance(v, str | int | float | bool)}}
                for st in found]

    # -- the devices' events, acted on the queue

    def _on_bus_event(self, event: Any) -> None:
        from drivers.keypad import EvaluationResult, Key

        bus = next((b for b in self.buses if event.address in b.windows), None)
        if bus is None:
            log.warning("bus address %d is not mapped to a window", event.address)
            return
        window = bus.windows[event.address]
        try:
            if isinstance(event, EvaluationResult):
                self._rate(event)
                return
            if event.key is Key.NEXT:
                self._finish_current(window)
                self.service.execute("call_next", {"window": window})
            elif event.key is Key.RECALL:
                self.service.execute("recall", {"window": window})
            elif event.key is Key.NO_SHOW:
                self.service.execute("no_show", {"window": window})
            elif event.key is Key.FINISH:
                self.service.execute("finish", {"window": window})
            elif event.key is Key.PAUSE:
                state = self.service.state.window(window).state.value
                command = {"open": "pause", "paused": "resume"}.get(state, "open_window")
                self.service.execute(command, {"window": window})
            elif event.key is Key.TRANSFER:
                self._transfer(window, event.value)
        except QueueError as exc:
            for address in bus.addresses(window, "keypad"):
                self._device_call(bus.bus.show, address, exc.message[:16])
                self._device_call(bus.bus.signal, address, 2)

    def _finish_current(self, window: str) -> None:
        current = self.service.state.window(window).ticket
        ticket = self.service.state.tickets.get(current) if current else None
        if ticket is not None and ticket.state in (TicketState.CALLED, TicketState.SERVING):
            self.service.execute("finish", {"window": window})

    def _transfer(self, window: str, target_number: int) -> None:
        target = next((w.id for w in self.windows.values() if w.number == target_number), None)
        current = self.service.state.window(window).ticket
        if target is None or current is None:
            raise QueueError(f"转移：没有 {target_number} 号窗口" if target is None else "当前没有票")
        self.service.execute("transfer", {"ticket": current, "to_window": target, "keep_place": True})

    def _rate(self, result: Any) -> None:
        from drivers.keypad.model import REASON_LABELS, Reason

        reasons = [REASON_LABELS.get(Reason(r), str(r)) if r in Reason._value2member_map_ else str(r)
                   for r in result.reasons]
        self.service.execute("rate", {"ticket": result.ticket, "level": int(result.level),
                                      "reasons": reasons, "channel": "keypad"})
