"""Staff password hashes: the encoding, verification, malformed input and the hash-password command."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from hall import passwords
from hall.passwords import hash_command, hash_password, is_password_hash, verify_password


@pytest.fixture(scope="module")
def encoded() -> str:
    return hash_password("correct horse 1")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def test_encoding_names_scheme_parameters_salt_and_hash(encoded):
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == passwords.HASH_BYTES


def test_hash_matches_scrypt_of_the_stored_salt(encoded):
    _, _, _, _, salt, digest = encoded.split("$")
    expected = hashlib.scrypt(
        b"correct horse 1", salt=base64.b64decode(salt), n=2**14, r=8, p=1, dklen=32
    )
    assert base64.b64decode(digest) == expected


def test_round_trip(encoded):
    assert verify_password("correct horse 1", encoded) is True


def test_wrong_password_is_refused(encoded):
    assert verify_password("correct horse 2", encoded) is False
    assert verify_password("Correct horse 1", encoded) is False
    assert verify_password("", encoded) is False


def test_same_password_gets_a_fresh_salt_each_time():
    first, second = hash_password("demo1234"), hash_password("demo1234")
    assert first != second
    assert verify_password("demo1234", first)
    assert verify_password("demo1234", second)


def test_non_ascii_password_round_trips():
    encoded = hash_password("政务服务Ab12")
    assert verify_password("政务服务Ab12", encoded)
    assert not verify_password("政务服务Ab13", encoded)


def test_empty_password_cannot_be_hashed():
    with pytest.raises(ValueError):
        hash_password("")


def test_parameters_are_read_from_the_encoding():
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"older-pass", salt=salt, n=2**10, r=8, p=1, dklen=32)
    encoded = f"scrypt${2**10}$8$1${_b64(salt)}${_b64(digest)}"
    assert verify_password("older-pass", encoded)
    assert not verify_password("older-pass!", encoded)


def test_tampered_hash_is_refused(encoded):
    head, digest = encoded.rsplit("$", 1)
    raw = bytearray(base64.b64decode(digest))
    raw[0] ^= 0x01
    assert not verify_password("correct horse 1", f"{head}${_b64(bytes(raw))}")


MALFORMED = [
    "",
    "demo1234",  # a plain password pasted where the hash belongs
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0",  # too few fields
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0$aGFzaA==$extra",  # too many fields
    "bcrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # another scheme
    "scrypt$abc$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a number
    "scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a power of two
    "scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n absurdly large
    "scrypt$16384$0$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # r zero
    "scrypt$16384$8$99$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # p too large
    "scrypt$16384$8$1$!!not base64!!$" + "A" * 44,  # salt not base64
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$***",  # hash not base64
    "scrypt$16384$8$1$c2FsdA==$" + "A" * 44,  # salt too short
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==",  # hash too short
    "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$密码",  # not ASCII
]


@pytest.mark.parametrize("bad", MALFORMED)
def test_malformed_hash_is_refused_without_raising(bad):
    assert is_password_hash(bad) is False
    assert verify_password("demo1234", bad) is False


def test_absurd_cost_parameters_are_refused_quickly():
    bad = "scrypt$1073741824$64$16$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44
    started = time.perf_counter()
    assert verify_password("demo1234", bad) is False
    assert time.perf_counter() - started < 0.5


def test_non_string_input_is_refused_without_raising(encoded):
    assert verify_password(None, encoded) is False  # type: ignore[arg-type]
    assert verify_password("demo1234", None) is False  # type: ignore[arg-type]
    assert is_password_hash(12345) is False  # type: ignore[arg-type]


def test_is_password_hash_accepts_real_output(encoded):
    assert is_password_hash(encoded)


# --- yiciban staff hash-password ------------------------------------------------------------


def test_hash_command_prints_a_hash_of_the_given_password(capsys):
    assert hash_command("a-long-password") == 0
    out, err = capsys.readouterr()
    printed = out.strip()
    assert err == ""
    assert printed.startswith("scrypt$16384$8$1$")
    assert verify_password("a-long-password", printed)


def test_hash_command_refuses_a_short_password(capsys):
    assert hash_command("short") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "at least 8 characters" in err


def test_hash_command_asks_twice_when_no_password_is_given(monkeypatch, capsys):
    answers = iter(["typed-password", "typed-password"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(passwords.getpass, "getpass", fake_getpass)
    assert hash_command(None) == 0
    out, _ = capsys.readouterr()
    assert len(prompts) == 2
    assert verify_password("typed-password", out.strip())


def test_hash_command_refuses_when_the_two_entries_differ(monkeypatch, capsys):
    answers = iter(["typed-password", "typed-passwort"])
    monkeypatch.setattr(passwords.getpass, "getpass", lambda prompt="": next(answers))
    assert hash_command(None) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "differ" in err


def test_hash_command_handles_end_of_input(monkeypatch, capsys):
    def no_input(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(passwords.getpass, "getpass", no_input)
    assert hash_command(None) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "no password" in err
