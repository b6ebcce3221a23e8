"""The personal-data scan itself: it must find what escaped, and only that."""
from __future__ import annotations

from ground.privacy import id_check_digit, mask_id
from tests.support.logscan import (
    check_character,
    find_personal_data,
    find_personal_data_in_bytes,
    scan_tree,
)

ID = "440304199001010011"  # the simulator's resident card: a valid check character


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_its_check_character_agrees_with_the_hall_s():
    for first17 in ("44030419900101001", "11010519491231002", "37082919550228123"):
        assert check_character(first17) == id_check_digit(first17)


def test_a_valid_number_is_found_wherever_it_sits():
    for text in (f"id={ID}", f"{ID}", f"号码：{ID}。", f'"{ID}"'):
        assert find_personal_data(text) == [ID], text


def test_the_day_part_is_two_digits_and_the_date_must_exist():
    assert find_personal_data(with_check("37082919550230123")) == []  # 30 February
    assert find_personal_data(with_check("37082919550200123")) == []  # day 00
    assert find_personal_data(with_check("37082919551301123")) == []  # month 13
    assert find_personal_data(with_check("37082919550228123")) != []


def test_a_wrong_check_character_is_not_a_number():
    wrong = ID[:17] + ("2" if ID[17] != "2" else "3")
    assert find_personal_data(wrong) == []


def test_masked_forms_and_longer_runs_are_not_numbers():
    assert find_personal_data(f"{mask_id(ID)} 9{ID} {ID}7 138****8000") == []


def test_a_mobile_number_is_found_plain_grouped_or_full_width():
    for text, number in (("tel=13800138000", "13800138000"), ("手机 138 0013 8000。", "138 0013 8000"),
                         ('"phone": "199-1234-5678"', "199-1234-5678"), ("１３８００１３８０００", "１３８００１３８０００"),
                         ("13800138000", "13800138000")):
        assert find_personal_data(text) == [number], text
    assert find_personal_data_in_bytes(b"\x00\x0313912345678\x00") == ["13912345678"]


def test_ticket_numbers_codes_case_numbers_hashes_and_times_are_not_mobile_numbers():
    text = " ".join((
        "A012 VIP0003 20261127-A012 /t/20261127-A012.ABCDE23456",  # tickets, their ids and follow paths
        "QR7K2M9PX4 QR13812345678 13812345678QR 1381234567 138123456789",  # codes, 10 and 12 digits
        "3708292026000001 202613812345678",  # case numbers
        "1732672800123 1795780800.13812345678 13812345678.5 v1.13812345678",  # times and decimals
        "a13812345678f0c2" + "0" * 48, "5f0e2b8c-1381-4234-a567-813812345678",  # a keyed hash, a uuid
        "0537-1234567 12345 138****5678 138 1234-5678 12812345678",  # a landline, masked, mixed, not 13-19
    ))
    assert find_personal_data(text) == []


def test_full_width_digits_are_digits():
    full = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert find_personal_data(f"号码 {full}") == [full]


def test_bytes_names_in_utf8_and_gb18030():
    assert find_personal_data_in_bytes("持证人 张三".encode("gb18030"), ["张三"]) == ["张三 (gb18030)"]
    assert find_personal_data_in_bytes("持证人 张三".encode(), ["张三"]) == ["张三 (utf-8)"]
    # GB18030 bytes of a name do not show as text when read as UTF-8: only a byte scan sees them
    assert "张三" not in "持证人 张三".encode("gb18030").decode("utf-8", errors="replace")


def test_bytes_numbers_in_a_database_page():
    page = b"\x00\x17\x81SQLite" + ID.encode() + b"\x00\xff" + b"9" * 40
    assert find_personal_data_in_bytes(page) == [ID]


def test_scan_tree_names_the_files(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "a.log").write_text("ticket A001 440304********0011\n")
    (tmp_path / "printer.txt").write_bytes("张三 A001".encode("gb18030"))
    (tmp_path / "hall.db").write_bytes(b"\x00" + ID.encode() + b"\x00")
    assert scan_tree(tmp_path, ["张三"]) == {"hall.db": [ID], "printer.txt": ["张三 (gb18030)"]}
