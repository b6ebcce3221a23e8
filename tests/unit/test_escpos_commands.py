"""ESC/POS bytes, status parsing, profiles, the document encoder and the printed-key memory."""
from datetime import datetime

import pytest

from drivers.escpos import commands as cmd
from drivers.escpos import status as st
from drivers.escpos.commands import Align
from drivers.escpos.jobs import PrintedKeys, PrintJob
from drivers.escpos.profiles import PROFILES, profile_for
from drivers.escpos.ticket import (
    QR,
    Barcode,
    Cut,
    Document,
    Feed,
    Pair,
    Picture,
    Rule,
    Text,
    clean,
    encode,
    expected_text,
    printable,
    queue_ticket,
)

P58, P80 = PROFILES[58], PROFILES[80]


def h(s: str) -> bytes:
    return bytes.fromhex(s.replace("|", " "))


# -- PROTOCOLS.md §7 vectors


def test_vector_5_ticket():
    doc = Document.of(
        Text("A001", width=2, height=2, align=Align.CENTER),
        Text("请到3号窗口", align=Align.CENTER),
        Cut(partial=True, feed=3),
    )
    assert encode(doc, P80) == h(
        "1B 40 1C 26 1B 61 01 1D 21 11 41 30 30 31 0A 1D 21 00 C7 EB B5 BD 33 BA C5 B4 B0 BF DA 0A 1D 56 42 03"
    )


def test_vector_6_qr():
    url = b"https://zwfw.example.gov.cn/q?t=A001"
    assert len(url) == 36
    assert cmd.qr(url, module=6, ec="M", model=2) == h(
        "1D 28 6B 04 00 31 41 32 00 | 1D 28 6B 03 00 31 43 06 | 1D 28 6B 03 00 31 45 31 | 1D 28 6B 27 00 31 50 30"
    ) + url + h("1D 28 6B 03 00 31 51 30")


# -- single commands (PROTOCOLS.md §2.1)


@pytest.mark.parametrize(("built", "expected"), [
    (cmd.init(), "1B 40"),
    (cmd.chinese_mode(True), "1C 26"),
    (cmd.chinese_mode(False), "1C 2E"),
    (cmd.char_size(1, 1), "1D 21 00"),
    (cmd.char_size(2, 2), "1D 21 11"),
    (cmd.char_size(8, 1), "1D 21 70"),
    (cmd.char_size(1, 8), "1D 21 07"),
    (cmd.bold(True), "1B 45 01"),
    (cmd.bold(False), "1B 45 00"),
    (cmd.underline(1), "1B 2D 01 1C 2D 01"),
    (cmd.align(Align.LEFT), "1B 61 00"),
    (cmd.align(Align.CENTER), "1B 61 01"),
    (cmd.align(Align.RIGHT), "1B 61 02"),
    (cmd.feed_lines(3), "1B 64 03"),
    (cmd.feed_dots(24), "1B 4A 18"),
    (cmd.line_spacing(None), "1B 32"),
    (cmd.line_spacing(40), "1B 33 28"),
    (cmd.cut(cmd.Cut.FULL), "1D 56 00"),
    (cmd.cut(cmd.Cut.PARTIAL), "1D 56 01"),
    (cmd.cut(cmd.Cut.FULL, 5), "1D 56 41 05"),
    (cmd.cut(cmd.Cut.PARTIAL, 3), "1D 56 42 03"),
    (cmd.status_request(1), "10 04 01"),
    (cmd.status_request(4), "10 04 04"),
    (cmd.auto_status_back(), "1D 61 0E"),
    (cmd.auto_status_back(False, False, False, False), "1D 61 00"),
    (cmd.PAPER_SENSOR, "1D 72 01"),
])
def test_command_bytes(built, expected):
    assert built == h(expected)


def test_barcodes_form_b():
    assert cmd.barcode("CODE128", b"A001", height=80, module=2, hri="below") == h(
        "1D 68 50 1D 77 02 1D 48 02 1D 6B 49 06 7B 42 41 30 30 31")
    ean = cmd.barcode("EAN13", b"690123456789", hri="none")
    assert h("1D 48 00") in ean and ean.endswith(h("1D 6B 43 0C") + b"690123456789")
    assert cmd.barcode("CODE128", b"a{b").endswith(b"{Ba{{b")
    with pytest.raises(ValueError):
        cmd.barcode("EAN13", b"12ab")
    with pytest.raises(ValueError):
        cmd.barcode("PDF417", b"1")


def test_raster_header_and_size_checks():
    assert cmd.raster(2, 3, bytes(6)) == h("1D 76 30 00 02 00 03 00") + bytes(6)
    assert cmd.raster(72, 300, bytes(72 * 300), mode=3)[:8] == h("1D 76 30 03 48 00 2C 01")
    with pytest.raises(ValueError):
        cmd.raster(2, 3, bytes(5))


