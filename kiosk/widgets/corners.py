"""Dragging a captured page's four corners by touch, when the camera found them wrong (a finger
on the edge, glare, a dark desk): the frame scaled to fit, the page's outline drawn thick over
it, and four round handles a finger moves.

`CornerCanvas` paints and drags: a press takes the nearest handle within reach (none further
than one touch target away), a move puts that corner under the finger, clamped inside the frame,
and while a corner moves a magnified inset in the far corner of the canvas shows the paper's
edge the finger hides. `CornerEditor` is the canvas with its title and 取消 / 确定: `accepted`
carries the corners (tl, tr, br, bl; float32 4x2 in the frame's pixels), `cancelled` nothing;
确定 is greyed out while the corners cross or bunch up (`outline_problem`).
A mouse press, move and release drive it (a touch screen sends the same). The frame is a
citizen's document: it is held only while the editor shows it, `clear()` drops it, and nothing
here logs or writes it.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.models.terminal.outline import outline_problem
from kiosk.theme import Theme
from kiosk.widgets.common import button, label

INSET = 0.10  # share of the frame each side of the rectangle offered when no outline was found
ZOOM = 3.0  # the inset's magnification over the canvas's scale
ELDER_TARGET, TARGET = 60, 44  # smallest handle, in pixels


def inset_rectangle(width: int, height: int) -> np.ndarray:
    """A rectangle `INSET` inside a frame of `width`×`height` (tl, tr, br, bl): corners to start from."""
    x0, y0 = width * INSET, height * INSET
    x1, y1 = width * (1 - INSET), height * (1 - INSET)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def bgr_image(frame: np.ndarray) -> QImage:
    """A BGR or grey frame as a QImage of its own (the array may go)."""
    frame = np.ascontiguousarray(frame)
    height, width = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"the frame must be BGR or grey, not of shape {frame.shape}")
    return QImage(frame.data, width, height, 3 * width, QImage.Format.Format_BGR888).copy()


class CornerCanvas(QWidget):
    """The frame and its outline; the handles a finger drags. `moved(index)` after each move."""

    moved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cornerCanvas")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image: QImage | None = None
        self.corners = np.zeros((4, 2), np.float32)
        self.target = TARGET  # a handle's diameter on the screen
        self.dragging: int | None = None
        self._scaled: QPixmap | None = None
        self._line, self._handle = QColor("#00C8FF"), QColor("#FFFFFF")

    def apply_theme(self, theme: Theme) -> None:
        self.target = max(theme.min_target, ELDER_TARGET if theme.elder else TARGET)
        self._line = QColor("#FFD400" if theme.elder else "#00C8FF")
        self.setMinimumHeight(self.target * 4)
        self._scaled = None
        self.update()

    def show_frame(self, frame: np.ndarray, quad: np.ndarray) -> None:
        self.image = bgr_image(frame)
        self.corners = np.asarray(quad, np.float32).reshape(4, 2).copy()
        self.corners = self.clamped(self.corners)
        self.dragging, self._scaled = None, None
        self.update()

    def clear(self) -> None:
        self.image, self._scaled, self.dragging = None, None, None
        self.corners = np.zeros((4, 2), np.float32)
        self.update()

    def clamped(self, points: np.ndarray) -> np.ndarray:
        if self.image is None:
            return points
        limit = np.array([self.image.width() - 1, self.image.height() - 1], np.float32)
        return np.clip(points, 0, limit).astype(np.float32)

    # -- where the frame lies on the canvas

    def placement(self) -> tuple[float, float, float]:
        """(scale, left, top): the frame fitted inside the canvas, half a handle clear of its edge."""
        if self.image is None or self.image.width() == 0:
            return 1.0, 0.0, 0.0
        margin = self.target / 2
        room_w, room_h = max(1.0, self.width() - 2 * margin), max(1.0, self.height() - 2 * margin)
        scale = min(room_w / self.image.width(), room_h / self.image.height())
        left = (self.width() - self.image.width() * scale) / 2
        top = (self.height() - self.image.height() * scale) / 2
        return scale, left, top

    def to_screen(self, point: np.ndarray) -> QPointF:
        scale, left, top = self.placement()
        return QPointF(left + float(point[0]) * scale, top + float(point[1]) * scale)

    def to_frame(self, point: QPointF) -> np.ndarray:
        scale, left, top = self.placement()
        return np.array([(point.x() - left) / scale, (point.y() - top) / scale], np.float32)

    def handle_at(self, point: QPointF) -> int | None:
        """The handle nearest `point` on the screen, if it lies within one touch target of it."""
        if self.image is None:
            return None
        where = np.array([point.x(), point.y()])
        screen = np.array([[p.x(), p.y()] for p in map(self.to_screen, self.corners)])
        distances = np.linalg.norm(screen - where, axis=1)
        nearest = int(np.argmin(distances))
        return nearest if distances[nearest] <= self.target else None

    # -- the finger

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.dragging = self.handle_at(event.position())
        self.update()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.dragging is None:
            return
        self.corners[self.dragging] = self.clamped(self.to_frame(event.position()))
        self.update()
        self.moved.emit(self.dragging)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.dragging = None
        self.update()

    # -- painting

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._scaled = None
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        if self.image is not None:
            scale, left, top = self.placement()
            if self._scaled is None:
                size = self.image.size() * scale
                self._scaled = QPixmap.fromImage(self.image.scaled(
                    size, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation))
            painter.drawPixmap(QPointF(left, top), self._scaled)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._outline(painter, [self.to_screen(p) for p in self.corners], max(3.0, self.target / 12))
            for index, point in enumerate(self.corners):
                self._handle_at(painter, self.to_screen(point), index == self.dragging)
            if self.dragging is not None:
                self._inset(painter, scale)
        painter.end()

    def _outline(self, painter: QPainter, points: list[QPointF], width: float) -> None:
        polygon = QPolygonF([*points, points[0]])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0, 160), width + 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawPolyline(polygon)
        painter.setPen(QPen(self._line, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        painter.drawPolyline(polygon)

    def _handle_at(self, painter: QPainter, centre: QPointF, active: bool) -> None:
        radius = self.target / 2
        fill = QColor(self._line if active else self._handle)
        fill.setAlpha(110)  # the corner under the handle stays visible
        painter.setBrush(fill)
        painter.setPen(QPen(QColor("#000000"), 5))
        painter.drawEllipse(centre, radius, radius)
        painter.setPen(QPen(self._line if not active else QColor("#FFFFFF"), 3))
        painter.drawEllipse(centre, radius, radius)
        painter.setBrush(QColor("#000000"))
        painter.setPen(QPen(QColor("#FFFFFF"), 2))
        painter.drawEllipse(centre, 4.0, 4.0)

    def _inset(self, painter: QPainter, scale: float) -> None:
        """The dragged corner magnified, in the canvas's top corner away from the finger."""
        assert self.dragging is not None and self.image is not None
        corner = self.corners[self.dragging]
        side = min(self.target * 3.2, self.width() / 2.5, self.height() / 2.5)
        on_left = self.to_screen(corner).x() < self.width() / 2
        box = QRectF(self.width() - side - 8 if on_left else 8, 8, side, side)
        painter.save()
        clip = QPainterPath()
        clip.addRoundedRect(box, 10, 10)
        painter.setClipPath(clip)
        painter.fillRect(box, QColor("#202124"))
        painter.translate(box.center())
        painter.scale(scale * ZOOM, scale * ZOOM)
        painter.translate(-float(corner[0]), -float(corner[1]))
        painter.drawImage(QPointF(0, 0), self.image)
        points = [QPointF(float(x), float(y)) for x, y in self.corners]
        pen = QPen(self._line, 3)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawPolyline(QPolygonF([*points, points[0]]))
        painter.restore()
        painter.setPen(QPen(QColor("#FFFFFF"), 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 10, 10)
        c = box.center()
        for colour, width in (("#000000", 5), ("#FFFFFF", 2)):  # a cross seen on paper and desk alike
            painter.setPen(QPen(QColor(colour), width))
            painter.drawLine(QPointF(c.x() - 14, c.y()), QPointF(c.x() + 14, c.y()))
            painter.drawLine(QPointF(c.x(), c.y() - 14), QPointF(c.x(), c.y() + 14))


class CornerEditor(QWidget):
    """The canvas with its title, 取消 and 确定: `accepted(quad)` or `cancelled()`, then `clear()`."""

    accepted = Signal(object)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.title = label("", "subtitle", parent=self)
        self.canvas = CornerCanvas(self)
        self.cancel_button = button("", parent=self)
        self.cancel_button.setObjectName("cornersCancel")
        self.cancel_button.clicked.connect(self._cancel)
        self.accept_button = button("", "primary", parent=self)
        self.accept_button.setObjectName("cornersAccept")
        self.accept_button.clicked.connect(self._accept)
        layout.addWidget(self.title)
        layout.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.accept_button)
        layout.addLayout(row)
        self.canvas.moved.connect(self._moved)
        self.retranslate_ui()

    def edit(self, frame: np.ndarray, quad: np.ndarray | None) -> None:
        """Shows `frame` with `quad` to drag (with None: a rectangle 10 % inside the frame)."""
        if quad is None:
            quad = inset_rectangle(frame.shape[1], frame.shape[0])
        self.canvas.show_frame(frame, quad)
        self._moved()

    def quad(self) -> np.ndarray:
        return self.canvas.corners.copy()

    def clear(self) -> None:
        self.canvas.clear()
        self._moved()

    def _moved(self, _index: int = -1) -> None:
        self.accept_button.setEnabled(self.canvas.image is not None and outline_problem(self.quad()) is None)

    def _accept(self) -> None:
        if self.canvas.image is not None and outline_problem(self.quad()) is None:
            self.accepted.emit(self.quad())

    def _cancel(self) -> None:
        self.cancelled.emit()

    def retranslate_ui(self) -> None:
        self.title.setText(self.tr("拖动四个圆点，对准材料的四个角"))
        self.cancel_button.setText(self.tr("取消"))
        self.accept_button.setText(self.tr("确定"))

    def apply_theme(self, theme: Theme) -> None:
        self.canvas.apply_theme(theme)
