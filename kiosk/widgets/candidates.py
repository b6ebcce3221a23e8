"""The candidate bar over a search keyboard: the Hanzi the pinyin typed so far spells in the
hall's names (kiosk.models.search.GuideIndex.candidates), as an input method offers them. A
citizen who cannot spell a whole name taps the characters instead; the pinyin typed is
replaced by them (`picked(text)` with the query that results)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from kiosk.theme import Theme
from kiosk.widgets.common import button


def with_candidate(query: str, candidate: str) -> str:
    """`query` with the letters at its end (the pinyin that spelled `candidate`) replaced by it."""
    cut = len(query)
    while cut and query[cut - 1].isascii() and query[cut - 1].isalnum():
        cut -= 1
    return query[:cut] + candidate


class CandidateBar(QWidget):
    picked = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("candidateBar")
        self.query = ""
        self.buttons: list[QPushButton] = []
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        self.apply_theme(theme)

    def show_candidates(self, query: str, candidates: list[str]) -> None:
        """The candidates for `query` ([] hides the bar)."""
        self.query = query
        row = self.layout()
        for b in self.buttons:
            row.removeWidget(b)
            b.hide()
            b.deleteLater()
        self.buttons = []
        for text in candidates:
            b = button(text, "choice", parent=self)
            b.setObjectName("candidate")
            b.setMinimumSize(self.theme.min_target, self.theme.min_target)
            b.clicked.connect(lambda _=False, t=text: self.pick(t))
            row.insertWidget(row.count() - 1, b)
            self.buttons.append(b)
        self.setVisible(bool(candidates))

    def pick(self, candidate: str) -> None:
        """A tap on a candidate (also the tests' entry point)."""
        self.picked.emit(with_candidate(self.query, candidate))

    def fit(self, width: int) -> int:
        """How many candidates fit in `width` at the current size (at least one)."""
        return max(1, width // (self.theme.min_target + self.theme.px(1.5)))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.layout().setSpacing(theme.px(0.35))
        for b in self.buttons:
            b.setMinimumSize(theme.min_target, theme.min_target)
