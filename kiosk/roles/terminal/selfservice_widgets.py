"""The pieces the self-service application (自助申报) and the 补正 flows show: the materials
checklist with each material's pages, the strip of a material's captured pages (move one
earlier, remove one), and the signature pad the applicant signs on with a finger.

`SignaturePad` keeps strokes as lists of points in its own coordinates and paints them; `png()`
is the signature as a grey PNG (black ink on white) the application seals. A mouse press, drag
and release is one stroke (a touch screen sends the same), and `stroke(points)` adds one
directly, for the tests and the screenshots.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.roles.terminal.page import clear_layout
from kiosk.theme import Theme
from kiosk.widgets.common import button, label


def button_row(*buttons: QPushButton, lead: QWidget | None = None) -> QHBoxLayout:
    """`buttons` in a row to the right; `lead` (a note) on the left, taking the room."""
    row = QHBoxLayout()
    if lead is not None:
        row.addWidget(lead, 1)
    else:
        row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row


class SignaturePad(QFrame):
    """A white field the applicant signs in; `changed` after each stroke and on `clear()`."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setStyleSheet("#signaturePad { background: #FFFFFF; border: 2px dashed #8A8F98; }")
        self.strokes: list[list[QPointF]] = []
        self._drawing = False

    def empty(self) -> bool:
        return not any(len(s) > 1 for s in self.strokes)

    def clear(self) -> None:
        self.strokes.clear()
        self.update()
        self.changed.emit()

    def stroke(self, points: Sequence[tuple[float, float]]) -> None:
        """One stroke through `points` (fractions of the pad's width and height)."""
        self.strokes.append([QPointF(x * self.width(), y * self.height()) for x, y in points])
        self.update()
        self.changed.emit()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._drawing = True
        self.strokes.append([event.position()])

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._drawing and self.strokes:
            self.strokes[-1].append(event.position())
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._drawing:
            self._drawing = False
            self.changed.emit()

    def _paint(self, painter: QPainter, scale: float = 1.0) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor("#000000"), max(3.0, 4.0 * scale))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        for points in self.strokes:
            for a, b in zip(points, points[1:], strict=False):
                painter.drawLine(a * scale, b * scale)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        painter = QPainter(self)
        self._paint(painter)
        painter.end()

    def png(self) -> bytes:
        """The signature as a grey PNG, twice the pad's size: black strokes on white."""
        image = QImage(self.width() * 2, self.height() * 2, QImage.Format.Format_Grayscale8)
        image.fill(QColor("#FFFFFF"))
        painter = QPainter(image)
        self._paint(painter, 2.0)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        return bytes(data.data())


class PageStrip(QWidget):
    """A material's pages as thumbnails, each with 前移 (earlier) and 删除 (remove)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.cards: list[QFrame] = []

    def show_pages(self, pixmaps: Sequence[QPixmap], theme: Theme, *, earlier: Callable[[int], None],
                   remove: Callable[[int], None], words: tuple[str, str, str]) -> None:
        """`words`: the page's caption ("第 {n} 页"), and the two buttons' texts."""
        clear_layout(self.row)
        self.cards = []
        caption, earlier_text, remove_text = words
        for n, picture in enumerate(pixmaps, 1):
            card = QFrame(self)
            card.setProperty("kind", "card")
            card.setObjectName(f"page-{n}")
            box = QVBoxLayout(card)
            thumb = QLabel(card)
            thumb.setPixmap(picture)
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(thumb)
            box.addWidget(label(caption.format(n=n), "muted", align=Qt.AlignmentFlag.AlignCenter, parent=card))
            buttons = QHBoxLayout()
            if n > 1:
                move = button(earlier_text, parent=card)
                move.setObjectName("pageEarlier")
                move.clicked.connect(lambda _=False, page=n: earlier(page))
                buttons.addWidget(move)
            drop = button(remove_text, parent=card)
            drop.setObjectName("pageRemove")
            drop.clicked.connect(lambda _=False, page=n: remove(page))
            buttons.addWidget(drop)
            box.addLayout(buttons)
            self.row.addWidget(card)
            self.cards.append(card)
        self.row.addStretch(1)
        self.row.setSpacing(theme.px(0.5))


class MaterialList(QWidget):
    """The checklist: one row per material, its need, its pages, and a button to capture it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        self.states: dict[str, QLabel] = {}

    def show_materials(self, items: Sequence[dict[str, Any]], theme: Theme, capture: Callable[[str], None]) -> None:
        """`items`: name (the key `capture` gets), shown (the name in the screen's language), need (its
        words: 必交 / 有则提交 …), state (its words), done, action (the button's words)."""
        clear_layout(self.rows)
        self.buttons, self.states = {}, {}
        for item in items:
            frame = QFrame(self)
            frame.setProperty("kind", "card")
            row = QHBoxLayout(frame)
            words = QVBoxLayout()
            words.addWidget(label(item.get("shown") or item["name"], "subtitle", parent=frame))
            mark = "✓ " if item["done"] else ""
            state = label(f"{mark}{item['need']} · {item['state']}", parent=frame)
            words.addWidget(state)
            row.addLayout(words, 1)
            take = button(item["action"], "primary" if not item["done"] else "", parent=frame)
            take.setObjectName("materialCapture")
            take.clicked.connect(lambda _=False, name=item["name"]: capture(name))
            row.addWidget(take)
            self.rows.addWidget(frame)
            self.buttons[item["name"]], self.states[item["name"]] = take, state
        self.rows.addStretch(1)
        self.rows.setSpacing(theme.px(0.4))
