"""The contactless reader driver against the real pcscd, vpcd, and our virtual card."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.contactless import ApduScript, ApduStep, CardEventKind, doctor, reader_name
from drivers.contactless.demo_card import (
    DEFAULT_ATR,
    SSC_AID,
    DemoCard,
    contactless_atr,
    demo_files,
    parse_tlv,
)
from drivers.contactless.vpcd import Apdu, Control
from drivers.errors import DeviceFault, DeviceTimeout
from tests.support.pcscd import READER, PcscdStack, running_pcscd, unavailable_reason

REPO = Path(__file__).resolve().parents[2]
UID = bytes.fromhex("04A1B2C3D4E5F6")

needs_pcscd = pytest.mark.skipif(bool(unavailable_reason()), reason=unavailable_reason() or "ok")
# the machine has one pcscd: the tests that use it (the demo too) run on one worker, in turn
pytestmark = pytest.mark.xdist_group("pcscd")

SSC_SCRIPT = ApduScript.parse("social-security", [
    {"apdu": "00A4 0400 0F" + SSC_AID.hex(), "name": "select SSC application"},
    {"apdu": "00B0 8500 00", "name": "card basics"},
    {"apdu": "00A4 0200 02 0006", "name": "select holder file"},
    {"apdu": "00B0 0000 00", "name": "holder basics"},
    "0084000008 -> 6D00",
])


@pytest.fixture(scope="module")
def pcscd() -> PcscdStack:
    with running_pcscd() as stack:
        yield stack


@pytest.fixture
def reader(pcscd):
    from drivers.contactless.reader import PcscReader, ReaderSettings

    r = PcscReader(ReaderSettings(reader=READER))
    yield r
    r.close()


@pytest.fixture
def card(pcscd, reader):
    from drivers.contactless.virtual_card import VirtualCard

    vc = VirtualCard(DemoCard(uid=UID), port=pcscd.port)
    yield vc
    vc.close()
    reader.wait_for_removal(5)  # the next test starts with an empty reader


@needs_pcscd
def test_the_virtual_reader_is_listed(pcscd, reader):
    assert reader.readers() == [READER]
    report = doctor(f"pcsc://{READER}")
    assert report["state"] == "ready" and report["details"]["card_present"] is False
    assert READER in report["details"]["readers"]


@needs_pcscd
def test_insert_and_remove_are_events(reader, card):
    events: queue.Queue = queue.Queue()
    errors: list = []
    watcher = reader.watch(events.put, errors.append)
    try:
        card.insert()
        inserted = events.get(timeout=5)
        assert (inserted.kind, inserted.reader, inserted.atr) == (
            CardEventKind.INSERTED, READER, DEFAULT_ATR)
        card.remove()
        removed = events.get(timeout=5)
        assert (removed.kind, removed.reader) == (CardEventKind.REMOVED, READER)
        card.insert()
        assert events.get(timeout=5).kind is CardEventKind.INSERTED
    finally:
        watcher.stop()
    assert not watcher.running and errors == [] and events.empty()


@needs_pcscd
def test_a_card_already_there_is_reported_when_watching_starts(reader, card):
    card.insert()
    reader.wait_for_card(5)
    events: queue.Queue = queue.Queue()
    watcher = reader.watch(events.put)
    try:
        assert events.get(timeout=5).kind is CardEventKind.INSERTED
    finally:
        watcher.stop()


@needs_pcscd
def test_atr_and_uid_are_read(reader, card):
    with pytest.raises(DeviceTimeout):
        reader.wait_for_card(0.3)
    card.insert()
    assert reader.wait_for_card(5).atr == DEFAULT_ATR
    info = reader.read_card()
    assert (info.reader, info.atr, info.uid, info.uid_hex) == (READER, DEFAULT_ATR, UID, UID.hex().upper())
    assert doctor("pcsc://Virtual%20PCD%2000%2000")["details"]["atr"] == DEFAULT_ATR.hex().upper()


@needs_pcscd
def test_an_apdu_script_reads_the_demo_social_security_card(reader, card):
    card.insert()
    reader.wait_for_card(5)
    result = reader.run_script(SSC_SCRIPT)
    assert result.ok, [(s.step.label, s.sw_hex) for s in result.steps]
    assert [s.sw_hex for s in result.steps] == ["9000", "9000", "9000", "9000", "6D00"]
    card_basics = parse_tlv(result.data("card basics"))
    holder = parse_tlv(result.data("holder basics"))
    assert card_basics[0x07] == b"DEMO00001"
    assert holder[0x09].decode("gbk") == "测试样卡"
    assert holder[0x0D] == bytes.fromhex("19900101")
    assert result.card.atr == DEFAULT_ATR


@needs_pcscd
def test_an_unexpected_status_word_stops_the_script(reader, card):
    card.insert()
    reader.wait_for_card(5)
    script = ApduScript.parse("wrong file", ["00A4000002 3F00", "00A4000002 0F0F", "00B0000000"])
    result = reader.run_script(script)
    assert not result.ok and len(result.steps) == 2
    assert result.failed is not None and result.failed.sw_hex == "6A82"


@needs_pcscd
def test_a_card_taken_away_mid_script_is_a_clear_fault(reader, card):
    card.insert()
    reader.wait_for_card(5)
    card.remove_after(1)
    with pytest.raises(DeviceFault, match=r"card removed during step 2 of 5 of script "
                                          r"'social-security' \(card basics\)") as caught:
        reader.run_script(SSC_SCRIPT)
    assert caught.value.code == "card-removed"
    with pytest.raises(DeviceFault) as caught:
        reader.read_card()
    assert caught.value.code == "no-card"


@needs_pcscd
def test_the_simulator_puts_a_card_on_the_reader(pcscd, reader):
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from drivers.contactless import sim_main; "
         f"sys.exit(sim_main(['--port', '{pcscd.port}', '--uid', 'CAFE0001']))"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == f"listening vpcd://127.0.0.1:{pcscd.port}"
        reader.wait_for_card(5)
        assert reader.read_card().uid == bytes.fromhex("CAFE0001")
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        proc.stdin.close()
        proc.stdout.close()
    reader.wait_for_removal(5)


def test_no_pcscd_is_unavailable_with_the_reason():
    # libpcsclite reads the socket path once per process: ask in a process of its own
    code = (
        "from drivers.contactless.reader import PcscReader\n"
        "from drivers.contactless import doctor\n"
        "from drivers.errors import DeviceUnavailable\n"
        "try:\n"
        "    PcscReader().readers()\n"
        "except DeviceUnavailable as exc:\n"
        "    print('unavailable', exc.message)\n"
        "print(doctor('pcsc://')['state'])\n"
    )
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd.comm"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=30, check=True).stdout
    assert "unavailable" in out and "0x8010001D SCARD_E_NO_SERVICE" in out and "pcscd" in out
    assert out.strip().endswith("disconnected")


# -- pure parts


def test_the_demo_card_answers_apdus_with_exact_bytes():
    card = DemoCard(uid=UID)
    assert card.handle(Control.GET_ATR) == DEFAULT_ATR
    assert card.handle(Control.POWER_ON) is None and card.powered
    assert card.apdu(bytes.fromhex("FFCA000000")) == UID + b"\x90\x00"
    assert card.apdu(bytes.fromhex("FFCA000004")) == b"\x6c\x07"
    assert card.apdu(bytes.fromhex("00B0000000")) == b"\x69\x86"  # no file selected
    assert card.apdu(bytes.fromhex("00A4040002A000")) == b"\x6a\x82"
    assert card.handle(Apdu(bytes.fromhex("00A404000F") + SSC_AID)) == b"\x90\x00"
    holder = demo_files()["3F00/DF01/0006"]
    assert card.apdu(bytes.fromhex("00B0860004")) == holder[:4] + b"\x90\x00"
    assert card.apdu(bytes.fromhex("00B0000400")) == holder[4:] + b"\x90\x00"
    assert card.apdu(bytes.fromhex("00B00000FF")) == holder + b"\x62\x82"
    assert card.apdu(bytes.fromhex("00B000FF00")) == b"\x6b\x00"
    assert card.apdu(bytes.fromhex("0084000008")) == b"\x6d\x00"
    assert card.apdu(b"\x00\xa4") == b"\x67\x00"
    card.handle(Control.RESET)
    assert card.current_df == "3F00" and card.current_ef is None


def test_the_atr_is_the_pcsc_part3_form_with_its_check_byte():
    assert contactless_atr(b"YCB-SSC1") == bytes.fromhex("3B888001") + b"YCB-SSC1" + b"\x0e"
    assert contactless_atr(b"YCB-SSC1") == DEFAULT_ATR


def test_script_steps_parse_from_config():
    assert ApduStep.parse("00A4040002 3F00") == ApduStep(bytes.fromhex("00A40400023F00"))
    step = ApduStep.parse("00B0850000 -> 9000|6282")
    assert step.expect == ("9000", "6282") and step.label == "00 B0 85 00"
    assert ApduStep.parse("00C0000000 -> 61XX").accepts(b"\x61\x10")
    assert not ApduStep.parse("00C0000000 -> 61XX").accepts(b"\x6a\x82")
    assert ApduStep.parse({"apdu": "00B0850000", "expect": "*"}).accepts(b"\x6f\x00")
    for bad in ("00A4", "zz", {"expect": "9000"}, "00A40400 -> 90"):
        with pytest.raises(ValueError):
            ApduStep.parse(bad)
    with pytest.raises(ValueError):
        ApduScript.parse("empty", [])


def test_reader_urls_name_a_reader():
    assert reader_name("pcsc://") == ""
    assert reader_name("pcsc://Virtual%20PCD%2000%2000") == READER
    assert reader_name("pcsc://ACS ACR1281") == "ACS ACR1281"
    assert reader_name("Virtual PCD") == "Virtual PCD"
