"""One service guide in full, and its one-time notification sheet (一次性告知单).

Everything the guide says, in a page that scrolls: time limits (0 working days is 即办),
fee, visits, online service, conditions, each material with its form, copies and whether it
is required, the steps, the legal basis and the notes. "打印一次性告知单" builds the A4 PDF on
the job pool (`hall.notices.guide.notice_pdf`), prints it on the A4 printer through CUPS with an
idempotency key, follows the job to its end and says so. A terminal without a working A4
printer shows a QR code of the online guide instead (the hall's `guide_url`).
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.context import Context
from kiosk.models.clock import hall_now
from kiosk.models.localized import localized
from kiosk.roles.dispenser.ticket import qr_pixmap
from kiosk.roles.terminal.page import MessagePanel, clear_layout, set_icon
from kiosk.theme import Theme
from kiosk.widgets.common import button, card, label, scrolling

log = logging.getLogger(__name__)

A4 = "a4_printer"


def guide_url(context: Context, guide: dict[str, Any]) -> str:
    """The online guide of a matter, when the hall says where its guides are published."""
    template = str(context.hall.get("guide_url") or "")
    return template.replace("{code}", str(guide.get("code", ""))) if template else ""


class GuideDetail(QWidget):
    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.guide: dict[str, Any] | None = None
        self._print_name = ""
        self._print_key = ""
        self._pdf: bytes | None = None
        self._workers: set[int] = set()
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

    def _days(self, days: Any, text: str) -> str:
        plain = "" if days is None else self.tr("即办") if days == 0 else self.tr("{n} 个工作日").format(n=days)
        if text and text != plain:
            return f"{plain}\n{text}" if plain else text
        return plain or "—"

    def _fill(self, g: dict[str, Any]) -> None:
        self._clear()
        g = localized(g, self.context.language)  # the hall's own English on an English screen
        theme = self.context.theme
        head = self._card()
        head.layout().addWidget(label(str(g.get("name", "")), "title", parent=head))
        meta = " · ".join(str(g[k]) for k in ("department", "kind") if g.get(k))
        head.layout().addWidget(label(meta, "subtitle", parent=head))
        head.layout().addWidget(label(self.tr("事项编码 {code}").format(code=g.get("code", "")), "muted", parent=head))
        facts = QGridLayout()
        facts.setSpacing(theme.px(0.5))
        for column in range(3):
            facts.setColumnStretch(column, 1)
        items = [
            (self.tr("承诺办结时限"), self._days(g.get("promised_days"), g.get("promised_limit_text", ""))),
            (self.tr("法定办结时限"), self._days(g.get("legal_days"), g.get("legal_limit_text", ""))),
            (self.tr("收费标准"), str(g.get("fee") or "—")),
            (self.tr("到现场次数"), self.tr("{n} 次").format(n=g["visits"]) if g.get("visits") is not None else "—"),
            (self.tr("网上办理"), str(g.get("online") or "—")),
            (self.tr("取号类别"), str(g.get("queue_name") or "—")),
        ]
        columns = 3
        for i, (name, value) in enumerate(items):
            fact = QVBoxLayout()
            fact.setSpacing(0)
            fact.addWidget(label(name, "muted"))
            value_label = label(value.split("\n", 1)[0], "")
            value_label.setStyleSheet(f"font-weight: bold; font-size: {theme.px(1.15)}px;")
            fact.addWidget(value_label)
            if "\n" in value:
                fact.addWidget(label(value.split("\n", 1)[1], "muted"))
            fact.addStretch(1)
            facts.addLayout(fact, i // columns, i % columns)
        head.layout().addLayout(facts)
        self.body_layout.addWidget(head)
        if g.get("conditions"):
            self._section(self.tr("受理条件"), str(g["conditions"]))
        self._materials(g.get("materials") or [])
        steps = [str(s) for s in g.get("steps") or []]
        if steps:
            self._section(self.tr("办理流程"), "\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))
        if g.get("basis"):
            self._section(self.tr("设定依据"), str(g["basis"]))
        if g.get("notes"):
            self._section(self.tr("注意事项"), str(g["notes"]))
        self.body_layout.addStretch(1)

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

    def _need(self, m: dict[str, Any]) -> str:
        if m.get("waivable") or "容缺" in str(m.get("note", "")):
            return self.tr("容缺后补")
        return self.tr("必需") if m.get("required", True) else self.tr("按需提供")

    def _materials(self, materials: list[dict[str, Any]]) -> None:
        frame = self._section(self.tr("申请材料（共 {n} 项）").format(n=len(materials)), "")
        for number, m in enumerate(materials, 1):
            row = label(f"{number}. {m.get('name', '')}", "", parent=frame)
            row.setTextFormat(Qt.TextFormat.PlainText)
            row.setStyleSheet("font-weight: bold;")
            row.setObjectName("material")
            facts = self.tr("{form} · {count} 份 · {need}").format(
                form=m.get("form", ""), count=m.get("count", 1), need=self._need(m))
            frame.layout().addWidget(row)
            frame.layout().addWidget(label(facts, "muted", parent=frame))
            if m.get("note"):
                note = label(str(m["note"]), "muted", parent=frame)
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
            self.show_online_guide(self.tr("用手机扫码查看办事指南"),
                                    self.tr("本机暂不能打印告知单。扫描下方二维码，在手机上查看完整的办事指南和材料清单。"))
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
        title = self.tr("一次性告知单 {name}").format(name=self.guide.get("name", "") if self.guide else "")
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
                                self.tr("打印机暂时不能打印。您可以重试，或扫描下方二维码在手机上查看办事指南。"))
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
        url = guide_url(self.context, self.guide or {})
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
