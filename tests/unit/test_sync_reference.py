"""Reference data on the node: pulled in pages, applied at once, served with its age when offline;
and the working-day calendar built on it."""
from __future__ import annotations

import datetime as dt

import pytest

from sync.platform.db import Database
from sync.platform.store import PlatformStore
from sync.protocol import NotModified, Page, Unavailable
from sync.puller import Puller
from sync.reference import (
    APPOINTMENTS,
    CALENDAR,
    CATALOG,
    ReferenceStore,
    ReferenceStoreError,
    etag,
)
from sync.workdays import WorkCalendar, working_days_after
from tests.unit.hallfixtures import FakeClock, at


class StoreClient:
    """A platform client that reads a real PlatformStore, with faults on request."""

    def __init__(self, store: PlatformStore, node: str = "hall-a", limit: int = 2) -> None:
        self.store, self.node, self.limit = store, node, limit
        self.fail_on_page: int | None = None
        self.calls = 0

    def pull(self, dataset, since, *, cursor=None, etag_value=None, **kw):
        tag = kw.get("etag", etag_value)
        self.calls += 1
        if self.fail_on_page is not None and self.calls >= self.fail_on_page:
            raise Unavailable("line down")
        version = self.store.version(dataset)
        if tag == etag(dataset, version) and not cursor:
            raise NotModified()
        version, changes, next_cursor = self.store.changes(dataset, self.node, since, cursor, self.limit)
        return Page(dataset, version, etag(dataset, version), changes, next_cursor)

    def push(self, records):  # pragma: no cover
        raise NotImplementedError

    def close(self):
        pass


@pytest.fixture
def clock():
    return FakeClock(at(9))


@pytest.fixture
def platform(platform_database):  # SQLite and PostgreSQL
    s = PlatformStore(Database(platform_database))
    yield s
    s.close()


@pytest.fixture
def copy(tmp_path, clock):
    s = ReferenceStore(tmp_path / "reference.db", clock)
    yield s
    s.close()


def matters(n, suffix=""):
    return [{"code": f"{100000000000 + i}", "name": f"事项{i}{suffix}"} for i in range(n)]


def test_a_pull_follows_every_page_and_a_304_only_refreshes_the_age(platform, copy, clock):
    platform.publish(CATALOG, matters(7))
    client = StoreClient(platform)
    puller = Puller(client, copy)
    assert puller.pull(CATALOG) == 7 and client.calls == 4  # pages of 2
    assert len(copy.items(CATALOG)) == 7 and copy.meta(CATALOG).version == 1
    clock.advance(600)
    assert copy.info()[CATALOG]["age_seconds"] == 600
    assert puller.pull(CATALOG) is None  # unchanged: 304
    assert copy.info()[CATALOG]["age_seconds"] == 0


def test_changes_and_deletions_arrive_as_deltas(platform, copy):
    platform.publish(CATALOG, matters(4))
    puller = Puller(StoreClient(platform), copy)
    puller.pull(CATALOG)
    platform.publish(CATALOG, [{"code": "100000000001", "name": "新名字"}], delete=["100000000002"])
    assert puller.pull(CATALOG) == 2
    names = {m["code"]: m["name"] for m in copy.items(CATALOG)}
    assert names == {"100000000000": "事项0", "100000000001": "新名字", "100000000003": "事项3"}


def test_a_pull_cut_short_leaves_the_previous_catalog_whole(platform, copy):
    platform.publish(CATALOG, matters(3))
    client = StoreClient(platform)
    puller = Puller(client, copy)
    puller.pull(CATALOG)
    platform.publish(CATALOG, matters(9, suffix="（修订）"))
    client.calls, client.fail_on_page = 0, 3  # the line drops after two pages of the new version
    assert puller.pull_all() is False and "line down" in puller.last_error
    assert [m["name"] for m in copy.items(CATALOG)] == ["事项0", "事项1", "事项2"]  # nothing half-new
    client.fail_on_page = None
    assert puller.pull_all() is True
    assert len(copy.items(CATALOG)) == 9 and all("修订" in m["name"] for m in copy.items(CATALOG))


