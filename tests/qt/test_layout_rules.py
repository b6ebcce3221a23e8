"""The Check of issue 15: layout rules over every screen of every role, in Chinese, English and
elder mode, measured on the screens as drawn (tests/support/layout_rules.py).

Each role's screens are drawn once (module scope) and every rule reads the breaches found.
`KNOWN` lists the breaches still open, each with why; a listed breach that no longer happens
fails too, so the list only ever shrinks. The display's board is painted, not made of labels:
its colours are measured in tests/unit/test_contrast.py.
"""
from __future__ import annotations

import pytest

from tests.support.layout_rules import Breach, check_screen, every_screen

ROLES = ("dispenser", "kiosk", "pad", "display")
# a role's tests stay on one worker, which draws its screens once for all the rules (the drawing
# is the cost); the four roles share the workers
BY_ROLE = [pytest.param(role, marks=pytest.mark.xdist_group(f"layout_rules_{role}")) for role in ROLES]
RULES = ("contrast", "pitch", "clipped", "lines", "english", "target", "fold")

# (rule, role, screen, variant, a piece of the breach's text): open, with the reason
KNOWN: dict[tuple[str, str, str, str, str], str] = {}


_FOUND: dict[str, list[Breach]] = {}
# the kiosk's camera screens (自助申报 and 复印 with the document camera): whether each shows its
# corner editor, or 调整边角 beside 重拍, seen in the same pass as the rules
CORNER_SCREENS = ("apply-capture", "apply-corners", "copy-review", "copy-corners")
_CORNERS: list[tuple[str, str, bool]] = []


def found_in(role: str) -> list[Breach]:
    """A role's breaches, its screens drawn once for all the rules."""
    if role not in _FOUND:
        found: list[Breach] = []
        for variant, screen, shell, proper in every_screen(role):
            found += check_screen(shell, role, variant, screen, proper)
            if role == "kiosk" and screen in CORNER_SCREENS:
                page = shell.view.current_page()
                _CORNERS.append((screen, variant, page.corners_button.isVisible()
                                 if screen.endswith(("capture", "review")) else page.corners.canvas.image is not None))
        _FOUND[role] = found
    return _FOUND[role]


def known(breach: Breach) -> bool:
    return any((rule, role, screen, variant) == (breach.rule, breach.role, breach.screen, breach.variant)
               and piece in breach.what for rule, role, screen, variant, piece in KNOWN)


@pytest.mark.timeout(900)  # a role's screens in three modes, drawn and measured on the first rule
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("role", BY_ROLE)
def test_every_screen_keeps_the_rule(qapp, role, rule):
    new = [str(b) for b in found_in(role) if b.rule == rule and not known(b)]
    assert new == [], "\n".join(new)


@pytest.mark.timeout(900)
@pytest.mark.xdist_group("layout_rules_kiosk")
def test_the_kiosks_camera_screens_show_the_corner_editor(qapp):
    """The kiosk with its document camera shows the editor in 自助申报 and 复印 (apply-corners,
    copy-corners) and 调整边角 beside 重拍 in zh, en and elder."""
    found_in("kiosk")
    assert sorted(_CORNERS) == sorted((s, v, True) for s in CORNER_SCREENS for v in ("zh", "en", "elder"))


@pytest.mark.timeout(900)
@pytest.mark.parametrize("role", BY_ROLE)
def test_every_open_breach_is_still_open(qapp, role):
    gone = [key for key in KNOWN if key[1] == role
            and not any((b.rule, b.role, b.screen, b.variant) == key[:4] and key[4] in b.what
                        for b in found_in(role))]
    assert gone == [], f"fixed: remove these from KNOWN: {gone}"


def test_the_rules_see_a_breach_when_there_is_one(qtbot):
    """A low-contrast, clipped, badly broken Chinese label on an English screen is caught."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

    from kiosk.widgets.common import label

    top = QWidget()
    qtbot.addWidget(top)
    top.setStyleSheet("background: #FFFFFF; font-family: 'WenQuanYi Micro Hei'; font-size: 30px;")
    box = QVBoxLayout(top)
    faint = label("请到咨询服务台", parent=top)
    faint.setStyleSheet("color: #C0C0C0;")
    cut = label("请把身份证平放在阅读器的感应区上，读取后会有提示。", parent=top)
    cut.setFixedSize(200, 40)
    small = QPushButton("OK", top)
    small.setStyleSheet("QPushButton { min-height: 0; min-width: 0; }")  # whatever a shell left behind
    small.setFixedSize(30, 30)
    for widget in (faint, cut, small):
        box.addWidget(widget)
    top.resize(600, 400)
    top.show()
    qtbot.waitExposed(top)
    rules = {b.rule for b in check_screen(top, "test", "en", "sample", set())}
    assert {"contrast", "clipped", "english", "target"} <= rules
