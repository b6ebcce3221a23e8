"""The reference platform playing a province's 好差评 endpoint, so a hall's provincial adapter
(sync.provincial_client) is tested against a real process that judges records the way a
province does: every element's format is checked, a record that fails is refused with the
element named, a record sent again is answered `duplicate` (by its recordId), and the latest
state of each rating (by evaluateId and version) is what the province keeps.

The records are kept in a SQLite file of their own beside the platform's (`province.db`):
the endpoint stands apart from the sync protocol's store. docs/provincial-haochaping.md.
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from ground.paths import private_file

PREFIX = "/province/haochaping/v1"
MAX_RECORDS = 500
ACCEPTED, DUPLICATE, REFUSED = "accepted", "duplicate", "refused"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")  # a 身份证号 has no place in a rating's text
_FORMATS: dict[str, tuple[re.Pattern[str], str, bool]] = {  # element: (format, what it is, required)
    "evaluateId": (re.compile(r"[A-Za-z0-9_.:-]{1,64}"), "评价编号: 1-64 letters, digits, _ . : -", True),
    "areaCode": (re.compile(r"37\d{10}"), "行政区划: 12 digits of this province (37…)", True),
    "pf": (re.compile(r"[1-7]"), "评价渠道: 1-7", True),
    "alternate": (re.compile(r"[1-5]"), "评价等级: 1-5", True),
    "projectNo": (re.compile(r"37[0-9A-Z]{1,48}"), "办件编号: 37 + the local number", False),
    "taskCode": (re.compile(r"\d{12}"), "事项编码: 12 digits", False),
    "windowNo": (re.compile(r"[A-Za-z0-9_.:-]{1,64}"), "窗口编号: 1-64 letters, digits, _ . : -", False),
    "staffNo": (re.compile(r"[A-Za-z0-9_.:-]{1,64}"), "工作人员工号: 1-64 letters, digits, _ . : -", False),
    "assessTime": (_TIME, "评价时间: YYYY-MM-DD HH:MM:SS", True),
}
_RECTIFY: dict[str, tuple[re.Pattern[str], str, bool]] = {
    "rectifyState": (re.compile(r"[0-7]"), "整改状态: 0-7", True),
    "handleWay": (re.compile(r"[1-4]"), "处理方式: 1-4", False),
    "verifyTime": (_TIME, "核实时间: YYYY-MM-DD HH:MM:SS", False),
    "fixDeadline": (re.compile(r"\d{4}-\d{2}-\d{2}"), "整改期限: YYYY-MM-DD", False),
    "feedbackWay": (re.compile(r"[1-5]"), "反馈方式: 1-5", False),
    "feedbackTime": (_TIME, "反馈时间: YYYY-MM-DD HH:MM:SS", False),
    "feedbackStaff": (re.compile(r"[A-Za-z0-9_.:-]{1,64}"), "反馈人: 1-64 letters, digits, _ . : -", False),
    "counted": (re.compile(r"[01]"), "计入统计: 0 or 1", True),
    "updateTime": (_TIME, "更新时间: YYYY-MM-DD HH:MM:SS", True),
}


def check_record(rec: Any) -> str | None:
    """Why the province refuses `rec`, naming the element, or None when it takes it."""
    if not isinstance(rec, dict):
        return "a record must be a JSON object"
    if not (isinstance(rec.get("recordId"), str) and _UUID.fullmatch(rec["recordId"])):
        return "recordId: a lowercase UUID"
    kind = rec.get("recordType")
    if kind not in ("evaluation", "rectification"):
        return "recordType: evaluation or rectification"
    if not isinstance(rec.get("version"), int) or isinstance(rec.get("version"), bool) or rec["version"] < 0:
        return "version: a whole number >= 0"
    reason = _formats(rec, _FORMATS) or (_formats(rec, _RECTIFY) if kind == "rectification" else None)
    if reason:
        return reason
    reasons, text = rec.get("badReasons", []), rec.get("writingEvaluation", "")
    if not isinstance(reasons, list) or not all(isinstance(r, str) and 0 < len(r.strip()) <= 200 for r in reasons):
        return "badReasons: a list of texts of 1-200 characters"
    if not isinstance(text, str) or len(text) > 500:
        return "writingEvaluation: a text of at most 500 characters"
    if _ID_NUMBER.search(text) or any(_ID_NUMBER.search(r) for r in reasons):
        return "writingEvaluation: holds what looks like an ID number; a rating carries none"
    if int(rec["alternate"]) <= 2 and not (reasons or text.strip()):
        return "badReasons: a 差评 (alternate 1 or 2) needs its reasons or a text"
    if kind == "rectification" and int(rec["alternate"]) > 2:
        return "alternate: only a 差评 (1 or 2) is rectified"
    if rec.get("projectNo") and not rec.get("taskCode"):
        return "taskCode: a rating bound to a case (projectNo) names its matter"
    if kind == "rectification" and rec["rectifyState"] in ("6", "7") and not rec.get("feedbackTime"):
        return "feedbackTime: a rectification fed back or closed says when the citizen was told"
    return None


def _formats(rec: dict[str, Any], formats: dict[str, tuple[re.Pattern[str], str, bool]]) -> str | None:
    for name, (pattern, what, required) in formats.items():
        value = rec.get(name)
        if value is None:
            if required:
                return f"{name}: missing ({what})"
            continue
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return f"{name}: {str(value)[:40]!r} is not {what}"
    return None


class ProvinceStore:
    """The province's records, one row per recordId; the latest version of each evaluateId wins."""

    def __init__(self, path: str | Path) -> None:
        private_file(path)  # ratings and their texts: the platform's owner only, as platform.db
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        self.conn.executescript("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS province_records (
                record_id TEXT PRIMARY KEY, node TEXT NOT NULL, evaluate_id TEXT NOT NULL,
                version INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, received REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS province_eval ON province_records (evaluate_id, version);
            CREATE TABLE IF NOT EXISTS province_answers (node TEXT, status TEXT, n INTEGER,
                PRIMARY KEY (node, status));
        """)

    def close(self) -> None:
        self.conn.close()

    def receive(self, node: str, batch: list[Any]) -> list[dict[str, Any]]:
        """One answer per record, all stored in one transaction."""
        out = []
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for rec in batch:
                    out.append(self._one(node, rec))
                for status in (ACCEPTED, DUPLICATE, REFUSED):
                    n = sum(1 for r in out if r["status"] == status)
                    if n:
                        self.conn.execute("INSERT INTO province_answers VALUES (?,?,?) ON CONFLICT (node, status)"
                                          " DO UPDATE SET n = n + excluded.n", [node, status, n])
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        return out

    def _one(self, node: str, rec: Any) -> dict[str, Any]:
        key = rec.get("recordId") if isinstance(rec, dict) else None
        reason = check_record(rec)
        if reason is not None:
            return {"recordId": key if isinstance(key, str) else None, "status": REFUSED, "reason": reason}
        body = json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        known = self.conn.execute("SELECT body FROM province_records WHERE record_id = ?", [key]).fetchone()
        if known is not None:
            if known[0] != body:
                return {"recordId": key, "status": REFUSED,
                        "reason": "recordId: already used for a different record"}
            return {"recordId": key, "status": DUPLICATE, "reason": None}
        self.conn.execute("INSERT INTO province_records VALUES (?,?,?,?,?,?,?)",
                          [key, node, rec["evaluateId"], rec["version"], rec["recordType"], body, time.time()])
        return {"recordId": key, "status": ACCEPTED, "reason": None}

    def evaluations(self, area: str | None = None) -> list[dict[str, Any]]:
        """Each rating as its latest record left it, with how many records made it."""
        with self.lock:
            rows = self.conn.execute("SELECT evaluate_id, body, n FROM (SELECT evaluate_id, body, version,"
                                     " COUNT(*) OVER (PARTITION BY evaluate_id) AS n, ROW_NUMBER() OVER"
                                     " (PARTITION BY evaluate_id ORDER BY version DESC) AS r FROM province_records)"
                                     " WHERE r = 1 ORDER BY evaluate_id").fetchall()
        out = [{**json.loads(body), "records": n} for _, body, n in rows]
        return [e for e in out if area is None or e["areaCode"] == area]

    def answers(self) -> dict[str, dict[str, int]]:
        with self.lock:
            rows = self.conn.execute("SELECT node, status, n FROM province_answers").fetchall()
        out: dict[str, dict[str, int]] = {}
        for node, status, n in rows:
            out.setdefault(node, {})[status] = n
        return out


def province_router(store: ProvinceStore, settings: Any) -> APIRouter:
    """The province's endpoint: nodes push with their platform token; the admin reads."""
    router = APIRouter(prefix=PREFIX, tags=["province"])

    def bearer(header: str | None) -> str | None:
        scheme, _, value = (header or "").partition(" ")
        return value.strip() or None if scheme.lower() == "bearer" else None

    def refuse(status: int, code: str, message: str) -> JSONResponse:
        return JSONResponse({"code": code, "message": message}, status_code=status)

    @router.post("/records")
    async def receive(request: Request, authorization: str | None = Header(default=None)) -> JSONResponse:
        """A batch of 好差评 records: one answer per record (accepted, duplicate or refused)."""
        node = settings.node_for(bearer(authorization))
        if node is None:
            return refuse(401, "unauthenticated", "a node token is required (Authorization: Bearer ...)")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return refuse(400, "malformed_json", "the body is not JSON")
        batch = body.get("records") if isinstance(body, dict) else None
        if not isinstance(batch, list) or not batch:
            return refuse(400, "invalid", "records: a non-empty list")
        if len(batch) > MAX_RECORDS:
            return refuse(400, "invalid", f"records: at most {MAX_RECORDS} in one request")
        return JSONResponse({"code": "0", "results": store.receive(node, batch)})

    @router.get("/evaluations")
    def evaluations(area: str | None = Query(None, pattern=r"^\d{12}$"),
                    authorization: str | None = Header(default=None)) -> JSONResponse:
        """What the province holds: each rating's latest record (admin token)."""
        if not settings.is_admin(bearer(authorization)):
            return refuse(401, "unauthenticated", "the admin token is required")
        return JSONResponse({"evaluations": store.evaluations(area), "answers": store.answers()})

    return router
