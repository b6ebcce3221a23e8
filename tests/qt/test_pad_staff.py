"""The pad's idle screen shows who serves at the window (亮牌上岗, Art. 12): the staff member's
name, staff number and photo when the hall has them, fetched from a real hall server; the
window's icon and no number when the hall has none, or when the window is not serving."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from hall.client import HallClient
from kiosk.roles.pad.screens import PHOTO_EM
from tests.support.halls import TOKENS
from tests.support.hallserver import HallServer, free_port
from tests.support.photos import write_hall_with_photo


@pytest.fixture
def photo_hall(tmp_path: Path):
    server = HallServer(write_hall_with_photo(tmp_path / "hall"), tmp_path / "data", tmp_path / "hall.log",
                        free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


def pad_at(qtbot, make_shell, server, window: str, tmp_path: Path):
    shell = make_shell("pad", server.base_url, TOKENS["pad"], window=window,
                       device_settings={"pad": {"data_dir": str(tmp_path / f"pad-{window}")}})
    qtbot.waitUntil(lambda: bool(shell.view._following and shell.view.context.hall.get("windows")), timeout=8000)
    return shell.view


def test_the_staff_members_photo_and_number_show_while_they_serve(qtbot, make_shell, photo_hall, tmp_path):
    photo = QImage(str(tmp_path / "hall" / "photos" / "s1.png"))
    view = pad_at(qtbot, make_shell, photo_hall, "w1", tmp_path)
    idle = view.idle
    assert not idle.has_photo() and not idle.staff_number.isVisible()  # nobody at the window yet
    assert not view._asked_photos
    with HallClient(photo_hall.base_url, TOKENS["operator"]) as operator:
        operator.open_window("w1", staff="s1")
        qtbot.waitUntil(idle.has_photo, timeout=8000)
        assert idle.staff_label.text() == "工作人员：王芳"
        assert idle.staff_number.isVisible() and idle.staff_number.text() == "工号：3708290001"
        shown = idle.picture.pixmap().toImage()
        assert shown.height() == view.context.theme.px(PHOTO_EM)
        # the picture is the hall's photo, scaled: its corner has the photo's ground colour
        assert shown.pixelColor(2, 2).name() == photo.pixelColor(2, 2).name()
        operator.pause("w1")
        qtbot.waitUntil(lambda: not idle.has_photo(), timeout=8000)
        assert not idle.staff_number.isVisible()  # not serving: no badge
