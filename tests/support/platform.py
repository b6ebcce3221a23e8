"""The reference platform as a real process on loopback, and a proxy that injects faults.

`PlatformServer` runs `yiciban platform` with its own data directory and node tokens, like
tests/e2e/conftest.py runs the hall. `FaultProxy` sits between a relay and the platform and
answers each request as its plan says: pass it on, or 500, 503 with Retry-After (seconds or
an HTTP date), a timeout, a slow answer (before or after the platform stored the batch), a
truncated or non-JSON body, or the platform's answer thrown away after the platform stored the
batch (accept, then drop the connection), or a reset connection (the platform is down).
"""
from __future__ import annotations

import email.utils
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from tests.support.halls import small_hall_toml

REPO = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "test-platform-admin-token"
START_SECONDS = 40.0  # a guard against a hang, not a measure: two workers on a busy machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_token(node: str) -> str:
    return f"node-token-{node}-0123456789"


class PlatformServer:
    def __init__(self, directory: Path, nodes: list[str], port: int | None = None,
                 database: str | None = None, config: str = "") -> None:
        self.directory = Path(directory)
        self.config = config  # more of platform.toml, e.g. an [admission] table
        self.database = database  # a URL (tests/support/postgres.py); default SQLite in its data directory
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.nodes = nodes
        self.log_path = self.directory / "platform.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.admin = requests.Session()
        self.admin.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "platform.toml"
        where = f'database = "{self.database}"\n' if self.database else ""
        config.write_text(where + f'admin_token = "{ADMIN_TOKEN}"\n' + self.config + "".join(
            f'[[nodes]]\nid = "{n}"\ntoken = "{node_token(n)}"\n' for n in self.nodes), encoding="utf-8")
        cmd = [sys.executable, "-m", "yiciban.cli", "--log-level", "INFO", "platform", "--config", str(config),
               "--data-dir", str(self.directory / "data"), "--host", "127.0.0.1", "--port", str(self.port)]
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"platform exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            try:
                if requests.get(f"{self.base_url}/health", timeout=0.5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()  # not left running behind the failed test
        raise RuntimeError(f"platform did not answer within {START_SECONDS} s:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.admin.close()

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    # -- the admin API

    def records(self, node: str, personal: bool = False) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after = -1
        while True:
            r = self.admin.get(f"{self.base_url}/api/v1/admin/records", timeout=30,
                               params={"node": node, "after_seq": after, "limit": 10000,
                                       "personal": str(personal).lower()})
            r.raise_for_status()
            batch = r.json()["records"]
            out.extend(batch)
            if len(batch) < 10000:
                return out
            after = batch[-1]["seq"]

    def stats(self, node: str) -> dict[str, Any]:
        return self.all_stats()["nodes"].get(node, {"records": 0, "by_type": {}, "answers": {}})

    def all_stats(self) -> dict[str, Any]:
        r = self.admin.get(f"{self.base_url}/api/v1/admin/stats", timeout=30)
        r.raise_for_status()
        return r.json()

    def publish(self, dataset: str, **body: Any) -> dict[str, Any]:
        r = self.admin.post(f"{self.base_url}/api/v1/admin/datasets/{dataset}", json=body, timeout=30)
        r.raise_for_status()
        return r.json()


class _QuietServer(ThreadingHTTPServer):
    """A relay killed mid-request resets its connection: that is the test's doing, not an error
    worth a traceback on the console; anything else is still reported."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FaultProxy:
    """HTTP on loopback in front of `upstream`; each request takes the next fault of the plan."""

    def __init__(self, upstream_port: int, *, hold: float = 2.0, delay: float = 0.3,
                 retry_after: int = 1, skew: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.hold, self.delay, self.retry_after, self.skew = hold, delay, retry_after, skew
        self.plan: deque[str] = deque()
        self.default = "pass"
        self.seen: Counter[str] = Counter()
        self.forwarded = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                proxy.handle(self)

            do_POST = do_GET  # noqa: N815

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def set_plan(self, faults: list[str], default: str = "pass") -> None:
        with self.lock:
            self.plan = deque(faults)
            self.default = default

    def _next(self) -> str:
        with self.lock:
            fault = self.plan.popleft() if self.plan else self.default
            self.seen[fault] += 1
            return fault

    def _forward(self, h: BaseHTTPRequestHandler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            headers = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(h.command, h.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            with self.lock:
                self.forwarded += 1
            return resp.status, [(k, v) for k, v in resp.getheaders()
                                 if k.lower() not in ("connection", "transfer-encoding", "content-length")], data
        finally:
            conn.close()

    def _upstream_alive(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.upstream_port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        fault = self._next()
        if fault == "reset":
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        body = h.rfile.read(int(h.headers.get("Content-Length") or 0))
        if fault == "500":
            return self._answer(h, 500, b'{"error":"boom","message":"internal error"}')
        if fault in ("503", "503date"):
            now = time.time() + self.skew
            extra = [("Retry-After", str(self.retry_after))] if fault == "503" else [
                ("Retry-After", email.utils.formatdate(now + self.retry_after, usegmt=True)),
                ("Date", email.utils.formatdate(now, usegmt=True))]
            return self._answer(h, 503, b'{"error":"busy","message":"overloaded"}', extra)
        if fault == "slow":
            time.sleep(self.delay)
        status, headers, data = self._forward(h, body)
        if fault == "late":  # stored upstream; the answer takes its time, and dies with the platform
            time.sleep(self.delay)
            if not self._upstream_alive():
                fault = "drop"
        if fault == "timeout":  # stored upstream; the answer never comes in time
            time.sleep(self.hold)
            h.close_connection = True
            return
        if fault == "drop":  # stored upstream; the connection dies before the answer
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "truncate":
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data[: len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "garbage":
            return self._answer(h, 200, b"<html><body>502 Bad Gateway</body></html>", [("Content-Type", "text/html")])
        self._answer(h, status, data, headers)

    @staticmethod
    def _answer(h: BaseHTTPRequestHandler, status: int, data: bytes,
                headers: list[tuple[str, str]] | None = None) -> None:
        h.send_response_only(status)
        for k, v in headers or [("Content-Type", "application/json")]:
            h.send_header(k, v)
        if not any(k.lower() == "date" for k, _ in headers or []):
            h.send_header("Date", h.date_time_string())
        h.send_header("Content-Length", str(len(data)))
        try:
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the relay was killed mid-request (the kill tests do it on purpose)


def hall_toml_with_platform(url: str, node: str = "test-hall", timeout: float = 5.0) -> str:
    """The small test hall, syncing to `url` as `node`."""
    return small_hall_toml() + (f'\n[platform]\nurl = "{url}"\nnode_id = "{node}"\n'
                                f'token = "{node_token(node)}"\ntimeout_seconds = {timeout}\n')
