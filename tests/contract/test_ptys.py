import os
import select

import pytest

from drivers.errors import DeviceUnavailable
from drivers.ptys import PtyPort
from drivers.transport import open_url


def read_master(port: PtyPort, n: int, timeout: float = 2.0) -> bytes:
    out = b""
    while len(out) < n:
        ready, _, _ = select.select([port.master], [], [], timeout)
        assert ready, f"only {out!r} arrived"
        out += os.read(port.master, n - len(out))
    return out


def test_bytes_pass_both_ways_unchanged(tmp_path):
    port = PtyPort(tmp_path / "yiciban-test")
    try:
        ser = open_url(port.path, timeout=1)
        raw = bytes(range(256))
        ser.write(raw)
        assert read_master(port, 256) == raw  # raw mode: no echo, no translation
        os.write(port.master, b"\x0a\x0d\xaa\x96\x69")
        assert ser.read(5) == b"\x0a\x0d\xaa\x96\x69"
        ser.close()
    finally:
        port.close()


def test_unplug_fails_the_driver_and_replug_gives_the_same_name(tmp_path):
    port = PtyPort(tmp_path / "yiciban-test")
    try:
        ser = open_url(port.path, timeout=0.5)
        port.unplug()
        with pytest.raises(Exception):  # noqa: B017 - pyserial's own error for a hung-up port
            ser.write(b"x")
            ser.read(1)
        ser.close()
        with pytest.raises(DeviceUnavailable, match="yiciban-test"):
            open_url(port.path)
        port.replug()
        ser = open_url(port.path, timeout=1)
        ser.write(b"ok")
        assert read_master(port, 2) == b"ok"
        ser.close()
    finally:
        port.close()
