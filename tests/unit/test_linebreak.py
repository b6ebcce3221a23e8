"""Chinese line breaking: words, numbers with their measure words, marks and lone characters."""
from __future__ import annotations

import pytest

from ground.linebreak import break_lines, cells, line_problems, segment
from kiosk.models.linebreak import JOINER, glue, label_problems, unglue

SAMPLES = [
    "请刷身份证", "约 75 分钟", "「重试」", "预约时段", "服务", "3号窗口", "请A012号到3号窗口",
    "前面还有 5 人 · 预计等待约 12 分钟",
    "暂时连不上大厅服务器，工作人员会尽快处理。您也可以稍后点「重试」。",
    "打开预约短信或小程序里的签到二维码对准扫码口，或把身份证放在读卡区",
    "年满 60 周岁的老年人刷卡后优先叫号", "Window 3, please wait",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_segments_put_the_text_back_together(text):
    assert "".join(segment(text)) == text


@pytest.mark.parametrize(("text", "unit"), [
    ("请刷身份证", "身份证"), ("约 75 分钟", "约 75 分钟"), ("等候约75分钟", "约75分钟"),
    ("请到3号窗口办理", "3号窗口"), ("请A012号到3号窗口", "A012号"), ("点「重试」。", "「重试」。"),
    ("预约时段是", "预约时段"), ("承诺 5 个工作日", "5 个工作日"),
])
def test_units_that_never_split(text, unit):
    assert unit in segment(text)


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("width", [3, 4, 5, 6, 8, 11])
def test_broken_lines_fit_and_lose_nothing(text, width):
    lines = break_lines(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    if not [u for u in segment(text) if cells(u.strip()) > width]:  # only a too-wide unit is cut
        assert all(cells(line) <= width for line in lines), lines


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("width", [6, 7, 8, 11, 14])
def test_broken_lines_keep_the_rules(text, width):
    lines = break_lines(text, width)
    assert line_problems(lines) == [], lines


def test_a_lone_last_character_takes_a_word_with_it():
    lines = break_lines("请到咨询服务台取号办", 9)
    assert lines == ["请到咨询服务台", "取号办"]


def test_the_issues_bad_breaks_are_named():
    assert [p.what for p in line_problems(["请刷身份", "证"])] == ["holds '证' alone", "splits '刷身份'|'证'"]
    assert any("splits" in str(p) for p in line_problems(["约 75分", "钟"]))
    assert any("splits '3'" in str(p) for p in line_problems(["3", "号窗口"]))
    assert "starts with the closing mark" in str(line_problems(["请点「重", "试」"]) + line_problems(["重试", "」"]))
    assert line_problems(["请到", "3号窗口"]) == []
    assert line_problems(["请刷身份证"]) == []


def test_a_zero_width_is_refused():
    with pytest.raises(ValueError, match="line width must be positive"):
        break_lines("服务", 0)


def test_glue_joins_inside_units_only():
    glued = glue("请到3号窗口办理。")
    assert unglue(glued) == "请到3号窗口办理。"
    assert f"3{JOINER}号{JOINER}窗{JOINER}口" in glued
    assert f"口{JOINER}办" not in glued and "口办" in glued  # a break is allowed between units
    assert glue("Window 3") == "Window 3"  # nothing to hold together
    assert glue("<b>服务</b>") == "<b>服务</b>"  # markup is left alone
    assert glue(glued) == glued


def test_glue_holds_a_lone_last_character_to_the_word_before():
    assert f"处{JOINER}理{JOINER}中" in glue("正在处理中")
    assert label_problems([f"请{JOINER}到", f"3{JOINER}号窗口"]) == []
