"""One case (办件) on the terminal's progress page: its number and matter, its stage, its light in
words (never colour alone), the due date (暂定 when the calendar could not know the year's
holidays), what is missing for 补正, and where and when to pick up the result."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from hall.catalog_terms import form_words
from hall.localized import localized
from kiosk.theme import Theme
from kiosk.widgets.common import label, room_for_text_card


def _material(item: Any, language: str) -> str:
    """A missing material's name (and the form asked, 原件 or 复印件), from its item or its name;
    the item already in the screen's language (hall.localized), its form a fixed term."""
    if not isinstance(item, dict):
        return str(item)
    name = str(item.get("material") or item.get("name") or "")
    if not item.get("form"):
        return name
    if language == "en":
        return f"{name} ({' and '.join(form_words(str(item['form']), language)).lower()})"
    return f"{name}（{item['form']}）"


class CaseStatus(QFrame):
    """A case as the citizen reads it: number, matter, stage, light, due date, missing, pickup."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("kind", "card")
        self.setObjectName("caseStatus")
        self.case: dict[str, Any] = {}
        self.language = "zh"
        box = QVBoxLayout(self)
        self.heading = label("", "title", parent=self)
        self.heading.setObjectName("caseHeading")
        self.stage = label("", "subtitle", parent=self)
        self.stage.setObjectName("caseStage")
        self.light = label("", "subtitle", parent=self)
        self.light.setObjectName("caseLight")
        self.lines = label("", "", parent=self)
        self.lines.setObjectName("caseLines")
        for w in (self.heading, self.stage, self.light, self.lines):
            box.addWidget(w)
        self.theme = theme
        self.apply_theme(theme)

    def show_case(self, case: dict[str, Any], language: str | None = None) -> None:
        """`case` as the hall answered it, its names in `language` (the hall's English beside
        the Chinese: `matter_name_en`, `missing_en`, ...; the last language when not given)."""
        self.case = case
        self.language = language or self.language
        shown = localized(case, self.language)
        self.heading.setText(self.tr("办件号 {number}　{matter}").format(
            number=case.get("number", ""), matter=shown.get("matter_name") or case.get("matter") or ""))
        self.stage.setText(self.tr("当前环节：{stage}").format(stage=self.stage_word(case)))
        open_case = case.get("state") not in ("concluded", "delivered", "closed", "refused")
        words = self.light_words(case.get("light")) if open_case else ""
        self.light.setText(words)
        self.light.setVisible(bool(words))
        colour = {"green": self.theme.palette.ok, "yellow": self.theme.palette.warn,
                  "red": self.theme.palette.bad}.get(case.get("light") or "", self.theme.palette.text)
        self.light.setStyleSheet(f"color: {colour}; font-weight: bold;")
        lines = [self.due_line(case) if open_case else "", self.missing_line(shown), self.refusal_line(case),
                 self.pickup_line(case)]
        self.lines.setText("\n".join(x for x in lines if x))

    def light_words(self, light: str | None) -> str:
        return {
            "green": self.tr("● 绿灯：按期办理中"),
            "yellow": self.tr("▲ 黄灯：临近办结期限"),
            "red": self.tr("■ 红灯：已超过承诺期限"),
        }.get(light or "", "")

    def due_line(self, case: dict[str, Any]) -> str:
        due = case.get("due")
        if not due:
            return ""
        if case.get("due_provisional"):
            return self.tr("承诺办结日期：{due}（暂定，如遇节假日调整顺延）").format(due=due)
        return self.tr("承诺办结日期：{due}").format(due=due)

    def missing_line(self, case: dict[str, Any]) -> str:
        missing = list(case.get("missing") or [])
        correction = localized(case.get("correction") or {}, self.language)
        items = [_material(m, self.language) for m in correction.get("items") or []]
        names = items or [_material(m, self.language) for m in missing]
        if not names:
            return ""
        line = self.tr("还缺材料：{names}").format(names=(", " if self.language == "en" else "、").join(names))
        if correction.get("deadline"):
            line += self.tr("（请于 {day} 前补齐）").format(day=correction["deadline"])
        return line

    def pickup_line(self, case: dict[str, Any]) -> str:
        delivery = case.get("delivery") or {}
        if delivery.get("method") == "post":
            return self.tr("结果已邮寄，运单号 {tracking}").format(tracking=delivery.get("tracking") or "—")
        if delivery:
            return self.tr("结果已于 {day} 领取").format(day=delivery.get("day") or "")
        if case.get("state") != "concluded":
            return ""
        pickup = localized(case.get("pickup") or {}, self.language)
        return self.tr("请到 {address} 领取结果，时间：{hours}。请带身份证或本通知书").format(
            address=pickup.get("address") or self.tr("本大厅出件窗口"), hours=pickup.get("hours") or "")

    def refusal_line(self, case: dict[str, Any]) -> str:
        refusal = case.get("refusal") or {}
        if not refusal:
            return ""
        line = self.tr("不予受理：{reason}").format(reason=refusal.get("reason") or "")
        if refusal.get("redirect"):
            line += self.tr("；请到 {where} 申请").format(where=refusal["redirect"])
        return line

    def stage_word(self, case: dict[str, Any]) -> str:
        return {
            "presubmitted": self.tr("预审：等待窗口核对材料"),
            "accepted": self.tr("已受理"),
            "correction": self.tr("补正：请补齐材料"),
            "refused": self.tr("不予受理"),
            "handling": self.tr("办理中"),
            "concluded": self.tr("已办结，可以领取结果") if case.get("approved", True) is not False
            else self.tr("已办结（未获批准），可以领取决定书"),
            "delivered": self.tr("已出件"),
            "closed": self.tr("已办完"),
        }.get(str(case.get("state")), str(case.get("state_label") or case.get("state") or ""))

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        room_for_text_card(self, self.lines, theme)
        if self.case:
            self.show_case(self.case)
