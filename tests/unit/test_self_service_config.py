"""The self-service mark on matters (自助申报): the demo hall offers some, a matter needing an
electronic material cannot be one, and a hall with no kiosk cannot offer any."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall.config import ConfigError, load_config
from hall.guides import Guides

DEMO = Path(__file__).resolve().parents[2] / "assets" / "halls" / "demo" / "hall.toml"
FOOD = 'code = "000131024000"'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_hall_marks_matters_for_self_service_and_its_guides_say_so(tmp_path):
    cfg = load_config(DEMO)
    marked = [m.code for m in cfg.matters if m.self_service]
    assert "000131128000" in marked and 2 <= len(marked) < len(cfg.matters)
    from sync.reference import ReferenceStore

    guides = Guides(cfg, ReferenceStore(tmp_path / "reference.db"))
    assert guides.get("000131128000")["self_service"] is True
    assert guides.get("371107901000")["self_service"] is False


def test_a_self_service_matter_cannot_need_an_electronic_material(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    start = text.index(FOOD)
    materials = text.index("materials = [", start)
    text = text[:materials] + text[materials:].replace('form = "原件"', 'form = "电子"', 1)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    message = str(caught.value)
    assert re.search(r"matters\[\d+\]\.self_service: expected false, or every required material on paper", message)
    assert "electronic:" in message


def test_a_hall_without_a_kiosk_cannot_offer_self_service(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    text = re.sub(r'\[\[devices\]\]\nid = "[^"]+"\nrole = "kiosk"\n(?:[a-z_]+ = [^\n]*\n)*', "", text)
    assert 'role = "kiosk"' not in text, "the demo's kiosks were not removed: the fixture is stale"
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert re.search(r"matters\[\d+\]\.self_service: expected false, or a kiosk in \[\[devices\]\]", str(caught.value))
