"""The hall display's board, painted to its own size: the current call, recent calls, waiting
counts, open windows, date and time; the announcements ticker (`display_ticker`) under it.

Everything is drawn with QPainter from `kiosk.models.display.layout.plan`, so the type grows with the
screen (readable from across the hall) and a long queue name shrinks or is cut short rather
than pushing the board out of shape. A new call lights its panel up and the light fades.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from PySide6.QtCore import (
    Property,
    QRect,
    QRectF,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from kiosk.i18n import pick
from kiosk.models.clock import hall_now
from kiosk.models.display.board import Board, Call
from kiosk.models.display.layout import Plan, choose_layout, fit_aspect, grid, natural_aspect, plan
from kiosk.roles.display.text import (
    ALIGN_CENTER,
    ALIGN_RIGHT,
    BoardColours,
    board_colours,
    draw_text,
)
from kiosk.roles.display.ticker import Ticker
from kiosk.theme import Theme

HIGHLIGHT_MS = 6000  # a new call stays lit for about half of this, then fades
PAGE_SECONDS = 8  # queues that take turns on a page


class BoardWidget(QWidget):
    """Paints `board` (a `kiosk.models.display.board.Board`); call `update()` after changing it."""

    highlight_changed = Signal(float)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("board")
        self.board = Board()
        self.theme = theme
        self.language = "zh"
        self.layout_setting: str | None = None
        self.preview: str | None = None  # a layout shown at its own shape, letterboxed (samples)
        self.offline_since: dt.datetime | None = None  # at the hall
        self.hall: dict[str, Any] = {}  # its time zone: the clock shows the hall's time
        self.hall_name = ""  # the board's title; without it, 叫号信息
        self.highlight_ms = HIGHLIGHT_MS
        self._highlight = 0.0
        self._fade = QVariantAnimation(self)
        self._fade.valueChanged.connect(self.on_fade_value_changed)
        self.ticker = Ticker(self)
        self.ticker.set_look(theme.palette.board, theme.elder)
        self._ticks = self._page = 0
        self._clock = QTimer(self)
        self._clock.timeout.connect(self.on_clock_timeout)
        self._clock.start(1000)

    # -- state

    def get_highlight(self) -> float:
        return self._highlight

    def set_highlight(self, value: float) -> None:
        self._highlight = max(0.0, min(1.0, float(value)))
        self.highlight_changed.emit(self._highlight)
        area, plan_ = self.current_plan()
        self.update(QRect(*plan_.current).translated(area.topLeft()))

    highlight = Property(float, get_highlight, set_highlight, notify=highlight_changed)

    def flash(self) -> None:
        """Lights the current call up; it fades after a few seconds."""
        self._fade.stop()
        self._fade.setDuration(max(1, self.highlight_ms))
        self._fade.setStartValue(1.0)
        self._fade.setKeyValueAt(0.55, 1.0)
        self._fade.setEndValue(0.0)
        self._fade.start()

    def hold_highlight(self) -> None:
        """Lit and staying lit (a still picture of a fresh call)."""
        self._fade.stop()
        self.set_highlight(1.0)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.ticker.set_look(theme.palette.board, theme.elder)
        self._place_ticker()
        self.update()

    @Slot(object)
    def on_fade_value_changed(self, value: object) -> None:
        self.set_highlight(float(value))

    @Slot()
    def on_clock_timeout(self) -> None:
        self._ticks += 1
        if self._ticks % PAGE_SECONDS == 0:
            self._page += 1
            self.update()
            return
        area, plan_ = self.current_plan()
        self.update(QRect(*plan_.top).translated(area.topLeft()))

    # -- geometry

    def current_plan(self) -> tuple[QRect, Plan]:
        """The area the board is drawn in and its plan."""
        area = QRect(0, 0, self.width(), self.height())
        layout = choose_layout(self.width(), self.height(), self.layout_setting)
        if self.preview:
            layout = self.preview
            area = QRect(*fit_aspect(self.width(), self.height(), natural_aspect(layout)))
        return area, plan(layout, area.width(), area.height(), elder=self.theme.elder)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place_ticker()

    def _place_ticker(self) -> None:
        area, p = self.current_plan()
        self.ticker.setGeometry(QRect(*p.ticker).translated(area.topLeft()))

    def set_preview(self, layout: str | None) -> None:
        self.preview = layout
        self._place_ticker()
        self.update()

    # -- painting

    @property
    def colours(self) -> BoardColours:
        return board_colours(self.theme.elder)

    def _panel(self) -> str:
        return self.colours.panel

    def _panel_box(self, p: QPainter, r: QRect) -> None:
        """A panel, outlined so that its edge stands out from the board."""
        self._box(p, r, border=self.colours.edge, width=2)

    def _box(self, p: QPainter, r: QRect, fill: str | None = None, border: str | None = None,
             width: float = 0) -> None:
        radius = max(6, r.height() * 0.04) if r.height() < 400 else 16
        p.setPen(QPen(QColor(border), width) if border else Qt.PenStyle.NoPen)
        p.setBrush(QColor(fill or self._panel()))
        p.drawRoundedRect(QRectF(r).adjusted(width / 2, width / 2, -width / 2, -width / 2), radius, radius)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.fillRect(self.rect(), QColor("#000000" if self.preview else self.theme.palette.board))
        area, plan_ = self.current_plan()
        if self.preview:
            p.fillRect(area, QColor(self.theme.palette.board))
        p.translate(area.topLeft())
        dirty = event.rect().translated(-area.topLeft())
        for rect, draw in ((plan_.top, self._draw_top), (plan_.current, self._draw_current),
                           (plan_.recent, self._draw_recent), (plan_.queues, self._draw_queues),
                           (plan_.windows, self._draw_windows)):
            if QRect(*rect).intersects(dirty):  # the clock's second, the fading light: one area
                draw(p, QRect(*rect), plan_)
        p.end()

    def _draw_top(self, p: QPainter, r: QRect, plan_: Plan) -> None:
        now = hall_now(self.hall)
        h = r.height()
        time_w = round(h * 2.6)
        draw_text(p, QRect(r.right() - time_w, r.top(), time_w, h), now.strftime("%H:%M"), h * 0.8,
                  self.theme.palette.on_board, align=ALIGN_RIGHT)
        date_w = round(r.width() * 0.3)
        date_rect = QRect(r.right() - time_w - date_w - plan_.gap, r.top(), date_w, h)
        draw_text(p, date_rect, self._date_text(now), h * 0.36, self.colours.muted, align=ALIGN_RIGHT, bold=False)
        left = QRect(r.left(), r.top(), r.width() - time_w - date_w - 2 * plan_.gap, h)
        heading = self.hall_name or self.tr("叫号信息")
        if self.offline_since is None:
            draw_text(p, left, heading, h * 0.55, self.theme.palette.on_board)
            return
        # what the hall must know now is the larger line: the board is out of date
        title = QRect(left.left(), left.top(), left.width(), round(h * 0.4))
        draw_text(p, title, heading, h * 0.34, self.theme.palette.on_board, bold=False)
        note = self.tr("暂时连不上大厅服务器，正在自动重连；屏上是 {time} 时的信息").format(
            time=self.offline_since.strftime("%H:%M"))
        draw_text(p, QRect(left.left(), title.bottom(), left.width(), h - title.height()), note,
                  h * 0.46, self.colours.alert, min_px=h * 0.3)

    def _date_text(self, now: dt.datetime) -> str:
        weekdays = [self.tr("星期一"), self.tr("星期二"), self.tr("星期三"), self.tr("星期四"),
                    self.tr("星期五"), self.tr("星期六"), self.tr("星期日")]
        return self.tr("{year}年{month}月{day}日 {weekday}").format(
            year=now.year, month=now.month, day=now.day, weekday=weekdays[now.weekday()])

    def _draw_current(self, p: QPainter, r: QRect, plan_: Plan) -> None:
        lit = self._highlight
        p.fillRect(r, QColor(self.theme.palette.board))
        if lit > 0:
            glow = QColor(self.theme.palette.highlight)
            base, target = QColor(self._panel()), QColor(self.colours.lit)
            mix = QColor(round(base.red() + (target.red() - base.red()) * lit),
                         round(base.green() + (target.green() - base.green()) * lit),
                         round(base.blue() + (target.blue() - base.blue()) * lit))
            glow.setAlphaF(lit)
            self._box(p, r, mix.name(), glow.name(QColor.NameFormat.HexArgb), max(4, plan_.gap * 0.7))
        else:
            self._panel_box(p, r)
        pad = plan_.gap * 2
        inner = r.adjusted(pad, pad // 2, -pad, -pad // 2)
        caption_h = round(plan_.unit * 0.7)
        caption = QRect(inner.left(), inner.top(), inner.width(), caption_h)
        call = self.board.current
        draw_text(p, caption, self.tr("正在叫号"), caption_h * 0.62, self.colours.muted)
        if call is None:
            body = inner.adjusted(0, caption_h, 0, 0)
            top = QRect(body.left(), body.top() + round(body.height() * 0.28), body.width(), round(body.height() * 0.2))
            draw_text(p, top, self.tr("请留意叫号"), top.height() * 0.8, self.theme.palette.on_board,
                      align=ALIGN_CENTER)
            hint = QRect(body.left(), top.bottom() + plan_.gap, body.width(), round(body.height() * 0.1))
            draw_text(p, hint, self.tr("听到您的号码，请到对应窗口办理"), hint.height() * 0.75, self.colours.muted,
                      align=ALIGN_CENTER, bold=False)
            return
        if call.recall:
            draw_text(p, caption, self.tr("重呼"), caption_h * 0.62, self.colours.alert, align=ALIGN_RIGHT)
        body = inner.adjusted(0, caption_h, 0, 0)
        number_h = round(body.height() * 0.56)
        number = QRect(body.left(), body.top(), body.width(), number_h)
        draw_text(p, number, call.number, number_h * 0.95, self.colours.number, align=ALIGN_CENTER)
        where = QRect(body.left(), number.bottom(), body.width(), body.height() - number_h)
        draw_text(p, where, "→ " + self._window_text(call.window_number), where.height() * 0.62,
                  self.colours.window_text, align=ALIGN_CENTER)

    def _window_text(self, number: int) -> str:
        return self.tr("{n}号窗口").format(n=number)

    def _caption(self, r: QRect, plan_: Plan) -> QRect:
        pad = plan_.gap
        return QRect(r.left() + pad, r.top() + pad // 2, r.width() - 2 * pad,
                     round(min(plan_.unit * 0.7, r.height() * 0.3)))

    def _header(self, p: QPainter, r: QRect, plan_: Plan, text: str, right: str = "") -> QRect:
        """A panel with a caption line; the rectangle left under the caption."""
        self._panel_box(p, r)
        caption = self._caption(r, plan_)
        draw_text(p, caption, text, caption.height() * 0.62, self.colours.muted)
        self._header_right(p, r, plan_, right)
        pad = plan_.gap
        return QRect(r.left() + pad, caption.bottom() + 1, r.width() - 2 * pad,
                     r.bottom() - caption.bottom() - pad // 2)

    def _header_right(self, p: QPainter, r: QRect, plan_: Plan, text: str) -> None:
        if text:
            caption = self._caption(r, plan_)
            draw_text(p, caption, text, caption.height() * 0.62, self.colours.muted, align=ALIGN_RIGHT)

    def _draw_recent(self, p: QPainter, r: QRect, plan_: Plan) -> None:
        body = self._header(p, r, plan_, self.tr("最近叫号"))
        cols, rows = grid(len(self.board.calls), body.width(), body.height(), plan_.unit,
                          min_cell_w=round(plan_.unit * 4.6))
        calls = self.board.recent(cols * rows)
        if not calls:
            draw_text(p, QRect(body.left(), body.top(), body.width(), plan_.unit), self.tr("暂无"),
                      plan_.unit * 0.45, self.colours.muted, bold=False)
            return
        cell_w, cell_h = body.width() // cols, body.height() // rows
        p.setPen(QPen(QColor(self.colours.rule), 1))
        for row in range(1, min(rows, math.ceil(len(calls) / cols))):
            p.drawLine(body.left(), body.top() + row * cell_h, body.right(), body.top() + row * cell_h)
        for i, call in enumerate(calls):
            col, row = i // rows, i % rows
            cell = QRect(body.left() + col * cell_w, body.top() + row * cell_h, cell_w, cell_h)
            self._draw_call_cell(p, cell.adjusted(plan_.gap // 2, 0, -plan_.gap, 0), call)

    def _draw_call_cell(self, p: QPainter, cell: QRect, call: Call) -> None:
        c = self.colours
        gone = call.state in ("no_show", "cancelled")
        px = cell.height() * 0.58
        left = QRect(cell.left(), cell.top(), round(cell.width() * 0.45), cell.height())
        draw_text(p, left, call.number, px, c.muted if gone else c.text)
        right = QRect(left.right(), cell.top(), cell.width() - left.width(), cell.height())
        text = self.tr("过号") if gone else self._window_text(call.window_number)
        draw_text(p, right, text, px * 0.86, c.muted if gone else c.window_text, align=ALIGN_RIGHT)

    def _draw_queues(self, p: QPainter, r: QRect, plan_: Plan) -> None:
        queues = list(self.board.queues.values())
        total = self.tr("共 {n} 人").format(n=self.board.waiting_total()) if queues else ""
        head = QRect(r)
        body = self._header(p, head, plan_, self.tr("等候人数"), "")
        if not queues:
            return
        cols = 2 if body.width() >= plan_.unit * 9 else 1
        fit = max(1, int(body.height() // (plan_.unit * 0.62)))
        pages = math.ceil(len(queues) / (fit * cols))
        page = self._page % pages
        if pages > 1:  # too many queues to read from afar on one page: they take turns
            total += f"  {page + 1}/{pages}"
            queues = queues[page * fit * cols:(page + 1) * fit * cols]
            rows = fit
        else:
            rows = math.ceil(len(queues) / cols)
        self._header_right(p, r, plan_, total)
        row_h = min(plan_.unit, body.height() // rows)
        cell_w = body.width() // cols
        for i, q in enumerate(queues):
            col, row = i // rows, i % rows
            cell = QRect(body.left() + col * cell_w, body.top() + row * row_h, cell_w - plan_.gap, row_h)
            self._draw_queue_row(p, cell, plan_, q)

    def _draw_queue_row(self, p: QPainter, cell: QRect, plan_: Plan, q) -> None:
        row_h = cell.height()
        px = row_h * 0.52
        side = round(row_h * 0.72)
        badge = QRect(cell.left(), cell.top() + (row_h - side) // 2, side, side)
        self._box(p, badge, self.theme.palette.primary)
        draw_text(p, badge, q.prefix, side * 0.7, "#FFFFFF", align=ALIGN_CENTER)
        count_w = round(px * 3.4)
        name = QRect(badge.right() + plan_.gap, cell.top(), cell.width() - side - count_w - 2 * plan_.gap, row_h)
        draw_text(p, name, pick(q.name, q.name_en, self.language), px, self.theme.palette.on_board,
                  bold=False, min_px=px * 0.6)
        count = QRect(cell.right() - count_w, cell.top(), count_w, row_h)
        waiting = "—" if q.waiting is None else self.tr("{n} 人").format(n=q.waiting)
        draw_text(p, count, waiting, px * 1.1, self.colours.number, align=ALIGN_RIGHT)

    def _draw_windows(self, p: QPainter, r: QRect, plan_: Plan) -> None:
        shown = sorted(self.board.windows.values(), key=lambda w: w.number)  # one chip a window
        opened = sum(1 for w in shown if w.state == "open")
        paused = sum(1 for w in shown if w.state == "paused")
        right = self.tr("暂停 {n}").format(n=paused) if paused else ""
        body = self._header(p, r, plan_, self.tr("开放窗口 {open}/{all}").format(
            open=opened, all=len(self.board.windows)), right)
        if not opened and not paused:
            draw_text(p, QRect(body.left(), body.top(), body.width(), min(body.height(), plan_.unit)),
                      self.tr("暂无开放窗口"), plan_.unit * 0.45, self.colours.muted, bold=False)
            return
        gap = max(4, plan_.gap // 2)
        size = min(body.height(), round(plan_.unit * 0.9))
        while size > 12:
            per_row = max(1, (body.width() + gap) // (size + gap))
            if math.ceil(len(shown) / per_row) * (size + gap) - gap <= body.height():
                break
            size -= 2
        per_row = max(1, (body.width() + gap) // (size + gap))
        top = body.top() + max(0, (body.height() - (math.ceil(len(shown) / per_row) * (size + gap) - gap)) // 2)
        for i, w in enumerate(shown):
            chip = QRect(body.left() + (i % per_row) * (size + gap), top + (i // per_row) * (size + gap), size, size)
            c = self.colours
            if w.state == "open":
                self._box(p, chip, c.open)
                draw_text(p, chip, str(w.number), size * 0.6, c.on_open, align=ALIGN_CENTER)
            else:  # paused in amber, closed in grey: outlined, the number in the outline's colour
                colour = c.paused if w.state == "paused" else c.closed
                self._box(p, chip, self._panel(), colour, max(2, size * 0.06))
                draw_text(p, chip, str(w.number), size * 0.6, colour, align=ALIGN_CENTER, bold=w.state == "paused")
