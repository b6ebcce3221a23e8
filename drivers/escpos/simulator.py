"""A simulated ESC/POS thermal printer on a pty or a TCP port (like port 9100 of a network printer).

It interprets what it receives (`engine.Engine`), answers DLE EOT and GS r, and keeps each cut
ticket; with an output directory it saves each as ticket-NNNN.png and ticket-NNNN.txt. Faults are
set by methods (`paper_out()`, `open_cover()`, `go_offline()` ...), by `sim_main` flags at start,
and by commands on its standard input while it runs.
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import os
import select
import socket
import sys
import threading
import time
from pathlib import Path

from drivers.escpos.engine import (
    COVER_OPEN,
    CUTTER_ERROR,
    FAULTS,
    NEAR_END,
    OFFLINE,
    PAPER_OUT,
    SILENT,
    Engine,
    SimTicket,
)
from drivers.escpos.parser import Tokenizer
from drivers.escpos.profiles import Profile, profile_for
from drivers.ptys import PtyPort

log = logging.getLogger(__name__)


class Simulator:
    def __init__(self, profile: Profile | int = 80, out_dir: str | Path | None = None) -> None:
        self.profile = profile if isinstance(profile, Profile) else profile_for({"width": profile})
        self.engine = Engine(self.profile)
        self.engine.on_ticket = self._on_ticket
        self.out_dir = Path(out_dir) if out_dir else None
        self.port: PtyPort | None = None
        self.server: socket.socket | None = None
        self.clients: dict[socket.socket, Tokenizer] = {}
        self.received = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- where it listens

    def start_pty(self, link: str | Path | None = None) -> str:
        self.port = PtyPort(link)
        self._start()
        return self.port.path

    def start_tcp(self, port: int = 0, host: str = "127.0.0.1") -> int:
        server = socket.create_server((host, port), reuse_port=False)
        server.setblocking(False)
        self.server = server
        self._start()
        return int(server.getsockname()[1])

    @property
    def where(self) -> str:
        if self.port is not None:
            return f"pty {self.port.path}"
        if self.server is not None:
            host, port = self.server.getsockname()[:2]
            return f"tcp {host}:{port}"
        return "nowhere"

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="escpos-sim", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with self._lock:
            for c in list(self.clients):
                c.close()
            self.clients.clear()
            if self.server is not None:
                self.server.close()
            if self.port is not None:
                self.port.close()

    # -- faults

    def set_fault(self, name: str, on: bool = True) -> None:
        with self._lock:
            self._send(self.engine.set_fault(name, on))
            self._changed.notify_all()

    def paper_out(self) -> None:
        self.set_fault(PAPER_OUT)

    def load_paper(self) -> None:
        self.set_fault(PAPER_OUT, False)
        self.set_fault(NEAR_END, False)

    def open_cover(self) -> None:
        self.set_fault(COVER_OPEN)

    def close_cover(self) -> None:
        self.set_fault(COVER_OPEN, False)

    def go_offline(self) -> None:
        self.set_fault(OFFLINE)

    def go_online(self) -> None:
        self.set_fault(OFFLINE, False)

    def cutter_error(self, on: bool = True) -> None:
        self.set_fault(CUTTER_ERROR, on)

    def near_end(self, on: bool = True) -> None:
        self.set_fault(NEAR_END, on)

    def silence(self, on: bool = True) -> None:
        """Stops answering anything (a printer switched off behind a still-open link)."""
        self.set_fault(SILENT, on)

    def run_out_after(self, rows: int) -> None:
        with self._lock:
            self.engine.run_out_after(rows)

    def clear_faults(self) -> None:
        for name in FAULTS:
            self.set_fault(name, False)

    def unplug(self) -> None:
        with self._lock:
            if self.port is not None:
                self.port.unplug()

    def replug(self) -> None:
        with self._lock:
            if self.port is not None:
                self.port.replug()
                self.engine.tokenizer.reset()

    # -- what was printed

    @property
    def tickets(self) -> list[SimTicket]:
        with self._lock:
            return list(self.engine.tickets)

    def wait_tickets(self, count: int, timeout: float = 5.0) -> list[SimTicket]:
        with self._changed:
            self._changed.wait_for(lambda: len(self.engine.tickets) >= count, timeout)
            return list(self.engine.tickets)

    def _on_ticket(self, ticket: SimTicket) -> None:
        self._changed.notify_all()
        if self.out_dir is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stem = self.out_dir / f"ticket-{ticket.index:04d}"
        try:
            ticket.render().save(stem.with_suffix(".part"), format="PNG")
            os.replace(stem.with_suffix(".part"), stem.with_suffix(".png"))  # readers never see half a picture
            stem.with_suffix(".txt").write_text(ticket.text + "\n", "utf-8")
        except OSError as exc:
            log.warning("cannot save %s: %s", stem, exc)
        log.info("ticket %d saved as %s.png", ticket.index, stem)

    # -- serving

    def _send(self, data: bytes) -> None:
        if not data:
            return
        if self.port is not None and self.port.master is not None:
            with contextlib.suppress(OSError):
                os.write(self.port.master, data)
        for c in list(self.clients):
            try:
                c.sendall(data)
            except OSError:
                self._drop(c)

    def _drop(self, c: socket.socket) -> None:
        self.clients.pop(c, None)
        with contextlib.suppress(OSError):
            c.close()

    def _receive(self, data: bytes, tokenizer: Tokenizer | None = None) -> None:
        with self._lock:
            self.received += len(data)
            engine = self.engine
            if tokenizer is not None:  # each TCP connection is its own byte stream
                engine.tokenizer, saved = tokenizer, engine.tokenizer
                try:
                    reply = engine.receive(data)
                finally:
                    engine.tokenizer = saved
            else:
                reply = engine.receive(data)
            self._send(reply)
            self._changed.notify_all()

    def _serve(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                fds: list[int | socket.socket] = []
                if self.port is not None and self.port.master is not None:
                    fds.append(self.port.master)
                if self.server is not None:
                    fds.append(self.server)
                fds += list(self.clients)
            if not fds:
                time.sleep(0.02)
                continue
            try:
                ready, _, _ = select.select(fds, [], [], 0.05)
            except (OSError, ValueError):
                time.sleep(0.01)  # a port closed under us (unplug): look again
                continue
            for r in ready:
                self._serve_one(r)

    def _serve_one(self, r: int | socket.socket) -> None:
        if r is self.server:
            with contextlib.suppress(BlockingIOError, OSError):
                conn, _ = self.server.accept()
                conn.setblocking(True)
                with self._lock:
                    self.clients[conn] = Tokenizer()
            return
        if isinstance(r, socket.socket):
            try:
                data = r.recv(65536)
            except OSError:
                data = b""
            if not data:
                with self._lock:
                    self._drop(r)
                return
            self._receive(data, self.clients.get(r))
            return
        with self._lock:  # the fd may have been closed (unplug) and its number reused since
            if self.port is None or self.port.master != r:
                return
            try:
                data = os.read(r, 65536)
            except OSError:
                data = b""  # no driver on the other end yet
        if not data:
            time.sleep(0.01)
        else:
            self._receive(data)


COMMANDS = {
    "paper_out": Simulator.paper_out, "load_paper": Simulator.load_paper,
    "cover_open": Simulator.open_cover, "cover_close": Simulator.close_cover,
    "offline": Simulator.go_offline, "online": Simulator.go_online,
    "cutter_error": Simulator.cutter_error, "near_end": Simulator.near_end,
    "clear": Simulator.clear_faults, "unplug": Simulator.unplug, "replug": Simulator.replug,
}


def _stdin_commands(sim: Simulator) -> None:
    for line in sys.stdin:
        word = line.strip()
        if not word:
            continue
        action = COMMANDS.get(word)
        if action is None:
            print(f"unknown command {word!r}; known: {', '.join(COMMANDS)}", flush=True)  # noqa: T201
            continue
        action(sim)
        print(f"{word}: ok", flush=True)  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="yiciban sim receipt_printer",
                                 description="Simulated ESC/POS thermal printer (58 or 80 mm).")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="listen on a pseudo-terminal (default)")
    where.add_argument("--tcp", type=int, metavar="PORT", help="listen on a TCP port, e.g. 9100")
    ap.add_argument("--link", help="with --pty: a stable symlink to the pty, e.g. /tmp/yiciban-printer")
    ap.add_argument("--host", default="127.0.0.1", help="with --tcp: the address to bind")
    ap.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper width in mm")
    ap.add_argument("--out", help="save each cut ticket here as PNG and text")
    ap.add_argument("--paper-out", action="store_true")
    ap.add_argument("--near-end", action="store_true")
    ap.add_argument("--cover-open", action="store_true")
    ap.add_argument("--offline", action="store_true")
    ap.add_argument("--cutter-error", action="store_true")
    ap.add_argument("--paper-after", type=int, metavar="ROWS", help="the roll ends after ROWS rows")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    sim = Simulator(args.width, args.out)
    for flag, name in ((args.paper_out, PAPER_OUT), (args.near_end, NEAR_END),
                       (args.cover_open, COVER_OPEN), (args.offline, OFFLINE),
                       (args.cutter_error, CUTTER_ERROR)):
        if flag:
            sim.set_fault(name)
    if args.paper_after:
        sim.run_out_after(args.paper_after)
    if args.tcp is not None:
        sim.start_tcp(args.tcp, args.host)
    else:
        sim.start_pty(args.link)
    print(f"listening {sim.where}", flush=True)  # noqa: T201
    threading.Thread(target=_stdin_commands, args=(sim,), name="escpos-sim-stdin", daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0
