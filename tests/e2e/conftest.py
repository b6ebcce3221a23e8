"""The real hall server, as a separate process on a loopback port, for end-to-end tests.

`hall_server` starts `yiciban hall` on the small test hall (tests/support/halls.py) with its
own data directory, waits until /health answers, and kills it at teardown. Its stderr (and
stdout) go to `log_path`, across restarts, so a test can scan what the server logged.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hallserver import HallServer, free_port, running

__all__ = ["HallServer", "free_port"]


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[HallServer]:
    """A server of one's own: restart it, kill it, change its state at will."""
    yield from running(tmp_path)


@pytest.fixture(scope="module")
def shared_hall_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HallServer]:
    """One server for a module's tests that only read, or are refused (they change nothing)."""
    yield from running(tmp_path_factory.mktemp("shared-hall"))
