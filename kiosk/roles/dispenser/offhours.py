"""The dispenser out of hours: when the hall issues tickets again, and what the self-service area
does now (the 24-hour mode). Shown instead of the queue tiles while the hall is closed or at
lunch, and when the hall refuses an issue (closed, past the cut-off, today's quota used up)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget

from kiosk.models.opening import OffHours
from kiosk.roles.dispenser.ticket import CardPage
from kiosk.theme import Theme
from kiosk.widgets.common import button, label, min_size
from kiosk.widgets.icons import pixmap


class OffHoursPage(CardPage):
    """The headline, when tickets are issued again, the hall's reason for a closed day, and
    the self-service area's services; a button back to the first screen."""

    home_clicked = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dispenserOffHours")
        self.words: OffHours | None = None
        self.for_the_hall = True  # the hall is closed (not one queue full): it goes when the hall opens
        center = Qt.AlignmentFlag.AlignCenter
        self.title = label("", "title", align=center, parent=self.panel)
        self.title.setObjectName("offHoursTitle")
        self.when = label("", "subtitle", align=center, parent=self.panel)
        self.when.setObjectName("offHoursWhen")
        self.reason = label("", "muted", align=center, parent=self.panel)
        self.still_title = label("", "subtitle", align=center, parent=self.panel)
        self.still = label("", align=center, parent=self.panel)
        self.still.setObjectName("offHoursStill")
        self.home = button("", "primary", parent=self.panel)
        self.home.setObjectName("offHoursHome")
        self.home.clicked.connect(self.home_clicked)
        for widget in (self.title, self.when, self.reason, self.still_title, self.still, self.home):
            self.inner.addWidget(widget)
        self.inner.insertSpacing(1, theme.px(0.6))  # the clock clear of a headline in any font
        self.apply_theme(theme)
        self.retranslate()

    def apply_theme(self, theme: Theme) -> None:
        self.picture.setPixmap(pixmap("clock", theme.palette.accent, theme.px(5)))
        self.picture.setMinimumSize(theme.px(5), theme.px(5))  # long words wrap below it, never over it
        self._fit_card(theme, spacing=0.5, width=36)
        min_size(self.home, width=theme.px(8))

    def show_words(self, words: OffHours) -> None:
        self.words = words
        self.retranslate()

    def retranslate(self) -> None:
        words = self.words
        self.title.setText(words.headline if words else "")
        self.when.setText(words.when if words else "")
        self.reason.setText(words.reason if words else "")
        self.reason.setVisible(bool(words and words.reason))
        self.still_title.setText(self.tr("自助服务区 24 小时开放，现在可以："))
        self.still.setText("  ·  ".join(words.still) if words else "")
        self.home.setText(self.tr("返回首页"))
