"""自助申报 (self-service application): the citizen reads their ID card, chooses a matter the hall
marked for self-service, captures each material of its checklist with the document camera,
checks them, signs on the screen, and submits: the hall opens a case in 预审 (channel kiosk)
and the pages follow it, material by material. A printed receipt (or its QR on the screen)
says the case number; a window then accepts it (受理通知书) or lists every missing material at
once (补正材料通知书). The capturing, signing and sending are `CaptureFlow`'s.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QWidget

from kiosk.context import Context
from kiosk.roles.terminal.page import clear_layout
from kiosk.roles.terminal.selfservice_flow import CHOOSE, PROMPT, STATUS, CaptureFlow
from kiosk.widgets.common import button

log = logging.getLogger(__name__)


class SelfServicePage(CaptureFlow):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.card: Any = None
        self.matters: list[dict[str, Any]] = []

    def first_step(self) -> None:
        if not self.can_read_cards():
            self.say(self.tr("本机没有身份证读卡器"), self.tr("自助申报须先读取申请人的身份证。请取号到窗口办理。"),
                     "idcard", window=True)
            return
        self.show_card_prompt()
        self.context.speak("swipe_card")

    def show_card_prompt(self) -> None:
        self.prompt.show_prompt(self.tr("请把申请人的身份证放在读卡区"),
                                self.tr("读取身份证后，选择要申报的事项，按材料清单逐份拍摄提交。"),
                                icons=("idcard",))
        self.views.setCurrentIndex(PROMPT)

    def on_card_read(self, card: Any) -> None:
        if self.views.currentIndex() != PROMPT or not self.ready():
            return
        self.card = card
        asked = self.working(self.tr("正在读取可自助申报的事项…"), "book")
        self.context.link.call("guides", done=lambda answer: self._on_guides(asked, answer),
                               failed=lambda exc: self.failed(asked, exc))

    def on_card_unusable(self) -> None:
        if self.views.currentIndex() == PROMPT:
            self.say(self.tr("没有读到有效的身份证号码"), self.tr("请把身份证平放在读卡区，稍等片刻再拿开。"), "idcard")

    def _on_guides(self, asked: int, answer: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.matters = [g for g in answer.get("guides") or [] if g.get("self_service")]
        if not self.matters:
            self.say(self.tr("本厅暂无可自助申报的事项"), self.tr("请取号到窗口办理。"), "book", window=True)
            return
        self.show_matters()

    def show_matters(self) -> None:
        clear_layout(self.choose_rows)
        english = self.context.language == "en"
        for guide in self.matters:
            name = str((english and guide.get("name_en")) or guide.get("name", ""))
            choice = button(name, "choice", parent=self.choose_box)
            choice.setObjectName(f"matter-{guide.get('code', '')}")
            choice.clicked.connect(lambda _=False, g=guide: self.start_application(g))
            self.choose_rows.addWidget(choice)
        self.choose_rows.addStretch(1)
        self.views.setCurrentIndex(CHOOSE)

    def submit(self) -> None:
        assert self.app is not None and self.card is not None
        asked = self._asked
        body = self.app.case_body(self.card.id_number, getattr(self.card, "name", "") or "")
        self.context.link.call("create_case", body, done=lambda answer: self._opened(asked, answer),
                               failed=lambda exc: self.failed(asked, exc))

    def _opened(self, asked: int, answer: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.case = answer["case"]
        log.info("self-service case %s opened, pages follow", self.case.get("number"))
        self.upload_next()

    def back(self) -> bool:
        if super().back():
            return True
        index = self.views.currentIndex()
        if self.app is not None and index not in (PROMPT, STATUS):
            self.app.wipe()
            self.app = None
            self.show_matters()
            return True
        return False

    def reset(self) -> None:
        super().reset()
        self.card = None

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.choose_title.setText(self.tr("请选择要申报的事项"))
        self.checklist_title.setText(self.tr("材料清单：点“拍摄”，把材料逐页放在高拍仪下"))
        if self.views.currentIndex() == CHOOSE and self.matters:
            self.show_matters()
        elif self.views.currentIndex() == PROMPT and self.card is None:
            self.first_step()

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.roles.terminal.selfservice_samples import application_screens

        return [*application_screens(self),
                ("no-camera", lambda: self.say(self.tr("本机暂不能拍摄材料"),
                                               self.tr("高拍仪暂时不能使用。请取号到窗口，工作人员会为您办理。"),
                                               "camera", window=True))]
