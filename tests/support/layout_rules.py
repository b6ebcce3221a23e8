"""The layout rules every screen keeps, measured on the screen as drawn (tests/qt/test_layout_rules.py).

Each role's sample screens (`RoleView.sample_screens()`, what `yiciban screenshots` draws) are
shown in Chinese, in English and in elder mode at the role's usual size, and each visible text
is measured: its contrast against what is drawn behind it (from the screen's own pixels: the
commonest colour of the text's box is its background, the colour furthest from it the text),
the line pitch of wrapped text in elder mode, text cut off or elided, Chinese lines that start
with a closing mark or hold one character alone, Chinese left on an English screen (proper
names aside), touch targets under 60×60 in elder mode (44×44 elsewhere), and a primary action
that needs scrolling or is covered (or any button covered outside a scrolling list): the fold.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint
from PySide6.QtGui import QImage, QRegion, QTextLayout, QTextOption
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QPushButton, QWidget

from kiosk.models.contrast import EDGE_MIN, TEXT_MIN
from kiosk.models.linebreak import glue, label_problems, rich, unglue
from kiosk.widgets.common import ElidedLabel

ROLE_SIZE = {"dispenser": (1080, 1920), "kiosk": (1080, 1920), "display": (1920, 1080), "pad": (1280, 800)}
VARIANTS = ("zh", "en", "elder")
MIN_TARGET = {"elder": 60, "zh": 44, "en": 44}  # dp, about a pixel on these screens (DOMAIN.md)
ELDER_PITCH = 1.3
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ = EDGE_MIN  # edges are the theme's business (tests/unit/test_contrast.py)


@dataclass(frozen=True)
class Breach:
    rule: str  # contrast | pitch | clipped | lines | english | target | fold
    role: str
    variant: str
    screen: str
    what: str

    def __str__(self) -> str:
        return f"{self.role}/{self.screen}/{self.variant} {self.rule}: {self.what}"


def _visible(widget: QWidget, top: QWidget) -> bool:
    return widget.isVisibleTo(top) and widget.width() > 0 and widget.height() > 0 \
        and not widget.visibleRegion().isEmpty()


def _pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, 2::-1].copy()  # the image goes


def _luminance(rgb: np.ndarray) -> np.ndarray:
    s = rgb / 255
    linear = np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def measured_contrast(picture: np.ndarray) -> float:
    """The contrast of the text in `picture` (rows × columns × RGB) against its background."""
    flat = picture.reshape(-1, 3).astype(np.int64)
    keys, counts = np.unique(flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2], return_counts=True)
    colours = np.stack([keys >> 16 & 255, keys >> 8 & 255, keys & 255], axis=1).astype(np.float64)
    background = colours[counts.argmax()]
    lum = _luminance(colours)
    lb = _luminance(background[None, :])[0]
    ratios = (np.maximum(lum, lb) + 0.05) / (np.minimum(lum, lb) + 0.05)
    # the text's own colour: the strongest that covers a few pixels (not one stray edge pixel)
    strong = ratios[counts >= max(3, counts.sum() // 2000)]
    return float(strong.max()) if strong.size else 1.0


def _lines(label: QLabel, text: str) -> list[str]:
    layout = QTextLayout(glue(text), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, label.contentsRect().width()))
        lines.append(layout.text()[line.textStart():line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def check_screen(top: QWidget, role: str, variant: str, screen: str, proper_names: set[str]) -> list[Breach]:
    """Every rule's breaches on the screen `top` shows now."""
    jobs = getattr(getattr(top, "context", None), "jobs", None)
    if jobs is not None:
        jobs.wait()  # what the screen is still preparing (a search index) is done first
    found: list[Breach] = []
    picture = _pixels(top.grab().toImage())
    ratio = picture.shape[1] / max(1, top.width())  # a high-dpi grab is larger than the widget

    def add(rule: str, what: str) -> None:
        found.append(Breach(rule, role, variant, screen, what))

    for label in top.findChildren(QLabel):
        text = unglue(label.text())
        if not text.strip() or label.pixmap() is not None and not label.pixmap().isNull() or not _visible(label, top):
            continue
        shown = re.sub(r"<[^>]+>", "", text) if rich(text) else text
        name = label.objectName() or shown[:16]
        box = label.contentsRect().translated(label.mapTo(top, QPoint(0, 0)))
        x0, y0 = round(box.left() * ratio), round(box.top() * ratio)
        part = picture[max(0, y0):y0 + round(box.height() * ratio), max(0, x0):x0 + round(box.width() * ratio)]
        if part.size and (c := measured_contrast(part)) < TEXT_MIN:
            add("contrast", f"{name!r} {c:.2f}:1")
        if isinstance(label, ElidedLabel):
            if label.fontMetrics().horizontalAdvance(shown) > label.contentsRect().width() + 1:
                add("clipped", f"{name!r} elided")
        elif label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 2:  # in a scroll area too: a label is as tall as it is laid out
                add("clipped", f"{name!r} needs {needed} px of height, has {label.height()}")
            lines = _lines(label, shown) if CJK.search(shown) and not rich(text) else []
            for problem in label_problems(lines):
                add("lines", f"{name!r} {problem}")
            if variant == "elder" and len(lines) > 1:
                pitch = label.heightForWidth(10_000) / max(1, label.font().pixelSize())
                if pitch < ELDER_PITCH:
                    add("pitch", f"{name!r} {pitch:.2f}×")
        elif label.fontMetrics().horizontalAdvance(shown) > label.contentsRect().width() + 1:
            add("clipped", f"{name!r} cut off")
        if variant == "en":
            english(shown, name, proper_names, add)
    for button in top.findChildren(QPushButton):
        if (problem := _below_the_fold(button, top)) is not None:
            add("fold", problem)
        if not _visible(button, top) or button.objectName() == "logo":
            continue
        name = button.objectName() or button.text()[:16] or button.accessibleName()[:16]
        if min(button.width(), button.height()) < MIN_TARGET[variant]:
            add("target", f"{name!r} {button.width()}×{button.height()}")
        if variant == "en" and button.text():
            english(button.text(), name, proper_names, add)
    return found


