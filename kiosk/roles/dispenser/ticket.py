"""The dispenser's other screens: the ID card help, waiting, the ticket, and a calm failure.

The ticket screen has two forms: after printing (take your ticket, back home in a few
seconds) and, when no printer could print it, the whole ticket on screen with its QR code,
for the citizen to photograph or scan with a phone.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPixmap
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.i18n import pick
from kiosk.theme import Theme
from kiosk.widgets.common import button, card, label, min_size, scrolling
from kiosk.widgets.icons import pixmap

if TYPE_CHECKING:
    from hall.wire import Ticket

QUIET_MODULES = 4


def qr_pixmap(data: str, size: int) -> QPixmap:
    """A QR code (with its quiet zone) at most `size` pixels square, in whole pixels per module."""
    import segno

    code = segno.make_qr(data, error="m")
    matrix = code.matrix
    modules = len(matrix) + 2 * QUIET_MODULES
    scale = max(2, size // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    black = QColor("#000000")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(QRect((x + QUIET_MODULES) * scale, (y + QUIET_MODULES) * scale, scale, scale),
                                 black)
    painter.end()
    return QPixmap.fromImage(image)


def _center(box: QVBoxLayout, *widgets: QWidget) -> None:
    for widget in widgets:
        box.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)


class CardPage(QWidget):
    """A card in the middle of the page, its picture on top; the page adds the rest to `inner`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.addStretch(1)
        self.panel = card(self)
        self.inner = QVBoxLayout(self.panel)
        self.picture = QLabel(self.panel)
        _center(self.inner, self.picture)
        row = QHBoxLayout()  # centred by stretches, not by alignment: the card then gets the height
        row.addStretch(1)    # its wrapped text needs at the width it has (elder mode's larger type)
        row.addWidget(self.panel, 100)
        row.addStretch(1)
        box.addLayout(row)
        box.addStretch(1)

    def _fit_card(self, theme: Theme, spacing: float, width: float) -> None:
        m = theme.px(1.5)
        self.panel.layout().setContentsMargins(m, m, m, m)
        self.panel.layout().setSpacing(theme.px(spacing))
        self.panel.setMaximumWidth(theme.px(width))


class IdCardPage(CardPage):
    """Where to put the ID card, and why (elderly priority)."""

    back_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserIdCard")
        self.age: int | None = None
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self.panel)
        self.detail = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self.panel)
        self.privacy = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self.panel)
        self.back = button("", "primary", parent=self.panel)
        self.back.setObjectName("idcardBack")
        self.back.clicked.connect(self.back_clicked)
        for widget in (self.title, self.detail, self.privacy):
            self.inner.addWidget(widget)
        _center(self.inner, self.back)
        self.apply_theme(theme)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.picture.setPixmap(pixmap("idcard", theme.palette.primary, theme.px(5.5)))
        self._fit_card(theme, spacing=0.7, width=36)
        min_size(self.back, width=theme.px(12))

    def set_age(self, age: int | None) -> None:
        self.age = age
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("如需老年人优先，请刷身份证"))
        if self.age:
            self.detail.setText(self.tr("请把身份证平放在阅读器的感应区上，读取后会有提示。年满 {age} 周岁可优先叫号。")
                                .format(age=self.age))
        else:
            self.detail.setText(self.tr("请把身份证平放在阅读器的感应区上，读取后会有提示。"))
        self.privacy.setText(self.tr("身份证信息只用于本次取号，不会保存在本机。"))
        self.back.setText(self.tr("不刷卡，返回选择业务"))


