"""Reference data put into a node's copy the way sync brings it: published on a platform store
(checked as the admin API checks it), then pulled by the node's puller, page by page, and
applied at once."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sync.platform.db import Database
from sync.platform.store import PlatformStore
from sync.protocol import NotModified, Page
from sync.puller import Puller
from sync.reference import ReferenceStore
from sync.reference import etag as make_etag


class StoreClient:
    """A platform client reading a PlatformStore directly, as one node."""

    def __init__(self, store: PlatformStore, node: str, limit: int = 2) -> None:
        self.store, self.node, self.limit = store, node, limit

    def pull(self, dataset: str, since: int, *, cursor: str | None = None,
             etag: str | None = None) -> Page:
        version = self.store.version(dataset)
        if etag == make_etag(dataset, version) and not cursor:
            raise NotModified()
        version, changes, next_cursor = self.store.changes(dataset, self.node, since, cursor, self.limit)
        return Page(dataset, version, make_etag(dataset, version), changes, next_cursor)

    def push(self, records: Any) -> Any:  # pragma: no cover - reference data only
        raise NotImplementedError

    def close(self) -> None:
        pass


class Platform:
    """A platform's reference data for one node's copy: `publish` then the node has it."""

    def __init__(self, directory: Path, copy: ReferenceStore, node: str) -> None:
        self.store = PlatformStore(Database(Path(directory) / "platform.db"))
        self.puller = Puller(StoreClient(self.store, node), copy)

    def publish(self, dataset: str, items: list[dict[str, Any]], delete: list[str] = ()) -> None:
        self.store.publish(dataset, items, delete=list(delete))
        self.puller.pull(dataset)

    def close(self) -> None:
        self.store.close()
