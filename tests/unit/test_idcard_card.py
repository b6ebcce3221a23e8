"""The card text block: four layouts, check characters, dates, 长期, code tables, masking,
the WLT photo seam, and `yiciban idcard decode`."""
from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import datetime as dt
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceProtocolError
from drivers.idcard import card as c
from drivers.idcard import codec, photo
from drivers.idcard.cli import decode_main
from drivers.idcard.simulator import CARD_KINDS, sample_card
from ground import privacy


def block(fields: dict[int, str], marker: str = " ") -> bytes:
    """A text block put together by byte offset, independently of `encode_text_block`."""
    raw = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in fields.items():
        data = text.encode("utf-16-le")
        raw[offset : offset + len(data)] = data
    raw[248:250] = marker.encode("utf-16-le")
    return bytes(raw)


RESIDENT = {0: "张三", 30: "1", 32: "01", 36: "19900101", 52: "广东省深圳市福田区示例路1号",
            122: "440304199001010011", 158: "深圳市公安局福田分局", 188: "20200101", 204: "20400101"}


def resident(**changes: str) -> bytes:
    offsets = {"name": 0, "gender": 30, "ethnicity": 32, "birth": 36, "id": 122, "from": 188, "to": 204}
    fields = dict(RESIDENT)
    for key, value in changes.items():
        fields[offsets[key]] = value.ljust(len(RESIDENT[offsets[key]]))
    return block(fields)


def test_resident_card_fields():
    card = c.parse_text_block(resident())
    assert card.card_type is c.CardType.RESIDENT
    assert (card.name, card.gender, card.ethnicity, card.birth_date) == ("张三", "男", "汉", dt.date(1990, 1, 1))
    assert (card.address, card.issuer, card.id_number) == ("广东省深圳市福田区示例路1号", "深圳市公安局福田分局", "440304199001010011")
    assert (card.valid_from, card.valid_to, card.long_term) == (dt.date(2020, 1, 1), dt.date(2040, 1, 1), False)
    assert card.warnings == () and card.photo is None


def test_hmt_card_fields():
    fields = {0: "陈美玲", 30: "2", 36: "19850615", 52: "广东省珠海市香洲区示例大道100号", 122: "810000198506150020",
              158: "珠海市公安局", 188: "20230901", 204: "20280901", 220: "H12345678", 238: "01"}
    card = c.parse_text_block(block(fields, "J"))
    assert card.card_type is c.CardType.HMT
    assert (card.name, card.gender, card.permit_number, card.issue_count) == ("陈美玲", "女", "H12345678", "01")
    assert card.ethnicity == "" and card.warnings == ()


def test_foreign_2017_card_fields():
    fields = {0: "SMITH JOHN", 120: "1", 122: "USA110080010112", 152: "USA", 158: "约翰史密斯",
              188: "20180501", 204: "20280501", 220: "19800101", 236: "01", 240: "1100"}
    card = c.parse_text_block(block(fields, "I"))
    assert card.card_type is c.CardType.FOREIGN_2017
    assert (card.english_name, card.name, card.id_number, card.nationality) == ("SMITH JOHN", "约翰史密斯", "USA110080010112", "USA")
    assert (card.birth_date, card.card_version, card.authority_code) == (dt.date(1980, 1, 1), "01", "1100")
    assert card.address == "" and card.issuer == ""


def test_foreign_2023_card_joins_the_english_name_across_its_two_fields():
    name = "GARCIA LOPEZ MARIA FERNANDA DE LOS ANGELES"
    fields = {0: "玛丽亚", 30: "2", 32: "00", 36: "19920308", 52: name[:35], 122: "931724199203080020",
              188: "20240101", 204: "20340101", 220: name[35:], 242: "ESP", 250: "ABC"}
    card = c.parse_text_block(block(fields, "Y"))
    assert card.card_type is c.CardType.FOREIGN_2023
    assert (card.english_name, card.renewal_count, card.nationality, card.previous_card) == (name, "00", "ESP", "ABC")
    # a space that falls exactly at the join is kept
    spaced = "A" * 34 + " " + "B" * 5
    card = c.parse_text_block(block({**fields, 52: spaced[:35], 220: spaced[35:]}, "Y"))
    assert card.english_name == spaced