class BusyPage(QWidget):
    """Issuing or printing: what is happening, and the number once it is known."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserBusy")
        self.mode, self.number = "issuing", ""
        box = QVBoxLayout(self)
        box.addStretch(1)
        self.picture = QLabel(self)
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.number_label = label("", "huge", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        self.detail = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self)
        _center(box, self.picture)
        for widget in (self.title, self.number_label, self.detail):
            box.addWidget(widget)
        box.addStretch(1)
        self.theme = theme
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.layout().setSpacing(theme.px(0.8))
        self.show_mode(self.mode, self.number)

    def show_mode(self, mode: str, number: str = "") -> None:
        """issuing | printing"""
        self.mode, self.number = mode, number
        name = "printer" if mode == "printing" else "ticket"
        self.picture.setPixmap(pixmap(name, self.theme.palette.primary, self.theme.px(5)))
        self.number_label.setText(number)
        self.number_label.setVisible(bool(number))
        if mode == "printing":
            self.title.setText(self.tr("正在打印排队凭条…"))
            self.detail.setText(self.tr("请在出票口等候取票"))
        else:
            self.title.setText(self.tr("正在取号…"))
            self.detail.setText(self.tr("请稍候"))

    def retranslate(self) -> None:
        self.show_mode(self.mode, self.number)


class TicketPage(QWidget):
    """The ticket: printed (take it) or, without a printer, on screen with its QR code."""

    done_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserTicket")
        self.theme = theme
        self.ticket: Ticket | None = None
        self.queue_name = ""
        self.qr_url = ""
        self.printed = True
        self.reason = ""
        self.seconds: int | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.panel = card(self)
        panel_box = QVBoxLayout(self.panel)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        info = QVBoxLayout()
        center = Qt.AlignmentFlag.AlignCenter
        self.caption = label("", "subtitle", wrap=False, align=center, parent=self.panel)
        self.number = label("", "huge", wrap=False, align=center, parent=self.panel)
        self.number.setObjectName("ticketNumber")
        self.queue = label("", "title", align=center, parent=self.panel)
        self.ahead = label("", "", align=center, parent=self.panel)
        self.ahead.setObjectName("ticketAhead")
        self.priority = label("", "subtitle", align=center, parent=self.panel)  # a line in Chinese, two in English
        for widget in (self.caption, self.number, self.queue, self.ahead, self.priority):
            info.addWidget(widget)
        self.code_box = QWidget(self.panel)
        code = QVBoxLayout(self.code_box)
        code.setContentsMargins(0, 0, 0, 0)
        self.qr = QLabel(self.code_box)
        self.qr.setObjectName("ticketQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_caption = label("", "muted", align=Qt.AlignmentFlag.AlignCenter, parent=self.code_box)
        code.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignHCenter)
        code.addWidget(self.qr_caption)
        self.row.addLayout(info, 1)
        self.row.addWidget(self.code_box, 0, Qt.AlignmentFlag.AlignCenter)
        self.notice_frame = QFrame(self.panel)
        self.notice_frame.setObjectName("ticketNoticeFrame")
        notice = QHBoxLayout(self.notice_frame)
        self.notice_icon = QLabel(self.notice_frame)
        self.notice = label("", "", parent=self.notice_frame)
        self.notice.setObjectName("ticketNotice")
        notice.addStretch(1)
        notice.addWidget(self.notice_icon, 0, Qt.AlignmentFlag.AlignVCenter)
        notice.addWidget(self.notice, 0)
        notice.addStretch(1)
        panel_box.addStretch(1)
        panel_box.addLayout(self.row)
        panel_box.addStretch(1)
        panel_box.addWidget(self.notice_frame)
        bottom = QHBoxLayout()
        self.countdown = label("", "muted", parent=self)
        self.done = button("", "primary", parent=self)
        self.done.setObjectName("ticketDone")
        self.done.clicked.connect(self.done_clicked)
        bottom.addWidget(self.countdown, 1)
        bottom.addWidget(self.done)
        outer.addWidget(scrolling(self.panel, self), 1)  # the ticket scrolls if it must, 完成 stays in view
        outer.addLayout(bottom)
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._size_number()
        self.ahead.setStyleSheet(f"font-size: {theme.px(1.2)}px;")
        m = theme.px(1.0)
        self.panel.layout().setContentsMargins(m, m, m, m)
        self.panel.layout().setSpacing(theme.px(0.4))
        self._orient()
        self.notice_frame.layout().setContentsMargins(m, theme.px(0.4), m, theme.px(0.4))
        min_size(self.done, width=theme.px(8))
        self._draw()

    def show_ticket(self, ticket: Ticket, queue_name: str, qr_url: str, *, printed: bool,
                    reason: str = "") -> None:
        self.ticket, self.queue_name, self.qr_url = ticket, queue_name, qr_url
        self.printed, self.reason = printed, reason
        self.seconds = None
        self._draw()

    def show_countdown(self, seconds: int | None) -> None:
        self.seconds = seconds
        self.countdown.setText(self.tr("{n} 秒后自动返回首页").format(n=seconds) if seconds is not None else "")

    def retranslate(self) -> None:
        self._draw()

    def _wide(self) -> bool:
        return self.width() > self.height() * 1.05

    def _qr_size(self) -> int:
        if self.height() < 200:  # not laid out yet
            limit = self.theme.px(13)
        elif self._wide():
            limit = min(self.width() * 0.4, self.height() * 0.55)
        else:
            limit = min(self.width() * 0.6, self.height() * 0.3)
        return max(self.theme.px(8), min(self.theme.px(16), round(limit)))

    def _draw(self) -> None:
        t = self.ticket
        if t is None:
            return
        self.caption.setText(self.tr("您的排队号"))
        self.number.setText(t.number)
        self.queue.setText(self.queue_name)
        ahead = t.people_ahead
        minutes = t.estimated_wait_minutes
        if ahead <= 0:
            self.ahead.setText(self.tr("前面无人等候"))
        elif minutes:
            self.ahead.setText(self.tr("前面还有 {n} 人 · 预计等待约 {minutes} 分钟").format(n=ahead, minutes=minutes))
        else:
            self.ahead.setText(self.tr("前面还有 {n} 人").format(n=ahead))
        self.priority.setText({"elderly": self.tr("老年人优先叫号"),
                               "disabled": self.tr("残疾人优先叫号 · 请在窗口出示残疾人证")}.get(t.priority, ""))
        self.priority.setVisible(t.priority in ("elderly", "disabled"))
        p = self.theme.palette
        tone = p.primary if self.printed else p.warn
        self.notice_frame.setStyleSheet(
            f"QFrame#ticketNoticeFrame {{ border: 2px solid {tone}; border-radius: {self.theme.px(0.7)}px; }}")
        self.notice.setStyleSheet(f"font-size: {self.theme.px(1.3 if self.printed else 1.1)}px;"
                                  f" font-weight: {'bold' if self.printed else 'normal'};")
        size = self.theme.px(1.6)
        if self.printed:
            self.code_box.hide()
            self.notice_icon.setPixmap(pixmap("printer", p.primary, size))
            self.notice.setText(self.tr("请取走您的排队凭条，留意叫号屏幕和语音提示"))
            self.done.setText(self.tr("完成"))
        else:
            self.code_box.show()
            if self.qr_url:
                self.qr.setPixmap(qr_pixmap(self.qr_url, self._qr_size()))
            self.qr_caption.setText(self.tr("手机扫码查看排队进度"))
            self.notice_icon.setPixmap(pixmap("alert", p.warn, size))
            self.notice.setText(self.tr("打印机暂时无法出票{reason}。请用手机拍下本页或扫描二维码，凭号码等候叫号。")
                                .format(reason=self.reason))
            self.done.setText(self.tr("我已记下，完成"))
        self.show_countdown(self.seconds)
        self._fit_notice()

    def _fit_notice(self) -> None:
        """One centred line when it fits, else wrapped across the frame's width."""
        self.notice.ensurePolished()
        room = self.notice_frame.width() - self.notice_icon.width() - self.theme.px(3)
        one_line = self.notice.fontMetrics().horizontalAdvance(self.notice.text()) <= room
        self.notice.setWordWrap(not one_line)
        layout = self.notice_frame.layout()  # stretch, icon, text, stretch
        for index, factor in ((0, 1), (2, 0), (3, 1)) if one_line else ((0, 0), (2, 1), (3, 0)):
            layout.setStretch(index, factor)

    def _orient(self) -> None:
        """Number beside the QR code on a wide screen, above it on a tall one."""
        wide = self._wide()
        self.row.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        self.row.setSpacing(self.theme.px(1.0 if wide else 0.3))

    def _size_number(self) -> None:
        """As big as the page allows: elder type and a short screen must still show it all."""
        size = self.theme.px(5.5)
        if self.height() >= 200:
            size = min(size, round(self.height() * (0.13 if self.theme.elder else 0.18)))
        self.number.setStyleSheet(f"font-size: {size}px; font-weight: bold; color: {self.theme.palette.primary};")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._size_number()
        self._orient()
        self._fit_notice()
        if not self.printed and self.qr_url:
            self.qr.setPixmap(qr_pixmap(self.qr_url, self._qr_size()))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - a tap anywhere ends a printed ticket
        if self.printed and self.ticket:
            self.done_clicked.emit()
        super().mousePressEvent(event)


