"""Wiring a node: settings from the environment, the relay as a thread or a child process."""
from __future__ import annotations

import os
import socket
import sqlite3
import time

import pytest

from sync.node import SyncNode
from sync.node_settings import NodeSettings, RelayBusy, SingleRelay, Upstream
from sync.outbox import write
from sync.relay import RelaySettings
from sync.relay_process import RelayProcess


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_settings_come_from_the_environment_and_bad_values_fall_back():
    s = NodeSettings.from_env({"YICIBAN_SYNC_BATCH_SIZE": "200", "YICIBAN_SYNC_BACKOFF_MAX": "60",
                               "YICIBAN_SYNC_RETENTION_DAYS": "2", "YICIBAN_SYNC_RELAY": "thread",
                               "YICIBAN_SYNC_INTERVAL": "soon"})
    assert (s.relay.batch_size, s.relay.backoff_max, s.relay.retention) == (200, 60.0, 2 * 86400.0)
    assert s.relay_mode == "thread" and s.relay.interval == RelaySettings().interval
    assert s.relay.pace == 1.0  # a node's relay is paced unless told otherwise


def test_one_relay_per_database(tmp_path):
    a, b = SingleRelay(tmp_path / "hall.db"), SingleRelay(tmp_path / "hall.db")
    a.acquire()
    with pytest.raises(RelayBusy):
        b.acquire()
    a.release()
    b.acquire()
    b.release()


def test_the_relay_process_gets_its_token_by_environment_not_on_its_command_line(tmp_path):
    up = Upstream("https://platform.example", "county-hall", "very-secret-token", ca_file="/etc/ca.pem")
    proc = RelayProcess(tmp_path / "hall.db", up, RelaySettings(batch_size=123), nice=10, env={})
    cmd = proc.command()
    assert "very-secret-token" not in " ".join(cmd)
    assert cmd[cmd.index("--parent") + 1] == str(os.getpid()) and cmd[cmd.index("--nice") + 1] == "10"
    assert cmd[cmd.index("--ca-file") + 1] == "/etc/ca.pem"
    env = proc._child_env()
    assert env["YICIBAN_SYNC_TOKEN"] == "very-secret-token" and env["YICIBAN_SYNC_BATCH_SIZE"] == "123"


def test_a_thread_relay_records_why_it_cannot_deliver_and_stops_cleanly(tmp_path):
    db = tmp_path / "hall.db"
    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    settings = NodeSettings(relay=RelaySettings(backoff_base=0.05, backoff_max=0.1, interval=0.05),
                            relay_mode="thread", pull_interval=0.1)
    node = SyncNode(tmp_path, db, upstream=Upstream(f"http://127.0.0.1:{closed_port()}", "n", "t", timeout=1),
                    settings=settings, env={})
    node.attach(conn)
    with write(conn):
        node.outbox.add(conn, "device.health", {"device": "kiosk-1", "status": "ready"})
    node.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not node.status(conn)["relay"]["last_error"]:
            time.sleep(0.05)
        report = node.status(conn)
        assert node.running and report["pending"] == 1
        assert "cannot reach" in report["relay"]["last_error"] and report["relay"]["consecutive_failures"] >= 1
    finally:
        node.close()
    assert not node.running
    SingleRelay(db).acquire()  # released
