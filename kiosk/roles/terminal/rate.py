"""服务评价: rate a finished visit from its ticket's QR code (好差评, channel "kiosk", 一次一评).

The ticket comes from its QR code, or its number typed on the terminal's keyboard (offered from
the prompt, and at once when the code will not scan). The ticket is looked up first: a visit not finished yet, or already rated, is told so and
nothing is asked. Otherwise the five levels (kiosk.widgets.rating.RatingPanel; a 差评 picks
its reasons) and, once the hall has the rating, thanks.

A retried rating carries the same idempotency key, so it is taken once. While the hall is away
the rating is not lost: it is kept on disk (the pad's outbox, `kiosk.roles.pad.outbox`, in a
file of the kiosk's own) and delivered once when the hall is back, with the key of the first
attempt; a ticket that cannot be looked up then is rated on what its QR says, and the hall
checks it on delivery (a refusal is kept with its reason).
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hall.client import HallError, HallUnavailable
from hall.localized import localized
from kiosk.context import Context
from kiosk.models.terminal.codes import NotATicket, TicketRef, ticket_ref
from kiosk.models.terminal.typed import signed_path
from kiosk.roles.pad.outbox import RatingOutbox
from kiosk.roles.terminal.page import BUSY, PROMPT, ScanFlow
from kiosk.roles.terminal.widgets import window_words
from kiosk.theme import Theme
from kiosk.widgets.common import button, label
from kiosk.widgets.rating import RatingPanel

log = logging.getLogger(__name__)

RATE, MESSAGE = range(BUSY + 1, BUSY + 3)
CHANNEL = "kiosk"
OUTBOX_FILE = "kiosk-ratings.sqlite3"


class RatePage(ScanFlow):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.ref: TicketRef | None = None
        self.ticket: dict[str, Any] | None = None
        self._key = ""
        self._pending: tuple[int, list[str], str] | None = None
        settings = context.settings
        self.outbox = RatingOutbox(context.jobs, settings.hall_url, settings.token, file_name=OUTBOX_FILE,
                                   timeout=context.link.timeout, parent=self)
        self._outbox_started = False
        context.link.online_changed.connect(self.on_link_online_changed)
        rate = QWidget()
        rate_layout = QVBoxLayout(rate)
        rate_layout.setContentsMargins(0, 0, 0, 0)
        self.rate_detail = label("", "subtitle", parent=rate)
        self.rate_detail.setObjectName("rateDetail")
        self.panel = RatingPanel(context.theme, [], parent=rate)
        self.panel.rating_chosen.connect(self.on_panel_rating_chosen)
        rate_layout.addWidget(self.rate_detail)
        rate_layout.addWidget(self.panel, 1)
        self.views.addWidget(rate)
        self.retry_button = button("", parent=self)
        self.retry_button.clicked.connect(self.on_retry_button_clicked)
        self.done_button = button("", "primary", parent=self)
        self.done_button.setObjectName("rateDone")
        self.done_button.clicked.connect(self.finished)
        self.message = self._add_message_view(self.retry_button, self.done_button)
        self.message.setObjectName("rateMessage")
        self.typed_view = self._add_typed_view()
        self._typed_ticket: str | None = None

    # -- steps

    def enter(self) -> None:
        if not self._outbox_started and self.context.settings.hall_url:
            self._outbox_started = True
            self.outbox.start()  # what an earlier run kept goes to the hall now
        self._asked += 1
        self.ref = self.ticket = self._pending = self._typed_ticket = None
        self.panel.reset()
        note = "" if self.can_scan() else self.tr("本机没有连接扫码器，请输入排队票上的号码评价。")
        self.prompt.show_prompt(self.tr("请扫描排队票上的二维码"),
                                self.tr("业务办结后，把排队票上的二维码对准扫码口，即可评价本次服务"), note, ("qr", "star"))
        self.prompt.set_typed([("ticket", self.tr("输入排队号"))])
        self._show(PROMPT)

    def leave(self) -> None:
        self.enter()

    def back(self) -> bool:
        if self.views.currentIndex() == RATE and self.panel.step() != "levels":
            self.panel.on_back_button_clicked()
            return True
        if self.views.currentIndex() != PROMPT:
            self.enter()
            return True
        return False

    def say(self, title: str, text: str, *, tone: str = "warn", icon_name: str = "alert", retry: bool = False) -> None:
        self.message.show_message(title, text, icon_name=icon_name, tone=tone)
        self.retry_button.setVisible(retry)
        self._show(MESSAGE)

    # -- the ticket

    def on_code_scanned(self, text: str) -> None:
        if self.views.currentIndex() in (BUSY, RATE):
            return
        try:
            self.ref = ticket_ref(text)
        except NotATicket as exc:
            if exc.why == "not_ticket":
                self.say(self.tr("这不是排队票的二维码"), self.tr("请扫描排队票上的二维码。"))
            else:
                self.ask_typed("ticket", self.tr("二维码无法识别。请输入排队票上的号码。"))
            return
        self._look_up()

    def on_typed_submitted(self, kind: str, value: str) -> None:
        if kind == "ticket":  # the number alone is guessable: the code printed under the QR too
            self._typed_ticket = value
            self.ask_typed("rating_code", self.tr("排队号 {number}。为防他人代评，请再输入票上二维码下方的评价码。").format(
                number=value.rsplit("-", 1)[-1]))
            return
        if self._typed_ticket is None:
            self.ask_typed("ticket")
            return
        self.ref = TicketRef(self._typed_ticket, signed_path(self._typed_ticket, value))
        self._look_up()

    def _look_up(self) -> None:
        assert self.ref is not None
        asked = self._busy(self.tr("正在查询…"), "star")
        done = lambda answer: self._on_ticket(asked, answer)  # noqa: E731
        failed = lambda exc: self._on_failed(asked, exc)  # noqa: E731
        progress = lambda _verified=None: self.context.link.call(  # noqa: E731
            "progress", self.ref.ticket, done=done, failed=failed)
        if self.ref.follow_path:  # the hall checks the link's signature first: a damaged one is nobody's
            self.context.link.call("public_ticket", self.ref.follow_path, done=progress, failed=failed)
        else:
            progress()

    def _on_ticket(self, asked: int, t: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        self.ticket = t
        number = str(t.get("number", ""))
        if t.get("rated"):
            self.say(self.tr("这次服务已经评价过了"),
                     self.tr("{number} 号的服务已收到您的评价，感谢参与。每次服务只能评价一次。").format(number=number),
                     tone="ok", icon_name="check")
            return
        if not t.get("may_rate"):
            if t.get("state") == "done":
                text = self.tr("{number} 号不是今天办结的业务，已不能在本机评价。").format(number=number)
            else:
                text = self.tr("{number} 号的业务还没有办结，办结后再来评价。").format(number=number)
            self.say(self.tr("暂时不能评价"), text, icon_name="clock", tone="info")
            return
        window = window_words(t, self.tr("{n} 号窗口"))
        queue = self.context.ticket_queue_name(t)
        self.rate_detail.setText(self.tr("请为本次服务评价：{ticket}").format(
            ticket=" · ".join(x for x in (number, queue, window) if x)))
        self._set_reasons()
        self.panel.reset()
        self._key = str(uuid.uuid4())
        self._show(RATE)

    def _set_reasons(self) -> None:
        """The hall's configured reasons, the same list and order the window's pad offers, in the
        language shown (recorded in the hall's words)."""
        evaluation = self.context.hall.get("evaluation") or {}
        if not evaluation.get("bad_reasons") and self.ticket:
            evaluation = {key: self.ticket.get(key) or [] for key in ("bad_reasons", "bad_reasons_en")}
        reasons = list(evaluation.get("bad_reasons") or [])
        self.panel.set_reasons(reasons, localized(evaluation, self.context.language).get("bad_reasons", reasons))

    def _on_failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        if getattr(exc, "code", "") == "not_found":
            self.say(self.tr("没有找到这张排队票"),
                     self.tr("二维码可能不完整，或不是本大厅的排队票。请重新扫描，或到咨询服务台询问。"))
            return
        if isinstance(exc, HallUnavailable) and self.ref is not None:
            # the hall cannot say now whether the visit is finished: it checks when the rating arrives
            number = self.ref.ticket.rsplit("-", 1)[-1]
            self._on_ticket(asked, {"number": number, "may_rate": True, "rated": False})
            return
        self.say(*self.hall_failure(exc))

    # -- the rating

    @Slot(int, list, str)
    def on_panel_rating_chosen(self, level: int, reasons: list, text: str) -> None:
        if self.ref is None or self.views.currentIndex() != RATE:
            return
        self._pending = (level, list(reasons), text)
        self._send()

    def _send(self) -> None:
        assert self.ref is not None and self._pending is not None
        asked = self._busy(self.tr("正在提交评价…"), "star")
        level, reasons, text = self._pending
        # a desk rates by the ticket's signed reference (the printed QR's), as the follow page does
        ref = self.ref.follow_path.removeprefix("/t/") if self.ref.follow_path else self.ref.ticket
        self.context.link.call("rate", ref, level, reasons, text, CHANNEL, self._key,
                               done=lambda answer: self._on_rated(asked, answer),
                               failed=lambda exc: self._on_rate_failed(asked, exc))

    @Slot()
    def on_retry_button_clicked(self) -> None:
        if self._pending is not None and self.ref is not None:
            self._send()  # the same key: a rating whose answer was lost is taken once

    def _on_rated(self, asked: int, _answer: dict[str, Any]) -> None:
        if asked != self._asked:
            return
        level = self._pending[0] if self._pending else 5
        self._pending = None
        text = self.tr("您的评价已提交，我们会用它改进服务。") if level >= 3 else \
            self.tr("您的意见已提交。窗口负责人会核实情况并改进，给您带来不便，敬请谅解。")
        self.say(self.tr("感谢您的评价"), text, tone="ok", icon_name=f"smile{level}")

    def _on_rate_failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        if isinstance(exc, HallError) and not isinstance(exc, HallUnavailable):
            log.info("rating refused: %s", exc.code)
            self._pending = None
            self._look_up()  # rated meanwhile, or no longer ratable: the ticket says which
            return
        if isinstance(exc, HallUnavailable) and self.ref is not None and self._pending is not None:
            level, reasons, text = self._pending
            ref = self.ref.follow_path.removeprefix("/t/") if self.ref.follow_path else self.ref.ticket
            self.outbox.record(ref, level, reasons, text, {"number": self.ref.ticket.rsplit("-", 1)[-1]},
                               channel=CHANNEL, key=self._key)
            self._pending = None
            self._say_kept(level)
            return
        title, text = self.hall_failure(exc)
        self.say(title, text, retry=True)

    # -- look

    def _say_kept(self, level: int) -> None:
        self.say(self.tr("感谢您的评价"), self.tr("您的评价已保存在本机，大厅系统恢复后会自动提交，无需再评。"),
                 tone="ok", icon_name=f"smile{level}")

    @Slot(bool, str)
    def on_link_online_changed(self, online: bool, _reason: str) -> None:
        if online and self.outbox.pending:
            self.outbox.flush(force=True)  # the hall is back: what was kept goes now

    def shutdown(self) -> None:
        self.outbox.shutdown()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.retry_button.setText(self.tr("重试"))
        self.done_button.setText(self.tr("完成"))
        self._set_reasons()
        self.panel.retranslate_ui()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.panel.apply_theme(theme)

    def sample_screens(self) -> list[tuple[str, Any]]:
        from kiosk.models.terminal.samples import SAMPLE_FOLLOW, sample_progress

        def rate() -> None:
            self.enter()
            self.ref = ticket_ref(SAMPLE_FOLLOW)
            self._on_ticket(self._asked, sample_progress("done"))  # the hall's reasons, as a live rating

        def thanks() -> None:
            rate()
            self._pending = (5, [], "")
            self._on_rated(self._asked, {})

        def bad() -> None:
            rate()
            self.panel.choose(2)

        def typed() -> None:
            self.enter()
            self.ask_typed("ticket")
            self.on_typed_submitted("ticket", "20261127-A012")
            self.typed.keyboard.set_text("NJOHN")


        def kept() -> None:  # the hall away: the rating kept on this kiosk
            rate()
            self._say_kept(5)

        return [("scan", self.enter), ("levels", rate), ("reasons", bad), ("thanks", thanks), ("typed-code", typed),
                ("kept", kept)]
