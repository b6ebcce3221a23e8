"""The pages of a case (材料影像): what the kiosk's document camera captured, kept by the hall
until the platform has them.

A kiosk uploads one material's pages as one PDF. The hall checks it (a PDF, not empty, within
`MAX_BYTES` and `MAX_PAGES`, for a material on the case's checklist, while a window may still
decide the case), seals it with the sync node's key (AES-256-GCM, the same sealing as the
outbox's personal data; the row's id is the associated data) in the `case_pages` table, and in
the same transaction writes the `case.pages` records that carry it to the platform: the PDF in
parts of `PART_BYTES`, each part in a record's personal data (sealed in the outbox, dropped
there on acknowledgement). The staff console lists a case's pages and opens them while the hall
holds them. `sweep()` wipes a PDF once every one of its records is acknowledged (or purged
after acknowledgement): the blob is overwritten with zeros, then dropped. Nothing here logs a
page; the log says counts, sizes and case numbers only.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from hall.cases.errors import InvalidCase
from hall.cases.model import CaseRec, CaseState
from sync import records

log = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024  # one material's PDF: 20 grey pages at 200 dpi fit with room
MAX_PAGES = 20
SIGNATURE = "申请人签名"  # the applicant's signature from the kiosk's touch screen, beside the materials
PART_BYTES = 150 * 1024  # a record's part of the PDF: base64 stays well under the record limit
OPEN_STATES = frozenset({CaseState.PRESUBMITTED, CaseState.CORRECTION})  # a window may still decide
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_ID = re.compile(r"[0-9a-f]{32}")

SCHEMA = """CREATE TABLE IF NOT EXISTS case_pages (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    material TEXT NOT NULL,
    pages INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    created REAL NOT NULL,
    keys TEXT NOT NULL,
    sealed BLOB,
    wiped REAL
)"""


class PagesRefused(Exception):
    """An upload the hall will not keep; `status` and `code` say how the API answers."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class PagesRec:
    id: str
    number: str
    material: str
    pages: int
    bytes: int
    sha256: str
    source: str
    created: float
    held: bool  # the hall still holds the PDF (not yet acknowledged by the platform)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "material": self.material, "pages": self.pages, "bytes": self.bytes,
                "sha256": self.sha256, "source": self.source, "created": self.created, "held": self.held}