def _in_scrolling_list(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _below_the_fold(button: QPushButton, top: QWidget) -> str | None:
    """A shown primary action not wholly on screen (scrolled away or covered), or any shown button
    covered where no list scrolls; None when the button is in full view or not shown at all."""
    if not button.isVisibleTo(top) or button.width() <= 0 or button.height() <= 0:
        return None
    hidden = QRegion(button.rect()).subtracted(button.visibleRegion())
    if hidden.isEmpty():
        return None
    name = button.objectName() or button.text()[:16] or button.accessibleName()[:16]
    share = sum(r.width() * r.height() for r in hidden) / (button.width() * button.height())
    if button.property("kind") == "primary":
        return f"primary action {name!r}: {share:.0%} of it needs scrolling or is covered"
    if not _in_scrolling_list(button, top):
        return f"{name!r}: {share:.0%} of it is covered"
    return None


def english(text: str, name: str, proper_names: set[str], add) -> None:
    """Chinese on an English screen, outside the names of people and the way back to Chinese."""
    rest = text
    for proper in sorted(proper_names, key=len, reverse=True):
        rest = rest.replace(proper, "")
    if CJK.search(rest):
        add("english", f"{name!r} {text[:40]!r}")


def proper_names_of(hall: dict) -> set[str]:
    names = {str(s.get("name", "")) for s in hall.get("staff", [])}
    return {n for n in names if n} | {"中文"}


def every_screen(role: str, *, devices: dict[str, str] | None = None,
                 only: set[str] | None = None) -> Iterator[tuple[str, str, QWidget, set[str]]]:
    """(variant, screen name, the shell showing it, proper names) for each screen of `role`,
    with the devices the screenshots give it (the kiosk's document camera, so its 复印, 自助申报
    and 补正 flows are measured too) or `devices`; with `only` just the screens named are shown."""
    from kiosk.app import build, shutdown
    from kiosk.context import Settings
    from kiosk.screenshots import SAMPLE_DEVICES, UNREACHABLE, sample_hall

    if devices is None:
        devices = SAMPLE_DEVICES.get(role, {})

    hall = sample_hall()
    for variant in VARIANTS:
        settings = Settings(role=role, hall_url=UNREACHABLE, token="layout", windowed=True, size=ROLE_SIZE[role],
                            language="en" if variant == "en" else "zh", elder=variant == "elder",
                            window="w01" if role == "pad" else None, devices=dict(devices or {}))
        shell = build(settings, load_hall=False)
        shell.context.link.online_changed.disconnect(shell.on_link_online_changed)
        shell.context.set_hall(hall)
        shell.show()
        app = QApplication.instance()
        try:
            for name, show in shell.view.sample_screens():
                if only is not None and name not in only:
                    continue
                show()
                for _ in range(3):
                    app.processEvents()
                yield variant, name, shell, proper_names_of(hall)
        finally:
            shell.context.languages.switch("zh")
            shutdown(shell)
            shell.close()
            shell.deleteLater()
            app.processEvents()
