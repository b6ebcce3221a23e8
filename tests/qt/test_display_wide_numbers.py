"""The display board past A999: five-digit numbers shown whole on every layout, and called out.

The board is fed a sample hall whose numbers are all five digits wide (A99017 …), as a very
busy day would give (hall/domain/numbers.py); each layout is drawn and saved beside the test's
files to be looked at.
"""
from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFontMetrics, QImage, QPainter

from hall.wire import StreamEvent
from kiosk.models.display.samples import sample_call, sample_snapshot
from kiosk.models.voice import call_clips
from kiosk.roles.display.text import draw_text, font

UNREACHABLE = "http://127.0.0.1:9"
_NUMBER = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2})0(\d\d)(?![0-9])")


def widened(data: dict) -> dict:
    """The same sample with every ticket number five digits wide (A017 -> A99017)."""
    return json.loads(_NUMBER.sub(r"\g<1>990\g<2>", json.dumps(data)))


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1280, 800), (1024, 600)])
def test_five_digit_numbers_show_whole_and_are_called(qtbot, make_shell, tmp_path, size):
    shell = make_shell("display", UNREACHABLE, "x", start=False, size=size)
    shell.resize(*size)
    view = shell.view
    snapshot = widened(sample_snapshot(None, calls=6))
    assert all(len(c["number"]) >= 6 for c in snapshot["recent_calls"]), snapshot["recent_calls"]
    view.on_snapshot_loaded(snapshot)
    call = StreamEvent.read(widened(sample_call(snapshot).to_json()))
    number, window = call.data["number"], call.data["window_number"]
    view.on_link_event_received(call)
    qtbot.waitUntil(lambda: len(view.voice.history) == 1)
    assert view.voice.history == [call_clips(number, window)]
    assert view.board.board.current.number == number
    picture = shell.grab()
    assert not picture.isNull()
    picture.save(str(tmp_path / f"board-{size[0]}x{size[1]}.png"))


def test_draw_text_shrinks_a_wide_number_rather_than_cutting_it():
    """The board's text call: a number that does not fit is made smaller, never shortened."""
    image = QImage(400, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        cell = QRect(0, 0, 90, 40)  # a narrow "recent calls" cell
        drawn = draw_text(painter, cell, "AB99999", 38, "#FFFFFF")
    finally:
        painter.end()
    assert QFontMetrics(font(10)).horizontalAdvance("AB99999") <= cell.width()  # it can fit
    # what was drawn is the whole number at some size, not a shortened "AB99…"
    whole = {QFontMetrics(font(px)).horizontalAdvance("AB99999") for px in range(10, 39)}
    assert drawn in whole, (drawn, sorted(whole))
