"""`yiciban kiosk --windowed --region`: a screen opens in its part of the monitor, as large as its
shape fits there; a region that is no region is refused with what was wrong."""
from __future__ import annotations

import argparse

import pytest
from PySide6.QtGui import QGuiApplication

from kiosk.app import application, place_window
from kiosk.main import add_arguments, settings_from


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_a_region_gives_the_window_its_size_and_corner(qtbot):
    application()
    settings = settings_from(_args("dispenser", "--token", "t", "--windowed", "--size", "540x960",
                                   "--region", "0.5,0,0.5,1"))
    assert settings.region == (0.5, 0.0, 0.5, 1.0)
    free = QGuiApplication.primaryScreen().availableGeometry()
    corner = place_window(settings)
    assert corner == (free.x() + round(free.width() * 0.5), free.y())
    w, h = settings.size
    assert w <= free.width() * 0.5 + 1 and h <= free.height() + 1
    assert abs(w / h - 540 / 960) < 0.01
    assert min(free.width() * 0.5 - w, free.height() - h) <= 1  # as large as fits: one side touches


@pytest.mark.parametrize(("argv", "said"), [
    (("--region", "0,0,0.5,1"), "give --windowed too"),
    (("--windowed", "--region", "0.7,0,0.5,1"), "does not lie inside the screen"),
    (("--windowed", "--region", "left"), "four fractions"),
])
def test_a_region_that_is_no_region_is_refused(argv, said):
    with pytest.raises(ValueError, match=said):
        settings_from(_args("display", "--token", "t", *argv))


def test_without_a_region_the_window_is_left_where_it_was(qtbot):
    application()
    settings = settings_from(_args("display", "--token", "t", "--windowed", "--size", "960x540"))
    assert place_window(settings) is None
    assert settings.size == (960, 540)