@pytest.mark.parametrize("bad", [lambda: cmd.char_size(0, 1), lambda: cmd.char_size(1, 9),
                                 lambda: cmd.qr(b""), lambda: cmd.qr(b"x", ec="X"),
                                 lambda: cmd.qr(b"x", module=17), lambda: cmd.align(3)])
def test_out_of_range_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


# -- status (PROTOCOLS.md §2.2)


def test_decoded_status_examples():
    assert st.parse_eot({4: 0x12}).paper_out is False
    near = st.parse_eot({4: 0x1E})
    assert near.paper_near_end and not near.paper_out and near.fault is None
    assert near.warnings == (st.PAPER_NEAR_END,)
    assert st.parse_eot({4: 0x72}).fault == st.PAPER_OUT
    both = st.parse_eot({4: 0x7E})
    assert both.paper_out and both.warnings == ()
    assert st.parse_eot({2: 0x16}).fault == st.COVER_OPEN
    assert st.parse_eot({2: 0x32}).fault == st.PAPER_OUT
    assert st.parse_eot({1: 0x1A}).fault == st.OFFLINE
    assert st.parse_eot({3: 0x1A}).fault == st.CUTTER_ERROR
    assert st.parse_eot({3: 0x32}).fault == st.UNRECOVERABLE
    assert st.parse_eot({3: 0x52}).fault == st.RECOVERABLE
    ok = st.parse_eot({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12})
    assert ok.fault is None and ok.message == "ready" and ok.raw == h("12 12 12 12")


def test_cover_open_wins_over_the_offline_and_paper_bits_it_causes():
    s = st.parse_eot({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x72})
    assert s.fault == st.COVER_OPEN and not s.online and s.paper_out


def test_a_reply_outside_the_pattern_is_refused():
    with pytest.raises(ValueError):
        st.parse_eot({1: 0x00})


def test_asb_block():
    s = st.parse_asb(h("38 08 0F 00"))  # offline, cover open; cutter error; near end and paper end
    assert (s.online, s.cover_open, s.cutter_error, s.paper_near_end, s.paper_out) == (False, True, True, True, True)
    assert st.parse_asb(h("10 00 00 00")).fault is None
    with pytest.raises(ValueError):
        st.parse_asb(h("12 00 00 00"))


def test_reply_splitter_tells_replies_apart_across_chunks():
    sp = st.ReplySplitter()
    out = sp.feed(h("12 10 00")) + sp.feed(h("03 00 1A 03 37 25")) + sp.feed(h("00 FF"))
    assert out == [("eot", h("12")), ("asb", h("10 00 03 00")), ("eot", h("1A")),
                   ("paper", h("03")), ("clear", h("37 25 00"))]
    assert sp.dropped == 1
    assert st.parse_paper_sensor(0x03) == (True, False)
    assert st.parse_paper_sensor(0x0C) == (False, True)


# -- profiles


def test_profiles_are_data():
    assert (P58.dots, P58.columns, P58.font) == (384, 32, "gb2312")
    assert (P80.dots, P80.columns, P80.font) == (576, 48, "gbk")
    assert profile_for({}) is P80
    p = profile_for({"width": "58", "font": "gbk", "qr_native": "false", "status_requests": "1,2,4"})
    assert (p.dots, p.font, p.qr_native, p.status_requests) == (384, "gbk", False, (1, 2, 4))
    with pytest.raises(ValueError):
        profile_for({"width": 76})
    with pytest.raises(ValueError):
        profile_for({"font": "big5"})


# -- text coverage and the encoder


def test_what_the_2_byte_fonts_print():
    for ch in "A请，：（）！￥·—":
        assert printable(ch, "gb2312"), ch
    for ch in "镕喆堃":  # GBK, not GB2312: common in names
        assert printable(ch, "gbk") and not printable(ch, "gb2312"), ch
    for ch in "㐂𠮷😀\ue000€\x1b\x7f":  # 4-byte GB18030, private use, controls
        assert not printable(ch, "gbk"), repr(ch)


def test_full_width_punctuation_goes_as_gb18030_text():
    data = encode([Text("（请稍候），谢谢！")], P58)
    assert "（请稍候），谢谢！".encode("gb18030") + b"\n" in data
    assert b"?" not in data and b"\x1d\x76\x30" not in data


def test_control_characters_cannot_smuggle_commands():
    assert clean("a\x1b@b\tc\x1d\x56\x00d") == "a@b cVd"
    data = encode([Text("x\x1dV\x00y\x10\x04\x01")], P80)
    assert data == cmd.INIT + cmd.CHINESE_ON + b"xVy\n"


