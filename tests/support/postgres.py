"""The platform's database for tests: SQLite, or a private PostgreSQL cluster made once a session.

`platform_database` is parametrised: a test that asks for it runs twice, once on a SQLite file
and once on a new database of its own in the session's private PostgreSQL cluster (initdb and
pg_ctl in a temporary directory, `sync.platform.cluster`; each pytest-xdist worker has its own).
It gives a URL the platform's `database` setting takes. Registered for every test module by
`pytest_plugins` in tests/conftest.py.

Without PostgreSQL (the `postgresql` apt package) or psycopg the PostgreSQL half is skipped
with the reason, which the suite's closing list of skips shows as a defect.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.platform.cluster import FAST, PrivateCluster, unavailable_reason

ENGINES = ("sqlite", "postgresql")
_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PrivateCluster]:
    """One private PostgreSQL server for the whole session (of this worker)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no private PostgreSQL cluster: {reason}")
    cluster = PrivateCluster(settings=FAST)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def fresh_database(request: pytest.FixtureRequest, engine: str, directory: Path) -> str:
    """A URL of an empty database of `engine`: a SQLite file in `directory`, or a new
    PostgreSQL database in the session's cluster."""
    if engine == "sqlite":
        return f"sqlite:///{directory / 'platform.db'}"
    cluster: PrivateCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"platform_{next(_names)}")


@pytest.fixture(params=ENGINES)
def platform_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty platform database, once on SQLite and once on PostgreSQL."""
    return fresh_database(request, request.param, tmp_path)
