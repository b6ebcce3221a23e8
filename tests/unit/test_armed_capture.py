"""The kiosk's document camera captures only while a flow asks, once per arming, and never the
page it has just captured while that still lies there: an ID card's front is not taken again as
its back. Frames come from scripted desks with their own clock (frame index / fps)."""
from __future__ import annotations

import numpy as np
import pytest

from drivers.camera.capture import Frame
from drivers.camera.desk import Script, laid_down
from kiosk.peripherals.document_camera import ArmedCapture, Snapped

FPS = 10.0


class Desk:
    """Scripts shown one after another, each frame read once, with the desk's own clock."""

    def __init__(self, *scripts: Script) -> None:
        self.frames = [f for s in scripts for f in s.frames]
        self.still = [x for s in scripts for x in s.still]
        self.index = 0

    def read(self, timeout: float | None = None) -> Frame:
        index, self.index = self.index, self.index + 1
        return Frame(self.frames[index], index / FPS, index)

    def left(self) -> int:
        return len(self.frames) - self.index


@pytest.fixture(scope="module")
def card() -> tuple[Script, Script]:
    front = laid_down("idcard_front", 640, 360, fps=FPS, seed=3, move=0.5, rest=3.0, straighten=False)
    back = laid_down("idcard_back", 640, 360, fps=FPS, seed=4, move=0.5, rest=3.0, straighten=False)
    return front, back


def run(capture: ArmedCapture, desk: Desk, frames: int) -> list[tuple[int, object]]:
    got = []
    for _ in range(min(frames, desk.left())):
        index = desk.index
        captured = capture(desk)
        if captured is not None:
            got.append((index, captured))
    return got


def test_nothing_is_read_or_captured_while_disarmed(card) -> None:
    desk = Desk(card[0])
    capture = ArmedCapture()
    assert [capture(desk) for _ in range(len(desk.frames))] == [None] * len(desk.frames)
    assert desk.index == 0  # not one frame was read


def test_the_front_is_not_captured_again_as_the_back(card) -> None:
    front, back = card
    desk = Desk(front, back)
    capture = ArmedCapture()
    capture.arm()
    first = run(capture, desk, len(front.frames))
    assert len(first) == 1 and desk.still[first[0][0]]
    assert not capture.armed  # one capture per arming
    capture.arm()  # "now the back": the front still lies there for the rest of its script
    rest_of_front = run(capture, desk, len(front.frames) - desk.index)
    assert rest_of_front == []
    second = run(capture, desk, len(back.frames))
    assert len(second) == 1 and second[0][0] >= len(front.frames) and desk.still[second[0][0]]
    one, two = first[0][1], second[0][1]
    assert float(np.abs(one.image.astype(np.float32) - two.image.astype(np.float32)).mean()) > 5


def test_the_same_page_taken_away_and_laid_down_again_is_captured_again(card) -> None:
    front = card[0]
    desk = Desk(front, front)  # slid in anew: the script starts with the card off to the side
    capture = ArmedCapture()
    capture.arm()
    assert len(run(capture, desk, len(front.frames))) == 1
    capture.arm()
    again = run(capture, desk, len(front.frames))
    assert len(again) == 1 and again[0][0] >= len(front.frames)


def test_a_snap_hands_over_the_next_frame_at_once_with_the_finders_guess(card) -> None:
    front, _back = card
    desk = Desk(front)
    capture = ArmedCapture()
    capture.snap()  # the citizen taps 手动拍摄 before anything lies still
    snapped = capture(desk)
    assert isinstance(snapped, Snapped) and snapped.image is front.frames[0] and desk.index == 1
    assert not capture.armed and capture(desk) is None and desk.index == 1  # one frame per asking
    desk.index = len(front.frames) - 1  # the card lies still now: the guess is on its corners
    capture.snap()
    snapped = capture(desk)
    assert snapped.quad is not None
    assert np.abs(snapped.quad - front.corners[-1]).max() < 12
    capture.snap()
    capture.disarm()  # leaving the capture view drops the asking too
    assert capture(desk) is None
