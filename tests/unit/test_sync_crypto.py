"""Personal data at rest: AES-GCM bound to its row, keys from configuration or a private file."""
from __future__ import annotations

import base64
import os
import stat

import pytest

from sync.crypto import Sealer, SealError, SealingKeyError, load_sealer, parse_key

KEY_A, KEY_B = bytes(range(32)), bytes(range(1, 33))


def test_seal_opens_with_its_row_only():
    s = Sealer(KEY_A)
    sealed = s.seal(b'{"id_number":"11010519491231002X"}', b"row-1")
    assert b"11010519491231002X" not in sealed
    assert s.open(sealed, b"row-1") == b'{"id_number":"11010519491231002X"}'
    with pytest.raises(SealError, match="does not match its row"):
        s.open(sealed, b"row-2")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(SealError):
        s.open(tampered, b"row-1")


def test_a_rotated_key_still_opens_what_the_old_one_sealed():
    old = Sealer(KEY_A).seal(b"x", b"k")
    both = Sealer(KEY_B, KEY_A)
    assert both.open(old, b"k") == b"x"
    assert both.seal(b"y", b"k")[1:5] != old[1:5]  # new seals use the new key
    with pytest.raises(SealError, match="no longer has"):
        Sealer(KEY_B).open(old, b"k")


def test_key_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "sync.key"
    a = load_sealer(path, env={})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    b = load_sealer(path, env={})
    assert b.open(a.seal(b"z", b"k"), b"k") == b"z"


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "sync.key"
    path.write_text(base64.b64encode(KEY_A).decode())
    os.chmod(path, 0o644)
    with pytest.raises(SealingKeyError, match="chmod 600"):
        load_sealer(path, env={})


def test_key_from_configuration_wins(tmp_path):
    text = base64.b64encode(KEY_A).decode()
    s = load_sealer(tmp_path / "unused.key", env={"YICIBAN_SYNC_KEY": text})
    assert Sealer(KEY_A).open(s.seal(b"q", b"k"), b"k") == b"q"
    assert not (tmp_path / "unused.key").exists()


@pytest.mark.parametrize("text", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_malformed_keys_say_what_a_key_is(text):
    with pytest.raises(SealingKeyError, match="32 bytes"):
        parse_key(text)
