"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 drops a reference to None on every call
that returns nothing, and a screen that runs for hours then aborts (none_dealloc). The pin in
pyproject.toml keeps it out; this test notices if it comes back."""
from __future__ import annotations

import sys

from PySide6.QtCore import QTimer


def test_calls_returning_nothing_leave_none_alone(qapp):
    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(1000):
        timer.setInterval(5)
    assert sys.getrefcount(None) - before > -50, "the Qt binding leaks references to None"