@pytest.mark.parametrize("kind", [k for k in CARD_KINDS if k != "none"])
def test_sample_cards_round_trip_through_their_text_block(kind):
    sample = sample_card(kind)
    text = c.encode_text_block(sample)
    assert len(text) == 256 and text[248:250] == sample.card_type.marker.encode("utf-16-le")
    parsed = c.parse_text_block(text, photo=sample.photo, fingerprint=sample.fingerprint)
    assert parsed == sample and parsed.warnings == ()


def test_long_term_validity_is_the_two_characters_changqi():
    text = resident(to="长期")
    assert text[204:212] == bytes.fromhex("7F 95 1F 67 20 00 20 00")
    card = c.parse_text_block(text)
    assert card.valid_to is None and card.long_term and not card.expired(dt.date(2200, 1, 1))
    assert card.to_dict()["valid_to"] == "长期"
    assert c.encode_text_block(card)[204:208] == bytes.fromhex("7F 95 1F 67")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"birth": "19900230"}, "birth date"),
        ({"from": "2020013"}, "valid-from"),
        ({"to": "永久"}, "valid-to"),
        ({"to": "20190101"}, "before the valid-from"),
        ({"id": "440304199001010012"}, "check character"),
        ({"id": "44030419900101001"}, "check character"),
        ({"name": ""}, "name is empty"),
    ],
)
def test_what_cannot_be_a_card_is_a_protocol_error_naming_the_problem(changes, words):
    with pytest.raises(DeviceProtocolError, match=words) as info:
        c.parse_text_block(resident(**changes))
    assert "440304199001010012" not in str(info.value) and "张三" not in str(info.value)


def test_wrong_sizes_and_broken_text_are_rejected():
    with pytest.raises(DeviceProtocolError, match="256"):
        c.parse_text_block(bytes(255))
    broken = bytearray(resident())
    broken[0:2] = b"\x00\xd8"  # a lone surrogate is no UCS-2 text
    with pytest.raises(DeviceProtocolError, match="name is not UCS-2"):
        c.parse_text_block(bytes(broken))
    with pytest.raises(DeviceProtocolError, match="control"):
        c.parse_text_block(resident(name="张\x01三"))
    with pytest.raises(DeviceProtocolError, match="3 letters and 12 digits"):
        c.parse_text_block(block({0: "SMITH", 122: "US1110080010112", 188: "20180501", 204: "20280501", 220: "19800101"}, "I"))


def test_unknown_codes_are_shown_never_rejected():
    card = c.parse_text_block(resident(gender="3", ethnicity="99"))
    assert (card.gender, card.ethnicity) == ("其他(3)", "其他(99)")
    assert c.parse_text_block(resident(ethnicity="97")).ethnicity == "其他"
    assert c.parse_text_block(resident(ethnicity="98")).ethnicity == "外国血统中国籍人士"
    assert c.parse_text_block(resident(gender="9")).gender == "未说明的性别"
    assert len(c.ETHNICITIES) == 58 and c.ETHNICITIES["46"] == "德昂" and c.ETHNICITIES["56"] == "基诺"


def test_doubts_are_warnings():
    card = c.parse_text_block(resident(birth="19900102", gender="2"))
    assert any("birth date" in w for w in card.warnings)
    assert any("17th digit" in w for w in card.warnings)
    hmt = c.parse_text_block(block({0: "陈美玲", 30: "2", 36: "19850615", 122: "440304198506150023",
                                     188: "20230901", 204: "20280901"}, "J"))
    assert any("810000" in w for w in hmt.warnings)


