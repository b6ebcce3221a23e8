"""A scanner in serial line mode, from the device's side: each "scan" is written as the scanner
would send it (optional AIM prefix, the text in the configured encoding, the suffix).

`yiciban sim scanner [--pty [--link PATH] | --tcp PORT] [--encoding E] [--suffix S] [--aim ID]`
prints `listening <where>` first (a pty path, or `socket://127.0.0.1:PORT`), then treats each
line of its standard input as one scan. Lines starting with `:` are commands:
`:hex 0d0a41` sends raw bytes, `:unplug` and `:replug` (pty only) pull and reinsert the cable.
After the end of input it keeps serving until interrupted.
"""
from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
from collections.abc import Sequence

from drivers.ptys import PtyPort
from drivers.scanner.codec import SUFFIX_NAMES, LineConfig, encode_line
from drivers.simserve import serve_commands

log = logging.getLogger(__name__)


class ScannerSimulator:
    """Writes scans to the master end of a pty, or to every client of a TCP port."""

    def __init__(
        self,
        port: PtyPort | None = None,
        config: LineConfig | None = None,
        *,
        aim: str = "",
        tcp: tuple[str, int] | None = None,
    ) -> None:
        self.config = config or LineConfig()
        self.aim = aim
        self.port = port
        self._clients: list[socket.socket] = []
        self._server: socket.socket | None = None
        self._lock = threading.Lock()
        if tcp is not None:
            self._server = socket.create_server(tcp)
            threading.Thread(target=self._accept, name="scanner-sim-accept", daemon=True).start()
        elif self.port is None:
            self.port = PtyPort()

    @property
    def where(self) -> str:
        if self._server is not None:
            host, port = self._server.getsockname()[:2]
            return f"socket://{host}:{port}"
        assert self.port is not None
        return self.port.path

    def _accept(self) -> None:
        assert self._server is not None
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self._clients.append(conn)

    def scan(self, text: str, *, aim: str | None = None) -> bytes:
        """Sends `text` as one scan; returns the bytes sent."""
        data = encode_line(text, self.config, self.aim if aim is None else aim)
        self.send(data)
        return data

    def send(self, data: bytes) -> None:
        if self._server is not None:
            with self._lock:
                for conn in list(self._clients):
                    try:
                        conn.sendall(data)
                    except OSError:
                        self._clients.remove(conn)
            return
        assert self.port is not None
        if self.port.master is None:
            log.info("scanner simulator unplugged: %d bytes not sent", len(data))
            return
        os.write(self.port.master, data)

    def unplug(self) -> None:
        if self.port is not None:
            self.port.unplug()

    def replug(self) -> None:
        if self.port is not None:
            self.port.replug()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with self._lock:
                for conn in self._clients:
                    conn.close()
                self._clients.clear()
        if self.port is not None:
            self.port.close()


def _command(sim: ScannerSimulator, line: str) -> None:
    word, _, arg = line[1:].partition(" ")
    if word == "hex":
        sim.send(bytes.fromhex(arg))
    elif word == "unplug":
        sim.unplug()
    elif word == "replug":
        sim.replug()
    else:
        print(f"unknown command :{word} (use :hex, :unplug, :replug)", file=sys.stderr)  # noqa: T201


def sim_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban sim scanner", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal (default)")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT (0: any)")
    parser.add_argument("--link", help="with --pty: a stable symlink to the pty")
    parser.add_argument("--encoding", default="utf-8", help="utf-8 (default), gbk, gb18030")
    parser.add_argument("--suffix", default="cr", choices=SUFFIX_NAMES)
    parser.add_argument("--aim", default="", help="AIM identifier sent before each scan, e.g. ]Q1")
    args = parser.parse_args(argv)

    config = LineConfig(suffix=args.suffix, encoding=args.encoding)
    if args.tcp is not None:
        sim = ScannerSimulator(config=config, aim=args.aim, tcp=("127.0.0.1", args.tcp))
    else:
        sim = ScannerSimulator(PtyPort(args.link), config, aim=args.aim)
    print(f"listening {sim.where}", flush=True)  # noqa: T201

    def handle(line: str) -> None:
        if line.startswith(":"):
            _command(sim, line)
        elif line:
            sim.scan(line)

    return serve_commands(handle, sim.close)


if __name__ == "__main__":
    sys.exit(sim_main(sys.argv[1:]))
