"""What the hall offers the dispenser right now: its queues' loads and the searchable matters.

The loads come from the hall's snapshot, asked again every few seconds while the dispenser is
shown. The search index covers the hall's service guides (when its server has them) and its
queues, so a hall without guides, or away at the moment, can still be searched by queue name.
Both are fetched on the pool and built there: the pinyin of every character takes a moment.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from shiboken6 import isValid

from kiosk.context import Context
from kiosk.models import dispenser as model

log = logging.getLogger(__name__)

REFRESH_MS = 10_000


class Catalog(QObject):
    loads_changed = Signal(dict)  # queue id -> QueueLoad
    index_built = Signal(object)  # kiosk.models.search.GuideIndex

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.loads: dict[str, model.QueueLoad] = {}
        self.guides: list[dict[str, Any]] = []
        self.index: Any | None = None
        self._wanted: list[dict[str, Any]] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def _alive(self, fn: Callable[..., None]) -> Callable[..., None]:
        """A callback for a pool job that may end after the view (and this) is gone."""
        def call(*args: Any) -> None:
            if isValid(self):
                fn(*args)
        return call

    # -- loads

    def start(self) -> None:
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def refresh(self) -> None:
        if self.context.hall:
            self.context.link.call("snapshot", done=self._alive(self.on_snapshot_done),
                                   failed=lambda _exc: None)

    def on_snapshot_done(self, snapshot: dict[str, Any]) -> None:
        self.loads = model.queue_loads(snapshot, self.context.hall)
        self.loads_changed.emit(self.loads)

    # -- search

    def load_guides(self) -> None:
        """Index the queues at once, then the guides too once the hall has sent them."""
        self.build_index(self.guides, self.context.hall)
        try:
            self.context.link.call("guides", done=self._alive(self.on_guides_done), failed=self.on_guides_failed)
        except AttributeError:  # a hall client without guides: the queues alone are searchable
            log.info("the hall client has no guides; searching queues only")

    def on_guides_done(self, answer: dict[str, Any]) -> None:
        self.guides = [g for g in answer.get("guides", []) if isinstance(g, dict)]
        self.build_index(self.guides, self.context.hall)

    def on_guides_failed(self, exc: BaseException) -> None:
        log.info("no service guides from the hall (%s); searching queues only", exc)

    def build_index(self, guides: list[dict[str, Any]], hall: dict[str, Any]) -> None:
        from kiosk.models.search import GuideIndex

        entries = model.search_entries(guides, hall)
        self._wanted = entries

        def done(index: Any) -> None:
            if self._wanted is entries:  # not overtaken by a newer build
                self.index = index
                self.index_built.emit(index)

        self.context.jobs.submit("dispenser.index", GuideIndex, entries, done=self._alive(done),
                                 failed=lambda exc: log.warning("search index not built: %s", exc))

    def use_index(self, index: Any) -> None:
        """An index built elsewhere (the sample screens'); a build still running is dropped."""
        self._wanted = None
        self.index = index
