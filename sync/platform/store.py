"""The platform's storage: records upserted by their UUID, and versioned reference datasets.

A pushed record is stored once, whatever the retries: its key is the primary key, a second
push of the same record is answered `duplicate`, and the same key with another record is
refused. A node's records are ordered by the node's own sequence number, never by a clock.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sync import records as rec
from sync.platform import datasets
from sync.platform.db import Database, Tx
from sync.protocol import ACCEPTED, DUPLICATE, REJECTED, Change
from sync.reference import SCOPED, changes_query, page_from_rows

log = logging.getLogger(__name__)

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS records (
        key TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        received_at DOUBLE PRECISION NOT NULL,
        origin TEXT,
        origin_seq BIGINT,
        payload TEXT NOT NULL,
        personal TEXT,
        digest TEXT NOT NULL,
        subtype TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS records_node_seq ON records(node, seq)",
    "CREATE INDEX IF NOT EXISTS records_type ON records(type, subtype, node, seq)",
    """CREATE TABLE IF NOT EXISTS answers (
        node TEXT NOT NULL, status TEXT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (node, status)
    )""",
    """CREATE TABLE IF NOT EXISTS ref_items (
        dataset TEXT NOT NULL, scope TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL,
        deleted INTEGER NOT NULL, body TEXT, updated_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (dataset, scope, id)
    )""",
    "CREATE INDEX IF NOT EXISTS ref_items_changes ON ref_items(dataset, version, scope, id)",
    "CREATE TABLE IF NOT EXISTS ref_versions (dataset TEXT PRIMARY KEY, version BIGINT NOT NULL)",
]
_CHUNK = 500
_COLUMNS = "key, node, seq, type, created, received_at, origin, origin_seq, payload, personal, digest, subtype"
_EVENTS = frozenset({rec.QUEUE_EVENT, rec.CASE_EVENT, rec.FOLLOWUP_EVENT})  # stored with their event type
RATED = "ticket.rated"  # the hall's own 好差评 event (a queue.event), beside `rating` records


def _verdict(key: str, prior: str | None, digest: str) -> dict[str, Any]:
    """A record's answer, from the digest already stored under its key (None: none was)."""
    if prior is None:
        return {"key": key, "status": ACCEPTED}
    if prior == digest:
        return {"key": key, "status": DUPLICATE}
    return {"key": key, "status": REJECTED, "reason": "key already used for another record"}


def digest(type: str, payload_text: str, personal_text: str | None) -> str:
    """What makes a record itself: a retry sends the stored payload text unchanged."""
    raw = "\x00".join((type, payload_text, personal_text or ""))
    return hashlib.sha256(raw.encode()).hexdigest()


class PlatformStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db, self.clock = db, clock
        with db.transaction() as tx:
            for sql in SCHEMA:
                tx.execute(sql)

    def close(self) -> None:
        self.db.close()

    # -- records

    def push(self, node: str, items: Sequence[Any]) -> list[dict[str, Any]]:
        """One result per item, in order: accepted, duplicate, or rejected with the reason."""
        now = self.clock()
        results: list[dict[str, Any]] = [{}] * len(items)
        fresh = []
        for i, item in enumerate(items):
            ok = isinstance(item, dict)
            key = item.get("key") if ok and isinstance(item.get("key"), str) else ""
            payload = rec.dumps(item["payload"]) if ok and isinstance(item.get("payload"), dict) else None
            reason = rec.check_item(item, payload)
            if reason or payload is None:
                results[i] = {"key": key, "status": REJECTED, "reason": reason}
                continue
            personal = rec.dumps(item["personal"]) if item.get("personal") else None
            subtype = item["payload"].get("type") if item["type"] in _EVENTS else None
            row = (key, node, item["seq"], item["type"], float(item["created"]), now,
                   item.get("origin"), item.get("origin_seq"), payload, personal,
                   digest(item["type"], payload, personal), subtype)
            fresh.append((i, row))
        counts = {ACCEPTED: 0, DUPLICATE: 0, REJECTED: len(items) - len(fresh)}
        with self.db.transaction() as tx:
            known = self._digests(tx, [row[0] for _, row in fresh])
            inserts: list[tuple] = []
            where: dict[str, tuple[int, str]] = {}
            for i, row in fresh:
                key, dig = row[0], row[10]
                prior = known.get(key)
                if prior is None:
                    known[key] = dig
                    inserts.append(row)
                    where[key] = (i, dig)
                results[i] = _verdict(key, prior, dig)
                counts[results[i]["status"]] += 1
            lost = sorted({r[0] for r in inserts} - self._insert(tx, inserts))
            stored = self._digests(tx, lost)  # by a push beside this one, meanwhile (PostgreSQL)
            for key in lost:
                i, dig = where[key]
                results[i] = _verdict(key, stored.get(key), dig)
                counts[ACCEPTED] -= 1
                counts[results[i]["status"]] += 1
            tx.executemany("INSERT INTO answers VALUES (?, ?, ?) ON CONFLICT (node, status)"
                           " DO UPDATE SET count = answers.count + excluded.count",
                           [(node, s, n) for s, n in counts.items() if n])
        return results

    @staticmethod
    def _insert(tx: Tx, rows: list[tuple]) -> set[str]:
        """Inserts the rows that no other writer stored first; returns the keys it stored.

        On SQLite the write lock makes the earlier look-up final; on PostgreSQL a push beside
        this one may store the same key between the look-up and here, and waits its turn on it.
        """
        stored: set[str] = set()
        per = len(_COLUMNS.split(","))
        rows = sorted(rows)  # by key: two pushes that share keys lock them in one order, never a deadlock
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start:start + _CHUNK]
            marks = ",".join(["(" + ",".join("?" * per) + ")"] * len(chunk))
            stored.update(r[0] for r in tx.all(f"INSERT INTO records ({_COLUMNS}) VALUES {marks}"
                                               " ON CONFLICT (key) DO NOTHING RETURNING key",
                                               [v for row in chunk for v in row]))
        return stored

    def _digests(self, tx: Tx, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(tx.all(f"SELECT key, digest FROM records WHERE key IN ({marks})", chunk))
        return found

    def records(self, *, node: str | None = None, type: str | None = None, after_seq: int = -1,
                limit: int = 1000, personal: bool = False) -> list[dict[str, Any]]:
        where, args = ["seq > ?"], [after_seq]
        if node is not None:
            where.append("node = ?")
            args.append(node)
        if type is not None:
            where.append("type = ?")
            args.append(type)
        sql = (f"SELECT {_COLUMNS} FROM records WHERE {' AND '.join(where)}"
               " ORDER BY node, seq, key LIMIT ?")
        with self.db.transaction(write=False) as tx:
            rows = tx.all(sql, [*args, limit])
        return [{
            "key": r[0], "node": r[1], "seq": r[2], "type": r[3], "created": r[4], "received_at": r[5],
            "origin": r[6], "origin_seq": r[7], "payload": json.loads(r[8]),
            **({"personal": json.loads(r[9]) if r[9] else None} if personal else
               {"has_personal": r[9] is not None}),
        } for r in rows]

    def ratings(self, *, node: str | None = None, after_seq: int = -1, limit: int = 1000) -> list[dict[str, Any]]:
        """好差评 received: `rating` records, and the hall's `ticket.rated` queue events."""
        where, args = ["seq > ?", "(type = ? OR (type = ? AND subtype = ?))"], [after_seq, rec.RATING,
                                                                              rec.QUEUE_EVENT, RATED]
        if node is not None:
            where.append("node = ?")
            args.append(node)
        with self.db.transaction(write=False) as tx:
            rows = tx.all(f"SELECT key, node, seq, type, created, payload FROM records WHERE {' AND '.join(where)}"
                          " ORDER BY node, seq, key LIMIT ?", [*args, limit])
        out = []
        for key, node_id, seq, kind, created, payload in rows:
            body = json.loads(payload)
            rating = body if kind == rec.RATING else dict(body.get("data", {}))
            out.append({"key": key, "node": node_id, "seq": seq, "created": created, "source": kind, **rating})
        return out

    def cases(self, *, node: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        """Each case as its latest `case.event` left it, with the node and the event's type."""
        where, args = ["type IN (?, ?)"], [rec.CASE_EVENT, rec.CASE_LIGHTS]
        if node is not None:
            where.append("node = ?")
            args.append(node)
        with self.db.transaction(write=False) as tx:
            rows = tx.all(f"SELECT node, seq, type, payload FROM records WHERE {' AND '.join(where)}"
                          " ORDER BY node, seq", args)
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        for node_id, seq, kind, payload in rows:
            body = json.loads(payload)
            if kind == rec.CASE_LIGHTS:  # a day change's lights: on the cases already known
                for change in body["changes"]:
                    known = latest.get((node_id, change["case"]))
                    if known is not None:
                        known.update(light=change["light"], due=change.get("due", known.get("due")),
                                     due_provisional=change.get("provisional", known.get("due_provisional")),
                                     seq=seq, last_event="case.light")
                continue
            case = body["case"]
            latest[(node_id, case["number"])] = {**case, "node": node_id, "seq": seq, "last_event": body["type"]}
        return [c for c in latest.values() if state is None or c["state"] == state]

    def stats(self) -> dict[str, Any]:
        with self.db.transaction(write=False) as tx:
            by_type = tx.all("SELECT node, type, count(*) FROM records GROUP BY node, type ORDER BY node, type")
            answers = tx.all("SELECT node, status, count FROM answers ORDER BY node, status")
        nodes: dict[str, dict[str, Any]] = {}
        for node, kind, n in by_type:
            entry = nodes.setdefault(node, {"records": 0, "by_type": {}, "answers": {}})
            entry["records"] += n
            entry["by_type"][kind] = n
        for node, status, n in answers:
            nodes.setdefault(node, {"records": 0, "by_type": {}, "answers": {}})["answers"][status] = n
        return {"nodes": nodes}

    # -- reference data

    def version(self, dataset: str) -> int:
        with self.db.transaction(write=False) as tx:
            row = tx.one("SELECT version FROM ref_versions WHERE dataset = ?", [dataset])
        return row[0] if row else 0

    def changes(self, dataset: str, node: str | None, since: int, cursor: str | None,
                limit: int) -> tuple[int, list[Change], str | None]:
        scopes = ["", node] if dataset in SCOPED and node else [""]
        sql, args = changes_query(dataset, since, cursor, limit, scopes)
        with self.db.transaction(write=False) as tx:
            rows = tx.all(sql, args)
            version = tx.one("SELECT version FROM ref_versions WHERE dataset = ?", [dataset])
        changes, next_cursor = page_from_rows(rows, limit)
        return (version[0] if version else 0), changes, next_cursor

    def publish(self, dataset: str, upsert: Iterable[Any] = (), delete: Iterable[str] = (),
                replace: bool = False) -> tuple[int, int]:
        """Applies an admin's change as one new version; returns (version, items changed).

        `replace` deletes every item of the dataset that `upsert` does not hold. Raises
        datasets.InvalidItem (naming the item) before anything is written.
        """
        checked = []
        for index, item in enumerate(upsert):
            try:
                scope, ident = datasets.check(dataset, item)
            except datasets.InvalidItem as exc:
                raise datasets.InvalidItem(f"upsert[{index}]: {exc}") from None
            checked.append((scope, ident, json.dumps(item, ensure_ascii=False, sort_keys=True)))
        now = self.clock()
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO ref_versions VALUES (?, 0) ON CONFLICT (dataset) DO NOTHING", [dataset])
            current = tx.one(f"SELECT version FROM ref_versions WHERE dataset = ?{self.db.for_update}",
                             [dataset])[0]
            version = current + 1
            changed = 0
            for scope, ident, body in checked:
                changed += tx.execute(
                    "INSERT INTO ref_items VALUES (?,?,?,?,0,?,?) ON CONFLICT (dataset, scope, id) DO UPDATE"
                    " SET version = excluded.version, deleted = 0, body = excluded.body,"
                    " updated_at = excluded.updated_at"
                    " WHERE ref_items.deleted = 1 OR ref_items.body IS DISTINCT FROM excluded.body",
                    [dataset, scope, ident, version, body, now]).rowcount
            gone = set(delete)
            if replace:
                keep = {(s, i) for s, i, _ in checked}
                live = tx.all("SELECT scope, id FROM ref_items WHERE dataset = ? AND deleted = 0", [dataset])
                gone.update(i for s, i in live if (s, i) not in keep)
            for ident in sorted(gone):
                changed += tx.execute(
                    "UPDATE ref_items SET deleted = 1, body = NULL, version = ?, updated_at = ?"
                    " WHERE dataset = ? AND id = ? AND deleted = 0", [version, now, dataset, ident]).rowcount
            if changed:
                tx.execute("UPDATE ref_versions SET version = ? WHERE dataset = ?", [version, dataset])
        if changed:
            log.info("published %s version %d: %d items changed", dataset, version, changed)
            return version, changed
        return current, 0

    def items(self, dataset: str) -> list[dict[str, Any]]:
        with self.db.transaction(write=False) as tx:
            rows = tx.all("SELECT body FROM ref_items WHERE dataset = ? AND deleted = 0 ORDER BY scope, id",
                          [dataset])
        return [json.loads(r[0]) for r in rows]
