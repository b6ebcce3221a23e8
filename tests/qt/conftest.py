"""Screens under pytest-qt, offscreen, against a real hall server process on loopback."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.hallserver import HallServer, running


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[HallServer]:
    yield from running(tmp_path)


@pytest.fixture
def make_shell(qtbot) -> Iterator[Callable[..., object]]:
    """Builds a role's shell (kiosk.app.build) and shuts it down after the test."""
    from kiosk.app import build, shutdown
    from kiosk.context import Settings

    shells = []

    def make(role: str, hall_url: str, token: str, *, view=None, start: bool = True, **options):
        settings = Settings(role=role, hall_url=hall_url, token=token, windowed=True,
                            size=options.pop("size", (1280, 800)), **options)
        shell = build(settings, view=view)
        qtbot.addWidget(shell)
        shells.append(shell)
        shell.show()
        if start:
            shell.context.link.start()
            shell.start()
        return shell

    yield make
    for shell in shells:
        shutdown(shell)
