"""An ID card reader's SAM, simulated: speaks the reader's side over a pty (or TCP).

It holds one card (or none), answers find → select → read as a reader does, and paces
every byte at the configured baud rate both ways (10 bits a byte, 8N1): the 1,295-byte
answer at 115200 baud takes ~112 ms, as on the wire. Faults (`SimFaults`) can be set at
start or changed while it runs: the card must be lifted before a re-read, noise instead of
an answer, noise before an answer, a wrong checksum, a truncated answer, an impossible
length, silence, a delay, SAM error codes.

`sim_main(argv)`: `yiciban sim idcard [--pty [--link PATH] | --tcp PORT] [--card KIND] [faults]`.
SIGUSR1 lifts the card and places it again.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import fcntl
import hashlib
import logging
import os
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.errors import DeviceProtocolError
from drivers.idcard import codec
from drivers.idcard.card import CardType, IdCard, encode_text_block
from drivers.idcard.codec import Command, Request
from drivers.ptys import PtyPort

log = logging.getLogger(__name__)

CARD_KINDS = ("resident", "hmt", "foreign2017", "foreign2023", "none")
SAM_ID = bytes([5, 0, 1, 0]) + (20240101).to_bytes(4, "little") + (12345).to_bytes(4, "little") + (67890).to_bytes(4, "little")


def blob(seed: str, size: int) -> bytes:
    """Fixed stand-in bytes (a photo's WLT, a fingerprint): the same on every run."""
    out, block = bytearray(), seed.encode()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def sample_card(kind: str) -> IdCard | None:
    """Fictional cardholders of the four layouts, with valid check characters."""
    d = dt.date
    photo = blob(f"wlt:{kind}", codec.PHOTO_SIZE)
    if kind == "resident":
        return IdCard(CardType.RESIDENT, "张三", "1", d(1990, 1, 1), "440304199001010011",
                      d(2020, 1, 1), d(2040, 1, 1), ethnicity_code="01",
                      address="广东省深圳市福田区示例路1号", issuer="深圳市公安局福田分局",
                      photo=photo, fingerprint=blob("fp:resident", 1024))
    if kind == "hmt":
        return IdCard(CardType.HMT, "陈美玲", "2", d(1985, 6, 15), "810000198506150020",
                      d(2023, 9, 1), d(2028, 9, 1), address="广东省珠海市香洲区示例大道100号",
                      issuer="珠海市公安局", permit_number="H12345678", issue_count="01", photo=photo)
    if kind == "foreign2017":
        return IdCard(CardType.FOREIGN_2017, "约翰史密斯", "1", d(1980, 1, 1), "USA110080010112",
                      d(2018, 5, 1), d(2028, 5, 1), english_name="SMITH JOHN", nationality="USA",
                      card_version="01", authority_code="1100", photo=photo)
    if kind == "foreign2023":
        return IdCard(CardType.FOREIGN_2023, "玛丽亚", "2", d(1992, 3, 8), "931724199203080020",
                      d(2024, 1, 1), d(2034, 1, 1),
                      english_name="GARCIA LOPEZ MARIA FERNANDA DE LOS ANGELES", nationality="ESP",
                      renewal_count="00", photo=photo)
    if kind == "none":
        return None
    raise ValueError(f"unknown card kind {kind!r} (known: {', '.join(CARD_KINDS)})")


@dataclass
class SimFaults:
    """Counts say how many coming answers are hit; -1 hits every one."""

    lift_to_reread: bool = False
    garbage: int = 0  # noise instead of the answer
    noise: int = 0  # noise before the answer (the driver resynchronises)
    bad_checksum: int = 0
    truncate: int = 0  # only the first half of the answer
    oversized: int = 0  # LEN FF FF in the answer's header
    silent: int = 0  # no answer at all
    delay: float = 0.0  # seconds before each answer
    sam_error: int | None = None  # SW3 answered to every command (0x60, 0x66 ...)
    read_error: int | None = None  # SW3 answered to read commands (0x41 ...)

    def take(self, name: str) -> bool:
        left = getattr(self, name)
        if left > 0:
            setattr(self, name, left - 1)
        return left != 0


@dataclass(frozen=True)
class Exchange:
    command: str
    request_bytes: int
    answer_bytes: int
    rx_wire: float  # seconds the request took on the (simulated) wire
    tx_wire: float  # seconds the answer took, measured while it was sent


class SamSimulator:
    def __init__(self, card: IdCard | None = None, *, baudrate: int = 115200,
                 faults: SimFaults | None = None, sam_id: bytes = SAM_ID) -> None:
        self.card = card
        self.baudrate = baudrate
        self.faults = faults or SimFaults()
        self.sam_id = sam_id
        self.history: collections.deque[Exchange] = collections.deque(maxlen=1024)
        self.requests: collections.deque[bytes] = collections.deque(maxlen=64)
        self._found = self._selected = self._halted = False
        self._state = threading.Lock()
        self._io = threading.RLock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.pty: PtyPort | None = None
        self._server: socket.socket | None = None

    # -- the card

    def place(self, card: IdCard | None) -> None:
        with self._state:
            self.card, self._halted, self._found, self._selected = card, False, False, False

    def remove(self) -> None:
        self.place(None)

    def lift_and_place(self) -> None:
        with self._state:
            self._halted = self._found = self._selected = False

    # -- protocol

    def answer(self, request: Request) -> bytes:
        """The answer frame to one request (faults on the answer's bytes come later)."""
        with self._state:
            return self._answer(request)

    def _answer(self, request: Request) -> bytes:
        command = request.command
        f = self.faults
        if f.sam_error is not None:
            return codec.encode_response(f.sam_error)
        if command in (Command.RESET, Command.SAM_STATUS):
            if command is Command.RESET:
                self._found = self._selected = self._halted = False
            return codec.encode_response(codec.SW3_OK)
        if command is Command.SAM_ID:
            return codec.encode_response(codec.SW3_OK, self.sam_id)
        if command is Command.FIND:
            self._found = self._selected = False
            if self.card is None or self._halted:
                return codec.encode_response(codec.SW3_NO_CARD)
            self._found = True
            return codec.encode_response(codec.SW3_CARD_FOUND, bytes(4))
        if command is Command.SELECT:
            if not self._found or self.card is None:
                return codec.encode_response(0x81)
            self._selected = True
            return codec.encode_response(codec.SW3_OK, bytes(8))
        if command in (Command.READ_BASE, Command.READ_WITH_FINGERPRINT):
            return self._read(command is Command.READ_WITH_FINGERPRINT)
        if command is Command.READ_ADDRESS:
            return codec.encode_response(codec.SW3_NO_CONTENT if self._selected else 0x41)
        return codec.encode_response(0x21)

    def _read(self, with_fp: bool) -> bytes:
        card = self.card
        if not self._selected or card is None:
            return codec.encode_response(0x41)
        if self.faults.read_error is not None:
            return codec.encode_response(self.faults.read_error)
        data = codec.join_read_data(encode_text_block(card), card.photo, card.fingerprint,
                                    with_fingerprint=with_fp)
        self._found = self._selected = False
        self._halted = self.faults.lift_to_reread
        return codec.encode_response(codec.SW3_OK, data)

    def _damage(self, frame: bytes) -> bytes:
        f = self.faults
        if f.take("silent"):
            return b""
        if f.take("garbage"):
            return blob(f"garbage:{time.monotonic()}", len(frame)).replace(b"\xaa", b"\x55")
        if f.take("bad_checksum"):
            frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
        if f.take("oversized"):
            frame = codec.PREAMBLE + b"\xff\xff" + frame[codec.HEADER_SIZE :]
        if f.take("truncate"):
            frame = frame[: max(1, len(frame) // 2)]
        if f.take("noise"):
            frame = b"\x00\x13\x96\x69\xaa\x37" + frame
        return frame

    # -- the wire

    def wire_time(self, nbytes: int) -> float:
        return nbytes * 10 / self.baudrate

    def _serve(self, recv: Callable[[], bytes | None], send: Callable[[bytes], bool]) -> None:
        """One connection: requests in, paced answers out, until `recv` says it is gone."""
        decoder = codec.FrameDecoder()
        started = 0.0
        while not self._stop.is_set():
            data = recv()
            if data is None:
                return
            if not data:
                continue
            if decoder.buffered == 0:
                started = time.monotonic()
            decoder.feed(data)
            while True:
                try:
                    body = decoder.next_body()
                except DeviceProtocolError as exc:
                    code = 0x10 if "checksum" in exc.message else 0x11
                    self._send(send, codec.encode_response(code))
                    continue
                if body is None:
                    break
                request = Request.from_body(body)
                size = codec.HEADER_SIZE + len(body) + 1
                self.requests.append(codec.encode_request(request.cmd, request.para, request.data))
                rx_wire = self.wire_time(size)
                self._pause_until(started + rx_wire + self.faults.delay)
                name = request.command.name if request.command else f"{request.cmd:02X}{request.para:02X}"
                frame = self._damage(self.answer(request))
                tx = self._send(send, frame)
                self.history.append(Exchange(name, size, len(frame), rx_wire, tx))
                log.debug("answered %s with %d bytes in %.1f ms", name, len(frame), tx * 1000)
                started = time.monotonic()

    def _pause_until(self, when: float) -> None:
        while (left := when - time.monotonic()) > 0 and not self._stop.is_set():
            time.sleep(min(left, 0.05))

    def _send(self, send: Callable[[bytes], bool], frame: bytes) -> float:
        """Writes `frame` paced at the baud rate: each chunk leaves when its last byte would
        have crossed the wire. Returns the seconds it took."""
        t0 = time.monotonic()
        chunk = max(1, self.baudrate // 10_000)  # about 1 ms of wire per write
        sent = 0
        while sent < len(frame):
            piece = frame[sent : sent + chunk]
            self._pause_until(t0 + self.wire_time(sent + len(piece)))
            if not send(piece):
                break
            sent += len(piece)
        return time.monotonic() - t0

    # -- pty

    def serve_pty(self, link: str | os.PathLike[str] | None = None) -> PtyPort:
        self.pty = PtyPort(link)
        self._nonblocking()
        self._start("idcard-sim-pty", lambda: self._serve(self._pty_recv, self._pty_send))
        return self.pty

    def _nonblocking(self) -> None:
        assert self.pty is not None and self.pty.master is not None
        flags = fcntl.fcntl(self.pty.master, fcntl.F_GETFL)
        fcntl.fcntl(self.pty.master, fcntl.F_SETFL, flags | os.O_NONBLOCK)

    def unplug(self) -> None:
        with self._io:
            if self.pty is not None:
                self.pty.unplug()

    def replug(self) -> None:
        with self._io:
            if self.pty is not None:
                self.pty.replug()
                self._nonblocking()

    def _pty_recv(self) -> bytes | None:
        with self._io:
            fd = self.pty.master if self.pty else None
            if fd is not None:
                try:
                    if select.select([fd], [], [], 0.02)[0]:
                        return os.read(fd, 4096)
                    return b""
                except OSError:
                    pass
        self._stop.wait(0.02)  # unplugged: wait for the replug
        return b"" if not self._stop.is_set() else None

    def _pty_send(self, data: bytes) -> bool:
        deadline = time.monotonic() + 0.5
        while data:
            with self._io:
                fd = self.pty.master if self.pty else None
                if fd is None:
                    return False
                try:
                    data = data[os.write(fd, data):]
                    continue
                except BlockingIOError:
                    pass
                except OSError:
                    return False
            if time.monotonic() > deadline:  # nobody reads the other end: drop it, as a UART would
                return False
            time.sleep(0.005)
        return True

    # -- tcp

    def serve_tcp(self, port: int = 0, host: str = "127.0.0.1") -> str:
        self._server = socket.create_server((host, port))
        self._server.settimeout(0.1)
        self._start("idcard-sim-tcp", self._accept_loop)
        return f"socket://{host}:{self._server.getsockname()[1]}"

    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(0.05)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._serve(lambda c=conn: _sock_recv(c), lambda b, c=conn: _sock_send(c, b))

    # -- life

    def _start(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        with self._io:
            if self.pty is not None:
                self.pty.close()
            if self._server is not None:
                self._server.close()

    def __enter__(self) -> SamSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sock_recv(conn: socket.socket) -> bytes | None:
    try:
        data = conn.recv(4096)
    except TimeoutError:
        return b""
    except OSError:
        return None
    return data or None


def _sock_send(conn: socket.socket, data: bytes) -> bool:
    try:
        conn.sendall(data)
    except OSError:
        return False
    return True


_COUNTED = ("garbage", "noise", "bad_checksum", "truncate", "oversized", "silent")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yiciban sim idcard", description="ID card reader (SAM) simulator")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--pty", action="store_true", help="serve on a pty (the default)")
    where.add_argument("--tcp", type=int, metavar="PORT", help="serve on 127.0.0.1:PORT (0: any free port)")
    p.add_argument("--link", help="with --pty: a stable symlink to the pty")
    p.add_argument("--card", choices=CARD_KINDS, default="resident")
    p.add_argument("--baud", type=int, default=115200, help="pace of the simulated wire")
    p.add_argument("--lift-required", action="store_true", help="the card must be lifted before a re-read")
    for name, what in (("garbage", "noise instead of the answer"), ("noise", "noise before the answer"),
                       ("bad-checksum", "a wrong checksum"), ("truncate", "half an answer"),
                       ("oversized", "LEN FF FF"), ("silent", "no answer")):
        p.add_argument(f"--{name}", nargs="?", type=int, const=-1, default=0, metavar="N",
                       help=f"{what} for the next N answers (every answer without N)")
    p.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="before each answer")
    p.add_argument("--sam-error", type=lambda s: int(s, 0), metavar="SW3", help="answer every command with this code, e.g. 0x60")
    p.add_argument("--read-error", type=lambda s: int(s, 0), metavar="SW3", help="answer reads with this code, e.g. 0x41")
    return p


def sim_main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    counts = {name: getattr(args, name) for name in _COUNTED}
    faults = SimFaults(lift_to_reread=args.lift_required, delay=args.delay, sam_error=args.sam_error,
                       read_error=args.read_error, **counts)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with SamSimulator(sample_card(args.card), baudrate=args.baud, faults=faults) as sim:
        signal.signal(signal.SIGUSR1, lambda *_: sim.lift_and_place())
        where = sim.serve_tcp(args.tcp) if args.tcp is not None else sim.serve_pty(args.link).path
        print(f"listening {where}", flush=True)  # noqa: T201
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(sim_main(sys.argv[1:]))
