"""Languages: Chinese is the source text; English comes from assets/i18n/yiciban_en.qm.

Every visible string goes through `tr()` in its view's context. `Languages.switch()`
installs or removes the translator; Qt then sends every widget a LanguageChange event, and
views rebuild their text in `retranslate_ui()`.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal

from ground.paths import assets_dir

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")  # zh is the source language


def i18n_dir() -> Path:
    return assets_dir() / "i18n"


class Languages(QObject):
    """The application's current language."""

    language_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._current = "zh"
        self._translator: QTranslator | None = None

    @property
    def current(self) -> str:
        return self._current

    def switch(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
        if language == self._current:
            return
        app = QCoreApplication.instance()
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        if language != "zh":
            translator = QTranslator(self)
            path = i18n_dir() / f"yiciban_{language}.qm"
            if translator.load(str(path)):
                app.installTranslator(translator)
                self._translator = translator
            else:  # the screens stay usable in Chinese
                log.error("translation %s could not be loaded; staying in Chinese", path)
                return
        self._current = language
        self.language_changed.emit(language)

    def toggle(self) -> None:
        self.switch("en" if self._current == "zh" else "zh")


def pick(text_zh: str, text_en: str, language: str) -> str:
    """Data that carries its own translation (a queue's name and name_en): the one to show."""
    return text_en if language == "en" and text_en else text_zh


def pick_field(item: dict, key: str, language: str) -> str:
    """`item[key]`, or on an English screen `item[key + "_en"]` when the hall gave one."""
    return pick(str(item.get(key) or ""), str(item.get(f"{key}_en") or ""), language)
