"""Line mode framing of scanners: exact splitting, decoding, AIM identifiers, the length guard,
and fuzzing with random byte streams (never a crash or hang, the same lines however chunked)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.scanner.codec import (
    SUFFIX_NAMES,
    SUFFIXES,
    LineConfig,
    LineSplitter,
    ScanCodec,
    decode_line,
    decode_text,
    encode_line,
    split_aim,
)
from drivers.scanner.scan import Rejected, Scan

URL = "https://hall.example/t/20261127-A001"
CHINESE = "北京市东城区政务服务中心 A001"


def lines(items):
    return [i for i in items if not isinstance(i, Rejected)]


def texts(items):
    return [i.text for i in items if isinstance(i, Scan)]


# -- splitting


@pytest.mark.parametrize(
    ("suffix", "stream", "expected"),
    [
        ("cr", b"A001\rB002\r", [b"A001", b"B002"]),
        ("lf", b"A001\nB002\n", [b"A001", b"B002"]),
        ("crlf", b"A001\r\nB002\r\n", [b"A001", b"B002"]),
        ("tab", b"A001\tB002\t", [b"A001", b"B002"]),
        ("any", b"A001\rB002\nC003\r\nD004\n\r", [b"A001", b"B002", b"C003", b"D004"]),
        ("crlf", b"A\r001\r\n", [b"A\r001"]),  # a lone CR is content when the suffix is CRLF
        ("cr", b"A001\nB\r", [b"A001\nB"]),  # and a lone LF when it is CR
        ("cr", b"\r\r\rA001\r\r", [b"A001"]),  # empty lines are dropped
        ("cr", b"A001\rpartial", [b"A001"]),  # an unfinished line waits
    ],
)
def test_lines_split_exactly_on_the_configured_suffix(suffix, stream, expected):
    assert LineSplitter(suffix).feed(stream) == expected


def test_a_crlf_split_between_two_reads_is_one_suffix():
    s = LineSplitter("crlf")
    assert s.feed(b"A001\r") == []
    assert s.feed(b"\nB0") == [b"A001"]
    assert s.feed(b"02\r") == []
    assert s.feed(b"\n") == [b"B002"]
    assert s.pending == 0


def test_without_a_suffix_a_line_ends_when_flushed():
    s = LineSplitter("none")
    assert s.feed(b"A001\r\n") == []
    assert s.flush() == [b"A001\r\n"]
    assert s.flush() == []


def test_byte_by_byte_gives_the_same_lines():
    stream = "\r".join([URL, CHINESE, "X"]).encode("utf-8") + b"\r"
    s = LineSplitter("cr")
    out = [line for b in stream for line in s.feed(bytes([b]))]
    assert out == [URL.encode(), CHINESE.encode("utf-8"), b"X"]


# -- decoding


def test_utf8_chinese_is_decoded():
    [scan] = ScanCodec(LineConfig()).feed(CHINESE.encode("utf-8") + b"\r", at=12.5)
    assert scan == Scan(CHINESE, None, CHINESE.encode("utf-8"), 12.5)


def test_gbk_chinese_is_decoded_when_configured():
    raw = CHINESE.encode("gbk")
    [scan] = ScanCodec(LineConfig(encoding="gbk", suffix="crlf")).feed(raw + b"\r\n")
    assert scan.text == CHINESE
    assert scan.raw == raw


def test_gb18030_reads_characters_gbk_has_not():
    text = "𠀀 A001"  # CJK Extension B: four bytes in GB18030
    [scan] = ScanCodec(LineConfig(encoding="gb18030")).feed(text.encode("gb18030") + b"\r")
    assert scan.text == text


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_auto_reads_utf8_and_falls_back_to_gb18030(encoding):
    [scan] = ScanCodec(LineConfig(encoding="auto")).feed(CHINESE.encode(encoding) + b"\r")
    assert scan.text == CHINESE


def test_gbk_bytes_on_a_utf8_scanner_are_rejected_with_the_reason():
    raw = "中文".encode("gbk")
    [item] = ScanCodec(LineConfig()).feed(b"ID " + raw + b"\r", at=3.0)
    assert isinstance(item, Rejected)
    assert item.reason.startswith("not valid utf-8 at byte 3")
    assert "encoding setting" in item.reason
    assert item.raw == b"ID " + raw
    assert item.at == 3.0


def test_utf8_bytes_on_a_gbk_scanner_are_rejected_or_replaced_by_policy():
    raw = "A001 \u00e9t\u00e9".encode()[:-1]  # ends in half a character: no GBK reading
    assert isinstance(decode_line(raw, LineConfig(encoding="gbk")), Rejected)
    scan = decode_line(raw, LineConfig(encoding="gbk", errors="replace"))
    assert isinstance(scan, Scan)
    assert "\ufffd" in scan.text
    assert scan.raw == raw


def test_decode_text_names():
    assert decode_text("中".encode("gbk"), "GBK") == "中"
    assert decode_text(b"abc", "utf8") == "abc"
    with pytest.raises(UnicodeDecodeError):
        decode_text(b"\xff", "utf-8")


# -- AIM identifiers


@pytest.mark.parametrize(
    ("line", "aim", "symbology", "payload"),
    [
        (b"]Q1" + URL.encode(), "]Q1", "QRCode", URL.encode()),
        (b"]C0ABC-123", "]C0", "Code128", b"ABC-123"),
        (b"]E06901234567892", "]E0", "EAN13", b"6901234567892"),
        (b"]E465833254", "]E4", "EAN8", b"65833254"),
        (b"]d2data", "]d2", "DataMatrix", b"data"),
        (b"]Y9thing", "]Y9", "Other", b"thing"),
        (b"A001", "", None, b"A001"),
        (b"]Q", "", None, b"]Q"),
    ],
)
def test_aim_identifiers_are_split_off_and_named(line, aim, symbology, payload):
    assert split_aim(line) == (aim, symbology, payload)


def test_an_aim_identifier_without_data_is_rejected():
    [item] = ScanCodec(LineConfig(aim=True)).feed(b"]Q1\r")
    assert isinstance(item, Rejected) and item.reason == "no data after the AIM identifier ]Q1"


def test_aim_prefix_is_kept_as_text_when_not_enabled():
    assert texts(ScanCodec(LineConfig()).feed(b"]Q1A001\r")) == ["]Q1A001"]
    [scan] = ScanCodec(LineConfig(aim=True)).feed(b"]Q1A001\r")
    assert (scan.text, scan.symbology, scan.aim, scan.raw) == ("A001", "QRCode", "]Q1", b"A001")


# -- the length guard


def test_a_line_of_max_length_passes_and_one_byte_more_is_rejected():
    codec = ScanCodec(LineConfig(max_length=8))
    [ok] = codec.feed(b"12345678\r")
    assert ok.text == "12345678"
    [bad] = codec.feed(b"123456789\r")
    assert isinstance(bad, Rejected)
    assert bad.reason == "line longer than 8 bytes; discarded up to the next suffix"
    assert bad.raw == b"123456789"


def test_an_oversize_line_is_reported_once_and_discarded_up_to_the_suffix():
    codec = ScanCodec(LineConfig(max_length=16))
    out = codec.feed(b"x" * 40)
    assert len(out) == 1 and isinstance(out[0], Rejected)
    assert out[0].raw == b"x" * 17 and codec.pending <= 16
    assert codec.feed(b"y" * 1000) == []  # still the same long line: nothing more to say
    assert codec.pending <= 16
    assert texts(codec.feed(b"zz\rA001\r")) == ["A001"]


def test_an_oversize_line_ended_by_flush_gives_nothing_more():
    codec = ScanCodec(LineConfig(suffix="none", max_length=4))
    [bad] = codec.feed(b"123456")
    assert isinstance(bad, Rejected)
    assert codec.flush() == []
    assert texts(codec.feed(b"A1") + codec.flush()) == ["A1"]


def test_the_crlf_guard_allows_a_full_line_whose_suffix_is_split():
    s = LineSplitter("crlf", max_length=4)
    assert s.feed(b"ABCD\r") == []
    assert s.feed(b"\n") == [b"ABCD"]


# -- configuration


def test_configuration_is_checked_with_clear_messages():
    with pytest.raises(ValueError, match="suffix 'semicolon'"):
        LineConfig(suffix="semicolon")
    with pytest.raises(ValueError, match="encoding 'klingon'"):
        LineConfig(encoding="klingon")
    with pytest.raises(ValueError, match="errors policy"):
        LineConfig(errors="ignore")
    with pytest.raises(ValueError, match="max_length"):
        LineConfig(max_length=0)
    config = LineConfig.from_settings({"suffix": "crlf", "encoding": "gbk", "aim": True, "mode": "serial"})
    assert config == LineConfig(suffix="crlf", encoding="gbk", aim=True)


@pytest.mark.parametrize("suffix", [s for s in SUFFIX_NAMES if s != "none"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_what_a_scanner_sends_is_read_back(suffix, encoding):
    config = LineConfig(suffix=suffix, encoding=encoding, aim=True)
    data = encode_line(CHINESE, config, aim="]Q1") + encode_line(URL, config, aim="]Q1")
    scans = ScanCodec(config).feed(data)
    assert [(s.text, s.symbology) for s in scans] == [(CHINESE, "QRCode"), (URL, "QRCode")]


# -- fuzzing


def _run(config: LineConfig, stream: bytes, cuts: list[int]) -> list:
    codec = ScanCodec(config)
    out, start = [], 0
    for cut in sorted({c % (len(stream) + 1) for c in cuts}) + [len(stream)]:
        out += codec.feed(stream[start:cut])
        start = cut
        assert codec.pending <= config.max_length + 1  # memory stays bounded
    return out + codec.flush()


configs = st.builds(
    LineConfig,
    suffix=st.sampled_from(SUFFIX_NAMES),
    encoding=st.sampled_from(["utf-8", "gbk", "gb18030", "auto"]),
    errors=st.sampled_from(["strict", "replace"]),
    max_length=st.integers(1, 64),
    aim=st.booleans(),
)
# bytes rich in suffix characters, AIM brackets and multibyte lead bytes
noisy = st.lists(
    st.one_of(
        st.binary(max_size=12),
        st.sampled_from([b"\r", b"\n", b"\r\n", b"\t", b"]Q1", b"\xe4\xb8", b"\xd6"]),
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=500, suppress_health_check=[HealthCheck.too_slow])
@given(config=configs, stream=noisy, cuts=st.lists(st.integers(0, 10_000), max_size=12))
def test_random_streams_never_crash_and_do_not_depend_on_chunking(config, stream, cuts):
    whole = _run(config, stream, [])
    assert _run(config, stream, cuts) == whole
    for item in whole:
        assert isinstance(item, Scan | Rejected)
        if isinstance(item, Scan):
            assert item.text
            assert len(item.raw) <= config.max_length
            if config.suffix in SUFFIXES:
                assert SUFFIXES[config.suffix] not in item.raw
        else:
            assert item.reason and len(item.raw) <= 64


line_text = st.text(
    st.characters(codec="gbk", exclude_characters="\r\n\t", exclude_categories=("Cs",)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=200, deadline=500)
@given(
    items=st.lists(line_text, max_size=8),
    suffix=st.sampled_from(["cr", "lf", "crlf", "tab", "any"]),
    encoding=st.sampled_from(["utf-8", "gbk"]),
    cuts=st.lists(st.integers(0, 10_000), max_size=8),
)
def test_random_lines_come_back_exactly(items, suffix, encoding, cuts):
    config = LineConfig(suffix=suffix, encoding=encoding, max_length=200)
    stream = b"".join(encode_line(t, config) for t in items)
    assert texts(_run(config, stream, cuts)) == items
