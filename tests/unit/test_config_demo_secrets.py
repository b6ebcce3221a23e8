"""A hall that is not a demo refuses what the sample hall publishes: its tokens and its password."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hall.config import ConfigError, check_command, demo_config_path, load_config
from hall.passwords import hash_command, hash_password
from tests.support.halls import write_beside_sample

DEMO_STAFF = 18
DEMO_DEVICES = 10


@pytest.fixture(autouse=True)
def _no_assets_override(monkeypatch):
    monkeypatch.delenv("YICIBAN_ASSETS", raising=False)


@pytest.fixture(scope="module")
def production_text() -> str:
    """The sample hall as someone might copy it for real use: demo switched off, nothing else."""
    text = demo_config_path().read_text(encoding="utf-8")
    assert "demo = true" in text, "the sample hall no longer says demo = true"
    return text.replace("demo = true", "demo = false", 1)




def issues_of(path: Path):
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def test_real_hall_refuses_public_demo_tokens_and_passwords(tmp_path, production_text):
    issues = issues_of(write_beside_sample(tmp_path, production_text))
    tokens = [i for i in issues if i.key_path.startswith("devices")]
    passwords = [i for i in issues if i.key_path.startswith("staff")]
    assert len(issues) == DEMO_DEVICES + DEMO_STAFF
    assert {i.key_path for i in tokens} == {f"devices[{n}].token" for n in range(DEMO_DEVICES)}
    assert all(i.found == "a token starting 'demo-'" for i in tokens)
    assert [i.key_path for i in passwords] == [f"staff[{n}].password_hash" for n in range(DEMO_STAFF)]
    first = passwords[0]
    assert first.expected == ("a password of this hall's own for 'staff01' (hall.demo is false): "
                              "make its hash with 'yiciban staff hash-password'")
    assert first.found == "a hash of the published demo password 'demo1234'"
    assert "scrypt$" not in str(first)


def test_a_new_hash_of_the_demo_password_is_refused_too(tmp_path, production_text):
    """Not only the sample's hashes: any salt, the same published password."""
    text = re.sub(r'token = "demo-', 'token = "own-', production_text)
    fresh = hash_password("demo1234")
    own = hash_password("a-password-of-our-own")
    hashes = re.findall(r'password_hash = "([^"]+)"', text)
    text = text.replace(hashes[0], fresh)
    for other in hashes[1:]:
        text = text.replace(other, own)
    issues = issues_of(write_beside_sample(tmp_path, text))
    assert [(i.key_path, i.found) for i in issues] == [
        ("staff[0].password_hash", "a hash of the published demo password 'demo1234'")
    ]


def test_hashes_of_own_passwords_pass(tmp_path, production_text):
    text = re.sub(r'token = "demo-', 'token = "own-', production_text)
    own = hash_password("a-password-of-our-own")
    text = re.sub(r'password_hash = "[^"]+"', f'password_hash = "{own}"', text)
    assert len(load_config(write_beside_sample(tmp_path, text)).staff) == DEMO_STAFF


def test_the_demo_itself_keeps_its_password():
    assert load_config(demo_config_path()).hall.demo is True


def test_config_check_names_the_entry_and_what_to_do(tmp_path, capsys, production_text):
    path = write_beside_sample(tmp_path, production_text)
    assert check_command(str(path)) == 1
    _, err = capsys.readouterr()
    assert (f"{path}: staff[16].password_hash: expected a password of this hall's own for 'admin' "
            "(hall.demo is false): make its hash with 'yiciban staff hash-password', "
            "found a hash of the published demo password 'demo1234'") in err.splitlines()
    assert err.splitlines()[-1] == f"{DEMO_DEVICES + DEMO_STAFF} problems found"


def test_hash_password_will_not_hash_the_demo_password(capsys):
    assert hash_command("demo1234") == 1
    out, err = capsys.readouterr()
    assert out == "" and "published demo password" in err


def test_the_hall_will_not_start_with_the_demo_password(tmp_path, production_text):
    text = re.sub(r'token = "demo-', 'token = "own-', production_text)
    path = write_beside_sample(tmp_path, text)
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "yiciban.cli", "hall", "--config", str(path),
         "--data-dir", str(tmp_path / "data"), "--host", "127.0.0.1", "--port", "0"],
        cwd=repo, env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "staff[16].password_hash: expected a password of this hall's own for 'admin'" in done.stderr
    assert not (tmp_path / "data" / "hall.db").exists()
