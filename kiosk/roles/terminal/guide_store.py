"""The hall's service guides as the terminal holds them: the last good copy, searchable.

The terminal asks the hall for its guides when the hall is loaded and again when the guides
page opens and the copy is older than `REFRESH_SECONDS`. The last good copy stays in memory
whatever happens later, and is written to a small JSON file in the data directory (the
terminal's `device_settings["kiosk"]["data_dir"]`, else the usual one), so a
terminal that starts while the hall is away still shows the guides it had. Guides are public:
the file holds nothing personal. The search index is built on the job pool (pinyin of every
name takes a moment for a large catalog).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from kiosk.context import Context
from kiosk.models.search import GuideIndex
from kiosk.models.terminal.guide_cache import read_cache, write_cache

log = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0


def _indexed(guides: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], GuideIndex]:
    return guides, GuideIndex(guides)


class GuideStore(QObject):
    """`changed` when a new copy is ready; `guides`, `index`, `saved_at` (wall clock) and
    `live` (the copy came from the hall during this run) describe it."""

    changed = Signal()
    refresh_failed = Signal(object)

    def __init__(self, context: Context, cache_path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.cache_path = cache_path
        self.guides: list[dict[str, Any]] = []
        self.index: GuideIndex | None = None
        self.saved_at: float | None = None
        self.live = False
        self._fetched_at: float | None = None  # monotonic
        self._loading = False

    @property
    def ready(self) -> bool:
        return self.index is not None

    def start(self) -> None:
        """The copy on disk, if any, until the hall answers."""
        if self.cache_path is None:
            return
        self.context.jobs.submit("guides.cache", self._load_cache, done=self._on_cache_loaded)

    def _load_cache(self) -> tuple[list[dict[str, Any]], GuideIndex, float] | None:
        found = read_cache(self.cache_path, self.context.settings.hall_url) if self.cache_path else None
        if not found:
            return None
        guides, saved_at = found
        return guides, GuideIndex(guides), saved_at

    def _on_cache_loaded(self, found: tuple[list[dict[str, Any]], GuideIndex, float] | None) -> None:
        if found is None or self.live:
            return
        self.guides, self.index, self.saved_at = found
        log.info("guides: %d from the cache, until the hall answers", len(self.guides))
        self.changed.emit()

    def refresh(self, *, force: bool = False) -> None:
        fresh = self._fetched_at is not None and time.monotonic() - self._fetched_at < REFRESH_SECONDS
        if self._loading or (fresh and not force):
            return
        self._loading = True
        self.context.link.call("guides", done=self._on_guides_answered, failed=self._on_guides_failed)

    def _on_guides_answered(self, answer: dict[str, Any]) -> None:
        if not shiboken6.isValid(self):  # the terminal was closed while the hall answered
            return
        guides = [g for g in answer.get("guides", []) if isinstance(g, dict)]
        self._fetched_at = time.monotonic()
        self.context.jobs.submit("guides.index", _indexed, guides, done=self._on_indexed,
                                 failed=self._on_guides_failed)

    def _on_indexed(self, result: tuple[list[dict[str, Any]], GuideIndex]) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        self.guides, self.index = result
        self.saved_at, self.live = time.time(), True
        log.info("guides: %d from the hall", len(self.guides))
        self.changed.emit()
        if self.cache_path is not None:
            self.context.jobs.submit("guides.save", write_cache, self.cache_path, self.context.settings.hall_url,
                                     self.guides, failed=lambda exc: log.warning("guides cache not written: %s", exc))

    def _on_guides_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        log.info("guides not refreshed: %s", exc)
        self.refresh_failed.emit(exc)

    def set_sample(self, guides: list[dict[str, Any]]) -> None:
        """For the sample screens: these guides, indexed here."""
        self.guides, self.index = guides, GuideIndex(guides)
        self.saved_at, self.live = time.time(), True
        self.changed.emit()
