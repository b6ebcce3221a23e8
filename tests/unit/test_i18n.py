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


def test_counted_messages_have_a_singular_and_a_plural_each_with_its_count():
    plural = {key: text.split(" | ") for key, text in messages(ts_path("en")).items()
              if text is not None and "%n" in key[1]}
    assert ("CaptureCounts", "已拍 %n 页") in plural  # the counts of pages, days, trips are numerus messages
    wrong = [key for key, forms in plural.items()
             if len(forms) != 2 or not all("%n" in f for f in forms) or forms[0] == forms[1]]
    assert wrong == []
