"""One service guide in full, and its one-time notification sheet (一次性告知单).

The guide as a citizen reads it, in a page that scrolls: how long, how much, how many trips
and what to bring first (kiosk.models.terminal.guide_reading decides them), then each material
in plain words (原件和复印件各 1 份), those only some need apart, the steps, who may apply, the
notes without catalogue codes, and the legal basis last. "打印一次性告知单" builds the A4 PDF on
the job pool (`hall.notices.guide.notice_pdf`), prints it on the A4 printer through CUPS with an
idempotency key, follows the job to its end and says so. A terminal without a working A4
printer, or whose print failed, says so and shows a QR code that opens the same notice on a
phone (the hall's published `guide_url`, else the hall server's `/g/<code>`).
"""
from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from hall.catalog_terms import form_words
from hall.localized import localized
from kiosk.context import Context
from kiosk.models.clock import hall_now
from kiosk.models.terminal.guide_reading import Material, Reading, reading
from kiosk.roles.dispenser.ticket import qr_pixmap
from kiosk.roles.terminal.page import MessagePanel, clear_layout, set_icon
from kiosk.theme import Theme
from kiosk.widgets.common import button, card, label, scrolling

log = logging.getLogger(__name__)

A4 = "a4_printer"


def guide_url(context: Context, guide: dict[str, Any]) -> str:
    """Where a phone reads the matter's guide: the hall's published guide when it says where
    its guides are, else the hall server's own copy of the notice this terminal would have
    printed (`/g/<code>`, at the hall's public address, or the one this terminal uses)."""
    code = str(guide.get("code", ""))
    if not code:
        return ""
    template = str(context.hall.get("guide_url") or "")
    if template:
        return template.replace("{code}", code)
    base = str(context.hall.get("public_url") or context.settings.hall_url).rstrip("/")
    suffix = "?lang=en" if context.language == "en" else ""
    return f"{base}/g/{quote(code, safe='')}{suffix}"


