"""The 好差评 panel: five levels, reasons required for 差评, submit live only when valid."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from kiosk.app import application
from kiosk.theme import make_theme, with_elder
from kiosk.widgets.rating import LEVELS, RatingPanel

REASONS = ["服务态度不好", "办事效率低", "等候时间过长", "其他"]


@pytest.fixture
def panel(qtbot) -> RatingPanel:
    application()
    widget = RatingPanel(make_theme(1280, 800), REASONS)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    return widget


def test_five_levels_from_very_satisfied_to_very_dissatisfied(panel: RatingPanel):
    assert LEVELS == (5, 4, 3, 2, 1)
    words = [panel.level_buttons[level].word.text() for level in LEVELS]
    assert words == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert panel.step() == "levels"


@pytest.mark.parametrize("level", [5, 4, 3])
def test_a_good_level_is_submitted_with_one_tap_and_no_reasons(qtbot, panel: RatingPanel, level: int):
    with qtbot.waitSignal(panel.rating_chosen) as signal:
        panel.level_buttons[level].click()
    assert signal.args == [level, [], ""]


@pytest.mark.parametrize("level", [2, 1])
def test_a_bad_level_needs_at_least_one_reason(qtbot, panel: RatingPanel, level: int):
    chosen = []
    panel.rating_chosen.connect(lambda *args: chosen.append(args))
    panel.level_buttons[level].click()
    assert panel.step() == "details" and chosen == []
    assert not panel.submit_button.isEnabled()
    assert panel.submit_button.text() == "请先选择原因"  # said in words, not only greyed
    panel.submit()
    assert chosen == []
    panel.toggle_reason("办事效率低")
    panel.toggle_reason("其他")
    assert panel.submit_button.isEnabled() and panel.submit_button.text() == "提交评价"
    panel.toggle_reason("其他")
    panel.submit_button.click()
    assert chosen == [(level, ["办事效率低"], "")]


def test_unticking_the_last_reason_disables_submit_again(panel: RatingPanel):
    panel.choose(2)
    panel.toggle_reason("服务态度不好")
    assert panel.submit_button.isEnabled()
    panel.toggle_reason("服务态度不好")
    assert not panel.submit_button.isEnabled()


def test_back_returns_to_the_levels_with_nothing_chosen(qtbot, panel: RatingPanel):
    panel.choose(1)
    panel.toggle_reason("其他")
    with qtbot.waitSignal(panel.step_changed) as signal:
        panel.back_button.click()
    assert signal.args == ["levels"]
    assert panel.step() == "levels" and panel.level is None and panel.chosen_reasons == []


def test_reset_clears_everything(panel: RatingPanel):
    panel.choose(2)
    panel.toggle_reason("其他")
    panel.reset()
    assert panel.step() == "levels" and panel.level is None and panel.chosen_reasons == []
    assert not panel.submit_button.isEnabled()


def test_without_direct_submit_a_good_level_waits_for_the_submit_button(qtbot):
    application()
    panel = RatingPanel(make_theme(1280, 800), REASONS, submit_directly=False)
    qtbot.addWidget(panel)
    chosen = []
    panel.rating_chosen.connect(lambda *args: chosen.append(args))
    panel.choose(4)
    assert panel.step() == "details" and chosen == []
    assert panel.submit_button.isEnabled()
    assert not any(b.isVisible() for b in panel.reason_buttons.values())
    panel.submit_button.click()
    assert chosen == [(4, [], "")]


def test_the_reasons_come_from_the_hall_and_can_change(panel: RatingPanel):
    panel.set_reasons(["材料要求不清楚", "其他"])
    assert list(panel.reason_buttons) == ["材料要求不清楚", "其他"]
    panel.choose(2)
    panel.toggle_reason("材料要求不清楚")
    assert panel.chosen_reasons == ["材料要求不清楚"]


def test_english_reasons_are_shown_and_the_halls_own_words_recorded(qtbot, panel: RatingPanel):
    english = ["Unfriendly service", "Slow handling", "Waited too long", "Other"]
    panel.set_reasons(REASONS, english)
    assert [b.text() for b in panel.reason_buttons.values()] == english
    chosen = []
    panel.rating_chosen.connect(lambda *args: chosen.append(args))
    panel.choose(1)
    panel.reason_buttons["等候时间过长"].click()
    panel.submit_button.click()
    assert chosen == [(1, ["等候时间过长"], "")]
    panel.set_reasons(REASONS, english[:2])  # not one for one: the hall's own words, never a wrong pairing
    assert [b.text() for b in panel.reason_buttons.values()] == REASONS


def test_levels_sit_in_a_row_when_wide_and_a_column_when_narrow(qtbot):
    application()
    host = QWidget()
    qtbot.addWidget(host)
    theme = make_theme(1080, 1920)
    panel = RatingPanel(theme, REASONS, parent=host)
    host.show()
    panel.resize(1800, 500)
    assert panel._columns == 5
    panel.resize(400, 1200)
    assert panel._columns == 1 and panel.level_buttons[5].compact
    for b in panel.level_buttons.values():
        assert b.minimumHeight() >= theme.min_target


def test_every_level_is_the_same_size_in_the_same_order_at_every_width(qtbot):
    """No 差评 tile larger than a 好评 one: a row, three over two, or a column, all equal."""
    application()
    host = QWidget()
    qtbot.addWidget(host)
    panel = RatingPanel(make_theme(1080, 1920), REASONS, parent=host)
    host.show()
    seen = set()
    for width in (1800, 900, 400):
        panel.resize(width, 900)
        qtbot.waitUntil(lambda: panel.level_buttons[1].geometry().width() > 0)
        panel.layout().activate()
        panel.levels_grid.activate()
        seen.add(panel._columns)
        boxes = [panel.level_buttons[level].geometry() for level in LEVELS]
        for side in (lambda b: b.width(), lambda b: b.height()):  # equal, to the pixel the grid rounds
            assert max(map(side, boxes)) - min(map(side, boxes)) <= 2, (width, boxes)
        reading = sorted(LEVELS, key=lambda lv: (panel.level_buttons[lv].y(), panel.level_buttons[lv].x()))
        assert reading == list(LEVELS)  # read left to right, top to bottom: 非常满意 first
    assert seen == {5, 3, 1}


def test_elder_mode_keeps_every_target_large(panel: RatingPanel):
    elder = with_elder(panel.theme, True)
    panel.apply_theme(elder)
    for b in panel.level_buttons.values():
        assert b.minimumHeight() >= elder.min_target
    for b in panel.reason_buttons.values():
        assert b.minimumHeight() >= elder.min_target


def test_retranslate_keeps_the_chosen_level(panel: RatingPanel):
    panel.choose(1)
    panel.retranslate_ui()
    assert panel.step() == "details" and "非常不满意" in panel.chosen_word.text()


def test_a_level_outside_one_to_five_is_refused(panel: RatingPanel):
    with pytest.raises(ValueError):
        panel.choose(0)
