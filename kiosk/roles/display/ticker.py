"""The hall display's announcements ticker."""
from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QRect, QRectF, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from kiosk.roles.display.text import ALIGN_LEFT, draw_text, font
from kiosk.widgets.icons import pixmap


class Ticker(QWidget):
    """The announcements, scrolling right to left under the board. The text is drawn once into
    a picture; each step only moves that picture."""

    SPEED = 1.6  # heights per second

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the board under it is not redrawn
        self.text = ""
        self.caption = ""
        self.offset = 0.0
        self.elder = False
        self.background = "#06163A"
        self._frame: QPixmap | None = None  # the panel and its caption
        self._strip: QPixmap | None = None  # the text, one lap
        self._timer = QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self.on_timer_timeout)
        self._elapsed = QElapsedTimer()

    def set_text(self, caption: str, text: str) -> None:
        if (caption, text) != (self.caption, self.text):
            self.caption, self.text, self.offset = caption, text, 0.0
            self._frame = self._strip = None
            self.update()
        if self.text and not self._timer.isActive():
            self._elapsed.start()
            self._timer.start()

    def set_look(self, background: str, elder: bool) -> None:
        self.background, self.elder = background, elder
        self._frame = self._strip = None
        self.update()

    def stop(self) -> None:
        self._timer.stop()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._frame = self._strip = None

    @Slot()
    def on_timer_timeout(self) -> None:
        if not self.isVisible() or self._strip is None:
            self.update()
            return
        dt = self._elapsed.restart() / 1000.0
        self.offset = (self.offset + self.height() * self.SPEED * min(dt, 0.2)) % self._strip.width()
        self.update(self._text_area())

    def _text_area(self) -> QRect:
        h = self.height()
        return QRect(round(h * 2.4) + 8, 0, max(1, self.width() - round(h * 2.4) - 16), h)

    def _draw_frame(self) -> QPixmap:
        frame = QPixmap(self.size())
        frame.fill(QColor(self.background))
        p = QPainter(frame)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        p.setPen(QPen(QColor("#FFFFFF" if self.elder else "#4A6AA8"), 2))  # its edge: 3:1 on the board
        p.setBrush(QColor("#000000" if self.elder else "#0E2A5C"))
        p.drawRoundedRect(QRectF(frame.rect()).adjusted(1, 1, -1, -1), 10, 10)
        tag = QRect(0, 0, round(h * 2.4), h)
        p.setBrush(QColor("#C8102E"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawRoundedRect(QRectF(tag).adjusted(4, 4, -4, -4), 8, 8)
        icon = round(h * 0.5)
        p.drawPixmap(round(h * 0.25), (h - icon) // 2, pixmap("megaphone", "#FFFFFF", icon))
        draw_text(p, QRect(round(h * 0.85), 0, tag.width() - round(h * 0.95), h), self.caption, h * 0.42, "#FFFFFF")
        p.end()
        return frame

    def _draw_strip(self) -> QPixmap:
        h = self.height()
        f = font(h * 0.48, bold=False)
        width = max(1, QFontMetrics(f).horizontalAdvance(self.text) + h * 2)
        strip = QPixmap(width, h)
        strip.fill(QColor("#000000" if self.elder else "#0E2A5C"))
        p = QPainter(strip)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.setFont(f)
        p.setPen(QColor("#FFFFFF"))
        p.drawText(QRectF(0, 0, width, h), ALIGN_LEFT, self.text)
        p.end()
        return strip

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        if self.width() < 4 or self.height() < 4:
            return
        if self._frame is None or self._frame.size() != self.size():
            self._frame, self._strip = self._draw_frame(), (self._draw_strip() if self.text else None)
        p = QPainter(self)
        p.drawPixmap(0, 0, self._frame)
        if self._strip is not None:
            clip = self._text_area().adjusted(0, 3, 0, -3)
            p.setClipRect(clip)
            x = clip.left() - self.offset
            while x < clip.right():
                p.drawPixmap(round(x), 0, self._strip)
                x += self._strip.width()
        p.end()
