"""预约签到: check in today's appointment with the QR code of its SMS or mini-program, or the ID card,
or their typed forms: the check-in code, the mobile number it was booked with (手机号签到) or the ID
number on the terminal's keyboard (a code the hall cannot read opens the keyboard at once). Of a
phone's several appointments today the hall checks in the open one, else the next, and the result
says which, with the number masked.

The hall finds the appointment and issues its ticket (priority appointment, in its slot;
checking in again gives the same ticket). The ticket is printed on the receipt printer with
the dispenser's own printing code, keyed by the ticket's id, so it comes out once; without a
printer that can print, or for a ticket printed before, it is shown whole on screen with its
QR code. No appointment today, too early, too late and a damaged code each get their own
calm message.

While the hall is away a kiosk checks in from its own copy of today's appointments, with a number
of its own lease (kiosk.roles.terminal.checkin_offline): the ticket prints with the quiet mark that
its place in line is estimated, and the hall checks it in once it is back. When the copy knows
nothing that matches, the citizen is sent to the dispenser or the desk.
"""
from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from drivers.status import State
from hall.client import HallError, HallUnavailable
from kiosk.context import Context
from kiosk.i18n import pick
from kiosk.models.dispenser_lease import Issued, offline_answer, offline_document
from kiosk.models.terminal import offline_checkin as offline
from kiosk.models.terminal.codes import is_case_code, is_ticket_code
from kiosk.models.terminal.offline_checkin import CheckedIn
from kiosk.roles.terminal.checkin_offline import KioskCheckIns
from kiosk.roles.terminal.next_steps import NextSteps
from kiosk.roles.terminal.page import BUSY, PROMPT, ScanFlow
from kiosk.roles.terminal.widgets import TicketStatus
from kiosk.theme import Theme
from kiosk.widgets.common import button, label, scrolling

if TYPE_CHECKING:
    from hall.wire import IssueAnswer

log = logging.getLogger(__name__)

RESULT, MESSAGE = range(BUSY + 1, BUSY + 3)
PRINT_GUARD_MS = 30_000


