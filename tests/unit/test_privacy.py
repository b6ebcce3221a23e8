"""ID numbers and names: validation, masking, keyed hash, redaction, and the log scanner."""
from __future__ import annotations

import threading

import pytest

from ground import privacy
from ground.privacy import (
    SensitiveNames,
    id_check_digit,
    is_valid_id_number,
    is_valid_old_id_number,
    keyed_hash,
    mask_id,
    mask_name,
    redact,
)
from tests.support.logscan import find_personal_data

VALID = [
    "11010519491231002X",  # the example of GB 11643-1999
    "440524188001010014",
    "440304199001010011",
    "320106198503120413",
    "11010119900307803X",
]


@pytest.fixture(autouse=True)
def _no_registered_names():
    privacy.sensitive_names.clear()
    yield
    privacy.sensitive_names.clear()


# --- check digit and validity -------------------------------------------------------


@pytest.mark.parametrize("number", VALID)
def test_check_digit_of_known_valid_numbers(number):
    assert id_check_digit(number[:17]) == number[17]
    assert is_valid_id_number(number)


def test_lower_case_x_and_surrounding_space_are_accepted():
    assert is_valid_id_number(" 11010519491231002x ")


def test_full_width_digits_are_accepted():
    assert is_valid_id_number("１１０１０５１９４９１２３１００２Ｘ")


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        "440524188001010015",  # wrong check digit
        "11010519491231002",  # 17 characters
        "1101051949123100211",  # 19 characters
        "11010519490231002X",  # 31 February 1949
        "X10105194912310021",  # X not last
        "",
        None,
        110105194912310021,
    ],
)
def test_invalid_numbers(number):
    assert not is_valid_id_number(number)


def test_date_must_be_real_even_with_a_matching_check_digit():
    body = "11010519490230002"  # 30 February 1949
    assert not is_valid_id_number(body + id_check_digit(body))
    body = "11010520000229002"  # 29 February 2000 exists
    assert is_valid_id_number(body + id_check_digit(body))


def test_check_digit_needs_17_digits():
    with pytest.raises(ValueError):
        id_check_digit("1101051949123100")
    with pytest.raises(ValueError):
        id_check_digit("1101051949123100A")


def test_old_fifteen_digit_numbers():
    assert is_valid_old_id_number("110105491231002")
    assert not is_valid_old_id_number("110105491331002")  # month 13
    assert not is_valid_old_id_number("11010549123100")


# --- masking --------------------------------------------------------------------------


def test_mask_id_eighteen():
    assert mask_id("440304199001010011") == "440304********0011"
    assert mask_id("11010519491231002x") == "110105********002X"