def test_a_failed_apply_keeps_the_old_copy(platform, copy):
    platform.publish(CATALOG, matters(2))
    puller = Puller(StoreClient(platform, limit=1000), copy)
    puller.pull(CATALOG)
    platform.publish(CATALOG, matters(50, suffix="（新）"))
    # the last write of the apply fails, as a full disk would make it
    copy.conn.execute("CREATE TEMP TRIGGER full BEFORE UPDATE ON ref_meta"
                      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with pytest.raises(ReferenceStoreError, match="full"):
        puller.pull(CATALOG)
    assert [m["name"] for m in copy.items(CATALOG)] == ["事项0", "事项1"] and copy.meta(CATALOG).version == 1
    copy.conn.execute("DROP TRIGGER full")
    assert puller.pull(CATALOG) == 50 and copy.meta(CATALOG).version == 2
    assert copy.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_the_node_serves_its_copy_with_the_same_pages(platform, copy):
    platform.publish(CATALOG, matters(5))
    Puller(StoreClient(platform, limit=1000), copy).pull(CATALOG)
    version, changes, cursor = copy.changes(CATALOG, 0, None, 3)
    _, more, end = copy.changes(CATALOG, 0, cursor, 3)
    assert version == 1 and len(changes) == 3 and len(more) == 2 and end is None
    assert copy.changes(CATALOG, 1, None, 3)[1] == []


def test_appointments_for_today_and_tomorrow(platform, copy):
    base = {"node": "hall-a", "slot_start": "09:00", "slot_end": "09:30", "queue": "general"}
    platform.publish(APPOINTMENTS, [{**base, "id": f"a{d}", "date": f"2026-11-{d}"} for d in (26, 27, 28, 29)]
                     + [{**base, "id": "other", "node": "hall-b", "date": "2026-11-27"}])
    Puller(StoreClient(platform), copy).pull(APPOINTMENTS)
    assert [a["id"] for a in copy.appointments(["2026-11-27", "2026-11-28"])] == ["a27", "a28"]


def test_working_days_follow_holidays_and_make_up_days():
    cal = WorkCalendar()
    # 2025 National Day: 1-8 October off; Sunday 28 September and Saturday 11 October are workdays
    assert not cal.is_workday(dt.date(2025, 10, 3))
    assert cal.is_workday(dt.date(2025, 9, 28)) and cal.is_workday(dt.date(2025, 10, 11))
    assert cal.working_days_after(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert cal.working_days_after(dt.date(2025, 9, 26), 1) == dt.date(2025, 9, 28)
    assert cal.working_days_after(dt.date(2025, 9, 26), 0) == dt.date(2025, 9, 26)
    with pytest.raises(ValueError):
        cal.working_days_after(dt.date(2025, 9, 26), -1)


def test_the_platforms_calendar_overrides_the_package(platform, copy):
    # a year the package does not know yet: the statutory holidays (春节 除夕 5 Feb – 初三 8 Feb),
    # until the platform announces the year with its swapped days
    cal = WorkCalendar(copy.calendar_overrides)
    friday = dt.date(2027, 2, 5)
    assert cal.source(friday) == "statutory" and cal.working_days_after(friday, 1) == dt.date(2027, 2, 9)
    platform.publish(CALENDAR, [{"date": "2027-02-06", "workday": True, "name": "春节调休"},
                                {"date": "2027-02-08", "workday": False, "name": "春节"}])
    Puller(StoreClient(platform), copy).pull(CALENDAR)
    assert cal.source(dt.date(2027, 2, 6)) == "platform"
    assert cal.working_days_after(friday, 1) == dt.date(2027, 2, 6)
    assert cal.working_days_after(friday, 2) == dt.date(2027, 2, 9)
    assert working_days_after(friday, 2, {"2027-02-06": True}) == dt.date(2027, 2, 9)
    assert working_days_after(friday, 2, {"2027-02-06": True, "2027-02-08": True}) == dt.date(2027, 2, 8)
