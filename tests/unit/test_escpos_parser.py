"""The simulated printer's side: tokenizing, interpreting, and round trips from the encoder."""
import string
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.escpos import commands as cmd
from drivers.escpos.commands import Align
from drivers.escpos.engine import Engine
from drivers.escpos.parser import MAX_PAYLOAD, Tokenizer
from drivers.escpos.profiles import PROFILES, profile_for
from drivers.escpos.ticket import (
    QR,
    Barcode,
    Cut,
    Feed,
    Pair,
    Picture,
    Rule,
    Text,
    encode,
    expected_text,
    queue_ticket,
)

P58, P80 = PROFILES[58], PROFILES[80]


def fast(n: int) -> settings:
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tokens(data: bytes, chunk: int = 0) -> list:
    t = Tokenizer()
    if not chunk:
        return t.feed(data)
    out = []
    for i in range(0, len(data), chunk):
        out += t.feed(data[i:i + chunk])
    return out


def test_tokens_of_the_ticket_vector():
    data = bytes.fromhex("1B401C261B61011D211141303031 0A 1D2100C7EBB5BD33BAC5B4B0BFDA0A 1D564203")
    names = [n for n, _ in tokens(data)]
    assert names == ["init", "chinese_on", "align", "size", "text", "lf", "size", "text", "lf", "cut"]
    assert [n for n, _ in tokens(data, chunk=1) if n != "text"] == [n for n in names if n != "text"]


def test_variable_length_commands():
    qr = cmd.qr(b"https://x.example/")
    raster = cmd.raster(2, 2, b"\x1b\x40\x10\x04")  # payload bytes that look like commands
    code = cmd.barcode("CODE128", b"A1")
    form_a = b"\x1d\x6b\x04A1\x00"
    eot = cmd.status_request(1)
    names = [n for n, _ in tokens(qr + raster + code + form_a + eot)]
    assert names == ["gs_paren"] * 5 + ["raster", "barcode_height", "barcode_module", "barcode_hri",
                                        "barcode", "barcode", "dle_eot"]


def test_incomplete_commands_wait_and_unknown_ones_are_skipped():
    t = Tokenizer()
    assert t.feed(b"\x1d\x76\x30\x00\x02\x00\x01") == [] and t.pending == 7
    assert t.feed(b"\x00\xff") == [] and t.feed(b"\xff") == [("raster", b"\x1d\x76\x30\x00\x02\x00\x01\x00\xff\xff")]
    assert t.feed(b"\x1b\x7e\x1c\x7eok\x07") == [("unknown", b"\x1b\x7e"), ("unknown", b"\x1c\x7e"),
                                                ("text", b"ok"), ("ctl", b"\x07")]
    huge = b"\x1d\x76\x30\x00\xff\xff\xff\xff"
    assert MAX_PAYLOAD < 0xFFFF * 0xFFFF
    assert t.feed(huge + b"x") == [("invalid", huge), ("text", b"x")]


def run(data: bytes, profile=P80, chunk: int = 0) -> Engine:
    e = Engine(profile)
    if chunk:
        for i in range(0, len(data), chunk):
            e.receive(data[i:i + chunk])
    else:
        e.receive(data)
    assert e.errors == 0
    return e


def test_chinese_needs_chinese_mode():
    text = "请到3号窗口".encode("gb18030")
    assert run(cmd.INIT + cmd.CHINESE_ON + text + b"\n").pending_text() == "请到3号窗口"
    garbled = run(cmd.INIT + text + b"\n").pending_text()  # python-escpos's way: no FS &
    assert garbled != "请到3号窗口" and "3" in garbled
    four_byte = run(cmd.INIT + cmd.CHINESE_ON + "㐂".encode("gb18030") + b"\n")
    assert four_byte.missing and "㐂" not in four_byte.pending_text()


def test_a_58mm_gb2312_printer_lacks_gbk_only_characters():
    data = cmd.INIT + cmd.CHINESE_ON + "朱镕基".encode("gb18030") + b"\n"
    assert run(data, P58).missing == ["镕"]
    assert run(data, P80).missing == []


