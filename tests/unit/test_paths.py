"""Where data, configuration and assets are found, and in which order."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ground import paths


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("YICIBAN_DATA_DIR", "YICIBAN_CONFIG", "YICIBAN_ASSETS", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # Never touch the real FHS places from a test.
    monkeypatch.setattr(paths, "PACKAGED_DATA_DIR", tmp_path / "var-lib-yiciban")
    monkeypatch.setattr(paths, "PACKAGED_CONFIG_FILE", tmp_path / "etc-yiciban" / "hall.toml")
    monkeypatch.setattr(paths, "PACKAGED_ASSETS_DIR", tmp_path / "usr-share-yiciban-assets")
    return home


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- data_dir -----------------------------------------------------------------------


def test_data_dir_explicit_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("YICIBAN_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    got = paths.data_dir(tmp_path / "explicit", packaged=True)
    assert got == tmp_path / "explicit"
    assert got.is_dir()


def test_data_dir_explicit_as_string(tmp_path):
    assert paths.data_dir(str(tmp_path / "s")) == tmp_path / "s"


def test_data_dir_env_beats_packaged(monkeypatch, tmp_path):
    monkeypatch.setenv("YICIBAN_DATA_DIR", str(tmp_path / "from-env"))
    assert paths.data_dir(packaged=True) == tmp_path / "from-env"


def test_data_dir_packaged_beats_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_dir(packaged=True) == tmp_path / "var-lib-yiciban"


def test_data_dir_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.data_dir() == tmp_path / "xdg" / "yiciban"


def test_data_dir_relative_xdg_is_ignored(monkeypatch, clean_env):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    assert paths.data_dir() == clean_env / ".local" / "share" / "yiciban"


def test_data_dir_home_fallback(clean_env):
    got = paths.data_dir()
    assert got == clean_env / ".local" / "share" / "yiciban"
    assert got.is_dir()


def test_empty_env_values_count_as_unset(monkeypatch, clean_env):
    monkeypatch.setenv("YICIBAN_DATA_DIR", "")
    monkeypatch.setenv("YICIBAN_CONFIG", "")
    monkeypatch.setenv("YICIBAN_ASSETS", "")
    assert paths.data_dir() == clean_env / ".local" / "share" / "yiciban"
    assert paths.config_file() is None
    assert paths.assets_dir() == paths._source_assets_dir()


def test_data_dir_is_created_private(tmp_path):
    old_umask = os.umask(0o000)
    try:
        got = paths.data_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old_umask)
    assert mode(got) == 0o700


def test_data_dir_existing_is_left_as_it_is(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o750)
    existing.chmod(0o750)
    assert paths.data_dir(existing) == existing
    assert mode(existing) == 0o750


# --- config_file --------------------------------------------------------------------


def test_config_explicit_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("YICIBAN_CONFIG", str(tmp_path / "env.toml"))
    assert paths.config_file(tmp_path / "hall.toml", packaged=True) == tmp_path / "hall.toml"


def test_config_env_beats_packaged(monkeypatch, tmp_path):
    packaged = paths.PACKAGED_CONFIG_FILE
    packaged.parent.mkdir()
    packaged.write_text("")
    monkeypatch.setenv("YICIBAN_CONFIG", str(tmp_path / "env.toml"))
    assert paths.config_file(packaged=True) == tmp_path / "env.toml"


def test_config_packaged_only_when_present():
    assert paths.config_file(packaged=True) is None
    packaged = paths.PACKAGED_CONFIG_FILE
    packaged.parent.mkdir()
    packaged.write_text("")
    assert paths.config_file(packaged=True) == packaged
    assert paths.config_file(packaged=False) is None


def test_config_none_means_demo_hall():
    assert paths.config_file() is None


# --- assets_dir ---------------------------------------------------------------------


def test_assets_env_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("YICIBAN_ASSETS", str(tmp_path / "assets"))
    assert paths.assets_dir() == tmp_path / "assets"


def test_assets_from_the_source_tree():
    repo_assets = Path(paths.__file__).resolve().parents[1] / "assets"
    assert repo_assets.is_dir()  # this test runs from a checkout
    assert paths.assets_dir() == repo_assets


def test_assets_packaged_when_no_source_tree(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "_source_assets_dir", lambda: tmp_path / "nowhere")
    assert paths.assets_dir() == tmp_path / "usr-share-yiciban-assets"