class MessagePage(CardPage):
    """A calm failure: what happened, what to do, and a retry."""

    retry_clicked = Signal()
    home_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserMessage")
        self.detail_text = ""
        self.refused = False
        self.title = label("", "title", align=Qt.AlignmentFlag.AlignCenter, parent=self.panel)
        self.title.setObjectName("messageTitle")
        self.detail = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=self.panel)
        buttons = QHBoxLayout()
        self.home = button("", parent=self.panel)
        self.home.setObjectName("messageHome")
        self.retry = button("", "primary", parent=self.panel)
        self.retry.setObjectName("messageRetry")
        self.home.clicked.connect(self.home_clicked)
        self.retry.clicked.connect(self.retry_clicked)
        buttons.addWidget(self.home)
        buttons.addWidget(self.retry)
        self.inner.addWidget(self.title)
        self.inner.addWidget(self.detail)
        self.inner.addLayout(buttons)
        self.apply_theme(theme)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.picture.setPixmap(pixmap("alert", theme.palette.warn, theme.px(5)))
        self._fit_card(theme, spacing=0.4, width=34)
        for widget in (self.home, self.retry):
            min_size(widget, width=theme.px(8))

    def show_failure(self, refused: bool, detail: str = "") -> None:
        """refused: the hall answered no (its message is `detail`); else it did not answer."""
        self.refused, self.detail_text = refused, detail
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("暂时无法取号，请到咨询台"))
        if self.refused:
            self.detail.setText(self.detail_text or self.tr("大厅服务器未能出号。"))
        else:
            self.detail.setText(self.tr("暂时连不上大厅服务器，工作人员会尽快处理。您也可以稍后点「重试」。"))
        self.home.setText(self.tr("返回首页"))
        self.retry.setText(self.tr("重试"))


def queue_label(hall: dict[str, Any], queue_id: str, language: str) -> str:
    for q in hall.get("queues", []):
        if q.get("id") == queue_id:
            return pick(q.get("name", queue_id), q.get("name_en", ""), language)
    return queue_id
