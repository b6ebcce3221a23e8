"""What every device simulator shares: serving on a pty or a TCP port, and its main loop.

`SimServer` serves a byte-stream device on a thread of its own. The device is a function from
the bytes the driver wrote to the bytes it answers. Over TCP it behaves like a serial-to-Ethernet
converter: one client at a time, the newest one wins.

`serve_commands` is the main loop of `yiciban sim KIND`: commands from stdin (the simulator's
buttons: press a key, open the cover ...), then serving until Ctrl+C or SIGTERM.
"""
from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from drivers.ptys import PtyPort

log = logging.getLogger(__name__)

Feed = Callable[[bytes], bytes]
Command = Callable[[str], str | None]


def serve_commands(handle: Command | None, close: Callable[[], None]) -> int:
    """Runs each stdin line through `handle` (its reply printed), then serves until Ctrl+C or
    SIGTERM (stdin closed: the simulator was started in the background). Always `close`s."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        if handle is not None:
            for raw in sys.stdin:
                reply = handle(raw.rstrip("\r\n"))
                if reply:
                    print(reply, flush=True)  # noqa: T201 - the simulator's console
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        close()
    return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


class SimServer:
    def __init__(self, feed: Feed, *, pty: bool = False, link: str | Path | None = None,
                 tcp: int | None = None, host: str = "127.0.0.1", name: str = "sim") -> None:
        if pty == (tcp is not None):
            raise ValueError("serve on a pty or on a TCP port, one of the two")
        self.feed = feed
        self.name = name
        self.port: PtyPort | None = PtyPort(link) if pty else None
        self.listener: socket.socket | None = None
        self.client: socket.socket | None = None
        if tcp is not None:
            self.listener = socket.create_server((host, tcp))
        self._stop = threading.Event()
        self._hang_up = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """What a driver opens: the pty (or its symlink), or `socket://host:port`."""
        if self.port is not None:
            return self.port.path
        assert self.listener is not None
        host, port = self.listener.getsockname()[:2]
        return f"socket://{host}:{port}"

    def start(self) -> SimServer:
        self._thread = threading.Thread(target=self.serve, name=f"{self.name}-serve", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for sock in (self.client, self.listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self.client = self.listener = None
        if self.port is not None:
            self.port.close()

    def hang_up(self) -> None:
        """The device side drops the TCP connection (a converter rebooting); the driver must reconnect."""
        self._hang_up.set()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def serve(self) -> None:
        while not self._stop.is_set():
            try:
                self._once()
            except Exception:
                log.exception("%s: serving failed; going on", self.name)

    def _once(self) -> None:
        if self.port is not None:
            fd = self.port.master
            if fd is None:  # unplugged: wait for replug
                self._stop.wait(0.05)
                return
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    self._stop.wait(0.05)
                    return
                self._answer(lambda b: os.write(fd, b), data)
            return
        if self._hang_up.is_set() or (self.client is not None and self.client.fileno() < 0):
            self._hang_up.clear()
            if self.client is not None:
                self.client.close()
                self.client = None
        watch = [s for s in (self.listener, self.client) if s is not None and s.fileno() >= 0]
        ready, _, _ = select.select(watch, [], [], 0.05)
        for sock in ready:
            if sock is self.listener:
                client, peer = sock.accept()
                if self.client is not None:
                    self.client.close()
                self.client = client
                log.info("%s: client %s connected", self.name, peer)
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                sock.close()
                self.client = None
                continue
            self._answer(sock.sendall, data)

    def _answer(self, write: Callable[[bytes], object], data: bytes) -> None:
        reply = self.feed(data)
        if reply:
            try:
                write(reply)
            except OSError as exc:
                log.info("%s: could not answer: %s", self.name, exc)
