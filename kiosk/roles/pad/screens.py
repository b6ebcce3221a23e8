"""The evaluation pad's three screens: waiting at the window, rating a service, thanks."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.theme import ELDER_SCALE, Theme
from kiosk.widgets.common import card, label
from kiosk.widgets.icons import pixmap
from kiosk.widgets.rating import RatingPanel

CENTER = Qt.AlignmentFlag.AlignCenter
PHOTO_EM = 4.5  # the staff photo's height, in type units: the whole card fits a pad in elder mode


def centered(widget: QWidget) -> QHBoxLayout:
    """`widget` as wide as it may be (its maximum width), in the middle of the row."""
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget, 20)
    row.addStretch(1)
    return row


@dataclass(frozen=True)
class Shown:
    """What a screen shows of the window and the service, already in names (not ids)."""

    window_number: int | None = None
    window_name: str = ""
    staff: str = ""
    window_state: str | None = None  # open, paused, closed
    staff_number: str = ""  # 工号, when the hall has one
    number: str = ""  # the ticket's number
    matter: str = ""  # the matter's name, or the queue's when the window named none


class CardScreen(QWidget):
    """A card in the middle of the screen: a picture, then the centred lines the screen adds."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.card = card(self)
        self.lines = QVBoxLayout(self.card)
        self.picture = QLabel(self.card)
        self.picture.setAlignment(CENTER)
        self.lines.addWidget(self.picture)
        outer.addLayout(centered(self.card))
        outer.addStretch(1)

    def line(self, kind: str, name: str = "") -> QLabel:
        """A centred label on the card, below the lines before it."""
        widget = label("", kind, align=CENTER, parent=self.card)
        if name:
            widget.setObjectName(name)
        self.lines.addWidget(widget)
        return widget

    def _fit_card(self, theme: Theme, margin: float, spacing: float) -> None:
        m = theme.px(margin)
        self.lines.setContentsMargins(m * 3, m, m * 3, m)
        self.lines.setSpacing(theme.px(spacing))
        self.card.setMinimumWidth(theme.px(16))
        self.card.setMaximumWidth(theme.px(34))


