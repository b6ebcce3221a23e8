"""补正 (supplementing materials) at the terminal: a case waiting for materials is found by the
applicant's ID card (all their cases in 补正; a typed case number picks one), or by the QR on
its 补正材料通知书; the citizen captures only the materials the notice listed, signs, and
hands them in: the pages go to the case and the case goes back to its window as 预审. The
capturing, signing, sending and receipt are `CaptureFlow`'s.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QWidget

from hall.localized import localized
from kiosk.context import Context
from kiosk.models.terminal.application import for_correction
from kiosk.models.terminal.codes import NotATicket, case_ref
from kiosk.roles.terminal.page import clear_layout
from kiosk.roles.terminal.selfservice_flow import CHOOSE, PROMPT, CaptureFlow
from kiosk.roles.terminal.typed_entry import TypedEntryPanel
from kiosk.widgets.common import button

log = logging.getLogger(__name__)

CORRECTION = "correction"


class SupplementPage(CaptureFlow):
    wants_codes = True
    supplement = True

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.id_number: str | None = None
        self.follow_path: str | None = None
        self.found: list[dict[str, Any]] = []
        self.number = TypedEntryPanel(context.theme, lambda: self.context.hall, self.views)
        self.number.submitted.connect(lambda _kind, value: self.on_case_number(value))
        self.number_view = self.views.addWidget(self.number)

    def first_step(self) -> None:
        icons = tuple(n for n, ok in (("idcard", self.can_read_cards()), ("qr", self.can_scan())) if ok)
        if not icons:
            self.say(self.tr("本机不能查找办件"), self.tr("本机没有身份证读卡器或扫码器。请取号到窗口补正材料。"),
                     window=True)
            return
        self.show_find_prompt(icons)
        self.context.speak("swipe_card")

    def show_find_prompt(self, icons: tuple[str, ...] = ("idcard", "qr")) -> None:
        self.prompt.show_prompt(self.tr("请刷身份证，或扫描补正材料通知书上的二维码"),
                                self.tr("找到需要补正的办件后，只拍通知书上列出的材料。"), icons=icons)
        self.views.setCurrentIndex(PROMPT)

    # -- finding the case

    def on_card_read(self, card: Any) -> None:
        if self.views.currentIndex() != PROMPT or not self.ready():
            return
        self.id_number, self.follow_path = card.id_number, None
        self.lookup(None)

    def lookup(self, number: str | None) -> None:
        asked = self.working(self.tr("正在查找需要补正的办件…"))
        self.context.link.call("case_lookup", self.id_number, number,
                               done=lambda answer: self._on_cases(asked, answer.get("cases") or []),
                               failed=lambda exc: self._not_found(asked, exc))

    def on_card_unusable(self) -> None:
        if self.views.currentIndex() == PROMPT:
            self.say(self.tr("没有读到有效的身份证号码"), self.tr("请把身份证平放在读卡区，稍等片刻再拿开。"), "idcard")

    def on_code_scanned(self, text: str) -> None:
        if self.views.currentIndex() != PROMPT or not self.ready():
            return
        try:
            signed = case_ref(text)
        except NotATicket:
            signed = None
        if signed is None:
            self.say(self.tr("这不是补正材料通知书的二维码"), self.tr("请扫描补正材料通知书右上角的二维码，或刷身份证。"), "qr")
            return
        self.id_number, self.follow_path = None, signed
        asked = self.working(self.tr("正在查找需要补正的办件…"))
        self.context.link.call("public_case", signed, done=lambda case: self._on_cases(asked, [case]),
                               failed=lambda exc: self._not_found(asked, exc))

    def ask_case_number(self) -> None:
        """The keyboard for a case number (办件号), read as kiosk.models.terminal.typed reads it."""
        self.number.ask("case")
        self.views.setCurrentWidget(self.number)

    def on_case_number(self, number: str) -> None:
        self.number.clear()
        self.lookup(number)

    def _not_found(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        if getattr(exc, "code", "") == "not_found":
            self.say(self.tr("没有找到这个办件"), self.tr("请核对通知书，或到咨询服务台请工作人员帮助。"), "search")
            return
        self.failed(asked, exc)

    def _on_cases(self, asked: int, cases: list[dict[str, Any]]) -> None:
        if asked != self._asked:
            return
        self.found = [c for c in cases if c.get("state") == CORRECTION]
        if not self.found:
            self.say(self.tr("没有需要补正材料的办件"),
                     self.tr("这个办件现在不需要补正。可在“进度查询”中查看它的进度。"), "search")
            return
        if len(self.found) == 1:
            self.take(self.found[0])
            return
        self.show_cases()

    def show_cases(self) -> None:
        clear_layout(self.choose_rows)
        for case in self.found:
            deadline = (case.get("correction") or {}).get("deadline", "")
            words = self.tr("{number}  {matter}（请于 {deadline} 前补齐）").format(
                number=case.get("number", ""), deadline=deadline,
                matter=localized(case, self.context.language).get("matter_name") or case.get("matter_name", ""))
            choice = button(words, "choice", parent=self.choose_box)
            choice.setObjectName(f"case-{case.get('number', '')}")
            choice.clicked.connect(lambda _=False, c=case: self.take(c))
            self.choose_rows.addWidget(choice)
        if self.id_number:
            typed = button(self.tr("输入办件号"), parent=self.choose_box)
            typed.setObjectName("supplementCaseNumber")
            typed.clicked.connect(self.ask_case_number)
            self.choose_rows.addWidget(typed)
        self.choose_rows.addStretch(1)
        self.views.setCurrentIndex(CHOOSE)

    def take(self, case: dict[str, Any]) -> None:
        self.case = case
        self.start_application(for_correction(case))

    # -- handing it in

    def submit(self) -> None:
        self.upload_next()  # the case is there already

    def after_uploads(self) -> None:
        assert self.app is not None and self.case is not None
        asked = self._asked
        names = [m.name for m in self.app.materials if self.app.pages(m.name)]
        self.context.link.call("supplement_case", self.case["number"], names, id_number=self.id_number,
                               follow_path=self.follow_path,
                               done=lambda answer: self._handed_in(asked, answer),
                               failed=lambda exc: self.failed(asked, exc))

    def _handed_in(self, asked: int, answer: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.case = {**answer["case"], "follow_path": answer["case"].get("follow_path") or self.case.get("follow_path")}
        log.info("补正 of case %s handed in", self.case.get("number"))
        self.sent()

    def show_checklist(self) -> None:
        super().show_checklist()
        if self.app is not None and self.app.missing():  # every listed material is needed for 补正
            self.review_button.setEnabled(False)
            joint = "; " if self.context.language == "en" else "、"
            self.checklist_note.setText(self.tr("还缺：{names}。补正须交齐通知书列出的全部材料。").format(
                names=joint.join(m.shown(self.context.language) for m in self.app.missing())))

    def back(self) -> bool:
        if super().back():
            return True
        if self.views.currentWidget() is self.number:
            self.show_cases()
            return True
        return False

    def reset(self) -> None:
        super().reset()
        self.id_number = self.follow_path = None
        self.found = []

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.choose_title.setText(self.tr("请选择要补正的办件"))
        self.checklist_title.setText(self.tr("补正材料通知书列出的材料：逐份拍摄"))
        self.number.retranslate_ui()
        if self.views.currentIndex() == PROMPT and self.case is None:
            self.first_step()
        elif self.views.currentIndex() == CHOOSE and self.found:
            self.show_cases()

    def apply_theme(self, theme) -> None:
        super().apply_theme(theme)
        self.number.apply_theme(theme)

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.roles.terminal.selfservice_samples import supplement_screens

        return [("find", self.show_find_prompt), *supplement_screens(self)]
