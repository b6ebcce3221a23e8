"""Starting a screen role: the application, its context, the shell, and a clean shutdown.

`build(settings)` makes everything and returns the shell without entering the event loop
(tests and the screenshot tool use it); `run(settings)` shows it and runs.
"""
from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication

from kiosk.context import Context, Settings
from kiosk.devices import DeviceHub
from kiosk.first_paint import after_first_paint
from kiosk.hall_link import HallLink
from kiosk.i18n import Languages
from kiosk.shell import RoleView, Shell
from kiosk.theme import FONT_FAMILY, make_theme
from kiosk.workers import Jobs

log = logging.getLogger(__name__)

ROLES = {
    "dispenser": "kiosk.roles.dispenser.view:DispenserView",
    "kiosk": "kiosk.roles.terminal.view:TerminalView",
    "display": "kiosk.roles.display.view:DisplayView",
    "pad": "kiosk.roles.pad.view:PadView",
}
HALL_RETRY_MS = 5000
HALL_FIRST_MS = 50


def view_class(role: str) -> type[RoleView]:
    try:
        module, name = ROLES[role].split(":")
    except KeyError:
        raise ValueError(f"no screen role {role!r} (one of: {', '.join(ROLES)})") from None
    return getattr(importlib.import_module(module), name)


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setApplicationName("yiciban")
    app.setFont(QFont(FONT_FAMILY))
    return app


def screen_size(settings: Settings) -> tuple[int, int, float]:
    if settings.size is not None:
        return settings.size[0], settings.size[1], 96.0
    screens = QGuiApplication.screens()
    screen = screens[settings.screen] if settings.screen is not None and settings.screen < len(screens) \
        else QGuiApplication.primaryScreen()
    if screen is None:
        return 1920, 1080, 96.0
    geometry = screen.geometry()
    return geometry.width(), geometry.height(), screen.physicalDotsPerInch() or 96.0


def build(settings: Settings, *, view: type[RoleView] | None = None, load_hall: bool = True) -> Shell:
    """The role's shell, its devices started. `load_hall=False`: no request to the hall at all
    (the screenshot tool and benchmarks give the hall's description themselves)."""
    app = application()
    width, height, dpi = screen_size(settings)
    theme = make_theme(width, height, dpi, elder=settings.elder)
    jobs = Jobs(app)
    link = HallLink(settings.hall_url, settings.token, jobs, parent=app)  # roles start the events
    languages = Languages(app)
    context = Context(settings, theme, jobs, link, DeviceHub(app), languages, parent=app)
    link.devices = lambda: context.devices.states  # what the heartbeat says of this screen's devices
    context.devices.status_changed.connect(link.beat_soon)
    if settings.language != "zh":
        languages.switch(settings.language)
    shell = Shell(context, view or view_class(settings.role))
    shell.resize(width, height)
    from kiosk.peripherals import open_devices

    open_devices(context.devices, settings)
    # after the first paint: the home screen does not wait for the HTTP stack to load, nor
    # share the interpreter with a pool thread loading it
    if load_hall:
        after_first_paint(shell.view, lambda: _load_hall(context), HALL_FIRST_MS)
    return shell



def _load_hall(context: Context) -> None:
    """The hall's name, queues and windows; asked again every few seconds until it answers."""
    def failed(exc: BaseException) -> None:
        if context.link.stopped:
            return  # the screen is shutting down
        log.info("hall description not loaded yet: %s", exc)
        QTimer.singleShot(HALL_RETRY_MS, context.link, lambda: _load_hall(context))  # not after the link is gone

    context.link.call("hall", done=context.set_hall, failed=failed)


def shutdown(shell: Shell) -> None:
    context = shell.context
    shell.view.shutdown()
    context.devices.stop_all()
    context.link.stop()
    context.languages.switch("zh")  # the translator belongs to the application, not the shell


def take_shots(shell: Shell, directory: Path, every: float) -> QTimer:
    """A fresh screenshot of the screen every `every` seconds (no display: see what it shows)."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{shell.context.settings.role}.png"

    def shoot() -> None:
        partial = target.with_suffix(".tmp.png")
        if shell.grab().save(str(partial)):
            partial.replace(target)

    timer = QTimer(shell)
    timer.timeout.connect(shoot)
    timer.start(max(500, round(every * 1000)))
    QTimer.singleShot(1500, shoot)
    return timer


def place_window(settings: Settings) -> tuple[int, int] | None:
    """With a `region`: the window's size set to fit it (before the theme is made from the size),
    and its top-left corner returned."""
    if settings.region is None or not settings.windowed:
        return None
    from kiosk.models.placement import place

    screens = QGuiApplication.screens()
    screen = screens[settings.screen] if settings.screen is not None and settings.screen < len(screens) \
        else QGuiApplication.primaryScreen()
    if screen is None:
        return None
    free = screen.availableGeometry()
    x, y, w, h = place(settings.region, (free.x(), free.y(), free.width(), free.height()),
                       settings.size or (1280, 800))
    settings.size = (w, h)
    return x, y


def run(settings: Settings, *, shots: Path | None = None, shot_every: float = 5.0) -> int:
    app = application()
    corner = place_window(settings)
    shell = build(settings)
    if corner is not None:
        shell.move(*corner)
    if shots is not None:
        take_shots(shell, shots, shot_every)
    if settings.windowed:
        shell.show()
    else:
        from PySide6.QtCore import Qt

        shell.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        shell.showFullScreen()
    shell.context.link.start()
    shell.start()
    app.aboutToQuit.connect(lambda: shutdown(shell))
    shell.admin_exit_requested.connect(app.quit)
    return app.exec()
