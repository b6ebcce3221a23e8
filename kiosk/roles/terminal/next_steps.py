"""接下来: what the citizen does next, under a ticket's or a case's state on the terminal.

A result screen that says only "等候中" leaves the citizen to guess the rest (where to sit, what
happens when the number is called, what if they miss it, how to follow it from the phone), and
leaves the lower half of a tall screen empty. These steps follow from the state the hall
answered, in the order the citizen does them; nothing here promises what the hall does not do.
"""
from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from kiosk.theme import Theme
from kiosk.widgets.common import label, room_for_text_card

OPEN_CASE = ("presubmitted", "accepted", "handling")


class NextSteps(QFrame):
    """A numbered list of what to do next; hidden when there is nothing to say."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "card")
        self.setObjectName("nextSteps")
        box = QVBoxLayout(self)
        self.heading = label("", "subtitle", parent=self)
        self.heading.setObjectName("nextStepsHeading")
        self.lines = label("", "", parent=self)
        self.lines.setObjectName("nextStepsLines")
        box.addWidget(self.heading)
        box.addWidget(self.lines)
        self.steps: list[str] = []
        self._steps: Callable[[], list[str]] = list
        self.theme = theme
        self.apply_theme(theme)
        self.setVisible(False)

    # -- what to say

    def for_ticket(self, ticket: dict[str, Any], window: str) -> list[str]:
        """The steps after a ticket in `ticket['state']`; `window` as the citizen reads it."""
        state = str(ticket.get("state", ""))
        if state == "waiting":
            return [self.tr("请在等候区就座，叫号屏幕和语音会报出您的号码"),
                    self.tr("叫到您的号后，请带好身份证和材料到窗口办理"),
                    self.tr("错过叫号，请到咨询服务台，工作人员会为您安排"),
                    self.tr("用手机扫描排队号的二维码，可以随时查看还要等多久")]
        if state in ("called", "serving"):
            go = (self.tr("现在请到 {window}，带好身份证和材料").format(window=window) if window
                  else self.tr("现在请到窗口，带好身份证和材料"))
            return [go,
                    self.tr("找不到窗口，请看大厅的指引或问咨询服务台")]
        if state == "done":
            return [self.tr("请对本次服务作出评价：窗口的评价器，或本机首页的「服务评价」"),
                    self.tr("已受理的办件，可凭办件通知书在本机「进度查询」查看进度")]
        if state == "no_show":
            return [self.tr("请到咨询服务台，说明您的排队号")]
        return [self.tr("如需办理业务，请返回首页重新取号")]

    def for_case(self, case: dict[str, Any]) -> list[str]:
        """The steps after a case in `case['state']`."""
        state = str(case.get("state", ""))
        if state == "correction":
            return [self.tr("按上面的清单，把缺少的材料一次补齐"),
                    self.tr("可以在本机首页选「补正材料」拍照提交，也可以送到受理窗口"),
                    self.tr("补齐后从材料收齐之日重新计算办理时限")]
        if state in OPEN_CASE:
            return [self.tr("不必再到大厅：办理进度可凭通知书上的二维码随时查询"),
                    self.tr("办结后请凭身份证或办件通知书领取结果")]
        if state == "concluded":
            return [self.tr("请带上身份证或办件通知书"),
                    self.tr("到上面写明的地点和时间领取结果"),
                    self.tr("领取后请对本次办理作出评价")]
        if state == "refused":
            return [self.tr("请按不予受理通知书上的说明办理"),
                    self.tr("有疑问请到咨询服务台，或拨打通知书上的咨询电话")]
        return []

    # -- showing it

    def show(self, steps: Callable[[], list[str]]) -> None:
        """The steps `steps()` gives, asked again when the language changes."""
        self._steps = steps
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.steps = list(self._steps())
        self.heading.setText(self.tr("接下来"))
        numbered = "".join(f"<tr><td style='padding-right: 0.5em'>{n}.</td><td>{escape(step)}</td></tr>"
                           for n, step in enumerate(self.steps, 1))
        self.lines.setText(f"<table style='line-height: 140%'>{numbered}</table>")
        self.setVisible(bool(self.steps))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        room_for_text_card(self, self.lines, theme)
