"""Where the operators' work is kept: the hall's own notices, the board's settings and the
audit of every change, in the hall's database. Each change, its audit row and its outbox
record (`operator.change`, synced to the platform) commit in one transaction: all or none."""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hall.operators import rules
from sync import records
from sync.outbox import Outbox, write

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS operator_notices (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
        start TEXT, expiry TEXT, updated REAL NOT NULL, by TEXT NOT NULL,
        title_en TEXT NOT NULL DEFAULT '', body_en TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE IF NOT EXISTS operator_board (
        id INTEGER PRIMARY KEY CHECK (id = 1), settings TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS operator_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, before TEXT, after TEXT)""",
)


@dataclass(frozen=True)
class Change:
    """One audited change: who made it, when, what (action and target), before and after."""

    at: float
    who: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "who": self.who, "action": self.action, "target": self.target,
                "before": self.before, "after": self.after}


class OperatorStore:
    def __init__(self, conn: sqlite3.Connection, lock: Any, outbox: Outbox,
                 clock: Callable[[], float]) -> None:
        self.conn, self.lock, self.outbox, self.clock = conn, lock, outbox, clock
        with write(conn, lock):
            for sql in SCHEMA:
                conn.execute(sql)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(operator_notices)")}
            for column in ("title_en", "body_en"):  # a hall kept from before notices had English
                if column not in columns:
                    conn.execute(f"ALTER TABLE operator_notices ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")

    # -- reading

    def notices(self) -> list[rules.Notice]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT id, kind, title, body, start, expiry, title_en, body_en FROM operator_notices "
                "ORDER BY start DESC, id"
            ).fetchall()
        return [rules.Notice(*r) for r in rows]

    def notice(self, notice_id: str) -> rules.Notice | None:
        return next((n for n in self.notices() if n.id == notice_id), None)

    def board(self) -> rules.Board:
        with self.lock:
            row = self.conn.execute("SELECT settings FROM operator_board WHERE id = 1").fetchone()
        if row is None:
            return rules.Board()
        d = json.loads(row[0])
        tickers = tuple(d["tickers"])
        english = tuple(d.get("tickers_en", ()))[:len(tickers)]  # a board kept before tickers had English
        return rules.Board(d["layout"], tickers, english + ("",) * (len(tickers) - len(english)),
                           tuple(sorted(d["led_idle"].items())), d["led_brightness"], d["led_on"], d["led_off"])

    def audit(self, limit: int = 200) -> list[Change]:
        with self.lock:
            rows = self.conn.execute(
                "SELECT at, who, action, target, before, after FROM operator_audit ORDER BY id DESC LIMIT ?",
                [limit]).fetchall()
        return [Change(at, who, action, target, _load(before), _load(after))
                for at, who, action, target, before, after in rows]

    # -- changing: each with its audit row and its outbox record

    def save_notice(self, who: str, notice: rules.Notice) -> Change:
        before = self.notice(notice.id)
        return self._change(who, "notice.saved", notice.id, before and before.to_dict(), notice.to_dict(),
                            lambda c: c.execute(
                                "INSERT OR REPLACE INTO operator_notices (id, kind, title, body, start, expiry, "
                                "updated, by, title_en, body_en) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                [notice.id, notice.kind, notice.title, notice.body, notice.start, notice.expiry,
                                 self.clock(), who, notice.title_en, notice.body_en]))

    def delete_notice(self, who: str, notice_id: str) -> Change | None:
        before = self.notice(notice_id)
        if before is None:
            return None
        return self._change(who, "notice.deleted", notice_id, before.to_dict(), None,
                            lambda c: c.execute("DELETE FROM operator_notices WHERE id = ?", [notice_id]))

    def save_board(self, who: str, board: rules.Board) -> Change:
        settings = json.dumps(board.to_dict(), ensure_ascii=False)
        return self._change(who, "board.saved", "board", self.board().to_dict(), board.to_dict(),
                            lambda c: c.execute("INSERT OR REPLACE INTO operator_board VALUES (1, ?)", [settings]))

    def record(self, who: str, action: str, target: str, after: dict[str, Any]) -> Change:
        """A change made elsewhere (a broadcast, a counter ticket), audited and synced the same way."""
        return self._change(who, action, target, None, after, lambda c: None)

    def _change(self, who: str, action: str, target: str, before: dict[str, Any] | None,
                after: dict[str, Any] | None, apply: Callable[[sqlite3.Connection], Any]) -> Change:
        change = Change(self.clock(), who, action, target, before, after)
        with write(self.conn, self.lock):
            apply(self.conn)
            self.conn.execute("INSERT INTO operator_audit (at, who, action, target, before, after) "
                              "VALUES (?,?,?,?,?,?)", [change.at, who, action, target, _dump(before), _dump(after)])
            self.outbox.add(self.conn, records.OPERATOR_CHANGE, change.to_dict(), key=str(uuid.uuid4()))
        return change


def _dump(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _load(text: str | None) -> dict[str, Any] | None:
    return None if text is None else json.loads(text)
