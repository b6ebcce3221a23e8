"""The real `yiciban hall` process against slow and oversized requests and guessed passwords.

Raw sockets, so the test sends exactly what a hostile client would: half a request, a huge
header. The login test connects from two loopback addresses (127.0.0.1 and 127.0.0.2) to be
two clients.
"""
from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from hall.http_limits import MAX_HEAD_BYTES
from tests.support.halls import small_hall_toml
from tests.support.hallserver import HallServer, free_port

# the hall's deadline for a request's head, set short in its file ([server] head_timeout_seconds;
# 5 s by default) so the tests that wait for it take seconds, not tens of them
HEAD_TIMEOUT_SECONDS = 1.5
PATIENCE = HEAD_TIMEOUT_SECONDS + 10  # the test's own bound on waiting for the server


@pytest.fixture(scope="module")
def shared_hall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallServer]:
    """One hall for the module, with a short head deadline; the tests change nothing in it."""
    directory = tmp_path_factory.mktemp("limits-hall")
    config = directory / "hall.toml"
    config.write_text(small_hall_toml() + f"\n[server]\nhead_timeout_seconds = {HEAD_TIMEOUT_SECONDS}\n",
                      encoding="utf-8")
    server = HallServer(config, directory / "data", directory / "hall-server.log", free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def connect(server: HallServer, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE,
                                    source_address=(source, 0))
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes; fails the test if it keeps the connection open."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            pytest.fail(f"the server kept the connection open for {PATIENCE} s")
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def read_response(sock: socket.socket) -> bytes:
    """One whole response (head and Content-Length body) from a connection that stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_half_sent_request_is_closed_within_seconds(shared_hall_server):
    with connect(shared_hall_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: hall\r\nX-Slow: ")
        started = time.monotonic()
        answer = read_all(sock)
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert HEAD_TIMEOUT_SECONDS - 1 <= waited < PATIENCE


def test_a_connection_that_sends_nothing_is_closed_too_without_an_answer(shared_hall_server):
    with connect(shared_hall_server) as sock:
        started = time.monotonic()
        assert read_all(sock) == b""
        assert time.monotonic() - started >= HEAD_TIMEOUT_SECONDS - 1


def test_a_slow_next_request_on_a_kept_alive_connection_is_closed(shared_hall_server):
    with connect(shared_hall_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: hall\r\n\r\n")
        first = read_response(sock)
        assert first.startswith(b"HTTP/1.1 200 "), first[:200]
        sock.sendall(b"GET /health HTTP/1.1\r\nHo")
        assert read_all(sock).startswith(b"HTTP/1.1 408 ")


def test_a_32_mb_header_is_refused_without_reading_it_all(shared_hall_server):
    with connect(shared_hall_server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: hall\r\nX-Big: ")
        sent = 0
        block = b"a" * 65536
        try:
            while sent < 32 * 1024 * 1024:
                sock.sendall(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what it sent before closing is still to be read
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert sent < 32 * 1024 * 1024, "the server read the whole 32 MB header"


def test_a_large_but_allowed_head_and_a_body_are_served(shared_hall_server):
    token = shared_hall_server.tokens["display"]
    padding = b"p" * (MAX_HEAD_BYTES // 2)
    with connect(shared_hall_server) as sock:
        sock.sendall(b"GET /api/v1/hall HTTP/1.1\r\nHost: hall\r\nConnection: close\r\n"
                     b"Authorization: Bearer " + token.encode() + b"\r\nX-Pad: " + padding
                     + b"\r\n\r\n")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


def test_a_body_behind_a_head_and_a_pipelined_request_are_not_taken_for_head(shared_hall_server):
    """60 KB of body (under the hall's 64 KiB body limit) in the same reads as its head, then a
    second request on the same connection: both answered, neither refused as a large head."""
    body = json.dumps({"username": "wang", "password": "x" * 60_000}).encode()
    first = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    second = b"GET /health HTTP/1.1\r\nHost: hall\r\nConnection: close\r\n\r\n"
    with connect(shared_hall_server, "127.0.0.3") as sock:
        sock.sendall(first + second)
        answer = read_all(sock)
    # the login is read whole and judged (a password that long is refused as invalid): no 431
    assert answer.startswith(b"HTTP/1.1 422 "), answer[:200]
    assert b"HTTP/1.1 200 " in answer and b'"status":"ok"' in answer, answer[-300:]


def login(server: HallServer, source: str, username: str, password: str) -> tuple[int, dict, str]:
    body = json.dumps({"username": username, "password": password}).encode()
    request = (b"POST /api/v1/auth/login HTTP/1.1\r\nHost: hall\r\nConnection: close\r\n"
               b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
               + b"\r\n\r\n" + body)
    with connect(server, source) as sock:
        sock.sendall(request)
        answer = read_all(sock).decode("utf-8")
    head, _, _ = answer.partition("\r\n\r\n")
    status = int(head.split(" ", 2)[1])
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
    return status, {k.lower(): v for k, v in headers.items()}, answer


def test_guessing_an_account_from_one_client_does_not_lock_it_for_another(hall_server):
    guess = "wrong-guess-0"
    for _ in range(5):
        status, _, _ = login(hall_server, "127.0.0.2", "boss", guess)
        assert status == 401
    status, headers, _ = login(hall_server, "127.0.0.2", "boss", guess)
    assert status == 429
    assert 1 <= int(headers["retry-after"]) <= 300
    # the right password from the guessing client is refused too: it is not even checked
    status, _, _ = login(hall_server, "127.0.0.2", "boss", hall_server.password)
    assert status == 429
    # from another client the supervisor logs in
    status, _, answer = login(hall_server, "127.0.0.1", "boss", hall_server.password)
    assert status == 200, answer
    log = hall_server.log_text()
    assert "login failed for 'boss' from 127.0.0.2" in log
    assert "logins locked (client-account) for 'boss' from 127.0.0.2" in log
    assert guess not in log and hall_server.password not in log


def test_a_username_that_may_be_a_name_is_not_logged(hall_server):
    status, _, _ = login(hall_server, "127.0.0.1", "张三丰", "wrong-guess-1")
    assert status == 401
    log = hall_server.log_text()
    assert "张三丰" not in log
    assert "login failed for an unknown username of 3 characters from 127.0.0.1" in log
