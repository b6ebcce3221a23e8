"""The English translation is current: every string of the screens is in the .ts, translated,
and the .qm is what lrelease makes of it (`yiciban i18n update` fixes the first and last)."""
from __future__ import annotations

from kiosk.i18n_tool import check, messages, ts_path


def test_translations_are_current_and_complete():
    assert check("en") == []


def test_translations_keep_every_placeholder():
    import re

    names = re.compile(r"\{(\w*)\}")
    wrong = [source for (_ctx, source), text in messages(ts_path("en")).items()
             if text is not None and sorted(names.findall(source)) != sorted(names.findall(text))]
    assert wrong == []
