"""Finding a service guide on the kiosk: the demo hall's 35 matters, ranking, polyphones, keys."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from pypinyin import Style, pinyin

from hall.config import load_demo_config
from kiosk.models.search import GuideIndex


def _guide(name: str, department: str = "", code: str = "", kind: str = "公共服务") -> dict[str, Any]:
    return {"name": name, "department": department, "code": code, "kind": kind}


@pytest.fixture(scope="module")
def demo_guides() -> list[dict[str, Any]]:
    cfg = load_demo_config()
    return [
        m.model_dump() | {"queue_name": cfg.queue(m.queue).name}  # type: ignore[union-attr]
        for m in cfg.matters
    ]


@pytest.fixture(scope="module")
def index(demo_guides: list[dict[str, Any]]) -> GuideIndex:
    return GuideIndex(demo_guides)


def names(guides: list[dict[str, Any]]) -> list[str]:
    return [g["name"] for g in guides]


# --- the demo hall -------------------------------------------------------------------------------


def test_bdc_lists_the_real_estate_matters_first(
    index: GuideIndex, demo_guides: list[dict[str, Any]]
) -> None:
    property_matters = [g for g in demo_guides if g["queue"] == "property"]
    found = index.search("bdc")
    assert len(property_matters) == 4
    assert found[: len(property_matters)] == property_matters


def test_initials_of_the_name(index: GuideIndex) -> None:
    assert names(index.search("gtgsh"))[0] == "个体工商户设立登记"
    assert names(index.search("GTGSH")) == names(index.search("gtgsh"))
    assert names(index.search("hz"))[0] == "普通护照签发"  # 护照, not at the start
    assert names(index.search("hkqy"))[0] == "户口迁移（持准迁证办理迁移）"


def test_full_pinyin_mixed_spaced_and_full_width(index: GuideIndex) -> None:
    expected = names(index.search("budongchan"))
    assert expected and all("不动产" in g["department"] for g in index.search("budongchan"))
    for query in ("budong", "Bu Dong Chan", "bdongc", "budc", "ｂｕｄｏｎｇ"):
        assert names(index.search(query)) == expected, query
    assert names(index.search("huzhao"))[0] == "普通护照签发"
    assert names(index.search("chusheng"))[0] == "出生登记"


def test_polyphone_read_as_the_phrase_reads_it_ranks_first(index: GuideIndex) -> None:
    # 通行证: 行 is xing here. Read as hang, the matter is still found, after the usual readings.
    passport = "往来港澳通行证及签注签发"
    assert names(index.search("tongxingzheng")) == [passport]
    assert passport in names(index.search("tonghangzheng"))
    hz = names(index.search("hz"))
    assert hz.index("普通护照签发") < hz.index(passport)
    # 银行 in a department: hang.
    assert names(index.search("yinhang")) == ["社会保障卡申领"]


def test_hanzi_substring_prefix_and_exact(index: GuideIndex) -> None:
    assert names(index.search("出生登记"))[0] == "出生登记"
    assert names(index.search("户口")) == ["户口迁移（持准迁证办理迁移）"]
    found = names(index.search("登记"))
    assert "出生登记" in found and "离婚登记" in found
    assert names(index.search("护照")) == ["普通护照签发"]
    # the department at a lower rank than any name
    public_security = names(index.search("公安局"))
    assert public_security[0] == "居民身份证换领（有效期满）"


def test_empty_query_lists_everything_in_order(
    index: GuideIndex, demo_guides: list[dict[str, Any]]
) -> None:
    assert index.search("") == demo_guides
    assert index.search("   ") == demo_guides
    assert index.search("", limit=3) == demo_guides[:3]


@pytest.mark.parametrize(
    "query", ["zzzzqqxx", "!!@@##", "\x00", "😀", "登记zz", "x" * 200, "不动产" * 67, "a1" * 100]
)
def test_queries_that_find_nothing(index: GuideIndex, query: str) -> None:
    assert index.search(query) == []


def test_a_long_query_of_a_real_name_still_works(index: GuideIndex) -> None:
    long_name = "抵押权首次登记（一般抵押、最高额抵押、在建建筑物抵押）"
    assert names(index.search(long_name)) == [long_name]
    spelled = "diyaquanshoucidengjiyibandiyazuigaoediyazaijianjianzhuwudiya"
    assert names(index.search(spelled)) == [long_name]
    assert index.search(spelled + "x" * (200 - len(spelled))) == []


def test_digits_find_matters_by_code_prefix(
    index: GuideIndex, demo_guides: list[dict[str, Any]]
) -> None:
    expected = [g for g in demo_guides if g["code"].startswith("3711")]
    assert expected and index.search("3711") == expected
    assert names(index.search("000131")) == ["个体工商户设立登记", "食品经营许可（新办）"]
    assert names(index.search("371707902000")) == ["出生登记"]
    assert index.search("9999") == []


def test_limit(index: GuideIndex) -> None:
    assert len(index.search("d", limit=5)) == 5
    assert index.search("d", limit=0) == []


def test_browsing_by_department_and_kind(
    index: GuideIndex, demo_guides: list[dict[str, Any]]
) -> None:
    departments = index.departments()
    assert departments[0] == "县自然资源局（不动产登记中心）"
    assert len(departments) == len(set(departments))
    assert sum(len(index.by_department(d)) for d in departments) == len(demo_guides)
    assert names(index.by_department("县民政局（婚姻登记处）")) == ["内地居民结婚登记", "离婚登记"]
    kinds = index.kinds()
    assert kinds[:2] == ["行政确认", "行政许可"]
    assert sum(len(index.by_kind(k)) for k in kinds) == len(demo_guides)
    assert index.by_kind("行政裁决") == []


@pytest.mark.parametrize("query", ["", "b", "bd", "gtg", "yin", "3", "3711", "不动", "登记", "zz", "h"])
def test_initials_keys_are_the_keys_that_still_find_something(index: GuideIndex, query: str) -> None:
    expected = {c for c in string.ascii_lowercase + string.digits if index.search(query + c)}
    assert index.initials_keys(query) == expected


def test_initials_keys_after_bd(index: GuideIndex) -> None:
    keys = index.initials_keys("bd")
    assert "c" in keys and "q" not in keys
    assert index.initials_keys("zzzz") == set()


# --- ranking and polyphones on small sets ---------------------------------------------------------


def test_ranking_exact_prefix_pinyin_substring_department() -> None:
    guides = [
        _guide("出生登记", department="卫生健康局"),  # "登记": substring
        _guide("死亡登记", department="登记中心"),  # substring too, earlier tier than department
        _guide("补证", department="登记中心"),  # department only
        _guide("登记证明"),  # prefix
        _guide("登记"),  # exact
        _guide("登记补正"),  # prefix, after 登记证明 in the given order
    ]
    index = GuideIndex(guides)
    assert names(index.search("登记")) == ["登记", "登记证明", "登记补正", "出生登记", "死亡登记", "补证"]
    assert names(index.search("dj")) == ["登记证明", "登记", "登记补正", "出生登记", "死亡登记", "补证"]


def test_polyphones_every_reading_found_the_phrase_reading_first() -> None:
    index = GuideIndex(
        [
            _guide("行政复议申请"),  # xing
            _guide("银行卡挂失"),  # hang
            _guide("重新申领"),  # chong
            _guide("重大事项报告"),  # zhong
            _guide("护照签发"),
        ]
    )
    assert names(index.search("xzfy")) == ["行政复议申请"]
    assert names(index.search("yhk")) == ["银行卡挂失"]
    assert names(index.search("yinhangka")) == ["银行卡挂失"]
    assert names(index.search("yinxing")) == ["银行卡挂失"]  # another reading: still found
    assert names(index.search("cxsl")) == ["重新申领"]
    assert names(index.search("chongxin")) == ["重新申领"]
    assert names(index.search("zdsx")) == ["重大事项报告"]
    # 护照 is hu zhao; 行政 read hang zheng comes after it
    assert names(index.search("hz")) == ["护照签发", "行政复议申请"]


def test_u_umlaut_typed_as_v_or_u() -> None:
    index = GuideIndex([_guide("绿色通道预约"), _guide("女职工生育津贴")])
    assert names(index.search("lvse")) == ["绿色通道预约"]
    assert names(index.search("luse")) == ["绿色通道预约"]
    assert names(index.search("nvzg")) == ["女职工生育津贴"]
    assert names(index.search("nuzhigong")) == ["女职工生育津贴"]


def test_ascii_in_names_and_odd_guides() -> None:
    index = GuideIndex([_guide("APP账号注销"), _guide(""), {"code": "123"}])
    assert names(index.search("app")) == ["APP账号注销"]
    assert names(index.search("appzh")) == ["APP账号注销"]
    assert index.search("12") == [{"code": "123"}]
    assert len(index.search("")) == 3


# --- the matcher against a plain reference, and a large hall -------------------------------------


def _readings(ch: str) -> set[str]:
    out: set[str] = set()
    for r in pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")[0] if "\u4e00" <= ch <= "\u9fff" else []:
        out |= {r, r.replace("v", "u")}
    return out


def _spells(chars: list[set[str]], query: str) -> bool:
    def from_(i: int, j: int) -> bool:
        if j == len(query):
            return True
        if i == len(chars):
            return False
        return any(
            query[j : j + n] == r[:n] and from_(i + 1, j + n)
            for r in chars[i]
            for n in range(1, len(r) + 1)
        )

    return any(from_(i, 0) for i in range(len(chars)))


def test_pinyin_matching_agrees_with_a_plain_reference(demo_guides: list[dict[str, Any]]) -> None:
    rng = random.Random(7)
    name_list = [g["name"] for g in demo_guides]
    index = GuideIndex([_guide(n) for n in name_list])
    chars = {n: [r for r in map(_readings, n) if r] for n in name_list}
    queries = []
    for _ in range(150):  # spelled from a name, each character giving some prefix of a reading
        readings = chars[rng.choice(name_list)]
        start = rng.randrange(len(readings))
        run = readings[start : start + rng.randint(1, 6)]
        queries.append("".join((r := rng.choice(sorted(s)))[: rng.randint(1, len(r))] for s in run))
    queries += ["".join(rng.choices("abcdeghijlnsxyzu", k=rng.randint(1, 8))) for _ in range(150)]
    for query in queries:
        expected = [n for n in name_list if _spells(chars[n], query)]
        assert sorted(names(index.search(query, limit=100))) == sorted(expected), query


def test_two_thousand_guides(demo_guides: list[dict[str, Any]]) -> None:
    rng = random.Random(3)
    guides = []
    for i in range(2000):
        a, b = rng.choice(demo_guides), rng.choice(demo_guides)
        name = a["name"][: rng.randint(2, 8)] + b["name"][rng.randint(0, 5) :]
        guides.append(a | {"name": name, "code": f"{370000000000 + i:012d}"})
    index = GuideIndex(guides)
    queries = ["bdc", "gtgsh", "d", "dj", "登记", "x", "budong", "3700001", "zzz", "yhk", "q" * 200]
    for i in range(100):
        found = index.search(queries[i % len(queries)])
        assert len(found) <= 50
    assert len(index.search("37000000199", limit=100)) == 10
    assert index.initials_keys("37000000199") == set("0123456789")
