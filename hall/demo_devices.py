"""The demo hall's devices, on their simulators: what a newcomer can watch besides the web pages.

- the RS-485 bus of window 1's caller keypad and the evaluation key pads of windows 1 to 4,
  with simulated citizens rating each finished service (mostly 满意, now and then a 差评 with a reason);
- LED strips over windows 1 to 4, each drawing what it shows into `<data>/devices/led-wNN.png`;
- the ticket printer of the dispenser, printing every issued ticket (ESC/POS, GB18030) as the
  real printer would, into `<data>/devices/printer/demo-printer/` as PNG and text;
- at the dispenser, now and then a citizen swipes an ID card (SAM reader simulator): the number
  goes to the hall with the ticket, as a real dispenser sends it (the hall keeps only its keyed
  hash and masked form), and an older citizen gets an elderly-priority ticket. The name is
  never sent, stored or logged;
- the printed ticket's QR code is the ticket's signed follow link (the hall's public address
  when it has one), read back twice: by a serial scanner (as a citizen showing it at a kiosk)
  and by a camera from the printed picture, and the follow page's status fetched;
- under the kiosk's document camera (高拍仪, the desk simulator over HTTP), a citizen lays an ID
  card's front, then its back, then a form, in turn, each left still for a few seconds: enough
  to try the copy service (复印) on the kiosk's screen.

The kiosk screen's A4 printer (a private cupsd with a cups-pdf queue, PDFs into
`<data>/devices/cupsd/out/yiciban-demo-a4/`) and its contactless reader (pcscd with the vpcd
driver, our virtual social-security card on it) need system services that only root may start; the demo starts
them when it runs as root and has them installed, and otherwise says why it runs without.

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
DESK = ("idcard_front", "idcard_back", "form")  # laid under the kiosk's document camera in turn
DESK_SIZE, DESK_FPS, DESK_REST = (640, 360), 6.0, 4.0


class DemoDevices:
    def __init__(self, config: HallConfig, data_dir: Path, seed: int | None = None) -> None:
        from drivers.keypad import BusSimulator
        from drivers.ledstrip import StripSimulator
        from drivers.simserve import SimServer

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
            sim = StripSimulator(protocol="bx5", out_dir=self.dir, png_name=f"led-{w.id}.png", render_behind=True)
            server = SimServer(sim.feed, tcp=0, name=f"led-{w.id}").start()
            self.servers.append(server)
            self.strips[w.id] = sim
            peripherals.append(PeripheralConfig(
                id=f"demo-led-{w.id}", kind="led_strip", url=server.url, host="hall", window=w.id,
                settings={"protocol": "bx5", "width": 192, "height": 32},
                description=f"demo: the LED strip over {w.name} (simulated)",
            ))
        self.tz = ZoneInfo(config.hall.timezone)  # the ticket shows the hall's time, not the server's
        self.printer = self._printer("demo-printer")
        self.printer_url = self.printer.start_pty(self.dir / "ticket-printer")
        from drivers.idcard.simulator import SamSimulator
        from drivers.scanner.simulator import ScannerSimulator

        self.idcard = SamSimulator()
        self.idcard_port = self.idcard.serve_pty(self.dir / "idcard")
        self.scanner = ScannerSimulator()
        dispenser = next((d.id for d in config.devices if d.role == "dispenser"), "hall")
        kiosk = next((d.id for d in config.devices if d.role == "kiosk"), "hall")
        peripherals += [
            PeripheralConfig(id="demo-idcard", kind="idcard", url=str(self.dir / "idcard"), host=dispenser,
                             description="demo: the dispenser's ID card reader (simulated)"),
            PeripheralConfig(id="demo-printer", kind="receipt_printer", url=self.printer_url, host=dispenser,
                             settings={"width": 80}, description="demo: the dispenser's printer (simulated)"),
            PeripheralConfig(id="demo-scanner", kind="scanner", url=self.scanner.where, host=kiosk,
                             description="demo: the kiosk's QR scanner (simulated)"),
        ]
        self.config = config.model_copy(update={"peripherals": [*config.peripherals, *peripherals]})
        # the screens' own devices: a printer and a card reader at the dispenser's screen, a
        # scanner at the kiosk (citizens use those; nothing here plays them)
        self.screen_printer = self._printer("dispenser-screen")
        self.kiosk_printer = self._printer("kiosk-screen")
        self.screen_idcard = SamSimulator()
        self.screen_idcard.serve_pty(self.dir / "dispenser-screen-idcard")
        self.screen_scanner = ScannerSimulator()
        self.desk_camera = _empty_desk_camera()  # its documents are drawn in start()'s thread
        self.screen_devices = {
            "dispenser": {"receipt_printer": self.screen_printer.start_pty(self.dir / "dispenser-screen-printer.pty"),
                          "idcard": str(self.dir / "dispenser-screen-idcard")},
            "kiosk": {"scanner": self.screen_scanner.where, "document_camera": self.desk_camera.url,
                      "receipt_printer": self.kiosk_printer.start_pty(self.dir / "kiosk-screen-printer.pty")},
        }
        self.elderly_age = config.policy.elderly_age
        self.cupsd: Any = None  # started by start_system_devices() when allowed
        self.pcscd: Any = None
        self.card: Any = None
        self.system_lines: list[str] = []
        self._threads: list[threading.Thread] = []

    def start_system_devices(self) -> list[str]:
        """The kiosk's A4 printer and contactless reader, when this machine lets us run them.
        Returns one line per device saying what it is, or why it is missing."""
        import os

        said: list[str] = []
        if os.geteuid() != 0:
            return ["A4 printer and card reader: not started (cupsd and pcscd need root)"]
        try:
            from drivers.cups.simulator import PrivateCupsd

            self.cupsd = PrivateCupsd(self.dir / "cupsd").start()
            queue = self.cupsd.add_pdf_queue("yiciban-demo-a4")
            self.screen_devices["kiosk"]["a4_printer"] = self.cupsd.url(queue.name)
            said.append(f"A4 printer (cups-pdf): PDFs in {queue.out_dir}")
        except Exception as exc:  # the kiosk offers a QR instead of printing
            log.warning("demo A4 printer not started: %s", exc)
            said.append(f"A4 printer: not started ({exc})")
        try:
            from drivers.contactless.demo_card import DemoCard
            from drivers.contactless.stack import READER, PcscdStack
            from drivers.contactless.virtual_card import VirtualCard

            self.pcscd = PcscdStack().start(lock_timeout=1.0)
            self.card = VirtualCard(DemoCard(), "127.0.0.1", self.pcscd.port)
            self.card.insert()
            self.screen_devices["kiosk"]["contactless"] = f"pcsc://{READER}"
            said.append(f"contactless reader: {READER} (pcscd + vpcd), a demo card on it")
        except Exception as exc:
            log.warning("demo contactless reader not started: %s", exc)
            said.append(f"contactless reader: not started ({exc})")
        return said

    def start(self, base_url: str, display_token: str | None) -> None:
        self._spawn(self._citizens_rate, "demo-pads")
        self._spawn(self._lay_documents, "demo-desk")
        if display_token:
            self._spawn(lambda: self._print_tickets(base_url, display_token), "demo-printer")
        dispenser = next((d.token for d in self.config.devices if d.role == "dispenser"), None)
        if dispenser:
            self._spawn(lambda: self._citizens_swipe_cards(base_url, dispenser), "demo-idcard")
            self._spawn(lambda: self._tickets_read_back(base_url, dispenser), "demo-scanner")

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
        self.idcard.close()
        self.scanner.close()
        self.screen_printer.stop()
        self.kiosk_printer.stop()
        self.screen_idcard.close()
        self.screen_scanner.close()
        self.desk_camera.close()
        for stop in (self.card and self.card.close, self.pcscd and self.pcscd.stop,
                     self.cupsd and self.cupsd.stop):
            if stop:
                try:
                    stop()
                except Exception:
                    log.debug("stopping a demo system device failed", exc_info=True)

    # -- documents under the kiosk's document camera

    def _lay_documents(self) -> None:
        """Draws the desk's scenes (some seconds of work) and then shows them in a loop."""
        from drivers.camera.desk import laid_down
        from drivers.camera.simulator import encode

        frames: list[bytes] = []
        for seed, kind in enumerate(DESK):
            if self.stop.is_set():
                return
            frames += encode(list(laid_down(kind, *DESK_SIZE, fps=DESK_FPS, seed=seed, move=1.0, rest=DESK_REST,
                                            straighten=False).frames))
        self.desk_camera.frames = frames
        log.info("demo document camera: %d frames of %s in turn", len(frames), ", ".join(DESK))

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

    # -- citizens at the dispenser with their ID cards

    def _citizens_swipe_cards(self, base_url: str, token: str) -> None:
        import dataclasses
        import datetime as dt

        from drivers.errors import DeviceError
        from drivers.idcard.card import id_check_digit
        from drivers.idcard.reader import connect
        from drivers.idcard.simulator import sample_card
        from hall.client import HallClient

        client = HallClient(base_url, token)
        queues = [q["id"] for q in client.hall()["queues"]]
        reader = None
        while not self.stop.wait(self.rng.uniform(8, 15)):
            born = dt.date(self.rng.choice([1948, 1955, 1962, 1975, 1990, 2001]), self.rng.randint(1, 12),
                           self.rng.randint(1, 28))
            first17 = f"370829{born:%Y%m%d}{self.rng.randint(100, 999)}"
            card = dataclasses.replace(sample_card("resident"), birth_date=born,
                                       id_number=first17 + id_check_digit(first17))
            self.idcard.place(card)
            try:
                reader = reader or connect(str(self.dir / "idcard"))
                read = reader.read_card()
                today = dt.date.today()
                age = today.year - read.birth_date.year - ((today.month, today.day) < (read.birth_date.month,
                                                                                         read.birth_date.day))
                number = read.id_number
                del read  # the card's other fields live for this one read only
                priority = "elderly" if age >= self.elderly_age else "normal"
                client.issue(queue=self.rng.choice(queues), priority=priority, channel="dispenser",
                             id_number=number)
            except DeviceError as exc:
                log.warning("demo ID card reader: %s", exc.message)
                if reader is not None:
                    reader.close()
                reader = None
            except Exception as exc:  # the hall refused, or is restarting
                log.warning("demo dispenser: %s", exc)
            finally:
                self.idcard.lift_and_place()
                self.idcard.remove()
        if reader is not None:
            reader.close()
        client.close()

    # -- printed tickets, read back by a scanner and a camera

    def _printer(self, device: str) -> Any:
        """A simulated receipt printer saving what it prints in its own folder,
        `<data>/devices/printer/<device>/`, named with the hall's time the ticket shows."""
        from drivers.escpos.simulator import Simulator as PrinterSimulator

        return PrinterSimulator(80, out_dir=self.dir / "printer" / device,
                                clock=lambda: datetime.now(self.tz))

    def _tickets_read_back(self, base_url: str, token: str) -> None:
        import cv2

        from drivers.camera.codes import decode
        from drivers.scanner.serial_scanner import SerialScanner
        from hall.client import HallClient

        client = HallClient(base_url, token)
        scanner = SerialScanner(self.scanner.where)
        seen: set[str] = set()
        while not self.stop.wait(5):
            printed = sorted(self.printer.out_dir.glob("ticket-*.png"))
            fresh = [p for p in printed[-3:] if p.name not in seen]
            if not fresh:
                continue
            picture = fresh[-1]
            seen.add(picture.name)
            try:
                codes = decode(cv2.imread(str(picture), cv2.IMREAD_GRAYSCALE))  # the camera's read
                if not codes:
                    log.warning("demo camera: no code read on %s", picture.name)
                    continue
                self.scanner.scan(codes[0].text)  # the same code, shown to the kiosk's scanner
                scan = scanner.read(timeout=3)
                if scan is None:
                    log.warning("demo scanner: nothing read within 3 s")
                    continue
                if "/t/" not in scan.text:
                    log.warning("demo scanner: the code is not a ticket's follow link")
                    continue
                t = client.public_ticket("/t/" + scan.text.rsplit("/t/", 1)[-1])
                log.info("demo kiosk: ticket %s read by camera and scanner: %s, %d ahead",
                         t["number"], t["state"], t.get("people_ahead", 0))
            except Exception as exc:  # a demo device problem is logged, the hall goes on
                log.warning("demo kiosk scan: %s", exc)
        scanner.close()
        client.close()

    # -- the dispenser's printer

    def _print_tickets(self, base_url: str, token: str) -> None:
        from drivers.escpos.jobs import PrintJob
        from drivers.escpos.printer import connect
        from drivers.escpos.ticket import queue_ticket
        from hall.client import HallClient
        from hall.event_stream import EventStream
        from hall.identity import Identity, load_identity_key

        client = HallClient(base_url, token)
        hall = client.hall()
        # the demo's printer stands for the dispenser's, which prints the issue answer's follow
        # link: in the hall's own process, the link is signed with the hall's key
        identity = Identity(load_identity_key(self.dir.parent))
        public = (hall.get("public_url") or base_url).rstrip("/")
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
                                   datetime.fromtimestamp(e["ts"], self.tz), public + identity.follow_path(d["ticket"]),
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


def _empty_desk_camera() -> Any:
    """The desk simulator showing an empty desk until the documents are drawn."""
    import numpy as np

    from drivers.camera.simulator import CameraSimulator, encode

    empty = np.full((DESK_SIZE[1], DESK_SIZE[0], 3), 96, np.uint8)
    return CameraSimulator(encode([empty]), fps=DESK_FPS, hold=1 / DESK_FPS).start()
