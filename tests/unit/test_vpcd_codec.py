"""The vpcd socket protocol codec: exact bytes, incremental decoding, and garbage."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.contactless.vpcd import (
    Apdu,
    Control,
    Decoder,
    encode,
    frame,
    parse_payload,
    split_frames,
)
from drivers.errors import DeviceProtocolError


def test_frames_are_a_big_endian_length_and_the_payload():
    assert frame(b"") == b"\x00\x00"
    assert frame(b"\x90\x00") == b"\x00\x02\x90\x00"
    assert frame(bytes(300))[:2] == b"\x01\x2c"
    assert frame(bytes(0xFFFF))[:2] == b"\xff\xff"
    with pytest.raises(ValueError):
        frame(bytes(0x10000))


def test_controls_and_apdus_have_their_exact_bytes():
    assert encode(Control.POWER_OFF) == b"\x00\x01\x00"
    assert encode(Control.POWER_ON) == b"\x00\x01\x01"
    assert encode(Control.RESET) == b"\x00\x01\x02"
    assert encode(Control.GET_ATR) == b"\x00\x01\x04"
    assert encode(Apdu(bytes.fromhex("FFCA000000"))) == bytes.fromhex("0005FFCA000000")
    with pytest.raises(ValueError):
        encode(Apdu(b"\x00"))  # would read as a control


def test_one_byte_payloads_are_controls_longer_ones_apdus():
    assert parse_payload(b"\x04") is Control.GET_ATR
    assert parse_payload(b"\x00\xa4") == Apdu(b"\x00\xa4")
    with pytest.raises(DeviceProtocolError, match="control 0x03"):
        parse_payload(b"\x03")
    with pytest.raises(DeviceProtocolError, match="empty"):
        parse_payload(b"")


def test_split_frames_keeps_the_incomplete_rest():
    assert split_frames(b"\x00\x01\x04\x00\x05\xff\xca") == ([b"\x04"], b"\x00\x05\xff\xca")
    assert split_frames(b"\x00") == ([], b"\x00")
    assert split_frames(b"") == ([], b"")


def test_the_decoder_reassembles_a_session_fed_byte_by_byte():
    stream = (encode(Control.GET_ATR) + encode(Control.POWER_ON)
              + encode(Apdu(bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF"))))
    decoder = Decoder()
    got = []
    for i in range(len(stream)):
        got += decoder.feed(stream[i:i + 1])
    assert got == [Control.GET_ATR, Control.POWER_ON,
                   Apdu(bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF"))]
    assert decoder.pending == 0


def test_a_bad_message_is_reported_after_the_good_ones_and_the_stream_stays_in_step():
    decoder = Decoder()
    assert decoder.feed(b"\x00\x01\x01" + b"\x00\x01\x07" + b"\x00\x01\x04") == [Control.POWER_ON]
    with pytest.raises(DeviceProtocolError, match="0x07"):
        decoder.feed(b"")
    assert decoder.feed(b"") == [Control.GET_ATR]
    assert decoder.feed(b"\x00\x02\x90") == [] and decoder.pending == 3
    assert decoder.feed(b"\x00") == [Apdu(b"\x90\x00")]


messages = st.one_of(
    st.sampled_from(list(Control)),
    st.binary(min_size=2, max_size=600).map(Apdu),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(messages, max_size=12), st.lists(st.integers(0, 50), max_size=40))
def test_any_session_survives_any_chunking(session, cuts):
    stream = b"".join(encode(m) for m in session)
    decoder = Decoder()
    got, pos = [], 0
    for cut in cuts:
        got += decoder.feed(stream[pos:pos + cut])
        pos += cut
    got += decoder.feed(stream[pos:])
    assert got == session and decoder.pending == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=20))
def test_garbage_never_raises_anything_but_a_protocol_error(chunks):
    decoder = Decoder()
    for chunk in chunks:
        for data in (chunk, b""):
            try:
                for message in decoder.feed(data):
                    assert isinstance(message, (Control, Apdu))
            except DeviceProtocolError:
                pass
    assert decoder.pending <= 0xFFFF + 2


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 300))
def test_a_truncated_stream_only_holds_bytes_back(data, cut):
    whole = frame(data if len(data) >= 2 else data + b"\x00\x00")
    decoder = Decoder()
    assert decoder.feed(whole[:min(cut, len(whole) - 1)]) == []
    assert decoder.pending == min(cut, len(whole) - 1)
