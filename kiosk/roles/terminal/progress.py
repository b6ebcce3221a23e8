"""进度查询: where a ticket is, from its QR code or the holder's ID card.

A ticket's QR code gives one ticket (its signed link is checked by the hall: a damaged link
is "not found", never someone else's ticket); an ID card gives the holder's tickets of today
and their appointments. Without a scanner or card reader, or when a code will not scan, the
ticket's number, the case number and the ID number are typed on the terminal's keyboard
(a typed ticket number is today's ticket at this hall; a case number needs the ID it was filed
under, typed or read). Each ticket shows its number, queue, state in words, people ahead and
the estimated wait, and the window once called.

While the hall is away, a ticket or a case the kiosk has looked up before is shown as the hall
last told it (`kiosk.models.terminal.last_known`), under a line that says so and since when.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from drivers.idcard.card import mask_id
from hall.client import HallError, HallUnavailable
from kiosk.context import Context
from kiosk.models.clock import hall_zone
from kiosk.models.terminal.codes import NotATicket, case_ref, ticket_ref
from kiosk.models.terminal.last_known import LastKnown
from kiosk.roles.terminal.case_status import CaseStatus
from kiosk.roles.terminal.next_steps import NextSteps
from kiosk.roles.terminal.page import BUSY, PROMPT, MessagePanel, ScanFlow, TitledList, clear_layout
from kiosk.roles.terminal.widgets import TicketStatus
from kiosk.theme import Theme
from kiosk.widgets.common import button, label

log = logging.getLogger(__name__)

RESULT, MESSAGE, NUMBER = range(BUSY + 1, BUSY + 4)  # NUMBER: the typed view


class ProgressPage(ScanFlow):
    wants_cards = True

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        results = TitledList()
        self.result_title, self.result_box, self.result_layout = results.title, results.box, results.rows
        self.views.addWidget(results)
        self.message = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.message)
        self._add_typed_view()
        self.number = self.typed
        self._typed_id: str | None = None  # an ID number typed for this visit, forgotten on leaving
        self._case_number: str | None = None  # a typed case number waiting for its ID number
        buttons = QHBoxLayout()
        self.number_button = button("", parent=self)
        self.number_button.setObjectName("progressCaseNumber")
        self.number_button.clicked.connect(self.ask_case_number)
        self.again_button = button("", parent=self)
        self.again_button.setObjectName("progressAgain")
        self.again_button.clicked.connect(self.enter)
        self.done_button = button("", "primary", parent=self)
        self.done_button.setObjectName("progressDone")
        self.done_button.clicked.connect(self.finished)
        buttons.addWidget(self.number_button)
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.done_button)
        self.content.addLayout(buttons)
        self.statuses: list[TicketStatus] = []
        self.cases: list[CaseStatus] = []
        self.last_known = LastKnown()
        self.next_steps: NextSteps | None = None  # under a single ticket or case

    # -- steps

    def enter(self) -> None:
        self._asked += 1
        icons = tuple(n for n, ok in (("qr", True), ("idcard", self.can_read_cards())) if ok)
        note = "" if self.can_scan() or self.can_read_cards() else \
            self.tr("本机没有连接扫码器，请输入排队号或办件号查询。")
        text = self.tr("把排队票或办件通知书上的二维码对准扫码口")
        if self.can_read_cards():
            text = self.tr("把排队票或办件通知书上的二维码对准扫码口，或把身份证放在读卡区查看排队和办件")
        self.prompt.show_prompt(self.tr("请扫描排队票或通知书上的二维码"), text, note, icons)
        self.prompt.set_typed([("ticket", self.tr("输入排队号")), ("case", self.tr("输入办件号")),
                               ("id_number", self.tr("输入身份证号"))])
        self._case_number = None
        self._show(PROMPT)

    def leave(self) -> None:
        self._asked += 1
        self._typed_id = self._case_number = None
        self._clear_results()
        self._show(PROMPT)

    def back(self) -> bool:
        if self.views.currentIndex() != PROMPT:
            self.enter()
            return True
        return False

    def _show(self, view: int) -> None:
        super()._show(view)
        self.again_button.setVisible(view in (RESULT, MESSAGE))
        self.done_button.setVisible(view in (RESULT, MESSAGE))
        self.number_button.setVisible(view in (RESULT, MESSAGE) and self._id_number() is not None)

    def say(self, title: str, text: str) -> None:
        self.message.show_message(title, text)
        self._show(MESSAGE)

    # -- what was scanned or read

    def on_code_scanned(self, text: str) -> None:
        try:
            case = case_ref(text)
        except NotATicket:
            self.ask_typed("case", self.tr("二维码无法识别。请输入通知书上的办件号。"))
            return
        if case is not None:
            asked = self._busy(self.tr("正在查询…"), "search")
            self.context.link.call("public_case", case, done=lambda answer: self._on_case(asked, answer, case),
                                   failed=lambda exc: self._on_failed(asked, exc, case=True, key=case))
            return
        try:
            ref = ticket_ref(text)
        except NotATicket as exc:
            if exc.why == "not_ticket":
                self.say(self.tr("这不是排队票的二维码"),
                         self.tr("请扫描排队票上的二维码。预约签到请返回首页，选择“预约签到”。"))
            else:
                self.ask_typed("ticket", self.tr("二维码无法识别。请输入排队票上的号码。"))
            return
        asked = self._busy(self.tr("正在查询…"), "search")
        done = lambda answer: self._on_ticket(asked, answer, ref.ticket)  # noqa: E731
        failed = lambda exc: self._on_failed(asked, exc, key=ref.ticket)  # noqa: E731
        if ref.follow_path:
            self.context.link.call("public_ticket", ref.follow_path, done=done, failed=failed)
        else:
            self.context.link.call("progress", ref.ticket, done=done, failed=failed)

    def on_card_read(self, card: Any) -> None:
        self._look_up_holder(card.id_number)

    def _look_up_holder(self, id_number: str) -> None:
        asked = self._busy(self.tr("正在查询…"), "search")
        self.context.link.call("lookup", id_number,
                               done=lambda answer: self._lookup_cases(asked, id_number, answer),
                               failed=lambda exc: self._on_failed(asked, exc))

    def on_typed_submitted(self, kind: str, value: str) -> None:
        if kind == "ticket":
            asked = self._busy(self.tr("正在查询…"), "search")
            self.context.link.call("progress", value, done=lambda answer: self._on_ticket(asked, answer),
                                   failed=lambda exc: self._on_failed(asked, exc, typed=True))
        elif kind == "case":
            self.on_case_number(value)
        else:
            self._typed_id = value
            if self._case_number is not None:
                self.on_case_number(self._case_number)
            else:
                self._look_up_holder(value)

    def _lookup_cases(self, asked: int, id_number: str, tickets: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.context.link.call("case_lookup", id_number,
                               done=lambda answer: self._on_lookup(asked, tickets, answer.get("cases") or []),
                               failed=lambda exc: self._on_lookup(asked, tickets, []))

    def _id_number(self) -> str | None:
        identity = self.context.session.identity
        return getattr(identity, "id_number", None) or self._typed_id

    def ask_case_number(self) -> None:
        """The digit keyboard for a case number, looked up under the ID card read or typed."""
        self._clear_results()
        self.ask_typed("case")

    def on_case_number(self, number: str) -> None:
        id_number = self._id_number()
        if id_number is None:  # a number alone shows nobody's case: the applicant's ID number too
            self._case_number = number
            self.ask_typed("id_number", self.tr("办件号要和申请人的身份证一起查询：请刷身份证，或输入身份证号。"))
            return
        self._case_number = None
        asked = self._busy(self.tr("正在查询…"), "search")
        self.context.link.call("case_lookup", id_number, number,
                               done=lambda answer: self._on_case(asked, (answer.get("cases") or [{}])[0]),
                               failed=lambda exc: self._on_number_failed(asked, exc))

    def _on_number_failed(self, asked: int, exc: BaseException) -> None:
        if asked == self._asked and getattr(exc, "code", "") == "not_found":
            self.say(self.tr("没有找到这个办件"),
                     self.tr("请核对办件号。只查得到以刚才所刷身份证申请的办件；代办的请刷申请人的身份证。"))
            return
        self._on_failed(asked, exc)

    def on_card_unusable(self) -> None:
        self.say(self.tr("这张卡读不出身份证号码"), self.tr("请刷居民身份证，或扫描排队票上的二维码。"))

    # -- answers

    def _clear_results(self) -> None:
        layout = self.result_layout
        clear_layout(layout)
        self.next_steps = None
        self.statuses = []
        self.cases = []

    def _add_ticket(self, t: dict[str, Any]) -> TicketStatus:
        status = TicketStatus(self.context.theme, self.result_box)
        status.show_ticket(t, self.context.ticket_queue_name(t))
        self.result_layout.addWidget(status)
        self.statuses.append(status)
        return status

    def _add_case(self, case: dict[str, Any]) -> CaseStatus:
        status = CaseStatus(self.context.theme, self.result_box)
        status.show_case(case, self.context.language)
        self.result_layout.addWidget(status)
        self.cases.append(status)
        return status

    def _on_case(self, asked: int, answer: dict[str, Any], key: str = "") -> None:
        self.last_known.remember("case", key, answer)
        self._on_one(asked, self.tr("您的办件进度"), lambda: self._add_case(answer))

    def _on_ticket(self, asked: int, answer: dict[str, Any], key: str = "") -> None:
        self.last_known.remember("ticket", key or str(answer.get("id") or ""), answer)
        self._on_one(asked, self.tr("您的排队进度"), lambda: self._add_ticket(answer))

    def _from_last_known(self, asked: int, kind: str, key: str) -> bool:
        """The hall is away: what it last told this kiosk about `key`, marked as such; False if nothing."""
        known = self.last_known.recall(kind, key)
        if known is None:
            return False
        when = dt.datetime.fromtimestamp(known.at, hall_zone(self.context.hall)).strftime("%H:%M")
        note = self.tr("大厅系统暂时连不上。以下是本机 {time} 查到的信息，现在可能已有变化。").format(time=when)
        if kind == "case":
            self._on_one(asked, self.tr("您的办件进度"), lambda: self._add_case(known.answer), note)
        else:
            self._on_one(asked, self.tr("您的排队进度"), lambda: self._add_ticket(known.answer), note)
        return True

    def _on_one(self, asked: int, title: str, add: Callable[[], object], note: str = "") -> None:
        """One ticket or one case, from its code: `add` puts it on the cleared result view, under
        `note` when there is one (an answer from what the kiosk last knew)."""
        if asked != self._asked:
            return
        self._clear_results()
        self.result_title.setText(title)
        if note:
            stale = label(note, "subtitle")
            stale.setObjectName("progressStale")
            self.result_layout.addWidget(stale)
        shown = add()
        steps = NextSteps(self.context.theme, self.result_box)
        steps.setObjectName("progressNextSteps")
        if isinstance(shown, TicketStatus):
            steps.show(lambda: steps.for_ticket(shown.ticket, shown.window()))
        elif isinstance(shown, CaseStatus):
            steps.show(lambda: steps.for_case(shown.case))
        self.result_layout.addWidget(steps)
        self.next_steps = steps
        self.result_layout.addStretch(1)
        self._show(RESULT)

    def _on_lookup(self, asked: int, answer: dict[str, Any], cases: list[dict[str, Any]]) -> None:
        if asked != self._asked:
            return
        self._clear_results()
        tickets, appointments = answer.get("tickets") or [], answer.get("appointments") or []
        for t in tickets:  # kept by ticket, never by card
            self.last_known.remember("ticket", str(t.get("id") or ""), t)
        who = answer.get("id_masked") or mask_id(getattr(self.context.session.identity, "id_number", "") or "")
        self.result_title.setText(self.tr("身份证 {who} 今天的排队、预约和办件").format(who=who))
        for t in tickets:
            self._add_ticket(t)
        for a in appointments:
            if a.get("checked_in"):
                continue
            line = self.tr("预约 {matter}：{start}–{end}，尚未签到").format(
                matter=a.get("matter_name") or a.get("queue_name") or "", start=a.get("slot_start", ""),
                end=a.get("slot_end", ""))
            self.result_layout.addWidget(label(line, "subtitle"))
        for case in cases:
            self._add_case(case)
        if not tickets and not appointments and not cases:
            self.say(self.tr("今天没有您的排队记录"), self.tr("如需办理业务，请返回首页取号或预约签到。"))
            return
        self.result_layout.addStretch(1)
        self._show(RESULT)

    def _on_failed(self, asked: int, exc: BaseException, case: bool = False, typed: bool = False,
                   key: str = "") -> None:
        if asked != self._asked:
            return
        away = isinstance(exc, HallUnavailable) or not isinstance(exc, HallError)
        if away and key and self._from_last_known(asked, "case" if case else "ticket", key):
            return
        if getattr(exc, "code", "") == "not_found" and typed:
            self.say(self.tr("没有找到这个排队号"),
                     self.tr("只查得到本大厅今天的排队号。请核对排队票上的号码，或到咨询服务台询问。"))
            return
        if getattr(exc, "code", "") == "not_found" and case:
            self.say(self.tr("没有找到这个办件"),
                     self.tr("二维码可能不完整，或不是本大厅的通知书。请重新扫描，或到咨询服务台询问。"))
            return
        if getattr(exc, "code", "") == "not_found":
            self.say(self.tr("没有找到这张排队票"),
                     self.tr("二维码可能不完整，或不是今天本大厅的排队票。请重新扫描，或到咨询服务台询问。"))
            return
        self.say(*self.hall_failure(exc))

    # -- look

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.again_button.setText(self.tr("再查一张"))
        self.done_button.setText(self.tr("完成"))
        self.number_button.setText(self.tr("输入办件号查询"))
        self.number.retranslate_ui()
        for case in getattr(self, "cases", []):
            case.show_case(case.case, self.context.language)  # the case's words in the language just chosen
        if getattr(self, "next_steps", None) is not None:
            self.next_steps.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.result_layout.setSpacing(theme.px(0.6))
        for status in self.statuses:
            status.apply_theme(theme)
        for case in self.cases:
            case.apply_theme(theme)
        if getattr(self, "next_steps", None) is not None:
            self.next_steps.apply_theme(theme)
        self.number.apply_theme(theme)

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.models.terminal.samples import sample_case, sample_progress

        def waiting() -> None:
            self._on_ticket(self._asked, sample_progress("waiting"))

        def called() -> None:
            self._on_ticket(self._asked, sample_progress("called"))

        def error() -> None:
            self.on_code_scanned("https://zwfw.example.gov.cn/t/20261127-A0")

        def cases() -> None:
            self._on_lookup(self._asked, {"id_masked": "440304********0011", "tickets": [sample_progress("waiting")]},
                            [sample_case("correction"), sample_case("handling")])

        def case() -> None:
            self._on_case(self._asked, sample_case("accepted"))

        def ready() -> None:
            self._on_case(self._asked, sample_case("concluded"))

        def number() -> None:
            self.ask_case_number()
            self.number.keyboard.set_text("370829202600")

        def typed_ticket() -> None:
            self.ask_typed("ticket")
            self.number.keyboard.set_text("A12")

        def last_known() -> None:  # the hall away: the ticket as this kiosk last heard of it
            self.last_known.remember("ticket", "sample", sample_progress("waiting"))
            self._from_last_known(self._asked, "ticket", "sample")

        return [("scan", self.enter), ("waiting", waiting), ("called", called), ("corrupted-qr", error),
                ("cases-by-card", cases), ("case-provisional", case), ("case-ready", ready),
                ("case-number", number), ("typed-ticket", typed_ticket), ("last-known", last_known)]

