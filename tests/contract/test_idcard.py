"""The ID card reader driver against the simulator over a real pty (and TCP), at 115200 baud.

No fixed sleeps: every wait is on a condition with a deadline.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.errors import DeviceFault, DeviceProtocolError, DeviceTimeout, DeviceUnavailable
from drivers.idcard import codec, doctor, make_link
from drivers.idcard.codec import Command
from drivers.idcard.reader import ReaderSettings, SamReader
from drivers.idcard.simulator import SamSimulator, sample_card
from drivers.status import State
from drivers.transport import open_url

REPO = Path(__file__).resolve().parents[2]
SETTINGS = ReaderSettings(command_timeout=0.3, read_timeout=1.0)
KINDS = ["resident", "hmt", "foreign2017", "foreign2023"]


def wait_for(condition: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SamSimulator]:
    simulator = SamSimulator(sample_card("resident"))
    simulator.serve_pty(tmp_path / "yiciban-idcard")
    yield simulator
    simulator.close()


@pytest.fixture
def reader(sim: SamSimulator) -> Iterator[SamReader]:
    assert sim.pty is not None
    r = SamReader(open_url(sim.pty.path), settings=SETTINGS)
    yield r
    r.close()


def without_fingerprint(kind: str):
    return dataclasses.replace(sample_card(kind), fingerprint=None)


@pytest.mark.parametrize("kind", KINDS)
def test_reads_each_card_type(sim, reader, kind):
    sim.place(sample_card(kind))
    card = reader.read_card()
    assert card == without_fingerprint(kind)
    assert card.photo is not None and len(card.photo) == 1024


def test_the_wire_sees_find_select_read_and_an_answer_of_1295_bytes(sim, reader):
    sim.requests.clear()
    sim.history.clear()
    reader.read_card()
    assert list(sim.requests) == [bytes.fromhex(h) for h in (
        "AA AA AA 96 69 00 03 20 01 22", "AA AA AA 96 69 00 03 20 02 21", "AA AA AA 96 69 00 03 30 01 32")]
    wait_for(lambda: len(sim.history) == 3, what="the simulator's record of the read")  # written after the last byte
    assert [(e.command, e.answer_bytes) for e in sim.history] == [("FIND", 15), ("SELECT", 19), ("READ_BASE", 1295)]
    # paced as the wire: 1,295 bytes at 115200 baud are ~112 ms
    assert 0.110 <= sim.history[-1].tx_wire < 0.140


def test_read_with_fingerprint(sim, reader):
    sim.requests.clear()
    card = reader.read_card(fingerprint=True)
    assert sim.requests[-1] == bytes.fromhex("AA AA AA 96 69 00 03 30 10 23")
    assert card.fingerprint is not None and len(card.fingerprint) == 1024
    sim.place(sample_card("hmt"))
    assert reader.read_card(fingerprint=True).fingerprint is None  # 1,297 bytes: fpLen 0


def test_sam_status_and_id(reader):
    reader.sam_status()
    assert reader.sam_id() == "05.01-20240101-000012345-000067890"


def test_no_card_is_a_fault_until_one_is_placed(sim, reader):
    sim.remove()
    for _ in range(2):
        with pytest.raises(DeviceFault) as info:
            reader.read_card()
        assert info.value.code == "no_card" and "寻找证/卡失败" in info.value.message
    sim.place(sample_card("resident"))
    assert reader.read_card().card_type.value == "resident"


def test_a_reader_that_rereads_reads_twice(reader):
    assert reader.read_card() == reader.read_card()


def test_a_reader_that_needs_the_card_lifted(sim, reader):
    sim.faults.lift_to_reread = True
    first = reader.read_card()
    with pytest.raises(DeviceFault) as info:
        reader.read_card()
    assert info.value.code == "lift_card" and "lift it and place it again" in info.value.message
    with pytest.raises(DeviceFault) as info:
        reader.read_card()
    assert info.value.code == "no_card"
    sim.lift_and_place()
    assert reader.read_card() == first


@pytest.mark.parametrize(("fault", "words"), [("garbage", "no frame"), ("bad_checksum", "checksum"),
                                               ("truncate", "truncated"), ("oversized", "LEN 65535")])
def test_damaged_answers_are_protocol_errors_then_the_next_read_works(sim, reader, fault, words):
    setattr(sim.faults, fault, 1)
    with pytest.raises(DeviceProtocolError, match=words):
        reader.read_card()
    assert reader.read_card() == without_fingerprint("resident")


def test_damage_in_the_big_answer_then_recovery(sim, reader):
    reader.command(Command.FIND)
    reader.command(Command.SELECT)
    sim.faults.bad_checksum = 1
    with pytest.raises(DeviceProtocolError, match="checksum"):
        reader.command(Command.READ_BASE, timeout=1.0)
    assert reader.read_card().id_number == "440304199001010011"


def test_noise_before_an_answer_is_skipped(sim, reader):
    sim.faults.noise = 3
    assert reader.read_card() == without_fingerprint("resident")


def test_silence_is_a_timeout_and_a_late_answer_is_not_taken_for_the_next(sim, reader):
    sim.faults.silent = 1
    started = time.monotonic()
    with pytest.raises(DeviceTimeout):
        reader.read_card()
    assert time.monotonic() - started < 1.0
    assert reader.read_card() == without_fingerprint("resident")
    sim.faults.delay = 0.4  # every answer comes after the command's 0.3 s
    with pytest.raises(DeviceTimeout):
        reader.sam_status()
    sim.faults.delay = 0.0
    assert reader.sam_id() == "05.01-20240101-000012345-000067890"  # not the late status answer
    assert reader.read_card().name == "张三"


@pytest.mark.parametrize(("where", "sw3", "code", "zh"), [
    ("read_error", 0x41, "read_failed", "读证/卡操作失败"),
    ("read_error", 0x33, "verification_error", "信息验证错误"),
    ("sam_error", 0x60, "sam_self_test_failed", "SAM自检失败"),
])
def test_sam_error_codes_are_faults_in_both_languages(sim, reader, where, sw3, code, zh):
    setattr(sim.faults, where, sw3)
    with pytest.raises(DeviceFault) as info:
        reader.read_card()
    assert info.value.code == code and zh in info.value.message and f"0x{sw3:02X}" in info.value.message


def test_a_request_the_sam_finds_damaged_is_answered_0x10(sim, reader):
    reader._io(lambda: reader.port.write(codec.encode_request(Command.FIND)[:-1] + b"\x00"), "writing")
    reader._decoder.reset()
    wait_for(lambda: reader.port.in_waiting >= 11, what="the SAM's answer")
    assert reader.port.read(11) == bytes.fromhex("AA AA AA 96 69 00 04 00 00 10 14")


def test_doctor(sim, tmp_path):
    assert sim.pty is not None
    report = doctor(sim.pty.path, {}, 1.0)
    assert report["state"] == "ready" and report["details"]["sam_id"] == "05.01-20240101-000012345-000067890"
    sim.faults.sam_error = 0x66
    report = doctor(sim.pty.path, {}, 1.0)
    assert report["state"] == "error" and report["details"]["code"] == "sam_unauthorised"
    sim.faults.sam_error, sim.faults.silent = None, -1
    assert doctor(sim.pty.path, {"command_timeout": 0.2}, 1.0)["state"] == "disconnected"
    assert doctor(str(tmp_path / "nothing-here"), {}, 1.0)["state"] == "disconnected"


def test_unplug_and_replug_through_the_link(sim):
    assert sim.pty is not None
    seen = []
    link = make_link("idcard-1", sim.pty.path, {"command_timeout": 0.3}, backoff=(0.01, 0.05),
                     on_status=seen.append)
    try:
        link.step()
        assert link.status.state is State.READY
        assert link.use(lambda r: r.read_card()).name == "张三"
        sim.unplug()
        link.step()
        assert link.status.state is State.DISCONNECTED
        with pytest.raises(DeviceUnavailable):
            link.use(lambda r: r.read_card())
        link.step()  # the symlink is gone: still disconnected
        assert link.status.state is State.DISCONNECTED
        sim.replug()
        wait_for(lambda: link.step() is not None and link.status.state is State.READY, what="reconnect")
        assert link.use(lambda r: r.read_card()).id_number == "440304199001010011"
        sim.faults.sam_error = 0x60
        link.step()
        assert link.status.state is State.ERROR and link.status.details["code"] == "sam_self_test_failed"
        sim.faults.sam_error = None
        link.step()
        assert link.status.state is State.READY
    finally:
        link.close()
    assert State.DISCONNECTED in [s.state for s in seen]


def test_unplug_in_the_middle_of_use_drops_the_session(sim):
    assert sim.pty is not None
    link = make_link("idcard-2", sim.pty.path, {"command_timeout": 0.3}, backoff=(0.01, 0.05))
    try:
        link.step()
        sim.unplug()
        with pytest.raises(DeviceUnavailable):
            link.use(lambda r: r.read_card())
        assert link.session is None and link.status.state is State.DISCONNECTED
    finally:
        link.close()


def test_over_tcp():
    with SamSimulator(sample_card("foreign2017")) as sim:
        url = sim.serve_tcp()
        reader = SamReader(open_url(url), settings=SETTINGS)
        try:
            assert reader.read_card() == without_fingerprint("foreign2017")
        finally:
            reader.close()


def test_sim_main_prints_where_it_listens_and_stops_on_sigterm(tmp_path):
    link = tmp_path / "idcard"
    proc = subprocess.Popen(
        [sys.executable, "-m", "drivers.idcard.simulator", "--pty", "--link", str(link), "--card", "hmt",
         "--lift-required"],
        cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == f"listening {link}"
        reader = SamReader(open_url(str(link)), settings=SETTINGS)
        try:
            assert reader.read_card().card_type.value == "hmt"
            with pytest.raises(DeviceFault):
                reader.read_card()
            proc.send_signal(signal.SIGUSR1)  # lift and place again
            wait_for(lambda: _reads(reader), what="the card after SIGUSR1")
        finally:
            reader.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _reads(reader: SamReader) -> bool:
    try:
        reader.read_card()
    except DeviceFault:
        return False
    return True
