"""Screens under pytest-qt, offscreen, against a real hall server process on loopback, with
their devices' simulators on ptys."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.escpos.simulator import Simulator
from drivers.idcard.simulator import SamSimulator
from drivers.ptys import PtyPort
from drivers.scanner.simulator import ScannerSimulator
from hall.client import HallClient
from tests.support.halls import TOKENS
from tests.support.hallserver import HallServer, running


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[HallServer]:
    yield from running(tmp_path)


@pytest.fixture(autouse=True)
def _earlier_widgets_gone(qapp) -> None:
    """The widgets an earlier test let go of (pytest-qt closes them with deleteLater) are deleted
    before this one starts: alive, they would be restyled with every screen this test builds."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


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


@pytest.fixture
def desk(hall_server) -> Iterator[HallClient]:
    """The hall as its staff drive it (the operator's token)."""
    with HallClient(hall_server.base_url, TOKENS["operator"]) as client:
        yield client


@pytest.fixture
def scanner(tmp_path: Path) -> Iterator[ScannerSimulator]:
    sim = ScannerSimulator(PtyPort(tmp_path / "scanner"))
    yield sim
    sim.close()


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[tuple[Simulator, str]]:
    """An 80 mm receipt printer simulator, and its pty's path."""
    sim = Simulator(80)
    path = sim.start_pty(tmp_path / "ticket-printer")
    yield sim, path
    sim.stop()


@pytest.fixture
def reader_sim(tmp_path: Path) -> Iterator[tuple[SamSimulator, str]]:
    """An ID card reader simulator, and its pty's path."""
    sim = SamSimulator()
    port = sim.serve_pty(tmp_path / "idcard")
    yield sim, port.path
    sim.close()


@pytest.fixture
def make_terminal(make_shell, hall_server, scanner, tmp_path: Path, qtbot) -> Callable[..., object]:
    """Builds the self-service terminal with the scanner and the devices named, and returns its
    shell once they all answer and the hall is loaded."""
    def make(**devices: str):
        shell = make_shell("kiosk", hall_server.base_url, TOKENS["kiosk"],
                           devices={"scanner": scanner.where, **devices},
                           device_settings={"kiosk": {"data_dir": str(tmp_path / "kiosk")}})
        names = ["scanner", *devices]
        qtbot.waitUntil(lambda: all(shell.context.devices.usable(n) for n in names) and bool(shell.context.hall),
                        timeout=10000)
        return shell

    return make