def _mutated(kind: str, flips: dict[int, int]) -> bytes:
    text = bytearray(c.encode_text_block(sample_card(kind)))
    for where, bit in flips.items():
        text[where] ^= 1 << bit
    return bytes(text)


blocks_st = st.binary(min_size=256, max_size=256) | st.builds(
    _mutated,
    st.sampled_from(["resident", "hmt", "foreign2017", "foreign2023"]),
    st.dictionaries(st.integers(0, 255), st.integers(0, 7), max_size=4),
)


@settings(max_examples=400, deadline=None)
@given(blocks_st)
def test_any_block_is_a_card_or_a_protocol_error(text):
    try:
        card = c.parse_text_block(text)
    except DeviceProtocolError:
        return
    json.dumps(card.to_dict(reveal=True), ensure_ascii=False).encode("utf-8")
    repr(card)


def test_check_digit_vectors():
    assert c.id_check_digit("11010519491231002") == "X"
    assert c.id_check_digit("44030419900101001") == "1"
    assert c.id_check_digit("81000019800101001") == "4"
    assert c.is_valid_id_number("11010519491231002X") and c.is_valid_id_number("11010519491231002x")
    assert not c.is_valid_id_number("110105194912310021") and not c.is_valid_id_number("１１0105194912310021")
    with pytest.raises(ValueError):
        c.id_check_digit("1234")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_agrees_with_the_privacy_module(first17):
    assert c.id_check_digit(first17) == privacy.id_check_digit(first17)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_masking_agrees_with_the_privacy_module(text):
    assert c.mask_id(text) == privacy.mask_id(text)
    assert c.mask_name(text) == privacy.mask_name(text)


@pytest.mark.parametrize("kind", [k for k in CARD_KINDS if k != "none"])
def test_repr_str_and_logs_never_show_the_name_number_or_birth_date(kind, caplog):
    card = sample_card(kind)
    secrets = [card.name, card.english_name, card.id_number, card.address, card.permit_number,
               card.birth_date.isoformat(), card.birth_date.strftime("%Y%m%d")]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("card %s / %r", card, card)
        logging.getLogger("test").info(f"{card} {[card]}")
    for text in (repr(card), str(card), caplog.text, json.dumps(card.to_dict(), ensure_ascii=False)):
        for secret in filter(None, secrets):
            assert secret not in text


def test_masked_and_revealed_dicts():
    card = sample_card("resident")
    masked, shown = card.to_dict(), card.to_dict(reveal=True)
    assert (masked["name"], masked["id_number"], masked["birth_date"]) == ("张*", "440304********0011", "****-**-**")
    assert masked["address"].startswith("广东省深圳市") and masked["address"].endswith("*")
    assert masked["photo"] == {"bytes": 1024} and masked["masked"] is True
    assert (shown["name"], shown["id_number"], shown["birth_date"]) == ("张三", "440304199001010011", "1990-01-01")
    assert len(shown["photo"]["base64"]) > 1000


def test_encoding_refuses_fields_that_do_not_fit():
    with pytest.raises(ValueError, match="name"):
        c.encode_text_block(dataclasses.replace(sample_card("resident"), name="张" * 16))


# -- photo


def test_without_a_library_the_photo_is_plainly_unavailable():
    decoder = photo.decoder_from_settings({})
    result = decoder.decode(bytes(1024))
    assert not result.available and result.bmp is None and "photo unavailable" in result.reason
    assert "no photo" in decoder.decode(None).reason


UNPACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
calls: list[tuple[bytes, int]] = []


def _fake_library(output: bytes, result: int = 1):
    """A C function pointer shaped as the vendor's `int unpack(char *wlt, char *out, int bmp)`."""
    def unpack(wlt, out, flag):
        calls.append((ctypes.string_at(wlt, 1024), flag))
        ctypes.memmove(out, output, len(output))
        return result
    return UNPACK(unpack)


