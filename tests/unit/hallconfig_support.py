"""What the hall configuration's tests share: a minimal hall.toml, the demo hall's text and
configuration, and helpers to write a file and collect what loading it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from hall.config import ConfigError, ConfigIssue, HallConfig, demo_config_path, load_config

DEMO_QUEUE_IDS = "general, property, social, police, business, tax, fund, travel, civil, employment"
# the demo hall's window 4, as its hall.toml writes it
W04 = 'id = "w04"\nnumber = 4\nname = "企业开办"\nname_en = "Business Start-up"\nqueues = ["business"]'

MINIMAL = """
[hall]
id = "mini"
name = "最小大厅"
area_code = "370829"

[[queues]]
id = "general"
prefix = "A"
name = "综合受理"

[[windows]]
id = "w1"
number = 1
name = "1号窗口"
queues = ["general"]
"""


@pytest.fixture(name="_no_assets_override", autouse=True)
def no_assets_override_fixture(monkeypatch):
    monkeypatch.delenv("YICIBAN_ASSETS", raising=False)


@pytest.fixture(name="demo_text", scope="module")
def demo_text_fixture() -> str:
    return demo_config_path().read_text(encoding="utf-8")


@pytest.fixture(name="demo", scope="module")
def demo_fixture() -> HallConfig:
    return load_config(demo_config_path())


def write(tmp_path: Path, text: str, name: str = "hall.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced; fails loudly if ``old`` is not there (a stale test)."""
    assert old in text, f"test fixture out of date: {old!r} not in the file"
    return text.replace(old, new, count)


def issues_of(path: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.errors


def only_issue(path: Path) -> ConfigIssue:
    issues = issues_of(path)
    assert len(issues) == 1, "\n".join(map(str, issues))
    return issues[0]