class GuideDetail(QWidget):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.guide: dict[str, Any] | None = None
        self._print_name = ""
        self._print_key = ""
        self._pdf: bytes | None = None
        self._workers: set[int] = set()
        self.qr_url = ""  # what the QR code shown instead of a printed notice opens
        self.stack = QStackedWidget(self)
        QVBoxLayout(self).addWidget(self.stack)
        self.layout().setContentsMargins(0, 0, 0, 0)
        # the guide
        page = QWidget(self.stack)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = scrolling(self.body, page)
        column.addWidget(self.scroll, 1)
        actions = QHBoxLayout()
        self.notice_hint = label("", "muted", parent=page)
        self.print_button = button("", "primary", parent=page)
        self.print_button.setObjectName("printNotice")
        self.print_button.clicked.connect(self.on_print_button_clicked)
        actions.addWidget(self.notice_hint, 1)
        actions.addWidget(self.print_button)
        column.addLayout(actions)
        self.stack.addWidget(page)
        # printing, printed, or the QR instead
        status = QWidget(self.stack)
        status_layout = QVBoxLayout(status)
        self.panel = MessagePanel(context.theme, status)
        self.qr = QLabel(self.panel)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.panel.extra.addWidget(self.qr)
        buttons = QHBoxLayout()
        self.again_button = button("", parent=status)
        self.again_button.clicked.connect(self.on_again_button_clicked)
        self.guide_button = button("", parent=status)
        self.guide_button.clicked.connect(self.show_guide)
        buttons.addStretch(1)
        buttons.addWidget(self.again_button)
        buttons.addWidget(self.guide_button)
        buttons.addStretch(1)
        status_layout.addWidget(self.panel, 1)
        status_layout.addLayout(buttons)
        self.stack.addWidget(status)
        self.retranslate_ui()

    # -- the guide

    def show_guide_of(self, guide: dict[str, Any]) -> None:
        if guide is not self.guide:
            self.guide = guide
            self._pdf = None
            self._print_key = ""
            self._fill(guide)
            self.scroll.verticalScrollBar().setValue(0)
        self.show_guide()

    @Slot()
    def show_guide(self) -> None:
        self.stack.setCurrentIndex(0)

    @property
    def printing(self) -> bool:
        return bool(self._print_name)

    def _clear(self) -> None:
        clear_layout(self.body_layout)

    def _fill(self, g: dict[str, Any]) -> None:
        """The guide as a citizen reads it (kiosk.models.terminal.guide_reading): the four
        answers first, then what to bring, the steps, who may apply, and the fine print."""
        self._clear()
        r = reading(g, self.context.language)  # the hall's own English on an English screen
        head = self._card()
        head.layout().addWidget(label(r.name, "title", parent=head))
        where = self.tr("取「{queue}」号，到窗口办理").format(queue=r.queue) if r.queue else ""
        head.layout().addWidget(label(" · ".join(x for x in (where, r.office) if x), "subtitle", parent=head))
        facts = QGridLayout()
        facts.setSpacing(self.context.theme.px(0.6))
        for column in range(2):
            facts.setColumnStretch(column, 1)
        for i, (question, answer, more) in enumerate(self._answers(r)):
            fact = QVBoxLayout()
            fact.setSpacing(0)
            fact.addWidget(label(question, "muted"))
            value = label(answer, "")
            value.setObjectName("guideAnswer")
            value.setStyleSheet(f"font-weight: bold; font-size: {self.context.theme.px(1.3)}px;")
            fact.addWidget(value)
            if more:
                fact.addWidget(label(more, "muted"))
            fact.addStretch(1)
            facts.addLayout(fact, i // 2, i % 2)
        head.layout().addLayout(facts)
        self.body_layout.addWidget(head)
        self._materials(r)
        if r.steps:
            self._section(self.tr("办理步骤"), "\n".join(f"{i}. {s}" for i, s in enumerate(r.steps, 1)))
        if r.conditions:
            self._section(self.tr("谁可以办"), r.conditions)
        if r.notes:
            self._section(self.tr("注意事项"), r.notes)
        if r.basis:
            self._section(self.tr("办理依据"), r.basis)
        self.body_layout.addStretch(1)

    def _answers(self, r: Reading) -> list[tuple[str, str, str]]:
        """(question, answer, a line more) for how long, how much, how many trips, what to bring."""
        if r.days is None:
            long = self.tr("请到窗口咨询")
        elif r.days == 0:
            long = self.tr("当场办结")
        else:
            long = self.tr("%n 个工作日内办结", None, r.days)
        if r.fully_online:
            trips, trips_more = self.tr("网上办，不用跑"), (self.tr("来大厅办理跑 %n 次", None, r.visits)
                                                      if r.visits else "")
        else:
            trips = self.tr("不用来大厅") if r.visits == 0 else self.tr("跑 %n 次", None, r.visits or 1)
            trips_more = self.tr("网上可办：{how}").format(how=r.online) if r.online else ""
        maybe = self.tr("另有 {n} 样视情况需要").format(n=len(r.maybe)) if r.maybe else ""
        return [
            (self.tr("要多久"), long, r.days_note if r.days_note not in ("", "即办", long) else ""),
            (self.tr("花多少钱"), self.tr("不收费") if r.free else r.fee, ""),
            (self.tr("要跑几次"), trips, trips_more),
            (self.tr("要带什么"), self.tr("%n 样材料", None, len(r.bring)), maybe),
        ]

    def _card(self) -> QWidget:
        frame = card(self.body)
        layout = QVBoxLayout(frame)
        pad = self.context.theme.px(0.9)
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(self.context.theme.px(0.35))
        return frame

    def _section(self, title: str, text: str) -> QWidget:
        frame = self._card()
        heading = label(title, "subtitle", parent=frame)
        heading.setStyleSheet(f"font-weight: bold; color: {self.context.theme.palette.primary};")
        frame.layout().addWidget(heading)
        if text:
            body = label(text, "", parent=frame)
            body.setTextFormat(Qt.TextFormat.PlainText)
            frame.layout().addWidget(body)
        self.body_layout.addWidget(frame)
        return frame

    def _copies(self, m: Material) -> str:
        """How many of what, in words: 原件 1 份, 原件和复印件各 1 份, 电子版."""
        if m.form == "电子":
            return self.tr("电子版")
        forms = form_words(m.form, self.context.language)  # fixed terms, English on an English screen
        if len(forms) > 1:
            joined = (" and " if self.context.language == "en" else "和").join(forms)
            return self.tr("{forms}各 {n} 份").format(forms=joined, n=m.count)
        return self.tr("{form} {n} 份").format(form=forms[0], n=m.count)

    def _materials(self, r: Reading) -> None:
        frame = self._section(self.tr("要带的材料"), "")
        groups = [("", r.bring)] + ([(self.tr("视情况需要"), r.maybe)] if r.maybe else [])
        number = 0
        for heading, materials in groups:
            if heading:
                frame.layout().addWidget(label(heading, "subtitle", parent=frame))
            for m in materials:
                number += 1
                row = label(f"{number}. {m.name}", "", parent=frame)
                row.setTextFormat(Qt.TextFormat.PlainText)
                row.setStyleSheet("font-weight: bold;")
                row.setObjectName("material")
                frame.layout().addWidget(row)
                facts = self._copies(m) + (self.tr("（可先办理，之后补交）") if m.waivable else "")
                frame.layout().addWidget(label(facts, "", parent=frame))
                if m.note:
                    note = label(m.note, "muted", parent=frame)
                    note.setTextFormat(Qt.TextFormat.PlainText)
                    frame.layout().addWidget(note)

    def text(self) -> str:
        """Every text shown for the guide (for tests and accessibility)."""
        return "\n".join(w.text() for w in self.body.findChildren(QLabel) if w.text())

    # -- the notice

    @Slot()
    def on_print_button_clicked(self) -> None:
        if self.guide is None or self.printing:
            return
        if self.context.devices.get(A4) is None or not self.context.devices.usable(A4):
            self.show_online_guide(self.tr("本机打印不了告知单"),
                                    self.tr("打印机暂时不能使用。请用手机扫描下方二维码，打开同一份告知单，材料清单都在里面。"))
            return
        self._print_key = self._print_key or f"notice-{self.guide.get('code', '')}-{uuid.uuid4().hex[:12]}"
        self._start_print()

    def _start_print(self) -> None:
        assert self.guide is not None
        self._print_name = f"print:{self._print_key}"
        self.show_status(self.tr("正在准备告知单…"), self.tr("请稍候，马上就好。"), "printer", "info")
        if self._pdf is not None:
            self._send(self._pdf)
            return
        from hall.notices.guide import notice_pdf

        hall = dict(self.context.hall)
        name = self._print_name
        self.context.jobs.submit("notice.pdf", notice_pdf, dict(self.guide), hall, printed_at=hall_now(hall),
                                 lang=self.context.language,
                                 done=lambda pdf: self._on_pdf_built(name, pdf),
                                 failed=lambda exc: self._on_print_failed(name, exc))

    def _on_pdf_built(self, name: str, pdf: bytes) -> None:
        if name != self._print_name:
            return
        self._pdf = pdf
        self._send(pdf)

    def _send(self, pdf: bytes) -> None:
        from kiosk.peripherals.a4 import print_pdf

        worker = self.context.devices.get(A4)
        if worker is None:
            self._on_print_failed(self._print_name, RuntimeError("no A4 printer"))
            return
        if id(worker) not in self._workers:
            self._workers.add(id(worker))
            worker.action_finished.connect(self.on_a4_action_finished)
            worker.action_failed.connect(self.on_a4_action_failed)
        self.show_status(self.tr("正在打印告知单…"), self.tr("打印需要几秒钟，请在打印机出纸口等候。"), "printer", "info")
        shown = localized(self.guide or {}, self.context.language)  # the print queue names it as printed
        title = self.tr("一次性告知单 {name}").format(name=shown.get("name", ""))
        worker.act(self._print_name, print_pdf(pdf, title=title, key=self._print_key))

    @Slot(str, object)
    def on_a4_action_finished(self, name: str, _result: object) -> None:
        if name != self._print_name:
            return
        self._print_name = ""
        self._print_key = ""  # the next press prints another copy
        self.show_status(self.tr("告知单已打印"), self.tr("请在打印机出纸口取走您的一次性告知单。"), "check", "ok")
        self.again_button.hide()

    @Slot(str, object)
    def on_a4_action_failed(self, name: str, exc: object) -> None:
        self._on_print_failed(name, exc)

    def _on_print_failed(self, name: str, exc: object) -> None:
        if name != self._print_name:
            return
        self._print_name = ""
        log.warning("notice not printed: %s", getattr(exc, "message", exc))
        self.show_online_guide(self.tr("告知单没有打印出来"),
                                self.tr("打印失败了。您可以重试，或用手机扫描下方二维码，打开同一份告知单。"))
        self.again_button.setVisible(True)

    @Slot()
    def on_again_button_clicked(self) -> None:
        if self.guide is not None and not self.printing:
            self._start_print()

    def show_status(self, title: str, text: str, icon_name: str, tone: str) -> None:
        self.panel.show_message(title, text, icon_name=icon_name, tone=tone)
        self.qr.hide()
        self.again_button.hide()
        self.guide_button.setVisible(not self.printing)
        self.stack.setCurrentIndex(1)

    def show_online_guide(self, title: str, text: str) -> None:
        self.qr_url = url = guide_url(self.context, self.guide or {})
        if not url:
            text = self.tr("请到咨询服务台领取纸质告知单，或在政务服务网搜索事项编码 {code}。").format(
                code=(self.guide or {}).get("code", ""))
        self.show_status(title, text, "qr" if url else "alert", "info" if url else "warn")
        if url:
            self.qr.setPixmap(qr_pixmap(url, self.context.theme.px(9)))
            self.qr.show()

    def leave(self) -> None:
        self._print_name = ""  # a print under way still finishes; nobody waits for its answer
        self._print_key = ""
        self.guide = None
        self._pdf = None
        self.stack.setCurrentIndex(0)

    def retranslate_ui(self) -> None:
        self.print_button.setText(self.tr("打印一次性告知单"))
        self.notice_hint.setText(self.tr("告知单列明办理所需的全部材料，备齐即可办理"))
        self.again_button.setText(self.tr("重新打印"))
        self.guide_button.setText(self.tr("返回指南"))
        if self.guide is not None:
            self._fill(self.guide)

    def apply_theme(self, theme: Theme) -> None:
        set_icon(self.print_button, "printer", theme, on_primary=True)
        self.panel.apply_theme(theme)
        self.body_layout.setSpacing(theme.px(0.6))
        if self.guide is not None:
            self._fill(self.guide)