def test_a_library_returning_bgr_gives_a_bmp():
    bgr = bytes(range(256)) * (photo.BGR_SIZE // 256) + bytes(photo.BGR_SIZE % 256)
    wlt = bytes(range(256)) * 4
    result = photo.WltLibraryDecoder(function=_fake_library(bgr), output="bgr").decode(wlt)
    assert calls[-1] == (wlt, 1)
    assert result.available and len(result.bmp) == photo.BMP_SIZE == 38862 and photo.is_bmp(result.bmp)
    # bottom-up rows: the first row stored is the image's last
    assert result.bmp[54 : 54 + 306] == bgr[-306:]


def test_a_library_returning_a_bmp_is_checked_and_failures_are_reported():
    bmp = photo.bgr_to_bmp(bytes(photo.BGR_SIZE))
    decoder = photo.WltLibraryDecoder(function=_fake_library(bmp))
    assert decoder.decode(bytes(1024)).bmp == bmp
    assert "1023 bytes" in decoder.decode(bytes(1023)).reason
    failing = photo.WltLibraryDecoder(function=_fake_library(bmp, result=-2))
    assert "returned -2" in failing.decode(bytes(1024)).reason
    junk = photo.WltLibraryDecoder(function=_fake_library(b"XX" * 100))
    assert "not a 102 x 126" in junk.decode(bytes(1024)).reason


def test_a_missing_library_or_symbol_is_a_reason_not_an_exception(tmp_path):
    missing = photo.decoder_from_settings({"wlt_library": str(tmp_path / "libwlt.so")}).decode(bytes(1024))
    assert not missing.available and "cannot load unpack" in missing.reason
    libc = ctypes.util.find_library("c") or "libc.so.6"
    no_symbol = photo.WltLibraryDecoder(libc, symbol="no_such_wlt_function").decode(bytes(1024))
    assert not no_symbol.available and "no_such_wlt_function" in no_symbol.reason


# -- yiciban idcard decode


def _answer_frame(kind: str = "resident") -> bytes:
    card = sample_card(kind)
    return codec.encode_response(0x90, codec.join_read_data(c.encode_text_block(card), card.photo))


def test_decode_a_hex_frame_masked_by_default(capsys):
    assert decode_main([_answer_frame().hex(" ")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["name"], out["id_number"], out["card_type"]) == ("张*", "440304********0011", "resident")
    assert out["photo"] == {"bytes": 1024} and out["fingerprint"] is None


def test_decode_reveal_and_files(capsys, tmp_path):
    binary, hexfile = tmp_path / "answer.bin", tmp_path / "block.txt"
    binary.write_bytes(_answer_frame("hmt"))
    hexfile.write_text(c.encode_text_block(sample_card("foreign2023")).hex(":").upper() + "\n")
    assert decode_main([str(binary), "--reveal"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["name"], out["id_number"], out["permit_number"]) == ("陈美玲", "810000198506150020", "H12345678")
    assert decode_main([str(hexfile)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["card_type"] == "foreign2023" and out["english_name"].startswith("G*****") and out["photo"] is None


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("zz11", "neither a file nor hex"),
        ("AA BB CC", "3 bytes: expected an answer frame"),
        (_answer_frame()[:-1].hex(), "LEN says"),
        ((_answer_frame()[:-1] + b"\x00").hex(), "checksum"),
        ("AAAAAA96690004000080 84", "SAM 0x80"),
        (c.encode_text_block(sample_card("resident")).replace("440304199001010011".encode("utf-16-le"), "440304199001010019".encode("utf-16-le")).hex(), "check character"),
    ],
)
def test_decode_bad_input_says_what_is_wrong(capsys, source, words):
    assert decode_main([source]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and words in captured.err and "440304199001010019" not in captured.err


def test_decode_usage_error_is_non_zero(capsys):
    assert decode_main([]) == 2
    assert "usage" in capsys.readouterr().err