def test_real_time_status_is_answered_while_stopped():
    e = Engine(P80)
    assert e.receive(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04") == bytes.fromhex("12121212")
    e.set_fault("paper_out")
    assert e.receive(b"\x10\x04\x01\x10\x04\x02\x10\x04\x04") == bytes.fromhex("1A 32 72")
    e.set_fault("paper_out", False)
    e.set_fault("cover_open")
    assert e.receive(b"\x10\x04\x01\x10\x04\x02") == bytes.fromhex("1A 16")
    e.set_fault("cover_open", False)
    e.set_fault("near_end")
    assert e.receive(b"\x10\x04\x04\x1d\x72\x01") == bytes.fromhex("1E 03")
    e.set_fault("silent")
    assert e.receive(b"\x10\x04\x01") == b""


def test_printing_stops_at_a_fault_and_resumes_after_it():
    e = Engine(P80)
    e.set_fault("offline")
    job = encode([Text("第一行"), Cut()], P80) + cmd.PAPER_SENSOR
    assert e.receive(job) == b"" and not e.tickets and e.pending
    assert e.set_fault("offline", False) == b"\x00"  # the GS r answer comes once it has printed
    assert [t.text for t in e.tickets] == ["第一行"]


def test_paper_runs_out_mid_ticket_and_clear_buffers_drops_the_rest():
    e = Engine(P80)
    e.run_out_after(2)
    e.receive(encode([Text("1"), Text("2"), Text("3"), Cut()], P80))
    assert "paper_out" in e.faults and not e.tickets and e.pending_text() == "1\n2"
    assert e.receive(cmd.CLEAR_BUFFERS) == cmd.CLEAR_REPLY and e.cleared == 1
    e.set_fault("paper_out", False)
    assert not e.tickets and e.pending_text() == ""


def test_asb_is_sent_on_enable_and_on_change():
    e = Engine(P80)
    assert e.receive(cmd.auto_status_back()) == bytes.fromhex("10 00 00 00")
    assert e.set_fault("cover_open") == bytes.fromhex("38 00 00 00")
    assert e.set_fault("near_end") == bytes.fromhex("38 00 03 00")


def test_alignment_takes_effect_only_at_the_start_of_a_line():
    e = run(cmd.INIT + b"ab" + cmd.align(Align.RIGHT) + b"c\n" + b"d\n" + cmd.align(Align.RIGHT) + b"e\n")
    rows = [i for i in e.items if i[0] == "row"]
    assert [r[1] for r in rows] == [0, 0, 2]


def test_long_lines_wrap_on_paper_but_stay_one_line_of_text():
    e = run(cmd.INIT + cmd.CHINESE_ON + ("政务" * 20).encode("gb18030") + b"\n", P58)
    assert e.pending_text() == "政务" * 20
    assert len([i for i in e.items if i[0] == "row"]) == 3  # 16 per 384-dot row


def test_barcode_text_in_code_set_c():
    e = run(b"\x1d\x6b\x49\x05{C\x0c\x22\x38" + b"\x1d\x6b\x49\x06{Ba{{b" + b"\x1d\x56\x00")
    assert e.tickets[0].barcodes == ["123456", "a{b"]


# -- round trips

GB2312_HANZI = [bytes((a, b)).decode("gb2312") for a in range(0xB0, 0xD8) for b in range(0xA1, 0xFF)
                if (a, b) != (0xD7, 0xFA) and a * 256 + b < 0xD7FA]
PUNCT = list("，。、；：？！“”‘’（）【】《》…—·￥％＃＠＆＊")
ASCII = list(string.ascii_letters + string.digits + string.punctuation + " ")
RARE = list("镕喆堃㐂𠮷😀")
ALPHABET = "".join(ASCII + GB2312_HANZI + PUNCT)
line = st.text(alphabet=ALPHABET, max_size=40)
aligns = st.sampled_from(list(Align))
texts = st.builds(Text, line, width=st.integers(1, 4), height=st.integers(1, 4), bold=st.booleans(),
                  underline=st.integers(0, 2), align=aligns)
blocks = st.one_of(
    texts,
    st.builds(Pair, line, line, width=st.integers(1, 2), bold=st.booleans()),
    st.builds(Rule, st.sampled_from(["-", "=", "*", "—"])),
    st.builds(QR, st.text(alphabet=string.ascii_letters + string.digits + ":/?=.&", min_size=1, max_size=80),
              module=st.integers(1, 8), ec=st.sampled_from("LMQH"), align=aligns),
    st.builds(Barcode, st.text(alphabet=string.ascii_letters + string.digits + "-. ", min_size=1, max_size=20),
              height=st.integers(1, 120), module=st.integers(1, 4), align=aligns),
    st.builds(Feed, st.integers(0, 3), st.integers(0, 40)),
)


@fast(700)
@given(st.lists(blocks, max_size=10), st.sampled_from([58, 80]), st.integers(0, 17))
def test_what_the_encoder_sends_the_parser_reads_back(doc, width, chunk):
    profile = PROFILES[width]
    doc = [*doc, Cut()]
    engine = run(encode(doc, profile), profile, chunk)
    assert len(engine.tickets) == 1
    assert engine.tickets[0].text == expected_text(doc, profile)
    assert engine.tickets[0].missing == []


@fast(60)
@given(st.lists(st.builds(Text, st.text(alphabet=ALPHABET + "".join(RARE), max_size=12),
                          width=st.integers(1, 2), height=st.integers(1, 2)), max_size=4),
       st.sampled_from([58, 80]))
def test_lines_the_font_lacks_arrive_as_images_and_nothing_prints_blank(doc, width):
    profile = PROFILES[width]
    engine = run(encode([*doc, Cut()], profile), profile)
    ticket = engine.tickets[0]
    assert ticket.text == expected_text([*doc, Cut()], profile)
    assert ticket.missing == []
    assert all(w == profile.dots for w, _ in ticket.images)


@fast(2000)
@given(st.binary(max_size=600), st.integers(1, 64))
def test_random_bytes_never_crash_or_hang_the_printer(data, chunk):
    e = run(data, P58, chunk)
    assert e.tokenizer.pending <= len(data)
    e.tokenizer.reset()  # a half-received command would take the next bytes as its data
    assert e.receive(cmd.status_request(1)) == b"\x12"  # and it still answers


mutations = st.lists(st.tuples(st.sampled_from(["flip", "drop", "insert"]), st.integers(0, 10**6),
                               st.integers(0, 255)), min_size=1, max_size=8)


def _streams() -> list[bytes]:
    issued = datetime(2025, 6, 18, 9, 32)
    everything = [Text("粗体", bold=True, underline=1, align=Align.RIGHT), Pair("左", "右"), Rule(),
                  QR("https://x.example/q?t=A001"), Barcode("A001"), Picture(16, 2, b"\xf0\x0f\xaa\x55"),
                  Text("朱镕基 𠮷", width=2), Feed(1, 8), Cut()]
    return [encode(queue_ticket("蓝天区政务服务中心", "A017", "社保", 3, 9, issued, "https://x.example/q", "请留意叫号"),
                   PROFILES[w]) for w in (58, 80)] + [encode(everything, PROFILES[w]) for w in (58, 80)]


STREAMS = _streams()


@fast(800)
@given(st.sampled_from(STREAMS), mutations, st.integers(1, 40))
def test_mutated_tickets_never_crash_the_printer(stream, changes, chunk):
    data = bytearray(stream)
    for op, pos, value in changes:
        i = pos % (len(data) + 1)
        if op == "insert" or i == len(data):
            data[i:i] = bytes((value,))
        elif op == "flip":
            data[i] ^= value or 1
        else:
            del data[i]
    run(bytes(data), P80, chunk)


@fast(40)
@given(st.binary(min_size=1, max_size=400))
def test_whatever_arrives_can_be_drawn(data):
    e = run(cmd.INIT + data + b"\x1d\x56\x00", profile_for({"width": 58}))
    for t in e.tickets:
        img = t.render()
        assert img.width == P58.paper_dots


@pytest.mark.parametrize("width", [58, 80])
def test_rendered_ticket_has_the_paper_width(width):
    profile = PROFILES[width]
    doc = [Text("A001", width=4, height=4, align=Align.CENTER), Picture(8, 1, b"\xff"), Cut()]
    img = run(encode(doc, profile), profile).tickets[0].render()
    assert img.width == profile.paper_dots and img.getextrema() == (0, 255)
