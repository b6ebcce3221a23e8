"""SAM frames: the PROTOCOLS.md §1 and §7 vectors as exact bytes, and the streaming decoder
under random, noisy, damaged and interleaved input."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceFault, DeviceProtocolError
from drivers.idcard import codec
from drivers.idcard.codec import Command, FrameDecoder, Request, Response

H = bytes.fromhex


# -- vectors (PROTOCOLS.md §1.3, §1.5, §7)

REQUESTS = {
    Command.RESET: "AA AA AA 96 69 00 03 10 FF EC",
    Command.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    Command.SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    Command.FIND: "AA AA AA 96 69 00 03 20 01 22",
    Command.SELECT: "AA AA AA 96 69 00 03 20 02 21",
    Command.READ_BASE: "AA AA AA 96 69 00 03 30 01 32",
    Command.READ_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    Command.READ_WITH_FINGERPRINT: "AA AA AA 96 69 00 03 30 10 23",
}


@pytest.mark.parametrize("command", list(REQUESTS))
def test_request_frames_are_the_published_bytes(command):
    assert codec.encode_request(command) == H(REQUESTS[command])
    assert codec.decode_request(H(REQUESTS[command])) == Request(*command.value)


def test_other_published_requests():
    assert codec.encode_request(0x60, 0x00) == H("AA AA AA 96 69 00 03 60 00 63")
    assert codec.encode_request(0x60, 0x04) == H("AA AA AA 96 69 00 03 60 04 67")
    assert codec.encode_request(0x61, 0xFF, b"\x50") == H("AA AA AA 96 69 00 04 61 FF 50 CA")
    with pytest.raises(ValueError):
        codec.encode_request(0x20)


@pytest.mark.parametrize(
    ("sw3", "data", "frame"),
    [
        (0x9F, bytes(4), "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97"),
        (0x80, b"", "AA AA AA 96 69 00 04 00 00 80 84"),
        (0x90, bytes(8), "AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C"),
        (0x81, b"", "AA AA AA 96 69 00 04 00 00 81 85"),
        (0x91, b"", "AA AA AA 96 69 00 04 00 00 91 95"),
    ],
)
def test_response_frames_are_the_published_bytes(sw3, data, frame):
    assert codec.encode_response(sw3, data) == H(frame)
    assert codec.decode_response(H(frame)) == Response(0, 0, sw3, data)


def _text_block_of_the_vector_card() -> bytes:
    chars = [" "] * 128
    for offset, value in [(0, "张三"), (30, "1"), (32, "01"), (36, "19900101"),
                          (122, "440304199001010011"), (188, "20200101"), (204, "20400101")]:
        chars[offset // 2 : offset // 2 + len(value)] = value
    return "".join(chars).encode("utf-16-le")


def test_read_base_answer_of_the_vector_card():
    text = _text_block_of_the_vector_card()
    frame = codec.encode_response(0x90, codec.join_read_data(text, bytes(1024)))
    assert len(frame) == 1295
    assert frame.startswith(H("AA AA AA 96 69 05 08 00 00 90 01 00 04 00 20 5F 09 4E 20 00"))
    # XOR of LEN..DATA recomputed here byte by byte. PROTOCOLS.md §7 gives 0x16 for this card,
    # which the listed fields (address and issuer left blank) do not reproduce: it must have
    # been computed with fields that are not listed.
    xor = 0
    for b in frame[5:-1]:
        xor ^= b
    assert frame[-1] == xor == 0xB1
    parts = codec.split_read_data(codec.decode_response(frame).data)
    assert (parts.text, parts.photo, parts.fingerprint, parts.with_fingerprint) == (text, bytes(1024), None, False)


@pytest.mark.parametrize(("fp", "size", "length"), [(1024, 2321, "09 0A"), (512, 1809, "07 0A"), (0, 1297, "05 0A")])
def test_read_with_fingerprint_sizes(fp, size, length):
    text = _text_block_of_the_vector_card()
    frame = codec.encode_response(0x90, codec.join_read_data(text, bytes(1024), bytes(fp), with_fingerprint=True))
    assert len(frame) == size
    assert frame[5:7] == H(length)
    parts = codec.split_read_data(codec.decode_response(frame).data)
    assert parts.with_fingerprint and parts.text == text
    assert parts.fingerprint == (bytes(fp) if fp else None)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x01\x00", H("0100 0400") + bytes(100), H("0100 0000 0000") + bytes(255), H("00FF 0000") + bytes(255)],
)
def test_read_data_that_does_not_add_up_is_a_protocol_error(data):
    with pytest.raises(DeviceProtocolError):
        codec.split_read_data(data)


def test_every_published_sw3_code_has_both_messages_and_an_error():
    published = [0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47,
                 0x60, 0x66, 0x80, 0x81]
    assert sorted(codec.SW3_CODES) == sorted(published)
    for sw3 in published:
        info = codec.SW3_CODES[sw3]
        assert info.zh and info.en and info.key
        text = codec.describe_sw3(sw3)
        assert info.zh in text and info.en in text and f"0x{sw3:02X}" in text
    for sw3 in (0x10, 0x11, 0x21):
        assert isinstance(codec.sw3_error(sw3), DeviceProtocolError)
    no_card = codec.sw3_error(0x80, device="idcard-1", doing="finding the card")
    assert isinstance(no_card, DeviceFault) and no_card.code == "no_card"
    assert "寻找证/卡失败" in str(no_card) and "idcard-1" in str(no_card)
    unknown = codec.sw3_error(0xEE)
    assert isinstance(unknown, DeviceFault) and unknown.code == "sw3_ee" and "未知" in unknown.message


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ("AA AA AA 96 69 00 04 00 00 80 85", "checksum"),
        ("AA AA AA 96 69 00 05 00 00 80 84", "LEN"),
        ("AA AA AA 96 68 00 04 00 00 80 84", "preamble"),
        ("AA AA AA 96 69 00 01 00", "short"),
    ],
)
def test_a_bad_single_frame_says_what_is_wrong(frame, words):
    with pytest.raises(DeviceProtocolError, match=words):
        codec.decode_response(H(frame))


# -- the streaming decoder


def drain(decoder: FrameDecoder) -> tuple[list[bytes], int]:
    bodies, errors = [], 0
    for _ in range(100_000):
        try:
            body = decoder.next_body()
        except DeviceProtocolError:
            errors += 1
            continue
        if body is None:
            return bodies, errors
        bodies.append(body)
    raise AssertionError("the decoder did not settle")


def feed_all(stream: bytes, cuts: list[int], decoder: FrameDecoder | None = None) -> tuple[list[bytes], int]:
    decoder = decoder or FrameDecoder()
    bodies, errors, last = [], 0, 0
    for cut in [*sorted(c % (len(stream) + 1) for c in cuts), len(stream)]:
        decoder.feed(stream[last:cut])
        last = max(last, cut)
        got, bad = drain(decoder)
        bodies += got
        errors += bad
        # once drained, at most one unfinished frame (or a preamble's first bytes) is kept
        assert decoder.buffered < codec.HEADER_SIZE + codec.MAX_LEN
    return bodies, errors


def test_one_byte_at_a_time_with_noise_between_frames():
    frames = [codec.encode_response(0x9F, bytes(4)), codec.encode_response(0x90, bytes(8))]
    stream = b"\x00\x96\x69\xaa\xaa" + frames[0] + b"\x13\xaa\x96" + frames[1]
    decoder = FrameDecoder()
    bodies = []
    for b in stream:
        decoder.feed(bytes([b]))
        body = decoder.next_body()
        if body is not None:
            bodies.append(body)
    assert bodies == [f[7:-1] for f in frames]
    assert decoder.skipped == 8


def test_a_bad_checksum_is_reported_and_the_next_frame_still_found():
    good = codec.encode_response(0x90, bytes(8))
    bad = bytearray(codec.encode_response(0x9F, bytes(4)))
    bad[-1] ^= 1
    decoder = FrameDecoder()
    decoder.feed(bytes(bad) + good)
    with pytest.raises(DeviceProtocolError, match="checksum"):
        decoder.next_body()
    assert decoder.next_body() == good[7:-1]


def test_a_truncated_frame_followed_by_a_whole_one_resyncs_on_the_second():
    first, second = codec.encode_response(0x90, bytes(100)), codec.encode_response(0x9F, bytes(4))
    bodies, errors = feed_all(first[:40] + second + bytes(70), [])
    assert second[7:-1] in bodies and errors >= 1


@pytest.mark.parametrize("length", [0, 1, 2, codec.MAX_LEN + 1, 0xFFFF])
def test_impossible_lengths_are_rejected_at_once(length):
    decoder = FrameDecoder(min_len=4)
    decoder.feed(codec.PREAMBLE + length.to_bytes(2, "big"))
    with pytest.raises(DeviceProtocolError, match="LEN"):
        decoder.next_body()
    assert decoder.next_body() is None and decoder.buffered <= 2


def test_wanted_counts_what_completes_the_frame():
    frame = codec.encode_response(0x90, bytes(8))
    decoder = FrameDecoder()
    assert decoder.wanted() == 7
    decoder.feed(frame[:3])
    assert decoder.wanted() == 4
    decoder.feed(frame[3:9])
    assert decoder.next_body() is None
    assert decoder.wanted() == len(frame) - 9
    decoder.feed(frame[9:])
    assert decoder.next_body() == frame[7:-1]


bodies_st = st.lists(st.binary(min_size=3, max_size=300), min_size=1, max_size=6)
noise_st = st.binary(max_size=40).map(lambda b: b.replace(b"\xaa", b"\x55"))
cuts_st = st.lists(st.integers(min_value=0, max_value=5000), max_size=12)
FAST = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(bodies_st, st.lists(noise_st, min_size=7, max_size=7), cuts_st)
def test_frames_survive_any_chunking_and_noise_without_preambles(bodies, noises, cuts):
    frames = [codec.PREAMBLE + (len(b) + 1).to_bytes(2, "big") + b + bytes([codec.checksum((len(b) + 1).to_bytes(2, "big") + b)])
              for b in bodies]
    stream = b"".join(n + f for n, f in zip(noises, frames, strict=False)) + noises[-1]
    got, errors = feed_all(stream, cuts)
    assert got == bodies and errors == 0


@FAST
@given(bodies_st, cuts_st, st.integers(0, 2**32 - 1))
def test_mutated_streams_give_only_checked_frames_or_errors(bodies, cuts, seed):
    rnd = random.Random(seed)  # a seeded generator hypothesis can shrink, without st.randoms' lazy import
    stream = bytearray(b"".join(codec.encode_response(b[0], b[1:]) for b in bodies))
    for _ in range(rnd.randint(1, 6)):
        where = rnd.randrange(len(stream) + 1)
        action = rnd.choice(("flip", "insert", "delete", "preamble"))
        if action == "flip" and where < len(stream):
            stream[where] ^= 1 << rnd.randrange(8)
        elif action == "insert":
            stream[where:where] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 8)))
        elif action == "delete":
            del stream[where : where + rnd.randint(1, 8)]
        else:
            stream[where:where] = codec.PREAMBLE
    got, errors = feed_all(bytes(stream), cuts)
    for body in got:  # whatever came out is a whole, checksum-good frame that is in the input
        head = (len(body) + 1).to_bytes(2, "big")
        assert codec.PREAMBLE + head + body + bytes([codec.checksum(head + body)]) in stream
    assert errors <= bytes(stream).count(codec.PREAMBLE)


@FAST
@given(st.binary(max_size=3000), cuts_st)
def test_random_bytes_never_crash_or_hang(data, cuts):
    feed_all(data, cuts)


@FAST
@given(st.binary(min_size=0, max_size=60), st.sampled_from([0x90, 0x9F, 0x80, 0x41]))
def test_response_round_trip(data, sw3):
    frame = codec.encode_response(sw3, data)
    assert len(frame) == 7 + 3 + len(data) + 1
    assert codec.decode_response(frame) == Response(0, 0, sw3, data)
    damaged = bytearray(frame)
    damaged[random.Random(len(data)).randrange(5, len(frame))] ^= 0x01
    with pytest.raises(DeviceProtocolError):
        codec.decode_response(bytes(damaged))


def test_interleaved_requests_and_answers_are_each_found():
    stream = (codec.encode_request(Command.FIND) + codec.encode_response(0x9F, bytes(4))
              + codec.encode_request(Command.SELECT) + codec.encode_response(0x90, bytes(8)))
    got, errors = feed_all(stream, [3, 17, 18, 40])
    assert errors == 0
    assert [Request.from_body(got[0]), Request.from_body(got[2])] == [Request(0x20, 1), Request(0x20, 2)]
    assert [Response.from_body(got[1]).sw3, Response.from_body(got[3]).sw3] == [0x9F, 0x90]


def test_response_repr_never_shows_data():
    text = "张三".encode("utf-16-le")
    assert "张" not in repr(Response(0, 0, 0x90, text)) and "5f" not in repr(Response(0, 0, 0x90, text)).lower()
