"""The corner editor (kiosk.widgets.corners) driven by mouse events as a finger drives it: a drag
moves the nearest handle only, clamped inside the frame; a press away from every handle moves
nothing; handles are touch-sized in both modes; 确定 with the corners dragged onto a synthetic
desk frame's true page gives an application page cleaned from them, 取消 and crossed corners
change nothing."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from drivers.camera.desk import document, scene
from kiosk.models.terminal.application import Application
from kiosk.theme import make_theme
from kiosk.widgets.corners import CornerEditor, inset_rectangle

GUIDE = {"code": "M1", "materials": [{"name": "申请书", "form": "原件"}]}


@pytest.fixture
def editor(qtbot):
    widget = CornerEditor()
    widget.apply_theme(make_theme(1080, 1920))
    widget.resize(900, 1000)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def desk_frame() -> tuple[np.ndarray, np.ndarray]:
    return scene("form", "tune", 960, 720, np.random.default_rng(7))


def at(editor: CornerEditor, point) -> QPoint:
    where = editor.canvas.to_screen(np.asarray(point, np.float32))
    return QPoint(round(where.x()), round(where.y()))


def drag(editor: CornerEditor, start: QPoint, end: QPoint) -> None:
    canvas = editor.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    for point in (middle, end):
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def similarity(page: np.ndarray, flat: np.ndarray) -> float:
    """Normalised correlation of a cleaned page with the document drawn flat, at one size."""
    grey = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY) if flat.ndim == 3 else flat
    page = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY) if page.ndim == 3 else page
    size = (70, 99)  # coarse: a pixel or two of a dragged corner does not count
    a = cv2.resize(page, size, interpolation=cv2.INTER_AREA).astype(np.float64)
    b = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float64)
    a, b = (cv2.GaussianBlur(x, (0, 0), 1.5)[5:-5, 5:-5] for x in (a, b))  # the paper's inside: a strip of desk at an edge is no content
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_a_drag_moves_only_the_nearest_corner_and_keeps_it_inside_the_frame(editor, desk_frame):
    frame, truth = desk_frame
    editor.edit(frame, truth)
    before = editor.quad()
    target = before[1] + (-60, 40)
    drag(editor, at(editor, before[1]) + QPoint(6, -5), at(editor, target))  # a finger lands beside the dot
    after = editor.quad()
    assert np.array_equal(np.delete(after, 1, axis=0), np.delete(before, 1, axis=0))
    scale = editor.canvas.placement()[0]
    assert np.abs(after[1] - target).max() <= 1.0 / scale + 0.01
    far = editor.canvas.rect().bottomLeft() + QPoint(2, -2)  # past the frame's bottom-left
    drag(editor, at(editor, after[3]), far)
    clamped = editor.quad()
    assert clamped[3].tolist() == [0.0, float(frame.shape[0] - 1)]
    assert np.array_equal(clamped[:3], after[:3])


def test_a_press_away_from_every_handle_moves_nothing(editor, desk_frame):
    frame, truth = desk_frame
    editor.edit(frame, truth)
    before = editor.quad()
    centre = before.mean(axis=0)
    drag(editor, at(editor, centre), at(editor, centre + (100, 100)))
    assert np.array_equal(editor.quad(), before)
    assert editor.canvas.dragging is None


def test_handles_are_touch_targets_and_a_missing_outline_starts_inside_the_frame(qtbot, desk_frame):
    frame, _truth = desk_frame
    for elder, least in ((False, 44), (True, 60)):
        widget = CornerEditor()
        qtbot.addWidget(widget)
        widget.apply_theme(make_theme(1080, 1920, elder=elder))
        assert widget.canvas.target >= least
    widget.edit(frame, None)
    h, w = frame.shape[:2]
    assert widget.quad().tolist() == inset_rectangle(w, h).tolist()
    assert widget.quad().tolist() == [[96.0, 72.0], [864.0, 72.0], [864.0, 648.0], [96.0, 648.0]]


def test_ok_cleans_the_page_again_from_the_dragged_corners(editor, desk_frame, tmp_path: Path, qtbot):
    frame, truth = desk_frame
    app = Application(GUIDE, tmp_path)
    wrong = truth.copy()
    wrong[2] = truth[2] + (truth[0] - truth[2]) * 0.3  # a finger on the page: the corner found inside it
    app.add("申请书", frame, wrong)
    flat = document("form")
    first = app.images("申请书")[0]
    kept = app.kept("申请书")
    assert kept is not None and kept.page == 1
    editor.accepted.connect(lambda quad: app.replace(kept.material, kept.page, kept.image, quad))
    editor.edit(kept.image, kept.quad)
    drag(editor, at(editor, wrong[2]), at(editor, truth[2]))
    with qtbot.waitSignal(editor.accepted) as accepted:
        editor.accept_button.click()
    assert np.abs(accepted.args[0] - truth).max() <= 2.0
    assert app.pages("申请书") == 1 and len(list(tmp_path.glob("*"))) == 1  # the old page is gone
    page = app.images("申请书")[0]
    assert similarity(page, flat) > 0.8 > similarity(first, flat) + 0.1
    assert page.shape[0] > page.shape[1]  # upright A4
    assert np.abs(app.last.quad - truth).max() <= 2.0  # the kept outline is the one dragged


def test_cancel_and_crossed_corners_change_nothing(editor, desk_frame, tmp_path: Path):
    frame, truth = desk_frame
    app = Application(GUIDE, tmp_path)
    app.add("申请书", frame, truth)
    before = app.images("申请书")[0]
    replaced = []
    editor.accepted.connect(replaced.append)
    editor.cancelled.connect(lambda: replaced.append("cancelled"))
    editor.edit(frame, truth)
    drag(editor, at(editor, truth[0]), at(editor, truth[2] + (40, 40)))  # tl dragged past br
    assert not editor.accept_button.isEnabled()
    editor.accept_button.click()
    assert replaced == []
    with pytest.raises(ValueError, match="cross"):
        app.replace("申请书", 1, frame, editor.quad())
    editor.cancel_button.click()
    assert replaced == ["cancelled"]
    assert np.array_equal(app.images("申请书")[0], before)
    with pytest.raises(ValueError, match="no page 2"):
        app.replace("申请书", 2, frame, truth)
    editor.clear()
    assert editor.canvas.image is None and not editor.accept_button.isEnabled()


def test_the_kept_frame_goes_with_the_next_capture_a_removal_and_the_wipe(tmp_path: Path, desk_frame):
    frame, truth = desk_frame
    app = Application(GUIDE, tmp_path)
    app.add("申请书", frame, truth)
    app.add("申请书", frame.copy(), truth)
    assert app.last is not None and app.last.page == 2  # only the newest page's frame
    app.delete("申请书", 1)
    assert app.last is None
    app.add("申请书", frame, truth)
    app.forget()
    assert app.kept("申请书") is None
    app.add("申请书", frame, truth)
    app.wipe()
    assert app.last is None and list(tmp_path.glob("*")) == []


def test_a_copy_refuses_corners_that_cannot_be_a_page_and_forgets_its_frame(tmp_path: Path, desk_frame):
    from kiosk.models.terminal.copying import CopyJob, CopyKind

    frame, truth = desk_frame
    job = CopyJob(CopyKind.DOCUMENT, tmp_path)
    with pytest.raises(ValueError, match="no capture"):
        job.replace_last(frame, truth)
    job.add(frame, truth)
    before = job.images()[-1]
    with pytest.raises(ValueError, match="closer than"):
        job.replace_last(frame, np.array([truth[0], truth[0] + 5, truth[2], truth[3]]))
    assert np.array_equal(job.images()[-1], before) and len(list(tmp_path.glob("*"))) == 1
    job.drop_last()
    assert job.last is None
    job.add(frame, truth)
    job.wipe()
    assert job.last is None and list(tmp_path.glob("*")) == []
