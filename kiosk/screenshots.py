"""`yiciban screenshots` (`make screenshots`): every screen of every role, offscreen, to PNG.

Each role lists its screens (`RoleView.sample_screens()`); each is rendered in Chinese, in
English and in elder mode at the role's usual screen size, and the home screen also at the
other two sizes the screens must work at. No hall and no device are needed: the views show
sample data from the demo hall. The pictures go to docs/screenshots/<role>/, at half size.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920), "small": (1280, 800)}
ROLE_SIZE = {"dispenser": "portrait", "kiosk": "portrait", "display": "landscape", "pad": "small"}
VARIANTS = ("zh", "en", "elder")
SCALE = 0.5
UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: the screens show their sample data
# devices a role's flows need to show at all (the kiosk's document camera: copy, 自助申报, 补正);
# nothing answers at these addresses either
SAMPLE_DEVICES = {"kiosk": {"document_camera": UNREACHABLE + "/video.mjpg"}}
CARD_ROLES = ("kiosk", "dispenser")  # the roles with an ID card reader


def sample_hall() -> dict:
    from hall.config import load_demo_config
    from hall.server import describe_hall

    return describe_hall(load_demo_config())


def render_role(role: str, out: Path, variants: tuple[str, ...] = VARIANTS, *,
                sizes: dict[str, tuple[int, int]] = SIZES) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from kiosk.app import build, shutdown
    from kiosk.context import Settings
    from kiosk.models.broadcast import Broadcast

    written: list[Path] = []
    hall = sample_hall()
    out.mkdir(parents=True, exist_ok=True)
    plans = [(variant, ROLE_SIZE[role], True) for variant in variants]
    plans += [("zh", name, False) for name in sizes if name != ROLE_SIZE[role]]
    for variant, size_name, every_screen in plans:
        settings = Settings(role=role, hall_url=UNREACHABLE, token="screenshots", windowed=True,
                            size=sizes[size_name], language="en" if variant == "en" else "zh",
                            elder=variant == "elder", window="w01" if role == "pad" else None,
                            devices=SAMPLE_DEVICES.get(role, {}))
        shell = build(settings, load_hall=False)
        # no hall answers here: the views show their sample data, and the shell's offline banner
        # (a live screen's honest state) would only cover it
        shell.context.link.online_changed.disconnect(shell.on_link_online_changed)
        shell.context.set_hall(hall)
        shell.show()
        app = QApplication.instance()
        screens = shell.view.sample_screens()
        if not every_screen:
            screens = screens[:1]
        suffix = variant if every_screen else size_name
        for name, show in screens:
            show()
            written.append(_save(shell, out / f"{role}-{name}-{suffix}.png"))
        if every_screen and getattr(shell, "broadcast", None) is not None:  # the urgent broadcast, over home
            screens[0][1]()
            shell.broadcast.show_broadcast(Broadcast("消防演练，请听从工作人员指引有序疏散", 60.0, text_en=(
                "Fire drill: please follow the staff and leave the hall in good order")), 0.0, shell.context.language)
            written.append(_save(shell, out / f"{role}-broadcast-{suffix}.png"))
            shell.broadcast.hide()
        if every_screen and role in CARD_ROLES:  # a visit ended with the card left on the reader
            screens[0][1]()
            shell.card_reminder.remind(lambda: "idcard")
            written.append(_save(shell, out / f"{role}-card-reminder-{suffix}.png"))
            shell.card_reminder.dismiss()
        if every_screen and shell.view.idle_enabled and len(screens) > 1:  # the idle warning, mid-flow
            screens[len(screens) // 2][1]()
            shell.overlay.show_countdown(round(shell.idle.warn_seconds))  # elder mode waits longer
            written.append(_save(shell, out / f"{role}-idle-warning-{suffix}.png"))
            shell.overlay.close_overlay()
        shell.context.languages.switch("zh")  # the next shell starts in Chinese
        shutdown(shell)
        shell.close()
        shell.deleteLater()
        app.processEvents()
    return written


def _save(shell, path: Path) -> Path:
    """The shell as it is now, at half size, to `path`."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.instance().processEvents()
    picture = shell.grab()
    picture = picture.scaled(round(picture.width() * SCALE), round(picture.height() * SCALE),
                             Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    picture.save(str(path))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="yiciban screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    parser.add_argument("--role", action="append", choices=sorted(ROLE_SIZE), help="only these roles")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.app import application

    application()
    total = 0
    for role in args.role or sorted(ROLE_SIZE):
        written = render_role(role, Path(args.out) / role)
        total += len(written)
        sys.stdout.write(f"{role}: {len(written)} screenshots in {Path(args.out) / role}\n")
    sys.stdout.write(f"{total} screenshots\n")
    return 0
