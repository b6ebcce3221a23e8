"""Every text colour 4.5:1 on what it is drawn on, every component edge 3:1, in both palettes."""
from __future__ import annotations

import pytest

from kiosk.models.contrast import EDGE_MIN, TEXT_MIN, over, ratio, rgb
from kiosk.roles.display.text import ELDER_BOARD, BoardColours
from kiosk.theme import HIGH_CONTRAST, Palette

PALETTES = {"normal": Palette(), "elder": HIGH_CONTRAST}
TEXTS = ("text", "muted", "primary", "primary_dark", "accent", "ok", "warn", "bad", "faint")
GROUNDS = ("background", "surface")


def test_the_measure_matches_wcag():
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # WCAG's own borderline grey
    assert over("#000000", 0.5, "#FFFFFF") == "#808080"
    with pytest.raises(ValueError, match="'blue' is not #RRGGBB"):
        rgb("blue")


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("fg", TEXTS)
@pytest.mark.parametrize("bg", GROUNDS)
def test_text_colours_read_on_every_ground(name, fg, bg):
    p = PALETTES[name]
    assert ratio(getattr(p, fg), getattr(p, bg)) >= TEXT_MIN, (fg, bg)


@pytest.mark.parametrize("name", PALETTES)
def test_filled_buttons_header_and_banner_read(name):
    p = PALETTES[name]
    assert ratio(p.on_primary, p.primary) >= TEXT_MIN
    assert ratio(p.on_primary, p.primary_dark) >= TEXT_MIN
    assert ratio(p.on_header, p.header) >= TEXT_MIN
    assert ratio("#FFFFFF", p.warn) >= TEXT_MIN  # the offline banner
    assert ratio("#FFFFFF", p.bad) >= TEXT_MIN  # a danger button
    assert ratio(p.text, p.pressed) >= TEXT_MIN


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("edge", ["border", "faint", "primary"])
@pytest.mark.parametrize("bg", GROUNDS)
def test_component_edges_stand_out(name, edge, bg):
    p = PALETTES[name]
    assert ratio(getattr(p, edge), getattr(p, bg)) >= EDGE_MIN, (edge, bg)


@pytest.mark.parametrize("colours", [BoardColours(), ELDER_BOARD], ids=["normal", "elder"])
def test_the_boards_texts_read_on_every_panel_even_lit(colours):
    board = Palette().board
    texts = (colours.text, colours.muted, colours.window_text, colours.number, colours.alert,
             colours.paused, colours.closed)
    for panel in (colours.panel, colours.lit, over(colours.lit, 0.5, colours.panel)):
        for text in texts:
            assert ratio(text, panel) >= TEXT_MIN, (text, panel)
    assert ratio(colours.on_open, colours.open) >= TEXT_MIN  # an open window's number on its chip
    for chip in (colours.open, colours.paused, colours.closed):
        assert ratio(chip, colours.panel) >= EDGE_MIN, chip
    assert ratio(colours.edge, board) >= EDGE_MIN
    assert ratio(colours.rule, colours.panel) >= EDGE_MIN


def test_before_this_the_calling_card_failed():
    """The values the review measured, so the test above is known to catch them."""
    assert ratio("#A9BCE0", "#1557D6") == pytest.approx(3.25, abs=0.01)
    assert ratio("#FFFFFF", "#1F9D5B") < TEXT_MIN
    assert ratio("#D5DCE8", "#F2F5FA") < EDGE_MIN