def check_pdf(content_type: str | None, data: bytes) -> int:
    """The number of pages of an uploaded PDF; PagesRefused naming what is wrong with it."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind != "application/pdf":
        raise PagesRefused(415, "unsupported_media_type",
                           f"材料影像须为 PDF（Content-Type: application/pdf），不是 {kind or '（未给出）'}")
    if not data:
        raise PagesRefused(422, "empty_upload", "上传的 PDF 是空的")
    if len(data) > MAX_BYTES:
        raise PagesRefused(413, "too_large", f"一份材料的 PDF 不能超过 {MAX_BYTES // (1024 * 1024)} MB"
                                             f"（收到 {len(data)} 字节）")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise PagesRefused(422, "not_a_pdf", "上传的内容不是完整的 PDF（须以 %PDF- 开头、以 %%EOF 结尾）")
    pages = len(_PAGE.findall(data))
    if pages == 0:
        raise PagesRefused(422, "no_pages", "上传的 PDF 没有页面")
    if pages > MAX_PAGES:
        raise PagesRefused(422, "too_many_pages", f"一份材料最多 {MAX_PAGES} 页（这份有 {pages} 页）：请到窗口提交")
    return pages


class CasePages:
    """The `case_pages` table on the hall's database, sealed with the sync node's key."""

    def __init__(self, store: Any, sync: Any, clock: Any) -> None:
        self.store, self.outbox, self.clock = store, sync.outbox, clock
        self.sealer = sync.outbox.sealer
        with self.store.lock:
            self.store.conn.execute(SCHEMA)
            self.store.conn.execute("CREATE INDEX IF NOT EXISTS case_pages_number ON case_pages(number)")

    def add(self, case: CaseRec, material: str, pdf: bytes, pages: int, source: str,
            materials: list[str]) -> PagesRec:
        """Keeps one material's PDF, sealed, with the records that carry it to the platform."""
        if case.state not in OPEN_STATES:
            raise PagesRefused(409, "case_decided", f"办件 {case.id} 已不在预审或补正，不能再上传材料影像")
        if material not in materials:
            raise InvalidCase(f"材料「{material}」不在办件 {case.id} 的材料清单上", field="material",
                              material=material)
        item = secrets.token_hex(16)
        digest = hashlib.sha256(pdf).hexdigest()
        now = self.clock()
        parts = [pdf[i:i + PART_BYTES] for i in range(0, len(pdf), PART_BYTES)]
        with self.store._transaction():
            conn = self.store.conn
            keys = [self.outbox.add(conn, records.CASE_PAGES, {
                "case": case.id, "matter": case.matter, "material": material, "pages_id": item,
                "part": n, "parts": len(parts), "pages": pages, "bytes": len(pdf), "sha256": digest},
                personal={"pdf": base64.b64encode(part).decode("ascii")}) for n, part in enumerate(parts, 1)]
            conn.execute("INSERT INTO case_pages VALUES (?,?,?,?,?,?,?,?,?,?,NULL)",
                         (item, case.id, material, pages, len(pdf), digest, source, now, json.dumps(keys),
                          self.sealer.seal(pdf, item.encode("ascii"))))
        log.info("case %s: %d pages (%d bytes) of a material kept, %d records to the platform",
                 case.id, pages, len(pdf), len(parts))
        return PagesRec(item, case.id, material, pages, len(pdf), digest, source, now, True)

    def of_case(self, number: str) -> list[PagesRec]:
        self.sweep()
        rows = self.store._query("SELECT id, number, material, pages, bytes, sha256, source, created,"
                                 " sealed IS NOT NULL FROM case_pages WHERE number = ? ORDER BY created, id",
                                 [number])
        return [PagesRec(*row[:8], held=bool(row[8])) for row in rows]

    def pdf(self, number: str, item: str) -> bytes | None:
        """The PDF while the hall holds it; None once the platform has it (wiped here)."""
        if not _ID.fullmatch(item):
            raise KeyError(item)
        rows = self.store._query("SELECT sealed FROM case_pages WHERE id = ? AND number = ?", [item, number])
        if not rows:
            raise KeyError(item)
        sealed = rows[0][0]
        return None if sealed is None else self.sealer.open(sealed, item.encode("ascii"))

    def sweep(self) -> int:
        """Wipes every PDF whose records the platform has all acknowledged; returns how many."""
        with self.store.lock:
            conn: sqlite3.Connection = self.store.conn
            held = conn.execute("SELECT id, keys, length(sealed) FROM case_pages WHERE sealed IS NOT NULL").fetchall()
            done = [(item, size) for item, keys, size in held if _all_acked(conn, json.loads(keys))]
            if not done:
                return 0
            conn.execute("PRAGMA secure_delete = ON")  # freed pages zeroed, so no free page keeps a PDF
            try:
                with self.store._transaction():
                    now = self.clock()
                    for item, size in done:
                        conn.execute("UPDATE case_pages SET sealed = zeroblob(?) WHERE id = ?", (size, item))
                        conn.execute("UPDATE case_pages SET sealed = NULL, wiped = ? WHERE id = ?", (now, item))
            finally:
                conn.execute("PRAGMA secure_delete = OFF")
        log.info("case pages wiped after the platform's acknowledgement: %d PDFs", len(done))
        return len(done)


def _all_acked(conn: sqlite3.Connection, keys: list[str]) -> bool:
    marks = ",".join("?" * len(keys))
    pending = conn.execute(f"SELECT count(*) FROM sync_outbox WHERE key IN ({marks}) AND state != 'acked'",
                           keys).fetchone()[0]
    return pending == 0


async def sweep_forever(pages: CasePages, every: float = 30.0) -> None:
    """The hall's background wipe: acknowledged pages go within `every` seconds."""
    while True:
        await asyncio.sleep(every)
        try:
            pages.sweep()
        except Exception:
            log.exception("case pages sweep failed")