def test_a_line_the_font_lacks_goes_as_one_raster_image():
    data = encode([Text("朱镕基", align=Align.CENTER)], P58)
    assert "镕".encode("gb18030") not in data
    head = data.index(b"\x1d\x76\x30\x00")
    assert data[head + 4:head + 8] == h("30 00 1E 00")  # 48 bytes (384 dots) x 30 rows
    assert any(data[head + 8:])  # ink
    assert expected_text([Text("朱镕基")], P58) == "[IMAGE 384x30]"
    assert "镕".encode("gb18030") in encode([Text("朱镕基")], P80)  # the 80 mm font has it
    tall = encode([Text("𠮷野家", width=2, height=2)], P80)
    assert b"\x1d\x76\x30\x00\x48\x00\x30\x00" in tall  # 576 dots x 48 rows


def test_modes_are_sent_only_when_they_change():
    data = encode([Text("a", bold=True), Text("b", bold=True), Text("c")], P80)
    assert data == cmd.INIT + cmd.CHINESE_ON + h("1B 45 01") + b"a\nb\n" + h("1B 45 00") + b"c\n"


def test_pair_rule_fit_and_wrap():
    assert expected_text([Pair("前面等候", "12 人")], P58) == "前面等候" + " " * 19 + "12 人"
    assert expected_text([Rule("=")], P80) == "=" * 48
    assert expected_text([Rule("—")], P58) == "—" * 16
    fit = encode([Text("政务服务中心欢迎您", width=2, height=2, fit=True)], P58)
    assert cmd.char_size(1, 2) in fit  # 18 columns x 2 would not fit 32
    assert expected_text([Text("一二三四五六七八九十", wrap=True)], profile_for({"width": 58})) == "一二三四五六七八九十"
    assert expected_text([Text("一二三四五六七八九十" * 2, wrap=True)], P58).split("\n") == [
        "一二三四五六七八九十一二三四五六", "七八九十"]


def test_qr_barcode_picture_feed_cut():
    doc = [QR("https://x.example/q?t=A001", module=4), Barcode("A001"),
           Picture(16, 2, h("FF FF 00 00")), Feed(lines=2, dots=5), Cut(partial=False, feed=None)]
    data = encode(doc, P58)
    assert cmd.qr(b"https://x.example/q?t=A001", module=4) in data
    assert h("1D 6B 49 06 7B 42 41 30 30 31") in data
    assert h("1D 76 30 00 30 00 02 00") in data  # placed on a full 384-dot line
    assert data.endswith(h("1B 64 02 1B 4A 05 1D 56 41 03"))
    assert expected_text(doc, P58).split("\n") == [
        "[QR] https://x.example/q?t=A001", "[BARCODE CODE128] A001", "[IMAGE 384x2]"]
    as_image = encode([QR("https://x.example/")], profile_for({"qr_native": False}))
    assert b"\x1d\x28\x6b" not in as_image and b"\x1d\x76\x30" in as_image


def test_queue_ticket_has_what_a_visitor_needs():
    doc = queue_ticket("蓝天区政务服务中心", "A017", "社保医保", 12, 25, datetime(2025, 6, 18, 9, 32),
                       "https://zwfw.example.gov.cn/q?t=A017", "过号请重新取号")
    text = expected_text(doc, P80)
    for part in ("蓝天区政务服务中心", "A017", "社保医保", "12 人", "约 25 分钟", "2025-06-18 09:32",
                 "[QR] https://zwfw.example.gov.cn/q?t=A017", "过号请重新取号"):
        assert part in text
    assert isinstance(doc.blocks[-1], Cut)
    none_ahead = expected_text(queue_ticket("厅", "B001", "综合", 0, 0, datetime(2025, 1, 1), "u", ""), P58)
    assert "无需等待" in none_ahead and "预计等待" not in none_ahead


# -- printed-key memory


def test_printed_keys_are_bounded_and_persisted(tmp_path):
    path = tmp_path / "keys"
    keys = PrintedKeys(capacity=3, path=path)
    for k in "abcde":
        keys.add(k, "d" + k)
    assert "a" not in keys and "b" not in keys and {"c", "d", "e"} <= {k for k in "abcde" if k in keys}
    again = PrintedKeys(capacity=3, path=path)
    assert [k for k in "abcde" if k in again] == ["c", "d", "e"]
    assert again.digest("e") == "de"
    for k in "fghijk":
        again.add(k)
    assert len(path.read_text().splitlines()) <= 6  # compacted at twice the bound
    assert [k for k in "abcdefghijk" if k in PrintedKeys(3, path)] == ["i", "j", "k"]


def test_an_unwritable_key_file_does_not_fail_the_print(tmp_path):
    keys = PrintedKeys(path=tmp_path / "missing-dir" / "keys")
    keys.add("k1")
    assert "k1" in keys


def test_job_keys_are_checked():
    with pytest.raises(ValueError):
        PrintJob("", Document.of())
    with pytest.raises(ValueError):
        PrintJob("a\nb", Document.of())
    assert PrintJob("a", Document.of(Text("x"))).digest != PrintJob("a", Document.of(Text("y"))).digest
