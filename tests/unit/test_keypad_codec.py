"""The keypad bus codec: exact bytes of the documented vectors, and fuzzing that must end in a
clear `DeviceProtocolError` or a resynchronisation, never a crash, a hang or a wrong value."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceProtocolError, DeviceTimeout
from drivers.keypad.codec import (
    DLE,
    ETX,
    MAX_PAYLOAD,
    STX,
    Deframer,
    Frame,
    crc16_modbus,
    decode_frame,
    encode_frame,
)
from drivers.keypad.exchange import exchange
from drivers.keypad.messages import (
    Ack,
    Cancel,
    Cmd,
    Display,
    Idle,
    Info,
    KeyEvent,
    Nak,
    NakError,
    Ok,
    Poll,
    Request,
    ResultEvent,
    Signal,
    StatusQuery,
    TimeSync,
    from_frame,
    to_frame,
)
from drivers.keypad.model import (
    DeviceType,
    Key,
    Led,
    Level,
    RatingRefused,
    Reason,
    check_rating,
    parse_reasons,
)
from drivers.keypad.simulator import BusSimulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocols" / "keypad-bus.md"
FAST = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

# (message, address, seq, bytes on the wire) - the examples of docs/protocols/keypad-bus.md
VECTORS = [
    (Poll(), 1, 0x21, "02 01 01 21 00 48 48 03"),
    (Idle(DeviceType.KEYPAD), 1, 0x21, "02 01 81 21 10 22 01 00 97 B8 03"),
    (KeyEvent(0x0102, Key.NEXT), 1, 0x22, "02 01 82 22 05 10 22 01 01 00 00 A5 72 03"),
    (Ack(0x0102), 1, 0x23, "02 01 04 23 10 23 10 22 01 00 6F 97 03"),
    (Ok(Cmd.ACK), 1, 0x23, "02 01 80 23 01 04 C1 99 03"),
    (KeyEvent(0x0103, Key.TRANSFER, 12), 1, 0x25, "02 01 82 25 05 10 23 01 04 0C 00 FB 73 03"),
    (Display(0, "A017"), 1, 0x24, "02 01 05 24 05 00 41 30 31 37 E3 7D 03"),
    (Display(1, "请A017号"), 1, 0x26, "02 01 05 26 09 01 C7 EB 41 30 31 37 BA C5 30 3D 03"),
    (Signal(2, Led.GREEN, True), 1, 0x27, "02 01 06 27 10 22 10 22 11 E3 D2 03"),
    (Request(0x0040, 3, "A017"), 11, 0x31, "02 0B 07 31 08 40 00 10 23 00 41 30 31 37 E9 21 03"),
    (Ok(Cmd.REQUEST), 11, 0x31, "02 0B 80 31 01 07 B9 9C 03"),
    (ResultEvent(0x0007, 0x0040, 3, Level.DISSATISFIED, (Reason.SLOW, Reason.ATTITUDE), "A017"), 11, 0x32,
     "02 0B 83 32 0E 07 00 40 00 10 23 00 10 22 10 22 01 10 22 41 30 31 37 E4 21 03"),
    (Ack(0x0007), 11, 0x33, "02 0B 04 33 10 23 07 00 00 15 C5 03"),
    (Ack(0x0007, refused=True), 11, 0x33, "02 0B 04 33 10 23 07 00 01 D4 05 03"),
    (StatusQuery(), 11, 0x34, "02 0B 09 34 00 C4 C2 03"),
    (Info(DeviceType.PAD, 1, True, 0, 0x0040), 11, 0x34, "02 0B 84 34 06 10 22 01 01 00 40 00 3A 1D 03"),
    (Cancel(0x0040), 11, 0x35, "02 0B 08 35 10 22 40 00 7F 6D 03"),
    (TimeSync(dt.datetime(2025, 3, 1, 8, 30, 0)), 0, 0x01, "02 00 0A 01 07 E9 07 10 23 01 08 1E 00 DE 55 03"),
    (Request(0x0041, 3, "A018"), 1, 0x28, "02 01 07 28 08 41 00 10 23 00 41 30 31 38 A1 4B 03"),
    (Nak(Cmd.REQUEST, NakError.UNSUPPORTED), 1, 0x28, "02 01 8F 28 10 22 07 10 23 BE 44 03"),
]


def wire(text: str) -> bytes:
    return bytes.fromhex(text)


# -- exact bytes


def test_crc16_modbus_check_values():
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_modbus(bytes.fromhex("01 03 00 00 00 0A")) == 0xCDC5  # Modbus RTU: ... C5 CD


@pytest.mark.parametrize(("msg", "address", "seq", "hexbytes"), VECTORS,
                         ids=[f"{type(v[0]).__name__}-{i}" for i, v in enumerate(VECTORS)])
def test_documented_vector(msg, address, seq, hexbytes):
    assert encode_frame(to_frame(msg, address, seq)) == wire(hexbytes)
    frame = decode_frame(wire(hexbytes))
    assert (frame.address, frame.seq) == (address, seq)
    assert from_frame(frame) == msg


def test_every_vector_is_in_the_protocol_document():
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    missing = [h for *_, h in VECTORS if h not in text]
    assert not missing, f"vectors not in {DOC.name}: {missing}"


def test_no_special_byte_travels_unstuffed():
    frame = Frame(STX, ETX, DLE, bytes([STX, ETX, DLE, 0x22, 0x23, 0x30]))
    raw = encode_frame(frame)
    inner = raw[1:-1]
    assert STX not in inner and ETX not in inner
    assert decode_frame(raw) == frame


@pytest.mark.parametrize(("raw", "why"), [
    ("02 01 01 21 00 48 49 03", "CRC"),
    ("02 01 01 21 01 48 48 03", "LEN"),
    ("02 01 01 21 00 48 03", "short"),
    ("02 01 10 41 21 00 48 48 03", "DLE"),
    ("02 01 01 21 00 48 48 10 03", "DLE"),
    ("01 01 21 00 48 48 03", "STX"),
])
def test_broken_frames_are_protocol_errors(raw, why):
    with pytest.raises(DeviceProtocolError):
        decode_frame(wire(raw))


def test_deframer_skips_noise_and_restarts_on_stx():
    good = wire(VECTORS[0][3])
    stream = b"\x00\xff\x03" + good[:5] + b"\x99" + good + b"\x10\x10" + good
    frames = Deframer().feed(stream)
    assert [decode_frame(f) for f in frames[-2:]] == [decode_frame(good)] * 2
    assert len(frames) == 2  # the cut-short frame was dropped, not delivered


def test_deframer_accepts_any_chunking():
    stream = b"".join(wire(h) for *_, h in VECTORS)
    deframer = Deframer()
    frames = [f for byte in stream for f in deframer.feed(bytes([byte]))]
    assert [decode_frame(f) for f in frames] == [decode_frame(wire(h)) for *_, h in VECTORS]


def test_deframer_drops_an_endless_frame():
    deframer = Deframer()
    assert deframer.feed(b"\x02" + b"\x41" * 1000) == []
    assert deframer.dropped > 900
    assert deframer.feed(wire(VECTORS[0][3])) == [wire(VECTORS[0][3])]


@pytest.mark.parametrize("msg", [
    Display(4, "x"), Display(0, "x" * 33), Signal(10), Request(1, 1, "A" * 17), Ack(0x10000),
])
def test_values_that_do_not_fit_are_refused_before_sending(msg):
    with pytest.raises(ValueError):
        to_frame(msg, 1, 0)


@pytest.mark.parametrize(("command", "payload"), [
    (Cmd.ACK, b"\x01\x00\x05"), (Cmd.POLL, b"\x00"), (Cmd.SIGNAL, b"\x0a\x00"), (Cmd.TIME, bytes(7)),
    (Cmd.RESULT, b"\x01\x00\x00\x00\x00\x00\x05\x03\x01"), (Cmd.IDLE, b"\x09\x00"), (0x55, b""),
    (Cmd.DISPLAY, b"\x00\xff"), (Cmd.NAK, b"\x01\x09"),
])
def test_impossible_payloads_are_protocol_errors(command, payload):
    with pytest.raises(DeviceProtocolError):
        from_frame(Frame(1, command, 0, payload))


def test_unknown_key_and_level_reach_the_master_to_be_refused():
    key = from_frame(Frame(1, Cmd.KEY, 0, b"\x01\x00\x63\x00\x00"))
    assert key == KeyEvent(1, 0x63, 0) and not isinstance(key.key, Key)
    result = from_frame(Frame(11, Cmd.RESULT, 0, b"\x01\x00\x00\x00\x00\x00\x09\x00"))
    assert result.level == 9


# -- the 好差评 rules


@pytest.mark.parametrize(("level", "reasons", "ok"), [
    (5, (), True), (3, (), True), (3, (Reason.SLOW,), True), (2, (Reason.SLOW,), True),
    (1, (Reason.ATTITUDE, Reason.OTHER), True), (2, (), False), (1, (), False), (0, (1,), False),
    (6, (), False), (2, (1, 1), False), (2, (0,), False),
])
def test_check_rating(level, reasons, ok):
    if ok:
        check_rating(level, reasons)
    else:
        with pytest.raises(RatingRefused):
            check_rating(level, reasons)


def test_parse_reasons_by_name_or_code():
    assert parse_reasons("slow,attitude") == (Reason.SLOW, Reason.ATTITUDE)
    assert parse_reasons("1, 42") == (Reason.SLOW, 42)
    with pytest.raises(ValueError):
        parse_reasons("rude")


# -- fuzzing

frames = st.builds(Frame, st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
                   st.binary(max_size=MAX_PAYLOAD))
gb_text = st.text(st.characters(codec="gb18030", exclude_categories=("Cs",)), max_size=8)
messages = st.one_of(
    st.just(Poll()), st.just(StatusQuery()),
    st.builds(Ack, st.integers(0, 0xFFFF), st.booleans()),
    st.builds(Display, st.integers(0, 3), gb_text),
    st.builds(Signal, st.integers(0, 9), st.sampled_from(Led), st.booleans()),
    st.builds(Request, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.text("A0123456789", max_size=8)),
    st.builds(Cancel, st.integers(0, 0xFFFF)),
    st.builds(TimeSync, st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
        lambda d: d.replace(microsecond=0))),
    st.builds(Ok, st.integers(0, 255)), st.builds(Idle, st.sampled_from(DeviceType), st.booleans()),
    st.builds(KeyEvent, st.integers(0, 0xFFFF), st.sampled_from(Key), st.integers(0, 0xFFFF)),
    st.builds(ResultEvent, st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFF),
              st.sampled_from(Level), st.lists(st.sampled_from(Reason), max_size=7, unique=True).map(tuple),
              st.text("AB0123456789", max_size=6)),
    st.builds(Info, st.sampled_from(DeviceType), st.integers(0, 255), st.booleans(), st.integers(0, 255),
              st.integers(0, 0xFFFF)),
    st.builds(Nak, st.integers(0, 255), st.sampled_from(NakError)),
)


@FAST
@given(st.lists(frames, min_size=1, max_size=5), st.binary(max_size=20), st.data())
def test_frames_survive_noise_and_any_chunking(batch, noise, data):
    stream = b"".join(noise.replace(b"\x02", b"") + encode_frame(f) for f in batch)
    deframer = Deframer()
    got, at = [], 0
    while at < len(stream):
        size = data.draw(st.integers(1, 40))
        got += deframer.feed(stream[at : at + size])
        at += size
    assert [decode_frame(raw) for raw in got] == batch


@FAST
@given(messages, st.integers(0, 247), st.integers(0, 255))
def test_messages_round_trip(msg, address, seq):
    frame = decode_frame(encode_frame(to_frame(msg, address, seq)))
    assert from_frame(frame) == msg


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_random_bytes_give_frames_or_protocol_errors(data):
    for raw in Deframer().feed(data):
        try:
            from_frame(decode_frame(raw))
        except DeviceProtocolError:
            pass


@FAST
@given(frames, st.data())
def test_a_flipped_bit_never_gives_another_valid_frame(frame, data):
    raw = bytearray(encode_frame(frame))
    at = data.draw(st.integers(0, len(raw) - 1))
    raw[at] ^= 1 << data.draw(st.integers(0, 7))
    for candidate in Deframer().feed(bytes(raw)):
        with pytest.raises(DeviceProtocolError):
            decode_frame(candidate)


def test_every_single_bit_flip_of_every_vector_is_caught():
    for *_, hexbytes in VECTORS:
        good = wire(hexbytes)
        for at in range(len(good)):
            for bit in range(8):
                raw = bytearray(good)
                raw[at] ^= 1 << bit
                for candidate in Deframer().feed(bytes(raw)):
                    with pytest.raises(DeviceProtocolError):
                        decode_frame(candidate)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.binary(max_size=30), frames.map(encode_frame),
                          messages.map(lambda m: encode_frame(to_frame(m, 11, 5)))), max_size=8))
def test_the_simulated_bus_survives_anything_and_answers_in_frames(chunks):
    sim = BusSimulator.build([1, 2], [11], seed=3)
    for chunk in chunks:
        out = sim.feed(chunk)
        for raw in Deframer().feed(out):
            assert decode_frame(raw).from_device


class FakePort:
    """A port whose answers the test scripts; each read moves a fake clock on."""

    def __init__(self, incoming: bytes) -> None:
        self.incoming, self.written, self.now = bytearray(incoming), b"", 0.0
        self.in_waiting = 0

    def clock(self) -> float:
        return self.now

    def reset_input_buffer(self) -> None:
        pass

    def write(self, data: bytes) -> int:
        self.written += data
        return len(data)

    def read(self, size: int = 1) -> bytes:
        self.now += 0.01
        chunk, self.incoming[:7] = bytes(self.incoming[:7]), b""
        return chunk


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.binary(max_size=120))
def test_the_master_never_hangs_or_crashes_on_any_answer(answer):
    port = FakePort(answer)
    try:
        exchange(port, Poll(), 1, 0x21, 0.2, clock=port.clock)  # type: ignore[arg-type]
    except (DeviceProtocolError, DeviceTimeout):
        pass
    assert port.now <= 0.25


def test_the_master_picks_its_answer_out_of_noise_echo_and_late_replies():
    late = encode_frame(to_frame(Idle(DeviceType.KEYPAD), 1, 0x20))
    echo = encode_frame(to_frame(Poll(), 1, 0x21))
    right = encode_frame(to_frame(KeyEvent(9, Key.FINISH), 1, 0x21))
    port = FakePort(b"\x55\x02\x99" + late + echo + b"\x02\x01\x03" + right)
    assert exchange(port, Poll(), 1, 0x21, 1.0, clock=port.clock) == KeyEvent(9, Key.FINISH)  # type: ignore[arg-type]