class IdleScreen(CardScreen):
    """Calm, between services: which window this is, who serves here (with their photo and staff
    number when the hall has them: 亮牌上岗), and an invitation."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("padIdle")
        self.shown = Shown()
        self.pending = 0
        self.photo = QPixmap()  # the staff member's, or null: the window's icon instead
        self.picture.setObjectName("padPicture")
        self.window_label = self.line("huge", "padWindow")
        self.window_name = self.line("subtitle")
        self.staff_label = self.line("title", "padStaff")
        self.staff_number = self.line("subtitle", "padStaffNumber")
        self.welcome = self.line("subtitle")
        self.hint = self.line("muted")
        self.pending_label = label("", "muted", align=CENTER, parent=self)
        self.pending_label.setObjectName("padPending")
        self.layout().addWidget(self.pending_label)
        self.apply_theme(theme)

    def show_info(self, shown: Shown, pending: int, photo: bytes | None = None) -> None:
        """What to show; `photo` the staff member's image (PNG or JPEG bytes), None for none."""
        self.shown, self.pending = shown, pending
        self.photo = QPixmap()
        if photo and not self.photo.loadFromData(photo):
            self.photo = QPixmap()  # an unreadable image: the window's icon, not a broken one
        self.retranslate_ui()
        self._draw_picture()

    def retranslate_ui(self) -> None:
        s = self.shown
        self.window_label.setText(self.tr("{number}号窗口").format(number=s.window_number)
                                  if s.window_number is not None else self.tr("服务窗口"))
        default_name = f"{s.window_number}号窗口"
        self.window_name.setText(s.window_name if s.window_name and s.window_name != default_name else "")
        self.window_name.setVisible(bool(self.window_name.text()))
        if s.window_state == "closed":
            staff = self.tr("本窗口暂停服务")
        elif s.window_state == "paused":
            staff = self.tr("本窗口暂停叫号，请稍候")
        elif s.staff:
            staff = self.tr("工作人员：{name}").format(name=s.staff)
        else:
            staff = ""
        self.staff_label.setText(staff)
        self.staff_label.setVisible(bool(staff))
        on_duty = bool(s.staff) and s.window_state not in ("closed", "paused")
        self.staff_number.setText(self.tr("工号：{number}").format(number=s.staff_number)
                                  if on_duty and s.staff_number else "")
        self.staff_number.setVisible(bool(self.staff_number.text()))
        self.welcome.setText(self.tr("欢迎评价我们的服务"))
        self.hint.setText(self.tr("业务办结后，请在这里为本次服务评价"))
        self.pending_label.setText(
            self.tr("有 {n} 条评价已保存在本机，联网后自动提交").format(n=self.pending) if self.pending else "")
        self.pending_label.setVisible(bool(self.pending))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.hint.setVisible(not theme.elder)  # elder type leaves room for who serves here, not the small print
        self._draw_picture()
        self._fit_card(theme, margin=1.1, spacing=0.5)

    def has_photo(self) -> bool:
        """Whether the staff member's photo is what the card shows."""
        return not self.photo.isNull() and self.shown.window_state not in ("closed", "paused")

    def _draw_picture(self) -> None:
        if self.has_photo():
            # the photo keeps its size in elder mode: the larger type needs the room, a face does not
            height = self.theme.px(PHOTO_EM / (ELDER_SCALE if self.theme.elder else 1))
            self.picture.setPixmap(self.photo.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
        else:
            self.picture.setPixmap(pixmap("window", self.theme.palette.primary, self.theme.px(2.6)))


class RatingScreen(QWidget):
    """The service just finished, and the five levels to rate it."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("padRating")
        self.shown = Shown()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.card = card(self)
        row = QHBoxLayout(self.card)
        self.number = label("", "huge", wrap=False, parent=self.card)
        self.number.setObjectName("padNumber")
        details = QVBoxLayout()
        self.title = label("", "title", parent=self.card)
        self.service_label = label("", "subtitle", parent=self.card)
        self.service_label.setObjectName("padService")
        details.addWidget(self.title)
        details.addWidget(self.service_label)
        row.addWidget(self.number)
        row.addLayout(details, 1)
        box.addWidget(self.card)
        self.panel = RatingPanel(theme, parent=self)
        self.panel.step_changed.connect(self.on_panel_step_changed)
        box.addWidget(self.panel, 1)
        self.apply_theme(theme)

    def on_panel_step_changed(self, step: str) -> None:
        # the reasons need the room; the level chosen heads them
        self.card.setVisible(step == "levels")

    def show_service(self, shown: Shown) -> None:
        self.shown = shown
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        s = self.shown
        self.title.setText(self.tr("请您为本次服务评价"))
        self.number.setText(s.number)
        self.number.setVisible(bool(s.number))
        parts = []
        if s.window_number is not None:
            parts.append(self.tr("{number}号窗口").format(number=s.window_number))
        if s.staff:
            parts.append(self.tr("工作人员：{name}").format(name=s.staff))
        if s.matter:
            parts.append(self.tr("办理事项：{name}").format(name=s.matter))
        self.service_label.setText("  ·  ".join(parts))
        self.service_label.setVisible(bool(parts))
        self.panel.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        self.number.setStyleSheet(f"font-size: {theme.px(2.6)}px;")
        m = theme.px(0.7)
        self.card.layout().setContentsMargins(m * 2, m, m * 2, m)
        self.card.layout().setSpacing(theme.px(1.5))
        self.layout().setSpacing(theme.px(0.7))
        self.panel.apply_theme(theme)


class ThanksScreen(CardScreen):
    """感谢您的评价; for a 差评, the promise of a callback; offline, that the rating is kept."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("padThanks")
        self.level = 5
        self.kept_offline = False
        self.theme = theme
        self.thanks = self.line("huge", "padThanksTitle")
        self.message = self.line("subtitle")
        self.note = self.line("muted", "padKeptOffline")
        self.apply_theme(theme)

    def show_thanks(self, level: int, kept_offline: bool) -> None:
        self.level, self.kept_offline = level, kept_offline
        self.retranslate_ui()
        self.apply_theme(self.theme)

    def retranslate_ui(self) -> None:
        self.thanks.setText(self.tr("感谢您的评价"))
        self.message.setText(self.tr("我们会认真核实，及时改进") if self.level <= 2
                             else self.tr("您的评价将帮助我们把服务做得更好"))
        self.note.setText(self.tr("网络暂时不通，评价已保存在本机，恢复后自动提交") if self.kept_offline else "")
        self.note.setVisible(self.kept_offline)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.picture.setPixmap(pixmap("check", theme.palette.ok, theme.px(3.6)))
        self._fit_card(theme, margin=1.3, spacing=0.6)
