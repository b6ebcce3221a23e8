"""The demo's four screens sit side by side on one monitor, none covering another (no Qt)."""
from __future__ import annotations

import itertools

import pytest

from hall.demo_screens import REGIONS, SIZES
from kiosk.models.placement import parse_region, place

MONITORS = [(0, 0, 1920, 1080), (0, 27, 2560, 1413), (1920, 0, 1366, 768), (0, 0, 3840, 2160)]


def _shape(role: str) -> tuple[int, int]:
    w, h = SIZES[role].split("x")
    return int(w), int(h)


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


@pytest.mark.parametrize("monitor", MONITORS)
def test_the_four_screens_fit_side_by_side_on_any_monitor(monitor):
    mx, my, mw, mh = monitor
    placed = {role: place(REGIONS[role], monitor, _shape(role)) for role in SIZES}
    for role, (x, y, w, h) in placed.items():
        assert mx <= x and my <= y and x + w <= mx + mw and y + h <= my + mh, (role, placed[role])
        assert abs(w / h - _shape(role)[0] / _shape(role)[1]) < 0.01, role  # its own shape
        assert w >= mw * 0.28 and min(w, h) >= 300, (role, w, h)  # large enough to be used
    for (a, ra), (b, rb) in itertools.combinations(placed.items(), 2):
        assert not _overlap(ra, rb), f"{a} {ra} covers {b} {rb}"


def test_on_a_full_hd_virtual_screen_they_open_where_expected():
    monitor = (0, 0, 1920, 1080)
    assert place(REGIONS["dispenser"], monitor, _shape("dispenser")) == (0, 0, 576, 1024)
    assert place(REGIONS["kiosk"], monitor, _shape("kiosk")) == (576, 0, 576, 1024)
    assert place(REGIONS["display"], monitor, _shape("display")) == (1152, 0, 768, 432)
    assert place(REGIONS["pad"], monitor, _shape("pad")) == (1152, 486, 768, 480)


def test_a_region_is_four_fractions_inside_the_screen():
    assert parse_region("0.6, 0, 0.4, 0.45") == (0.6, 0.0, 0.4, 0.45)
    for bad, said in [("0,0,1", "four fractions"), ("a,b,c,d", "four fractions"),
                      ("0.5,0,0.6,1", "inside the screen"), ("0,0,0,1", "inside the screen"),
                      ("-0.1,0,0.5,1", "inside the screen")]:
        with pytest.raises(ValueError, match=said) as err:
            parse_region(bad)
        assert repr(bad) in str(err.value)