class CheckInPage(ScanFlow):
    wants_cards = True

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._retry: tuple[dict[str, Any], str] | None = None  # what to send again, and its key
        self.answer: IssueAnswer | None = None
        self.print_action: str | None = None
        self._printer_hooked = False
        result = QWidget()
        result_layout = QVBoxLayout(result)
        result_layout.setContentsMargins(0, 0, 0, 0)
        self.result_title = label("", "title", parent=result)
        self.result_title.setObjectName("checkInTitle")
        self.result_detail = label("", "subtitle", parent=result)
        self.status = TicketStatus(context.theme, result)
        self.notice = label("", "subtitle", parent=result)
        self.notice.setObjectName("checkInNotice")
        finish = QHBoxLayout()
        self.finish_button = button("", "primary", parent=result)
        self.finish_button.setObjectName("checkInDone")
        self.finish_button.clicked.connect(self.finished)
        finish.addWidget(self.notice, 1)
        finish.addWidget(self.finish_button)
        self.next_steps = NextSteps(context.theme, result)
        self.next_steps.setObjectName("checkInNextSteps")
        for widget in (self.result_title, self.result_detail, self.status, self.next_steps):
            result_layout.addWidget(widget)
        result_layout.addStretch(1)
        view = QWidget()
        view_layout = QVBoxLayout(view)  # the ticket scrolls if it must, 完成 stays in view (elder mode)
        view_layout.setContentsMargins(0, 0, 0, 0)
        view_layout.addWidget(scrolling(result, view), 1)
        view_layout.addLayout(finish)
        self.views.addWidget(view)
        self.retry_button = button("", parent=self)
        self.retry_button.setObjectName("checkInRetry")
        self.retry_button.clicked.connect(self.on_retry_button_clicked)
        self.rescan_button = button("", parent=self)
        self.rescan_button.clicked.connect(self.on_rescan_button_clicked)
        self._again: str | None = None  # after a typed phone number found nothing: type again, not scan
        self.done_button = button("", "primary", parent=self)
        self.done_button.clicked.connect(self.finished)
        self.message = self._add_message_view(self.retry_button, self.rescan_button, self.done_button)
        self.print_guard = QTimer(self)
        self.print_guard.setSingleShot(True)
        self.print_guard.setInterval(PRINT_GUARD_MS)
        self.print_guard.timeout.connect(self.on_print_guard_timeout)
        self.typed_view = self._add_typed_view()
        self._scanned = False  # whether the request on its way came from the scanner
        self.offline_issued: Issued | None = None  # the ticket of a check-in made while the hall is away
        self.offline = self._start_offline(context)

    # -- steps

    def enter(self) -> None:
        self._asked += 1
        self._again_as(None)
        self.answer, self.print_action, self._retry, self.offline_issued = None, None, None, None
        self.print_guard.stop()
        cards = self.can_read_cards()
        icons = ("qr", "idcard") if cards else ("qr",)
        text = self.tr("打开预约短信或小程序里的签到二维码，对准扫码口")
        if cards:
            text = self.tr("打开预约短信或小程序里的签到二维码对准扫码口，或把身份证放在读卡区")
        note = "" if self.can_scan() or cards else self.tr("本机没有连接扫码器和读卡器，请输入预约核验码、手机号或身份证号签到。")
        self.prompt.show_prompt(self.tr("请出示预约签到二维码"), text, note, icons)
        self.prompt.set_typed([("appointment", self.tr("输入预约核验码")), ("phone", self.tr("输入手机号")),
                               ("id_number", self.tr("输入身份证号"))])
        self._show(PROMPT)

    def leave(self) -> None:
        self.enter()

    def back(self) -> bool:
        if self.views.currentIndex() in (MESSAGE, self.typed_view):
            self.enter()
            return True
        return False

    def say(self, title: str, text: str, *, retry: bool = False) -> None:
        self.message.show_message(title, text)
        self.retry_button.setVisible(retry and self._retry is not None)
        self._show(MESSAGE)

    # -- what was scanned or read

    def on_code_scanned(self, text: str) -> None:
        if self.views.currentIndex() in (BUSY, RESULT):
            return  # one check-in at a time; the result stays until the citizen is done
        if is_case_code(text):  # a case notice's: its progress is on the progress page
            self.say(self.tr("这是办件通知书的二维码"),
                     self.tr("签到请扫描预约短信或小程序里的二维码。查询办件进度请返回首页，选择“进度查询”。"))
            return
        if is_ticket_code(text):
            self.say(self.tr("这是排队票的二维码"),
                     self.tr("签到请扫描预约短信或小程序里的二维码。查询排队进度请返回首页，选择“进度查询”。"))
            return
        self._check_in({"code": text}, str(uuid.uuid4()), scanned=True)

    def on_card_read(self, card: Any) -> None:
        if self.views.currentIndex() in (BUSY, RESULT):
            return
        self._check_in({"id_number": card.id_number}, str(uuid.uuid4()))

    def on_typed_submitted(self, kind: str, value: str) -> None:
        field = {"appointment": "code", "phone": "phone"}.get(kind, "id_number")
        self._check_in({field: value}, str(uuid.uuid4()))

    def on_card_unusable(self) -> None:
        if self.views.currentIndex() not in (BUSY, RESULT):
            self.say(self.tr("没有读到有效的身份证号码"), self.tr("请把居民身份证平放在读卡区，或扫描预约二维码。"))

    def _check_in(self, what: dict[str, Any], key: str, *, scanned: bool = False) -> None:
        self._retry, self._scanned = (what, key), scanned
        asked = self._busy(self.tr("正在签到…"), "calendar")
        if self.context.link.online is False and self._check_in_offline(asked):
            return  # the hall is known to be away: nobody waits out its timeout first
        self.context.link.call("check_in", **what, idempotency_key=key,
                               done=lambda answer: self._on_checked_in(asked, answer),
                               failed=lambda exc: self._on_failed(asked, exc))

    @Slot()
    def on_retry_button_clicked(self) -> None:
        if self._retry is not None:
            self._check_in(*self._retry)  # the same key: a check-in whose answer was lost is not repeated

    def _on_failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        code = getattr(exc, "code", "")
        if self._retry is not None and "phone" in self._retry[0] and self._phone_failed(exc):
            return
        if code == "invalid_code" and self._scanned:  # a damaged code: type it instead, at once
            self.ask_typed("appointment", self.tr("二维码无法识别。请输入预约短信或小程序里的核验码。"))
            return
        if code == "not_found":
            self.say(self.tr("今天没有找到您的预约"),
                     self.tr("请核对预约的日期和大厅。没有预约也可以返回首页取号办理。"))
            return
        if isinstance(exc, HallUnavailable) and self._check_in_offline(asked):
            return
        title, text = self.hall_failure(exc)
        self.say(title, text, retry=isinstance(exc, HallUnavailable) or not isinstance(exc, HallError))

    def _on_checked_in(self, asked: int, answer: IssueAnswer) -> None:
        if asked != self._asked:
            return
        self._retry = None
        self.answer = answer
        appointment = answer.appointment or {}
        if answer.already_checked_in:
            self.result_title.setText(self.tr("您已签到过，这是您的排队号"))
        else:
            self.result_title.setText(self.tr("签到成功"))
        what = (pick(appointment.get("matter_name") or "", appointment.get("matter_name_en") or "",
                     self.context.language) or appointment.get("queue_name") or "")
        slot = f"{appointment.get('slot_start', '')}–{appointment.get('slot_end', '')}"
        self.result_detail.setText(self.tr("预约事项：{what}　预约时段：{slot}").format(what=what, slot=slot)
                                   if what else self.tr("预约时段：{slot}").format(slot=slot))
        if answer.phone_masked:
            self.result_detail.setText(self.result_detail.text() + "\n" + self._phone_detail(answer, slot))
        self._print()

    # -- by phone

    def _phone_failed(self, exc: BaseException) -> bool:
        """Says what went wrong with a check-in by phone; False for what every way shares."""
        code = getattr(exc, "code", "")
        if code == "not_found":
            self.say(self.tr("今天没有这个手机号的预约"),
                     self.tr("请核对手机号，或输入预约核验码、身份证号签到。没有预约也可以返回首页取号办理。"))
            self._again_as("phone")
        elif code == "invalid_phone":
            self.ask_typed("phone", self.tr("手机号是 1 开头的 11 位数字，请重新输入。"))
        elif code == "too_many_attempts":
            minutes = -(-int(getattr(exc, "details", {}).get("retry_after") or 60) // 60)
            self.say(self.tr("手机号查询次数过多"),
                     self.tr("请 {minutes} 分钟后再试，或输入预约核验码、用身份证签到。").format(minutes=minutes))
        else:
            return False
        return True

    def _again_as(self, kind: str | None) -> None:
        """What the second button offers: typing `kind` again, or (None) scanning again."""
        self._again = kind
        self.rescan_button.setText(self.tr("重新输入") if kind else self.tr("重新扫描"))

    @Slot()
    def on_rescan_button_clicked(self) -> None:
        kind = self._again
        self.enter()
        if kind:
            self.ask_typed(kind)

    def _phone_detail(self, answer: IssueAnswer, slot: str) -> str:
        """The masked number and, of several appointments today, which one this is (a line each)."""
        lines = [self.tr("手机号 {phone}").format(phone=answer.phone_masked)]
        if (answer.appointments_today or 0) > 1:
            lines.append(self.tr("今天有 {count} 个预约，这次签到的是 {slot} 的预约。").format(
                count=answer.appointments_today, slot=slot))
        return "\n".join(lines)

    # -- the ticket: printed, or on screen

    def _qr_url(self) -> str:
        from kiosk.models import dispenser as dispenser_model

        assert self.answer is not None
        return dispenser_model.follow_url(self.context.settings.hall_url, self.answer,
                                          str(self.context.hall.get("public_url") or ""), self.context.language)

    def _print(self) -> None:
        from kiosk.models import dispenser as dispenser_model
        from kiosk.peripherals import printer as ticket_printer

        assert self.answer is not None
        printer = self.context.devices.get(ticket_printer.KIND)
        state = self.context.devices.states.get(ticket_printer.KIND)
        if printer is None or (state is not None and state.state in (State.ERROR, State.DISCONNECTED)):
            self._show_ticket(printed=False)
            return
        if not self._printer_hooked:
            printer.action_finished.connect(self.on_printer_action_finished)
            printer.action_failed.connect(self.on_printer_action_failed)
            self._printer_hooked = True
        ticket = self.answer.ticket
        if self.offline_issued is not None:
            document = offline_document(self.context.hall, self.offline_issued, self._qr_url())
        else:
            document = dispenser_model.ticket_document(self.context.hall, ticket, self._qr_url())
        self.print_action = ticket_printer.print_document(printer, ticket.id, document)
        self.busy.show_message(self.tr("正在打印排队凭条…"), self.tr("请在出票口等候取票"), icon_name="printer",
                               tone="info")
        self._show(BUSY)
        self.print_guard.start()

    @Slot(str, object)
    def on_printer_action_finished(self, name: str, result: Any) -> None:
        if name != self.print_action or self.answer is None:
            return
        self.print_action = None
        self.print_guard.stop()
        # a ticket printed at an earlier check-in is not printed again: it is shown instead
        self._show_ticket(printed=not getattr(result, "duplicate", False))

    @Slot(str, object)
    def on_printer_action_failed(self, name: str, exc: Any) -> None:
        if name != self.print_action or self.answer is None:
            return
        self.print_action = None
        self.print_guard.stop()
        log.warning("check-in ticket not printed: %s", getattr(exc, "message", exc))
        self._show_ticket(printed=False)

    @Slot()
    def on_print_guard_timeout(self) -> None:
        if self.print_action is not None and self.answer is not None:
            self.print_action = None
            self._show_ticket(printed=False)

    def _show_ticket(self, *, printed: bool) -> None:
        assert self.answer is not None
        ticket = self.answer.ticket
        self.status.show_ticket(ticket.to_json(), self.context.queue_name(ticket.queue))
        shown = self.status
        self.next_steps.show(lambda: self.next_steps.for_ticket(shown.ticket, shown.window()))
        if printed:
            self.status.set_qr("")
            self.notice.setText(self.tr("请取走您的排队凭条，留意叫号屏幕和语音提示。"))
        else:
            self.status.set_qr(self._qr_url(), self.tr("手机扫码查看排队进度"))
            self.notice.setText(self.tr("请用手机拍下本页或扫描二维码，凭号码等候叫号。"))
        if self.offline_issued is not None:
            self.notice.setText(self.notice.text() + "\n" + self.tr(
                "离线签到：前方人数与等候时间为估计，大厅系统恢复后自动登记。"))
        self._show(RESULT)

    # -- while the hall is away: the kiosk's own copy of today's appointments and its lease

    def _start_offline(self, context: Context) -> KioskCheckIns | None:
        if context.settings.role != "kiosk" or not context.settings.hall_url:
            return None  # a dispenser's ticket part, or a sample screen: no check-ins of its own
        offline = KioskCheckIns(context, parent=self)
        if context.link.online:
            offline.start()  # else at the hall's first answer: a screen never shown live writes nothing
        return offline

    def _check_in_offline(self, asked: int) -> bool:
        """The hall did not answer: check in from the kiosk's copy (False: this kiosk keeps none)."""
        if self.offline is None or self._retry is None:
            return False
        what, key = self._retry
        self.offline.check_in(what, key, done=lambda checked: self._on_offline_checked_in(asked, checked),
                              failed=lambda exc: self._on_offline_failed(asked, exc))
        return True

    def _on_offline_checked_in(self, asked: int, checked: CheckedIn) -> None:
        if asked != self._asked:
            return
        self.offline_issued = checked.issued
        answer = offline_answer(self.context.hall, checked.issued, appointment=checked.appointment,
                                already_checked_in=checked.again)
        self._on_checked_in(asked, answer)

    def _on_offline_failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        code = getattr(exc, "code", "")
        if code == offline.UNKNOWN:
            self.say(self.tr("本机暂时无法确认您的预约"),
                     self.tr("大厅系统暂时连不上，本机也没有查到这条预约。请到取号机取号，或到咨询服务台请工作人员帮助。"),
                     retry=True)
        elif code == offline.CARD:
            self.say(self.tr("暂时无法用身份证签到"),
                     self.tr("大厅系统暂时连不上。请扫描预约短信里的二维码或输入核验码签到，也可以到取号机取号。"), retry=True)
        elif code == offline.CHECKED_IN:
            self.say(self.tr("您已签到过"), self.tr("您的排队号是 {number}，请留意叫号屏幕和语音提示。").format(
                number=getattr(exc, "details", {}).get("number", "")))
        elif code == offline.NO_NUMBER:
            log.error("offline check-in without a number: %s", getattr(exc, "message", exc))
            self.say(self.tr("本机暂时无法签到发号"), self.tr("请到取号机取号，或到咨询服务台请工作人员帮助。"))
        else:
            self._on_failed(asked, exc)  # too early, too late, a damaged code: as the hall says them

    def shutdown(self) -> None:
        if self.offline is not None:
            self.offline.shutdown()

    # -- look

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.retry_button.setText(self.tr("重试"))
        self._again_as(getattr(self, "_again", None))
        self.done_button.setText(self.tr("返回首页"))
        self.finish_button.setText(self.tr("完成"))
        if hasattr(self, "next_steps"):
            self.next_steps.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.status.apply_theme(theme)
        self.next_steps.apply_theme(theme)

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.models.terminal.samples import sample_check_in, sample_offline_check_in

        def on_screen() -> None:
            from hall.wire import IssueAnswer

            self.enter()
            self._on_checked_in(self._asked, IssueAnswer.read(sample_check_in(), "the sample check-in"))

        def too_early() -> None:
            self.enter()
            self._on_failed(self._asked, HallError(409, "too_early", "", {
                "slot_start": "10:00", "slot_end": "10:30", "check_in_from": "09:45"}))

        def typed() -> None:
            self.enter()
            self.ask_typed("appointment", self.tr("二维码无法识别。请输入预约短信或小程序里的核验码。"))
            self.typed.keyboard.set_text("QR7K2M")

        def typed_phone() -> None:
            self.enter()
            self.ask_typed("phone")
            self.typed.keyboard.set_text("1381234567")

        def phone_ticket() -> None:
            from hall.wire import IssueAnswer

            self.enter()
            self._retry = ({"phone": ""}, "")
            answer = {**sample_check_in(), "phone_masked": "138****5678", "appointments_today": 2}
            self._on_checked_in(self._asked, IssueAnswer.read(answer, "the sample check-in by phone"))

        def phone_not_found() -> None:
            self.enter()
            self._retry = ({"phone": ""}, "")
            self._on_failed(self._asked, HallError(404, "not_found", "", {}))


        def offline_ticket() -> None:  # the hall away: checked in from the kiosk's copy, with a number of its lease
            self.enter()
            self._on_offline_checked_in(self._asked, sample_offline_check_in())

        def offline_unknown() -> None:  # the hall away, and the kiosk's copy knows nothing of the code
            self.enter()
            self._retry = ({"code": "ZZ7K2M9PX4"}, "sample")
            self._on_offline_failed(self._asked, HallError(404, offline.UNKNOWN, ""))

        return [("scan", self.enter), ("ticket", on_screen), ("too-early", too_early), ("typed-code", typed),
                ("typed-phone", typed_phone), ("phone-ticket", phone_ticket), ("phone-not-found", phone_not_found),
                ("offline-ticket", offline_ticket), ("offline-unknown", offline_unknown)]
