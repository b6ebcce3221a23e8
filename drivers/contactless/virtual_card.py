"""Our virtual card for vsmartcard's vpcd reader driver: the card's side of the vpcd socket.

vpcd (loaded by pcscd) listens on 127.0.0.1:35963 by default; a card "is inserted" while a
client is connected and "is removed" when it disconnects. `VirtualCard.insert()` connects and
answers on a worker thread; `remove()` disconnects. `remove_after(n)` pulls the card in the
middle of the (n+1)th APDU, without answering it, as a citizen who walks off would.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time

from drivers.contactless.demo_card import DemoCard
from drivers.contactless.vpcd import DEFAULT_PORT, Apdu, Decoder, frame
from drivers.errors import DeviceProtocolError, DeviceUnavailable

log = logging.getLogger(__name__)


class VirtualCard:
    def __init__(
        self,
        card: DemoCard | None = None,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        *,
        io_timeout: float = 0.2,
    ) -> None:
        self.card = card or DemoCard()
        self.host, self.port = host, port
        self.io_timeout = io_timeout
        self.commands: list[bytes] = []  # every APDU received, for tests and field debugging
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._remove_after: int | None = None

    @property
    def inserted(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def insert(self, timeout: float = 5.0) -> None:
        """Connects to vpcd (retrying until `timeout`: it may still be closing our last visit)."""
        self.remove()
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=min(1.0, timeout))
                break
            except OSError as exc:
                if time.monotonic() >= deadline:
                    raise DeviceUnavailable(
                        f"no vpcd at {self.host}:{self.port} ({exc}): is pcscd running with "
                        "the vsmartcard-vpcd driver?"
                    ) from exc
                time.sleep(0.05)
        sock.settimeout(self.io_timeout)
        with self._lock:
            self._stop.clear()
            self._sock = sock
            self._thread = threading.Thread(target=self._serve, args=(sock,),
                                            name="virtual-card", daemon=True)
            self._thread.start()
        log.info("virtual card %s inserted at %s:%d", self.card.uid.hex(), self.host, self.port)

    def remove(self, timeout: float = 2.0) -> None:
        """Disconnects: vpcd reports the card removed."""
        with self._lock:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None:
            thread.join(timeout)
        self._close_socket()

    def remove_after(self, apdus: int | None) -> None:
        """Answers `apdus` more APDUs, then drops the connection on the next one."""
        self._remove_after = apdus

    def close(self) -> None:
        self.remove()

    def __enter__(self) -> VirtualCard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _close_socket(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _serve(self, sock: socket.socket) -> None:
        decoder = Decoder()
        try:
            while not self._stop.is_set():
                try:
                    data = sock.recv(4096)
                except TimeoutError:
                    continue
                if not data:
                    log.info("vpcd closed the connection")
                    return
                if not self._answer(sock, decoder, data):
                    return
        except OSError as exc:
            if not self._stop.is_set():
                log.warning("virtual card connection failed: %s", exc)
        finally:
            if not self._stop.is_set():  # dropped by vpcd or by remove_after: clean up here
                self._close_socket()

    def _answer(self, sock: socket.socket, decoder: Decoder, data: bytes) -> bool:
        while True:
            try:
                messages = decoder.feed(data)
            except DeviceProtocolError as exc:
                log.warning("ignoring a bad vpcd message: %s", exc.message)
                data = b""
                continue
            if not messages:
                return True
            data = b""
            for message in messages:
                if isinstance(message, Apdu):
                    self.commands.append(message.data)
                    if self._remove_after is not None:
                        if self._remove_after <= 0:
                            self._remove_after = None
                            log.info("virtual card pulled during an APDU")
                            return False
                        self._remove_after -= 1
                answer = self.card.handle(message)
                if answer is not None:
                    sock.sendall(frame(answer))


def sim_main(argv: list[str]) -> int:
    """`yiciban sim contactless`: our demo card on vpcd. Needs pcscd running with the
    vsmartcard-vpcd driver. Commands on stdin: `remove`, `insert`, `quit`."""
    import argparse
    import signal
    import sys

    parser = argparse.ArgumentParser(prog="yiciban sim contactless", description=sim_main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="vpcd's port (35963)")
    parser.add_argument("--uid", default=DemoCard().uid.hex(), help="card UID in hex")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    card = VirtualCard(DemoCard(uid=bytes.fromhex(args.uid)), args.host, args.port)
    try:
        while not stop.is_set():
            try:
                card.insert(timeout=1.0)
                break
            except DeviceUnavailable as exc:
                print(f"waiting: {exc.message}", file=sys.stderr, flush=True)  # noqa: T201
        print(f"listening vpcd://{args.host}:{args.port}", flush=True)  # noqa: T201
        print("card inserted; type remove, insert or quit", flush=True)  # noqa: T201
        for line in sys.stdin:
            command = line.strip().lower()
            if command in ("quit", "exit"):
                return 0
            if command == "remove":
                card.remove()
            elif command == "insert":
                card.insert()
            print("card " + ("inserted" if card.inserted else "removed"), flush=True)  # noqa: T201
        while not stop.wait(0.5):  # no more input (a service, a pipe): serve until SIGTERM
            pass
    except KeyboardInterrupt:
        pass
    finally:
        card.close()
    return 0
