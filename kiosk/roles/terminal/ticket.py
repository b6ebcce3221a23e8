"""取号: the ticket dispenser's own flow, as a page of the terminal.

The dispenser view runs embedded (a back button on its first screen, `flow_finished` when the
citizen is done). It brings its own page bar, so this page hides the terminal's. It is made
when the page is first opened: a terminal whose citizens never take a ticket here never
follows the queues' load.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QWidget

from kiosk.context import Context
from kiosk.roles.terminal.page import FlowPage, MessagePanel

log = logging.getLogger(__name__)


class TicketPage(FlowPage):
    # the embedded dispenser reads the ID card reader itself (elderly priority)
    # its pages fit the screen themselves (its ticket scrolls inside, 完成 below it); in the
    # flow's scroll area the stack would ask for its tallest page and push 完成 out of view
    scrolls = False

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.view: Any | None = None
        self.failed: MessagePanel | None = None
        self.set_bar_visible(False)

    def _ensure_view(self) -> Any | None:
        if self.view is not None or self.failed is not None:
            return self.view
        try:
            from kiosk.roles.dispenser.view import DispenserView

            self.view = DispenserView(self.context, self, embedded=True)
        except Exception:  # the rest of the terminal works without it
            log.exception("the ticket flow cannot be shown")
            self.failed = MessagePanel(self.context.theme, self)
            self.failed.show_message(self.tr("暂时无法在本机取号"), self.tr("请到取号机或咨询服务台取号。"))
            self.content.addWidget(self.failed, 1)
            self.set_bar_visible(True)
            return None
        self.view.flow_finished.connect(self.finished)
        self.content.addWidget(self.view, 1)
        return self.view

    def enter(self) -> None:
        view = self._ensure_view()
        if view is not None:
            view.go_home()

    def leave(self) -> None:
        if self.view is not None:
            self.view.go_home()

    def back(self) -> bool:
        return False

    def shutdown(self) -> None:
        if self.view is not None:
            self.view.shutdown()

    def sample_screens(self) -> list[tuple[str, Any]]:
        view = self._ensure_view()
        if view is None:
            return []
        return [(name, show) for name, show in view.sample_screens() if name in ("home", "ticket")]
