"""好差评: the five levels, the reasons a 差评 must give, and a submit that is only live when valid.

Shared by the window's evaluation pad and the kiosk terminal's "rate a past service". The
five levels are large buttons with a face and a word (colour is never the only signal). A
good level (非常满意, 满意, 基本满意) is submitted with one tap; 不满意 and 非常不满意 open
the reasons step, where at least one reason must be chosen before 提交评价 is live. The
reasons are the hall's configured list, shown as chips.

There is no free-text field: Chinese can't be typed without an input method, and the
kiosks have none. The `text` of `rating_chosen` is therefore always empty; a citizen who
wants to say more picks 其他 (every named 差评 is called back).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.theme import FONT_FAMILY, Theme
from kiosk.widgets.common import button, label, place_in_grid, scrolling
from kiosk.widgets.icons import pixmap

LEVELS = (5, 4, 3, 2, 1)
WORST_GOOD = 3  # levels below this are 差评 and need a reason


def is_bad(level: int) -> bool:
    return level < WORST_GOOD


def text_width(text: str, pixels: int, *, bold: bool = False) -> int:
    """The width of `text` at a pixel size (style sheets set sizes after polish; this needs none)."""
    font = QFont(FONT_FAMILY)
    font.setPixelSize(pixels)
    font.setBold(bold)
    return QFontMetrics(font).horizontalAdvance(text)


def face_color(theme: Theme, level: int) -> str:
    p = theme.palette
    return {5: p.ok, 4: p.ok, 3: p.primary, 2: p.warn, 1: p.bad}[level]


class LevelButton(QPushButton):
    """A face above (or, in a narrow column, beside) the level's word."""

    def __init__(self, level: int, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = level
        self.setObjectName(f"level-{level}")
        self.setProperty("kind", "tile")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.face = QLabel(self)
        self.face.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word = label("", "", wrap=False, align=Qt.AlignmentFlag.AlignCenter, parent=self)
        for child in (self.face, self.word):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._box = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._box.addWidget(self.face)
        self._box.addWidget(self.word)
        self.compact = False
        self.apply_theme(theme)

    def set_compact(self, compact: bool) -> None:
        """Compact: face left of the word, for a column of levels on a narrow screen."""
        self.compact = compact
        self._box.setDirection(QBoxLayout.Direction.LeftToRight if compact
                               else QBoxLayout.Direction.TopToBottom)
        self.apply_theme(self.theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        compact = self.compact
        self._box.setSpacing(theme.px(0.6 if compact else 0.4))
        size = theme.px(2.4 if compact else 4.0)
        self.face.setPixmap(pixmap(f"smile{self.level}", face_color(theme, self.level), size))
        self.word.setStyleSheet(f"font-size: {theme.px(1.4)}px; font-weight: bold;")
        self.setMinimumSize(theme.min_target * (2 if compact else 1),
                            theme.min_target if compact else round(theme.min_target * 1.2))
        self.setMaximumHeight(round(theme.min_target * (2.2 if compact else 4.5)))

    def set_text(self, text: str) -> None:
        self.word.setText(text)
        self.setAccessibleName(text)

    def word_width(self) -> int:
        return text_width(self.word.text(), self.theme.px(1.4), bold=True)


class RatingPanel(QWidget):
    """Choose a level; a 差评 also chooses its reasons. `rating_chosen(level, reasons, text)`."""

    rating_chosen = Signal(int, list, str)
    level_chosen = Signal(int)  # any tap on a level (the owner may keep the screen awake)
    step_changed = Signal(str)  # "levels" or "details" (the reasons of a 差评)

    def __init__(self, theme: Theme, reasons: list[str] | None = None, *, submit_directly: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ratingPanel")
        self.theme = theme
        self.submit_directly = submit_directly
        self.level: int | None = None
        self.reasons: list[str] = []
        self.reason_buttons: dict[str, QPushButton] = {}
        self._columns = 0
        self._reason_columns = 0
        self.pages = QStackedWidget(self)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.addWidget(self.pages)
        self._build_levels()
        self._build_details()
        self.set_reasons(reasons or [])
        self.retranslate_ui()
        self.apply_theme(theme)

    # -- building

    def _build_levels(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("ratingLevels")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        self.levels_grid = QGridLayout()
        self.level_buttons: dict[int, LevelButton] = {}
        for level in LEVELS:
            b = LevelButton(level, self.theme, page)
            b.clicked.connect(lambda _=False, lv=level: self.choose(lv))
            self.level_buttons[level] = b
        box.addLayout(self.levels_grid, 1)
        self.pages.addWidget(page)
        self._arrange_levels(5)

    def _build_details(self) -> None:
        page = QWidget(self.pages)
        page.setObjectName("ratingDetails")
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.chosen_face = QLabel(page)
        self.chosen_word = label("", "title", parent=page)
        head.addWidget(self.chosen_face)
        head.addWidget(self.chosen_word, 1)
        box.addLayout(head)
        self.prompt = label("", "subtitle", parent=page)
        box.addWidget(self.prompt)
        self.reasons_box = QWidget()
        self.reasons_grid = QGridLayout(self.reasons_box)
        self.reasons_grid.setContentsMargins(0, 0, 0, 0)
        self.reasons_grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.reasons_area = scrolling(self.reasons_box, page)
        # the reasons take the room left and scroll in it: 提交 stays in view (elder mode, a short screen)
        self.reasons_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        box.addWidget(self.reasons_area, 1)
        row = QHBoxLayout()
        self.back_button = button("", icon_name="back", theme=self.theme, parent=page)
        self.back_button.setObjectName("ratingBack")
        self.back_button.clicked.connect(self.on_back_button_clicked)
        self.submit_button = button("", "primary", icon_name="check", theme=self.theme, parent=page)
        self.submit_button.setObjectName("ratingSubmit")
        self.submit_button.clicked.connect(self.submit)
        row.addWidget(self.back_button, 1)
        row.addWidget(self.submit_button, 2)
        box.addLayout(row)
        self.pages.addWidget(page)

    def set_reasons(self, reasons: list[str], shown: list[str] | None = None) -> None:
        """The hall's list of 差评 reasons (configuration), recorded as given; `shown` is what each
        reason's button says (the hall's English on an English screen, paired by position)."""
        labels = [str(s) for s in shown] if shown is not None and len(shown) == len(reasons) else reasons
        pairs = [(str(r), str(s) or str(r)) for r, s in zip(reasons, labels, strict=True) if str(r).strip()]
        reasons = [r for r, _ in pairs]
        if reasons == self.reasons and self.reason_buttons:
            for reason, text in pairs:  # the same reasons in another language
                self.reason_buttons[reason].setText(text)
            self._reason_columns = 0
            self._arrange_reasons()
            return
        for b in self.reason_buttons.values():
            self.reasons_grid.removeWidget(b)
            b.deleteLater()
        self.reason_buttons = {}
        self.reasons = reasons
        for reason, text in pairs:
            b = button(text, "choice", parent=self.reasons_box)
            b.setObjectName("reason")
            b.setCheckable(True)
            b.toggled.connect(self.on_reason_toggled)
            self.reason_buttons[reason] = b
        self._reason_columns = 0
        self._arrange_reasons()
        self._draw_reasons()
        self._update_valid()

    # -- layout that follows the width

    def _arrange_levels(self, columns: int) -> None:
        if columns == self._columns:
            return
        self._columns = columns
        for b in self.level_buttons.values():
            self.levels_grid.removeWidget(b)
        # every level the same size, in the same order (no 差评 tile larger than a 好评 one): on a
        # six-cell grid five in a row, three over two (the two centred), or a column
        spans = {5: [(0, c, 1) for c in range(5)],
                 3: [(0, 0, 2), (0, 2, 2), (0, 4, 2), (1, 1, 2), (1, 3, 2)],
                 1: [(r, 0, 6) for r in range(5)]}[columns]
        for level, (row, column, span) in zip(LEVELS, spans, strict=True):
            b = self.level_buttons[level]
            b.set_compact(columns == 1)
            self.levels_grid.addWidget(b, row, column, 1, span)
        for c in range(6):
            self.levels_grid.setColumnStretch(c, 1 if columns != 5 or c < 5 else 0)

    def _arrange_reasons(self) -> None:
        if not self.reason_buttons:
            return
        pad = self.theme.px(2.5)
        longest = max(text_width(b.text(), self.theme.px(1.3)) for b in self.reason_buttons.values()) + pad
        width = max(self.width() - self.theme.px(1.0), 1)
        columns = max(1, min(3, width // max(longest, 1)))
        if columns == self._reason_columns:
            return
        self._reason_columns = columns
        place_in_grid(self.reasons_grid, self.reason_buttons.values(), columns)

    def _fit(self) -> None:
        if not self.isVisible():
            return  # no real width yet: keep the row, whose height any screen can hold
        need = max(b.word_width() for b in self.level_buttons.values()) + self.theme.px(1.6)
        spacing = max(self.levels_grid.spacing(), 0)
        fits = [n for n in (5, 3) if self.width() >= n * need + (n - 1) * spacing]
        self._arrange_levels(fits[0] if fits else 1)
        self._arrange_reasons()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit()

    # -- text and theme

    def level_text(self, level: int) -> str:
        return {
            5: self.tr("非常满意"),
            4: self.tr("满意"),
            3: self.tr("基本满意"),
            2: self.tr("不满意"),
            1: self.tr("非常不满意"),
        }[level]

    def retranslate_ui(self) -> None:
        for level, b in self.level_buttons.items():
            b.set_text(self.level_text(level))
        self.back_button.setText(self.tr("重新选择"))
        self._show_level()
        self._update_valid()
        self._columns = 0
        self._fit()

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.reasons_area.setMinimumHeight(round(theme.min_target * 2.5))  # never less than two reasons and a half
        spacing = theme.px(0.6)
        self.levels_grid.setSpacing(spacing)
        self.reasons_grid.setSpacing(theme.px(0.5))
        self.reasons_grid.setContentsMargins(0, 0, theme.px(0.8), 0)  # clear of the scroll bar
        for b in self.level_buttons.values():
            b.apply_theme(theme)
        size = theme.px(1.4)
        for b, name, color in ((self.back_button, "back", theme.palette.primary),
                               (self.submit_button, "check", theme.palette.on_primary)):
            b.setIcon(pixmap(name, color, size * 2))
            b.setIconSize(QSize(size, size))
        for b in (self.back_button, self.submit_button):
            b.setMinimumHeight(round(theme.min_target * 1.1))
        for b in self.reason_buttons.values():
            b.setMinimumHeight(theme.min_target)
        self._draw_reasons()
        # the shared style greys a disabled primary button to near black in high contrast
        self.submit_button.setStyleSheet(
            f"QPushButton:disabled {{ background: {theme.palette.surface}; color: {theme.palette.muted};"
            f" border: {2 if theme.elder else 1}px dashed {theme.palette.muted}; }}")
        self._show_level()
        self._columns = 0
        self._reason_columns = 0
        self._fit()

    # -- what the citizen does

    def choose(self, level: int) -> None:
        """A tap on a level (also the tests' entry point)."""
        if level not in LEVELS:
            raise ValueError(f"rating level must be 1 to 5, not {level!r}")
        self.level = level
        self.level_chosen.emit(level)
        for b in self.reason_buttons.values():
            b.setChecked(False)
        if not is_bad(level) and self.submit_directly:
            self.submit()
            return
        self._show_level()
        self._update_valid()
        self.pages.setCurrentIndex(1)
        self.step_changed.emit(self.step())

    def toggle_reason(self, reason: str) -> None:
        self.reason_buttons[reason].click()

    @property
    def chosen_reasons(self) -> list[str]:
        return [r for r, b in self.reason_buttons.items() if b.isChecked()]

    def valid(self) -> bool:
        return self.level is not None and (not is_bad(self.level) or bool(self.chosen_reasons))

    @Slot()
    def submit(self) -> None:
        if not self.valid():
            return
        assert self.level is not None
        reasons = self.chosen_reasons if is_bad(self.level) else []
        self.rating_chosen.emit(self.level, reasons, "")

    def reset(self) -> None:
        """Back to the five levels, nothing chosen."""
        self.level = None
        for b in self.reason_buttons.values():
            b.setChecked(False)
        changed = self.pages.currentIndex() != 0
        self.pages.setCurrentIndex(0)
        self._update_valid()
        if changed:
            self.step_changed.emit(self.step())

    def step(self) -> str:
        """"levels" (the five faces) or "details" (the reasons of a 差评, or the submit)."""
        return "levels" if self.pages.currentIndex() == 0 else "details"

    @Slot()
    def on_back_button_clicked(self) -> None:
        self.reset()

    @Slot(bool)
    def on_reason_toggled(self, _checked: bool) -> None:
        self._draw_reasons()
        self._update_valid()

    def _draw_reasons(self) -> None:
        """A ticked box on a chosen reason, an empty one otherwise: not colour alone."""
        size = self.theme.px(1.3)
        p = self.theme.palette
        for b in self.reason_buttons.values():
            on = b.isChecked()
            b.setIcon(pixmap("check" if on else "checkbox", p.on_primary if on else p.muted, size * 2))
            b.setIconSize(QSize(size, size))

    def _show_level(self) -> None:
        if self.level is None:
            return
        self.chosen_face.setPixmap(pixmap(f"smile{self.level}", face_color(self.theme, self.level),
                                          self.theme.px(2.2)))
        self.chosen_word.setText(self.tr("您的评价：{level}").format(level=self.level_text(self.level)))
        bad = is_bad(self.level)
        self.prompt.setText(self.tr("请选择不满意的原因（可多选），我们会认真核实并改进。") if bad
                            else self.tr("确认无误后请提交。"))
        for b in self.reason_buttons.values():
            b.setVisible(bad)

    def _update_valid(self) -> None:
        ok = self.valid()
        self.submit_button.setEnabled(ok)
        needs_reason = self.level is not None and is_bad(self.level) and not ok
        # the button says what is missing: a greyed button alone would not
        self.submit_button.setText(self.tr("请先选择原因") if needs_reason else self.tr("提交评价"))
