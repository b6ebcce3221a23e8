"""The hall's identity key: what a ticket keeps of an ID number, and the signed follow links."""
from __future__ import annotations

import pytest

from ground.privacy import keyed_hash
from hall.identity import Identity, InvalidIdNumber, load_identity_key

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
