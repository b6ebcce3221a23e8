"""The devices plugged into the hall PC: caller keypads and evaluation pads on the RS-485 bus,
and the window LED strips. They act on the queue like a staff member at the window would.

Keypad keys become window commands (下一位 finishes the current ticket and calls the next);
each window's keypad display and LED strip follow that window's calls; the window's pad is
asked to rate each finished service, and its rating is stored like any other (一次一评).

Device I/O never happens under the queue's lock: events reach a worker thread through a queue.
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hall.config import HallConfig, PeripheralConfig
from hall.domain import events as ev
from hall.domain.errors import QueueError
from hall.domain.model import TicketState

log = logging.getLogger(__name__)


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


class HallPeripherals:
    def __init__(self, config: HallConfig, service: Any,
                 on_device_status: Callable[[Any], None] | None = None) -> None:
        self.config = config
        self.service = service  # hall.service.HallService
        self.windows = {w.id: w for w in config.windows}
        self.on_device_status = on_device_status
        self.buses: list[_Bus] = []
        self.strips: dict[str, list[Any]] = {}  # window id -> LED strips
        self.statuses: dict[str, Any] = {}
        self._events: queue.Queue[list[ev.Event] | None] = queue.Queue()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        for p in config.peripherals:
            if p.host == "hall":
                self._attach(p)

    @property
    def active(self) -> bool:
        return bool(self.buses or self.strips)

    def _attach(self, p: PeripheralConfig) -> None:
        settings = dict(p.settings)
        if p.kind == "keypad_bus":
            from drivers.keypad import KeypadBus, devices_from_settings
            from drivers.transport import factory

            devices = devices_from_settings(settings)
            windows = parse_window_map(str(settings.get("windows", "")))
            bus = KeypadBus(factory(p.url, baudrate=int(settings.get("baudrate", 9600))), devices,
                            name=p.id, on_event=self._on_bus_event, on_status=self._on_status)
            self.buses.append(_Bus(bus, windows, {d.address: d.kind for d in devices}))
        elif p.kind == "led_strip" and p.window:
            from drivers.ledstrip import open_strip

            self.strips.setdefault(p.window, []).append(
                open_strip(p.url, settings, name=p.id, on_status=self._on_status))

    # -- running

    def start(self) -> None:
        if not self.active:
            return
        self.service.subscribe(self.publish)
        for b in self.buses:
            b.bus.start()
        self._worker = threading.Thread(target=self._work, name="hall-peripherals", daemon=True)
        self._worker.start()
        log.info("hall peripherals: %d keypad buses, LED strips at %d windows", len(self.buses), len(self.strips))

    def close(self) -> None:
        self._stop.set()
        self._events.put(None)
        if self._worker is not None:
            self._worker.join(timeout=5)
        for b in self.buses:
            b.bus.close()
        for strips in self.strips.values():
            for s in strips:
                s.close()

    def publish(self, events: list[ev.Event]) -> None:
        """The service's subscriber: called under its lock, so it only queues."""
        self._events.put(events)

    def _on_status(self, status: Any) -> None:
        self.statuses[status.device] = status
        if self.on_device_status is not None:
            self.on_device_status(status)

    def _work(self) -> None:
        while not self._stop.is_set():
            batch = self._events.get()
            if batch is None:
                return
            for e in batch:
                try:
                    self._follow(e)
                except Exception:
                    log.exception("peripherals could not follow %s", e.type)

    # -- the queue's events, shown on the devices

    def _follow(self, e: ev.Event) -> None:
        from drivers.ledstrip.texts import call_text, open_text, paused_text

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
            self._strips(window, open_text(number))
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
            self._device_call(strip.clear if not text else strip.show, *((text,) if text else ()))

    def _keypads(self, window: str, text: str) -> None:
        for b in self.buses:
            for address in b.addresses(window, "keypad"):
                self._device_call(b.bus.show, address, text)

    @staticmethod
    def _device_call(fn: Callable[..., Any], *args: Any, **kw: Any) -> None:
        from drivers.errors import DeviceError

        try:
            fn(*args, **kw)
        except DeviceError as exc:  # shown in the device's status; the queue goes on
            log.warning("device: %s", exc.message)

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
