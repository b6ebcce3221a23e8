"""The terminal's guides on disk: written whole, read back for the same hall only (no Qt)."""
from __future__ import annotations

from kiosk.models.terminal.guide_cache import (
    CACHE_NAME,
    default_cache_path,
    read_cache,
    write_cache,
)

HALL = "http://hall.example:8470"
GUIDES = [{"code": "000131128000", "name": "个体工商户设立登记", "queue": "general"}]


def test_the_guides_come_back_for_the_hall_they_came_from(tmp_path):
    path = tmp_path / CACHE_NAME
    write_cache(path, HALL, GUIDES)
    guides, saved_at = read_cache(path, HALL)
    assert guides == GUIDES
    assert saved_at > 0
    assert read_cache(path, "http://other-hall:8470") is None
    assert not path.with_suffix(".tmp").exists()


def test_a_missing_or_damaged_file_gives_no_guides_and_stays_as_it_was(tmp_path, caplog):
    path = tmp_path / CACHE_NAME
    assert read_cache(path, HALL) is None
    path.write_text('{"hall_url": "http://hall.example:8470", "guides": [', encoding="utf-8")
    assert read_cache(path, HALL) is None
    assert "unreadable" in caplog.text
    assert path.read_text(encoding="utf-8").endswith("[")
    path.write_text('{"hall_url": "http://hall.example:8470", "guides": [1, {"name": "x"}]}', encoding="utf-8")
    assert read_cache(path, HALL) == ([{"name": "x"}], 0.0)


def test_the_cache_lives_in_the_data_directory_given(tmp_path):
    assert default_cache_path(str(tmp_path)) == tmp_path / CACHE_NAME
