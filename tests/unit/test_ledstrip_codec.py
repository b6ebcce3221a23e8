"""LED strip codecs: the published Onbon frames byte for byte (PROTOCOLS.md §7 and public
captures), our documented vectors, the plain line protocol, the renderer, and fuzzing that ends
in a clear `DeviceProtocolError` or a resynchronisation, never a crash or a wrong value."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.errors import DeviceProtocolError
from drivers.ledstrip import bx5, line
from drivers.ledstrip.area import (
    Colour,
    DynamicArea,
    Effect,
    HAlign,
    RunMode,
    Styled,
    VAlign,
    decode_params,
    encode_params,
    encode_text,
    parse_text,
)
from drivers.ledstrip.render import rasterize, to_png, wrap
from drivers.ledstrip.settings import area_from_settings, open_strip
from drivers.ledstrip.simulator import StripSimulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocols" / "ledstrip.md"
FAST = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
WAKE = "A5 A5 A5 A5 A5 A5 A5 A5 "

PUBLISHED = {  # PROTOCOLS.md §7 and the public captures it cites
    "ping": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A2 00 01 00 00 68 F8 5A",
    "clear": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A3 10 01 00 00 51 F8 5A",
    "status": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A1 02 01 00 00 2D 40 5A",
    "a306": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 32 00 A3 06 01 2D 00 00 01 29 00 00 00 00 00 00 18 00 20 00"
            " 00 00 00 02 00 00 00 00 02 02 03 00 04 05 0E 00 00 00 30 31 32 33 34 35 51 52 53 54 54 56 27 42"
            " A8 7D 5A",
}
OURS = {  # docs/protocols/ledstrip.md
    "show": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 38 00 A3 06 01 00 00 00 01 2F 00 00 00 00 00 00 18 00 20 00"
            " 00 00 00 00 00 00 00 0A 02 02 01 00 04 0A 14 00 00 00 5C 43 31 C7 EB 41 30 31 37 BA C5 B5 BD 33 BA"
            " C5 B4 B0 BF DA 5F D2 5A",
    "ack": WAKE + "00 80 01 00 00 00 00 00 00 00 51 02 05 00 A0 00 00 00 00 DD 2B 5A",
    "nak": WAKE + "00 80 01 00 00 00 00 00 00 00 51 02 05 00 A0 01 05 00 00 CC D6 5A",
    "amber": WAKE + "01 00 00 80 00 00 00 00 00 00 FE 02 3D 00 A3 06 01 00 00 00 01 34 00 00 00 00 00 00 10 00 20"
             " 00 00 00 00 00 00 00 00 0A 02 02 01 00 04 0A 19 00 00 00 5C 43 33 5C 46 4F 30 30 30 33 BA C5 B4"
             " B0 BF DA 20 D4 DD CD A3 B7 FE CE F1 DF 5C 5A",
    "z001": WAKE + "02 00 00 80 00 00 00 00 00 00 FE 02 2B 00 A3 06 01 00 00 00 01 22 00 00 00 00 00 00 08 00 10 00"
            " 00 00 00 00 00 00 00 00 01 01 01 00 04 0A 07 00 00 00 5C 43 32 5B 02 30 30 31 97 45 5A",
    "line_show": "53 48 4F 57 20 E8 AF B7 41 30 31 37 E5 8F B7 E5 88 B0 33 E5 8F B7 E7 AA 97 E5 8F A3 0D 0A",
    "line_show_gb": "53 48 4F 57 20 C7 EB 41 30 31 37 BA C5 B5 BD 33 BA C5 B4 B0 BF DA 0D 0A",
}
CALL = "请A017号到3号窗口"


def hx(text: str) -> bytes:
    return bytes.fromhex(text)


# -- exact bytes


def test_crc16_arc_check_value():
    assert bx5.crc16_arc(b"123456789") == 0xBB3D


def test_published_ping_clear_and_status_frames():
    assert bx5.request(bx5.PING) == hx(PUBLISHED["ping"])
    assert bx5.request(bx5.CLEAR) == hx(PUBLISHED["clear"])
    assert bx5.request(bx5.STATUS) == hx(PUBLISHED["status"])


def test_published_dynamic_area_frame():
    area = DynamicArea(width=192, height=32, run_mode=RunMode.CYCLE, timeout=2, h_align=HAlign.LEFT,
                       v_align=VAlign.TOP, effect=Effect.SCROLL_LEFT, speed=4, stay=5)
    params = encode_params(area, b"012345QRSTTV'B")
    assert bx5.request(bx5.DYNAMIC_AREA, params, reserved=b"\x2d\x00") == hx(PUBLISHED["a306"])
    update = decode_params(bx5.decode(hx(PUBLISHED["a306"])).params)
    assert update.areas == ((area, b"012345QRSTTV'B"),)


def test_our_vectors():
    assert bx5.request(bx5.DYNAMIC_AREA, encode_params(DynamicArea(), encode_text(CALL))) == hx(OURS["show"])
    request = bx5.decode(hx(OURS["show"]))
    assert bx5.answer(request) == hx(OURS["ack"])
    assert bx5.answer(request, bx5.Error.CHECKSUM) == hx(OURS["nak"])
    amber = DynamicArea(width=128, font_size=16)
    text = encode_text("3号窗口 暂停服务", Colour.AMBER, font_size=16)
    assert bx5.request(bx5.DYNAMIC_AREA, encode_params(amber, text)) == hx(OURS["amber"])
    small = DynamicArea(width=64, height=16, h_align=HAlign.LEFT, v_align=VAlign.TOP, multi_line=False, auto_wrap=False)
    assert bx5.request(bx5.DYNAMIC_AREA, encode_params(small, encode_text("Z001", Colour.GREEN)), screen=2) == hx(OURS["z001"])
    assert line.command("SHOW", CALL) == hx(OURS["line_show"])
    assert line.command("SHOW", CALL, "gb18030") == hx(OURS["line_show_gb"])


def test_every_vector_is_in_the_protocol_document():
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    missing = [name for name, h in {**PUBLISHED, **OURS}.items() if h not in text]
    assert not missing, f"vectors not in {DOC.name}: {missing}"


def test_answers_parse():
    ack = bx5.parse_answer(bx5.decode(hx(OURS["ack"])))
    nak = bx5.parse_answer(bx5.decode(hx(OURS["nak"])))
    assert ack.ok and not nak.ok and nak.error == bx5.Error.CHECKSUM and nak.error_name == "checksum"
    with pytest.raises(DeviceProtocolError):
        bx5.parse_answer(bx5.decode(hx(PUBLISHED["ping"])))


def test_escaping_covers_the_four_special_bytes():
    assert bx5.escape(bytes([0xA5, 0xA6, 0x5A, 0x5B, 0x00])) == hx("A6 02 A6 01 5B 02 5B 01 00")
    assert bx5.unescape(hx("A6 02 A6 01 5B 02 5B 01 00")) == bytes([0xA5, 0xA6, 0x5A, 0x5B, 0x00])
    for bad in ("A6 03", "5B", "A6", "5A", "A5"):
        with pytest.raises(DeviceProtocolError):
            bx5.unescape(hx(bad))


@pytest.mark.parametrize("mutate", [
    lambda f: f[:-2] + bytes([f[-2] ^ 1]) + f[-1:],  # CRC
    lambda f: f[:20] + b"\x06" + f[21:],  # length field
    lambda f: f[:-3] + b"\xa6\x07" + f[-1:],  # escape
    lambda f: f[:8] + f[9:],  # a header byte lost
    lambda f: f[:-1],  # no end marker
])
def test_broken_frames_are_protocol_errors(mutate):
    with pytest.raises(DeviceProtocolError):
        bx5.decode(mutate(hx(PUBLISHED["ping"])))


def test_a_crc_of_ffff_passes_only_where_the_controller_allows_it():
    unchecked = hx(PUBLISHED["ping"])[:-3] + b"\xff\xff\x5a"
    with pytest.raises(DeviceProtocolError):
        bx5.decode(unchecked)
    assert bx5.decode(unchecked, lenient=True).command == bx5.PING


def test_deframer_skips_noise_and_cut_frames():
    good = hx(PUBLISHED["ping"])
    stream = b"\x5a\x00" + good[:15] + b"\x12" + good + b"\x99" + good
    frames = bx5.Deframer().feed(stream)
    assert [bx5.decode(f) for f in frames] == [bx5.decode(good)] * 2


# -- text and areas


def test_text_gets_its_colour_and_font_codes_and_no_stray_backslash():
    assert encode_text("A017", Colour.GREEN) == b"\\C2A017"
    assert encode_text("A\\C3", Colour.RED) == b"\\C1A" + "＼".encode("gb2312") + b"C3"
    assert encode_text("x", font_size=32) == b"\\C1\\FO002x"
    assert encode_text("A\nB") == b"\\C1A B"
    assert encode_text("㐀A") == b"\\C1?A"  # not in GB2312
    assert encode_text("㐀A", encoding="gb18030").endswith(b"A")
    with pytest.raises(ValueError):
        encode_text("字" * 300)


def test_parse_text_splits_colours_and_keeps_gbk_trail_bytes():
    styled = parse_text("\\C3A017 \\C1请到3号窗口".encode("gbk"))
    assert styled.runs == ((Colour.AMBER, "A017 "), (Colour.RED, "请到3号窗口"))
    assert parse_text(b"\\C2\\FO001" + "乗".encode("gbk")) == Styled(((Colour.GREEN, "乗"),), 24)


def test_x_and_width_in_pixels_when_not_whole_columns():
    params = encode_params(DynamicArea(x=4, width=100), b"")
    assert params[5:7] == (0x8004).to_bytes(2, "little") and params[9:11] == (0x8064).to_bytes(2, "little")
    assert decode_params(params).areas[0][0] == DynamicArea(x=4, width=100)


def test_area_settings():
    area = area_from_settings({"width": 128, "height": 16, "effect": "scroll_left", "align": "left",
                               "font_size": 16})
    assert (area.width, area.height, area.effect, area.h_align, area.font_size) == (
        128, 16, Effect.SCROLL_LEFT, HAlign.LEFT, 16)
    for bad in ({"effect": "spin"}, {"width": 0}, {"font_size": 20}):
        with pytest.raises(ValueError):
            area_from_settings(bad)
    with pytest.raises(ValueError):
        open_strip("/dev/null", {"protocol": "morse"})


areas = st.builds(
    DynamicArea, st.integers(0, 0x7FFF), st.integers(0, 0x7FFF), st.integers(1, 0x7FFF),
    st.integers(1, 0x7FFF), st.integers(0, 255), st.integers(0, 255), st.sampled_from(RunMode),
    st.integers(0, 0xFFFF), st.sampled_from(HAlign), st.sampled_from(VAlign), st.booleans(), st.booleans(),
    st.sampled_from(Effect), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255),
)


@FAST
@given(areas, st.binary(max_size=64))
def test_areas_round_trip(area, text):
    assert decode_params(encode_params(area, text)).areas == ((area, text),)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.binary(max_size=80))
def test_random_area_parameters_decode_or_fail_cleanly(data):
    try:
        decode_params(data)
    except DeviceProtocolError:
        pass


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.binary(max_size=120))
def test_random_bytes_give_packets_or_protocol_errors(data):
    for raw in bx5.Deframer().feed(data):
        try:
            bx5.decode(raw, lenient=True)
        except DeviceProtocolError:
            pass


@FAST
@given(areas, st.binary(max_size=40), st.data())
def test_a_flipped_bit_never_gives_another_valid_frame(area, text, data):
    raw = bytearray(bx5.request(bx5.DYNAMIC_AREA, encode_params(area, text)))
    at = data.draw(st.integers(8, len(raw) - 1))  # past the wake-up bytes
    raw[at] ^= 1 << data.draw(st.integers(0, 7))
    for candidate in bx5.Deframer().feed(bytes(raw)):
        with pytest.raises(DeviceProtocolError):
            bx5.decode(candidate)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.binary(max_size=40), st.sampled_from([hx(h) for h in PUBLISHED.values()])),
                max_size=6))
def test_the_simulated_controller_survives_anything(chunks):
    sim = StripSimulator()
    for chunk in chunks:
        for raw in bx5.Deframer().feed(sim.feed(chunk)):
            assert bx5.parse_answer(bx5.decode(raw)) is not None


# -- line protocol


def test_line_commands_and_replies():
    assert line.command("CLEAR") == b"CLEAR\r\n"
    assert line.command("SHOW", "A\r\nB") == b"SHOW A  B\r\n"
    assert line.parse_command(b"SHOW A017") == line.LineCommand("SHOW", "A017")
    assert line.parse_reply(b"OK 192x32 A017") == line.LineReply(True, "192x32 A017")
    assert line.parse_reply(b"ERR line too long") == line.LineReply(False, "line too long")
    for bad in (b"show x", b"CLEAR now", b"SHOW \x01", b"\xff\xfe"):
        with pytest.raises(DeviceProtocolError):
            line.parse_command(bad)
    with pytest.raises(DeviceProtocolError):
        line.parse_reply(b"YES")
    with pytest.raises(ValueError):
        line.command("SHOW", "字" * 200)


def test_line_splitter_resynchronises_after_an_overlong_line():
    splitter = line.LineSplitter(limit=16)
    assert splitter.feed(b"SHOW " + b"x" * 40 + b"\r\nCLEAR\r") == [None]
    assert splitter.feed(b"\nSTATUS\n") == [b"CLEAR", b"STATUS"]


@settings(max_examples=800, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_the_line_strip_answers_every_line_with_ok_or_err(data):
    sim = StripSimulator(protocol="line")
    lines = [r for r in line.LineSplitter().feed(sim.feed(data)) if r is not None]
    assert all(line.parse_reply(r) for r in lines)


# -- what the strip shows


def test_wrap_follows_the_font_cells():
    assert wrap("请A017号到3号窗口", 192, 16, multi_line=True, auto_wrap=True) == ["请A017号到3号窗口"]
    assert wrap("请A017号到3号窗口", 72, 16, multi_line=True, auto_wrap=True) == ["请A017号", "到3号窗口"]
    assert wrap("3号窗口 暂停服务", 64, 16, multi_line=True, auto_wrap=True) == ["3号窗口", "暂停服务"]
    assert wrap("long text", 8, 16, multi_line=False, auto_wrap=True) == ["long text"]


def test_rasterize_lights_dots_in_the_text_colour(tmp_path):
    styled = parse_text(encode_text("A017", Colour.AMBER))
    grid = rasterize(64, 16, [(DynamicArea(width=64, height=16), styled)])
    lit = {dot for row in grid for dot in row if dot}
    assert lit == {Colour.AMBER}
    columns = [x for x in range(64) if any(grid[y][x] for y in range(16))]
    assert columns[0] >= 14 and columns[-1] <= 49  # 32 dots of text, centred in 64
    png = to_png(grid, tmp_path / "a.png", pitch=4)
    assert Image.open(png).size == (64 * 4 + 16, 16 * 4 + 16)


@pytest.mark.parametrize("width", [80, 96, 112, 128, 160, 192])
@pytest.mark.parametrize("text", ["请A017号到3号窗口", "3号窗口 暂停服务", "12号窗口 欢迎办理", "请B105号到16号窗口"])
def test_laid_out_text_wraps_only_between_words(text, width):
    from drivers.ledstrip.texts import laid_out
    from ground.linebreak import line_problems

    shown = wrap(laid_out(text, width, 16), width, 16, multi_line=True, auto_wrap=True)
    assert "".join(shown).replace(" ", "") == text.replace(" ", "")
    assert line_problems(shown) == [], shown
