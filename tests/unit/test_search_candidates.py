"""The search a kiosk keyboard feeds, beyond initials: full pinyin, Hanzi picked from the
candidate bar and pinyin typed after them, and English names for an English screen."""
from __future__ import annotations

from typing import Any

import pytest

from hall.config import load_demo_config
from kiosk.models.search import GuideIndex


@pytest.fixture(scope="module")
def index() -> GuideIndex:
    cfg = load_demo_config()
    return GuideIndex([m.model_dump() | {"queue_name": cfg.queue(m.queue).name} for m in cfg.matters])


def names(guides: list[dict[str, Any]]) -> list[str]:
    return [g["name"] for g in guides]


def test_full_pinyin_finds_what_initials_find(index: GuideIndex):
    assert names(index.search("budongchan")) == names(index.search("bdc")) != []
    assert names(index.search("gongshanghu"))[0] == "个体工商户设立登记"


def test_the_candidate_bar_offers_the_hanzi_the_pinyin_spells(index: GuideIndex):
    assert index.candidates("budongchan")[0] == "不动产"
    assert index.candidates("bdc")[0] == "不动产"
    assert "户" in index.candidates("hu") and "护" in index.candidates("hu")
    assert index.candidates("") == index.candidates("123") == index.candidates("不动") == []
    assert len(index.candidates("h", limit=3)) == 3


def test_picked_hanzi_then_pinyin_finds_the_characters_that_follow(index: GuideIndex):
    found = names(index.search("个体g"))
    assert found == ["个体工商户设立登记"]
    assert index.candidates("个体g") == ["工"]  # only what comes right after the picked 个体
    assert index.candidates("个体gongshang") == ["工商"]
    assert index.search("不动x") == [] and index.initials_keys("不动x") == set()
    # the keys a keyboard leaves live are exactly those that still find something
    for key in index.initials_keys("个体"):
        assert index.search("个体" + key)
    assert "g" in index.initials_keys("个体") and "z" not in index.initials_keys("个体")


def test_english_names_are_found_in_pieces_and_their_keys_stay_live():
    index = GuideIndex([
        {"name": "普通护照签发", "name_en": "Ordinary Passport Issuance", "department": "公安局"},
        {"name": "不动产登记", "name_en": "Real Estate Registration", "department": "自然资源局",
         "department_en": "Natural Resources Bureau"},
    ])
    assert names(index.search("passport")) == ["普通护照签发"]
    assert names(index.search("Real Estate")) == names(index.search("realest")) == ["不动产登记"]
    assert names(index.search("natural")) == ["不动产登记"]
    assert "p" in index.initials_keys("pass") and "s" in index.initials_keys("pas")
    assert index.search("passportx") == []
