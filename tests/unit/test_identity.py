"""The hall's identity key: what a ticket keeps of an ID number, and the signed follow links."""
from __future__ import annotations

import pytest

from ground.privacy import keyed_hash
from hall.identity import Identity, InvalidIdNumber, InvalidPhone, load_identity_key

KEY = bytes(range(32))
ZHANG = "11010519491231002X"


def test_a_ticket_keeps_the_keyed_hash_and_the_masked_number():
    identity = Identity(KEY)
    fields = identity.ticket_fields(ZHANG)
    assert fields == {"holder": keyed_hash(ZHANG, KEY), "id_masked": "110105********002X"}
    # as a Chinese input method may type it: full-width digits, a small x, spaces around
    typed = " １１０１０５１９４９１２３１００２ｘ "
    assert identity.ticket_fields(typed) == fields
    assert identity.ticket_fields(None) == {}
    assert Identity(bytes(32)).holder(ZHANG) != fields["holder"]  # another hall, another hash


@pytest.mark.parametrize("wrong", [ZHANG[:-1] + "1", ZHANG[:17], "110105194913310029", "abc", ""])
def test_an_invalid_number_is_refused_without_being_repeated(wrong):
    with pytest.raises(InvalidIdNumber) as exc:
        Identity(KEY).ticket_fields(wrong)
    assert exc.value.status == 422 and exc.value.code == "invalid_id_number"
    assert not wrong or (wrong not in exc.value.message and wrong not in str(exc.value.details))


def test_follow_links_open_only_with_their_signature():
    identity = Identity(KEY)
    path = identity.follow_path("20261127-A001")
    signed = path.removeprefix("/t/")
    assert identity.verify(signed) == "20261127-A001"
    assert identity.verify(signed.lower()) == "20261127-A001"
    assert Identity(bytes(32)).verify(signed) is None
    for broken in ("20261127-A001", "20261127-A001.", signed[:-1], signed + "A", "." + signed[-10:],
                   signed.replace("A001", "A002")):
        assert identity.verify(broken) is None, broken


def test_the_key_file_is_made_once(tmp_path):
    key = load_identity_key(tmp_path, env={})
    assert load_identity_key(tmp_path, env={}) == key and len(key) == 32
    assert oct((tmp_path / "identity.key").stat().st_mode & 0o777) == "0o600"
    other = tmp_path / "issued.key"
    other.write_text("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")
    other.chmod(0o600)
    assert load_identity_key(tmp_path, env={"YICIBAN_IDENTITY_KEY_FILE": str(other)}) == KEY


PHONE = "13812345678"


def test_a_phone_number_is_matched_by_its_keyed_hash_and_shown_masked():
    identity = Identity(KEY)
    fields = identity.phone_fields(PHONE)
    assert fields == {"phone_hash": keyed_hash(PHONE, KEY), "phone_masked": "138****5678"}
    # as people write it: groups, dashes, the country code, full-width digits
    for typed in ("138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678", "１３８１２３４５６７８"):
        assert identity.phone_fields(typed) == fields, typed
    assert Identity(bytes(32)).phone_fields(PHONE) != fields  # another hall, another hash


@pytest.mark.parametrize(("wrong", "needles"), [
    ("1381234abcd", ["数字", "字母"]),
    ("1381234567", ["11 位", "10 位"]),
    ("138123456789", ["12 位"]),
    ("23812345678", ["以 1 开头"]),
    ("", ["没有收到"]),
    ("+86", ["没有收到"]),
])
def test_a_malformed_phone_number_says_what_was_wrong_without_repeating_it(wrong, needles):
    with pytest.raises(InvalidPhone) as exc:
        Identity(KEY).phone_fields(wrong)
    assert exc.value.status == 422 and exc.value.code == "invalid_phone"
    assert exc.value.details["field"] == "phone" and "1 开头的 11 位数字" in exc.value.message
    for needle in needles:
        assert needle in exc.value.message
    assert not wrong or wrong not in exc.value.message + str(exc.value.details)
