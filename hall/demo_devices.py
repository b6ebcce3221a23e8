"""The demo hall's devices, on their simulators: what a newcomer can watch besides the web pages.

- the RS-485 bus of window 1's caller keypad and the evaluation key pads of windows 1 to 4,
  with simulated citizens rating each finished service (mostly 满意, now and then a 差评 with a reason);
- LED strips over windows 1 to 4, each drawing what it shows into `<data>/devices/led-wNN.png`;
- the ticket printer of the dispenser, printing every issued ticket (ESC/POS, GB18030) as the
  real printer would, into `<data>/devices/printer/` as PNG and text.

The hall server drives the bus and the strips as it drives real ones (`hall.peripherals`);
the printer is fed from the event stream, as the dispenser will be.
"""
from __future__ import annotations

import logging
import random
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hall.config import HallConfig, PeripheralConfig

log = logging.getLogger(__name__)

PAD_LEVELS = [(5, 60), (4, 25), (3, 8), (2, 5), (1, 2)]  # level, weight


class DemoDevices:
    def __init__(self, config: HallConfig, data_dir: Path, seed: int | None = None) -> None:
        from drivers.escpos.simulator import Simulator as PrinterSimulator
        from drivers.keypad import BusSimulator
        from drivers.keypad.serve import SimServer
        from drivers.ledstrip import StripSimulator

        self.dir = Path(data_dir) / "devices"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        windows = sorted(config.windows, key=lambda w: w.number)[:4]
        self.pads = {100 + w.number: w.id for w in windows}
        self.keypad = {windows[0].number: windows[0].id} if windows else {}
        self.bus = BusSimulator.build(list(self.keypad), list(self.pads), seed=seed)
        self.servers: list[Any] = [SimServer(self.bus.feed, pty=True, link=self.dir / "rs485").start()]
        peripherals = [PeripheralConfig(
            id="demo-bus", kind="keypad_bus", url=self.servers[0].url, host="hall",
            settings={
                "keypads": ",".join(map(str, self.keypad)), "pads": ",".join(map(str, self.pads)),
                "windows": ", ".join(f"{a}:{w}" for a, w in {**self.keypad, **self.pads}.items()),
            },
            description="demo: window 1's keypad and the pads of windows 1-4 (simulated)",
        )]
        self.strips: dict[str, Any] = {}
        for w in windows:
            sim = StripSimulator(protocol="bx5", out_dir=self.dir, png_name=f"led-{w.id}.png")
            server = SimServer(sim.feed, tcp=0, name=f"led-{w.id}").start()
            self.servers.append(server)
            self.strips[w.id] = sim
            peripherals.append(PeripheralConfig(
                id=f"demo-led-{w.id}", kind="led_strip", url=server.url, host="hall", window=w.id,
                settings={"protocol": "bx5", "width": 192, "height": 32},
                description=f"demo: the LED strip over {w.name} (simulated)",
            ))
        self.printer = PrinterSimulator(80, out_dir=self.dir / "printer")
        self.printer_url = self.printer.start_pty(self.dir / "ticket-printer")
        self.tz = ZoneInfo(config.hall.timezone)  # the ticket shows the hall's time, not the server's
        self.config = config.model_copy(update={"peripherals": [*config.peripherals, *peripherals]})
        self._threads: list[threading.Thread] = []

    def start(self, base_url: str, display_token: str | None) -> None:
        self._spawn(self._citizens_rate, "demo-pads")
        if display_token:
            self._spawn(lambda: self._print_tickets(base_url, display_token), "demo-printer")

    def _spawn(self, target, name: str) -> None:
        t = threading.Thread(target=target, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    def close(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(timeout=5)
        for server in self.servers:
            server.close()
        self.printer.stop()

    # -- simulated citizens at the pads

    def _citizens_rate(self) -> None:
        from drivers.keypad import Reason

        while not self.stop.wait(0.5):
            for address in self.pads:
                pad = self.bus.pad(address)
                if not pad.evaluating or self.rng.random() < 0.5:  # people take a moment
                    continue
                level = self.rng.choices([lv for lv, _ in PAD_LEVELS], [w for _, w in PAD_LEVELS])[0]
                reasons = [self.rng.choice(list(Reason))] if level <= 2 else []
                try:
                    self.bus.rate(address, level, reasons)
                except Exception as exc:  # the pad refused (it stopped evaluating meanwhile)
                    log.debug("demo pad %d: %s", address, exc)

    # -- the dispenser's printer

    def _print_tickets(self, base_url: str, token: str) -> None:
        from drivers.escpos.jobs import PrintJob
        from drivers.escpos.printer import connect
        from drivers.escpos.ticket import queue_ticket
        from hall.client import HallClient
        from hall.event_stream import EventStream

        client = HallClient(base_url, token)
        hall = client.hall()
        queues = {q["id"]: q["name"] for q in hall["queues"]}
        printer = connect(self.printer_url, {"width": 80})

        def on_event(e: dict[str, Any]) -> None:
            if e.get("type") != "ticket.issued":
                return
            d = e["data"]
            try:
                t = client.ticket(d["ticket"])
                doc = queue_ticket(hall["name"], d["number"], queues.get(d["queue"], d["queue"]),
                                   t["people_ahead"], t["estimated_wait_minutes"],
                                   datetime.fromtimestamp(e["ts"], self.tz), f"{base_url}/ui/#ticket={d['ticket']}",
                                   "请留意叫号和屏幕提示，过号请到咨询台。")
                printer.print_job(PrintJob(d["ticket"], doc))
            except Exception as exc:  # a demo printer problem is logged, the hall goes on
                log.warning("demo printer: %s", exc)

        stream = EventStream(base_url, token, after=None, on_event=on_event, name="demo-printer-events")
        stream.start()
        self.stop.wait()
        stream.stop()
        printer.close()
        client.close()