def test_mask_id_other_lengths():
    assert mask_id("110105491231002") == "11***********02"
    assert mask_id("123456") == "12**56"
    assert mask_id("1234") == "****"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("李小龙", "李**"),
        ("欧阳娜娜", "欧***"),
        ("王", "*"),
        ("John Smith", "J*** S****"),
        ("  Li Na ", "L* N*"),
        ("", ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


# --- keyed hash -------------------------------------------------------------------------


def test_keyed_hash_is_stable_normalised_and_key_dependent():
    key = b"hall-440304-key"
    h = keyed_hash("11010519491231002X", key)
    assert h == keyed_hash(" 11010519491231002x ", key)
    assert len(h) == 64 and int(h, 16) >= 0
    assert h != keyed_hash("11010519491231002X", b"another key")
    assert h != keyed_hash("440524188001010014", key)
    assert "11010519491231002X" not in h


def test_keyed_hash_refuses_an_empty_key():
    with pytest.raises(ValueError):
        keyed_hash("11010519491231002X", b"")


# --- redaction of free text ---------------------------------------------------------


def test_redact_id_inside_chinese_text():
    text = "申请人身份证号11010519491231002X已核验，办理社保卡"
    assert redact(text) == "申请人身份证号110105********002X已核验，办理社保卡"


def test_redact_several_ids_and_neighbouring_numbers():
    text = "ids=440304199001010011,440524188001010014 window=3 ticket=A017"
    assert redact(text) == "ids=440304********0011,440524********0014 window=3 ticket=A017"


def test_redact_id_next_to_letters_and_punctuation():
    assert redact("ID:440304199001010011;") == "ID:440304********0011;"
    assert redact("sfz440304199001010011x") == "sfz440304********0011x"


def test_redact_full_width_id():
    assert redact("身份证１１０１０５１９４９１２３１００２Ｘ") == "身份证１１０１０５********００２Ｘ"


def test_redact_old_fifteen_digit_id():
    assert redact("旧证 110105491231002 已换领") == "旧证 11***********02 已换领"


def test_redact_leaves_longer_digit_runs_alone():
    # 20 digits whose first and last 18 happen to be valid numbers: an order number.
    order = "1" + "440304199001010011" + "7"
    assert redact(f"订单号{order}") == f"订单号{order}"
    assert redact("order 12345678901234567890") == "order 12345678901234567890"


def test_redact_leaves_phone_numbers_and_invalid_numbers_alone():
    text = "联系电话13800138000，流水110105194912310021，时间1732672800123"
    assert redact(text) == text


def test_redact_fifteen_digit_run_without_a_real_date_is_kept():
    assert redact("n=123456789012345") == "n=123456789012345"  # 19789012: month 90


def test_redact_text_without_candidates_is_unchanged():
    assert redact("") == ""
    assert redact("叫号 A017 请到 3 号窗口") == "叫号 A017 请到 3 号窗口"


# --- registered names ---------------------------------------------------------------


def test_registered_names_are_masked_longest_first():
    names = SensitiveNames()
    names.add("欧阳娜娜")
    names.add("欧阳")
    assert redact("欧阳娜娜 与 欧阳 一起", names) == "欧*** 与 欧* 一起"


def test_process_wide_registry_and_holding():
    text = "刷卡成功：张三丰，身份证440304199001010011"
    with privacy.sensitive_names.holding("张三丰"):
        assert redact(text) == "刷卡成功：张**，身份证440304********0011"
    assert redact(text) == "刷卡成功：张三丰，身份证440304********0011"


def test_one_character_names_are_ignored():
    names = SensitiveNames()
    names.add("王")
    names.add(" ")
    assert len(names) == 0
    assert redact("王先生", names) == "王先生"


def test_add_counts_so_nested_holders_keep_the_name_masked():
    names = SensitiveNames()
    with names.holding("李四"):
        with names.holding("李四"):
            pass
        assert "李四" in names
        assert redact("李四", names) == "李*"
    assert "李四" not in names
    names.discard("李四")  # discarding an absent name is harmless


def test_clear_forgets_every_name():
    names = SensitiveNames()
    names.add("张三")
    names.add("John Smith")
    names.clear()
    assert redact("张三 John Smith", names) == "张三 John Smith"


def test_latin_names_match_as_whole_words_only():
    names = SensitiveNames()
    names.add("Li Na")
    assert redact("Li Na came; Li Nan did not", names) == "L* N* came; Li Nan did not"


def test_registry_is_safe_under_concurrent_use():
    names = SensitiveNames()
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            for _ in range(200):
                with names.holding(f"市民{n}号"):
                    assert "市民" not in redact(f"市民{n}号", names)
        except BaseException as exc:  # reported below, threads swallow it otherwise
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(names) == 0


# --- the log scanner used by end-to-end tests --------------------------------------------


def test_scanner_finds_unmasked_ids_and_names():
    log_text = "\n".join(
        [
            "2026-11-27 10:00:00,123 INFO hall.server: ticket A017 for 440304********0011",
            "2026-11-27 10:00:01,000 INFO hall.server: check-in 11010519491231002X 张三丰",
            "2026-11-27 10:00:02,000 INFO hall.server: old 110105491231002 张**",
            "2026-11-27 10:00:03,000 INFO hall.server: check-in 11010519491231002X again",
        ]
    )
    found = find_personal_data(log_text, names=["张三丰", "李四", "王"])
    assert found == ["11010519491231002X", "张三丰", "110105491231002"]


def test_scanner_ignores_masked_forms_orders_and_invalid_numbers_and_finds_phones():
    log_text = (
        "440304********0011 138****8000 order 14403041990010100117 "
        "110105194912310021 李* 1732672800123"
    )
    assert find_personal_data(log_text, names=["李四"]) == []
    assert find_personal_data(log_text + " 联系电话13800138000") == ["13800138000"]


def test_scanner_agrees_with_redact():
    text = "a 440304199001010011 b 110105491231002 c 11010519491231002x 张三"
    with privacy.sensitive_names.holding("张三"):
        assert find_personal_data(text, ["张三"]) != []
        assert find_personal_data(redact(text), ["张三"]) == []


def test_a_mobile_number_is_made_plain_checked_and_masked():
    for written in ("13812345678", " 138 1234 5678 ", "138-1234-5678", "+86 13812345678", "１３８１２３４５６７８"):
        assert privacy.normalise_phone(written) == "13812345678", written
    assert privacy.is_mobile_number("13812345678") and privacy.mask_phone("13812345678") == "138****5678"
    for wrong in ("1381234567", "138123456789", "23812345678", "1381234567X", "１３８１２３４５６７８", None):
        assert not privacy.is_mobile_number(wrong), wrong
    with pytest.raises(ValueError, match="11-digit"):
        privacy.mask_phone("0537-1234567")
