"""Small building blocks: labels and buttons with a style kind, tiles, cards, scroll areas."""
from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.models.linebreak import glue, rich
from kiosk.theme import FONT_FAMILY, Theme
from kiosk.widgets.icons import icon

_LINE_HEIGHT = [1.0]  # the line pitch of wrapped labels, in font sizes (set_line_height)


@cache
def _natural_pitch() -> float:
    """The font's own line pitch in font sizes (1.17 for WenQuanYi Micro Hei)."""
    font = QFont(FONT_FAMILY)
    font.setPixelSize(100)
    return QFontMetricsF(font).lineSpacing() / 100


def set_line_height(factor: float) -> None:
    """Every wrapped label's line pitch as a multiple of its font size, now and from now on
    (elder mode: theme.ELDER_LINE_HEIGHT, the 适老化 rule's 1.3 and a little more)."""
    if factor == _LINE_HEIGHT[0]:
        return
    _LINE_HEIGHT[0] = factor
    app = QApplication.instance()
    for widget in app.allWidgets() if app is not None else ():
        if isinstance(widget, Label):
            widget.setText(widget.text())


def line_height() -> float:
    return max(_LINE_HEIGHT[0], _natural_pitch())


class Label(QLabel):
    """A label whose wrapped Chinese text breaks only between words (kiosk.models.linebreak),
    with the line pitch `set_line_height` asks for.

    `text()` gives the text as it was set; Qt lays out the glued (and spaced) form.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = ""
        self._format = Qt.TextFormat.AutoText  # what the caller asked for

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._source = text
        literal = self._format == Qt.TextFormat.PlainText
        if not self.wordWrap() or not text or (rich(text) and not literal):
            super().setTextFormat(self._format)
            super().setText(text)
            return
        glued = glue(text)
        if _LINE_HEIGHT[0] <= _natural_pitch():
            super().setTextFormat(self._format)
            super().setText(glued)
            return
        percent = math.ceil(100 * _LINE_HEIGHT[0] / _natural_pitch())
        body = escape(glued, quote=False).replace("\n", "<br>")  # literal text stays literal
        super().setTextFormat(Qt.TextFormat.RichText)
        super().setText(f"<div style='line-height: {percent}%'>{body}</div>")

    def text(self) -> str:
        return self._source

    def setTextFormat(self, text_format: Qt.TextFormat) -> None:  # noqa: N802 - Qt's name
        self._format = text_format
        self.setText(self._source)

    def setWordWrap(self, on: bool) -> None:  # noqa: N802 - Qt's name
        super().setWordWrap(on)
        self.setText(self._source)


def label(text: str = "", kind: str = "", *, wrap: bool = True, align: Qt.AlignmentFlag | None = None,
          parent: QWidget | None = None) -> QLabel:
    widget = Label(parent)
    if kind:
        widget.setProperty("kind", kind)
    widget.setWordWrap(wrap)
    widget.setText(text)
    if align is not None:
        widget.setAlignment(align)
    return widget


def button(text: str = "", kind: str = "", *, icon_name: str | None = None, theme: Theme | None = None,
           parent: QWidget | None = None) -> QPushButton:
    widget = QPushButton(text, parent)
    if kind:
        widget.setProperty("kind", kind)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch screens: no focus rings, no keyboard traps
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    if icon_name and theme is not None:
        color = theme.palette.on_primary if kind in ("primary", "danger") else theme.palette.primary
        set_button_icon(widget, icon_name, color, theme.px(1.4))
    return widget


def set_button_icon(widget: QPushButton, name: str, color: str, size: int) -> None:
    """The icon `name` in `color`, shown `size` pixels square."""
    widget.setIcon(icon(name, color, size * 2))
    widget.setIconSize(QSize(size, size))


def min_size(widget: QPushButton, width: int | None = None, height: int | None = None) -> None:
    """A button's minimum size, set where the style sheet's own minimum would override it."""
    rules = ([f"min-width: {width}px;"] if width else []) + ([f"min-height: {height}px;"] if height else [])
    widget.setStyleSheet("QPushButton { " + " ".join(rules) + " }")


def grow_to_fit(widget: QPushButton, floor: int) -> None:
    """A button holding a layout of wrapped labels made at least as tall as they need at its width
    now (Qt gives a button its own text's height, not its layout's): elder mode's larger type and
    English's longer names wrap onto more lines."""
    layout = widget.layout()
    needed = max(floor, layout.totalHeightForWidth(widget.width()) if layout is not None else 0)
    if needed != widget.property("fitHeight"):
        widget.setProperty("fitHeight", needed)
        min_size(widget, height=needed)


def card(parent: QWidget | None = None) -> QFrame:
    frame = QFrame(parent)
    frame.setProperty("kind", "card")
    return frame


def scrolling(widget: QWidget, parent: QWidget | None = None) -> QScrollArea:
    """`widget` in a vertical scroll area that a finger drags (kinetic scrolling)."""
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


def place_in_grid(grid: QGridLayout, widgets: Iterable[QWidget], columns: int) -> None:
    """`widgets` laid out again in `grid`, row by row, `columns` to a row."""
    widgets = list(widgets)
    for widget in widgets:
        grid.removeWidget(widget)
    for i, widget in enumerate(widgets):
        grid.addWidget(widget, i // columns, i % columns)


class ElidedLabel(QLabel):
    """One line of text that gives way (…) when there is no room, instead of widening its row."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        elided = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())
        painter.drawText(self.rect(), int(self.alignment()), elided)


class Tile(QPushButton):
    """A large home-screen tile: an icon above a title and a one-line hint. A tile too short for
    all three (nine tiles on a portrait screen in elder mode) drops the hint, then the icon: the
    title, at its full size, is what must be read (the hint stays its accessible description)."""

    def __init__(self, icon_name: str, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.icon_name = icon_name
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = label("", "", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.hint = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        for child in (self.picture, self.title, self.hint):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(child)
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        from kiosk.widgets.icons import pixmap

        size = theme.px(3.0)
        self.picture.setPixmap(pixmap(self.icon_name, theme.palette.primary, size))
        self.title.setStyleSheet(f"font-size: {theme.px(1.5)}px; font-weight: bold;")
        self.setMinimumSize(theme.min_target * 3, theme.min_target * 2)
        self._fit()

    def set_text(self, title: str, hint: str = "") -> None:
        self.title.setText(title)
        self.hint.setText(hint)
        self.setAccessibleName(title)
        self.setAccessibleDescription(hint)
        self._fit()

    def _fit(self) -> None:
        """Shows what fits the tile's height: icon, title and hint; else icon and title; else the title."""
        box = self.layout()
        margins = box.contentsMargins()
        width = max(1, self.width() - margins.left() - margins.right())
        room = self.height() - margins.top() - margins.bottom()
        title = self.title.heightForWidth(width)
        icon = self.picture.sizeHint().height() + box.spacing()
        hint = self.hint.heightForWidth(width) + box.spacing() if self.hint.text() else 0
        show_icon = title + icon <= room
        self.picture.setVisible(show_icon)
        self.hint.setVisible(bool(hint) and title + icon + hint <= room)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()


def room_for_text_card(card: QWidget, lines: QLabel, theme: Theme) -> None:
    """The margins and spacing of a card of lines to read (a case, what to do next), and its
    lines' size: one measure, so such cards stand in line under each other."""
    m = theme.px(1.0)
    card.layout().setContentsMargins(m, m, m, m)
    card.layout().setSpacing(theme.px(0.4))
    lines.setStyleSheet(f"font-size: {theme.px(1.3)}px;")
