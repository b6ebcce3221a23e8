"""The dashboard as a table a supervisor takes away: CSV (UTF-8 with BOM, so a spreadsheet
opens the Chinese right) and XLSX (openpyxl), one section or sheet per view, and the period's
差评 one by one (差评明细, from `register`) when the caller gives them."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from hall.followups import register

COLUMNS = (("arrivals", "取号"), ("calls", "叫号"), ("served", "办结"), ("no_shows", "过号"),
           ("avg_wait_s", "平均等候(秒)"), ("max_wait_s", "最长等候(秒)"), ("service_level", "服务水平"),
           ("ratings", "评价数"), ("good", "好评"), ("bad", "差评"), ("satisfaction", "满意率"))
UNRECORDED = "未记录"  # the group of visits with no staff member (or matter) recorded: "-"
RATES = frozenset({"服务水平", "满意率", "回访率", "整改率"})
DIMENSION_LABEL = {"window": "窗口", "staff": "工作人员", "matter": "事项", "queue": "业务"}
FOLLOWUP_COLUMNS = (("total", "差评整改"), ("called_back", "已回访"), ("callback_rate", "回访率"),
                    ("to_fix", "需整改"), ("fixed", "已整改"), ("fix_rate", "整改率"),
                    ("excluded_by_appeal", "申诉成立"))


def sheets(board: dict[str, Any], ledger: list[list[Any]] | None = None,
           ) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) for each view of the dashboard; `ledger`: the register's rows."""
    header = ["编号", "名称", *(label for _, label in COLUMNS)]
    yield "合计", header[2:], [[board["total"][k] for k, _ in COLUMNS]]
    for dim, label in DIMENSION_LABEL.items():
        names = board["names"][dim]
        rows = [[key, UNRECORDED if key == "-" else names.get(key, key), *(r[k] for k, _ in COLUMNS)]
                for key, r in board[dim].items()]
        yield label, header, rows
    fu = board["followups"]
    fu_rows = [["合计", "", *(fu["total"][k] for k, _ in FOLLOWUP_COLUMNS)]]
    fu_rows += [[w, board["names"]["window"].get(w, w), *(r[k] for k, _ in FOLLOWUP_COLUMNS)]
                for w, r in fu["window"].items()]
    yield "差评整改", ["窗口", "名称", *(label for _, label in FOLLOWUP_COLUMNS)], fu_rows
    if ledger is not None:
        yield "差评明细", register.HEADER, ledger
    rank = board["ranking"]
    yield f"窗口排名{rank['month']}", ["名次", "窗口", "名称", "满意率", "评价数", "差评", "办结", "连续两月末位"], [
        [r["rank"], r["window"], board["names"]["window"].get(r["window"], r["window"]), r["satisfaction"],
         r["ratings"], r["bad"], r["served"], "是" if r["last_twice"] else ""] for r in rank["windows"]]


def to_csv(board: dict[str, Any], ledger: list[list[Any]] | None = None) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([f"统计区间 {board['from']} 至 {board['to']}"])
    for title, header, rows in sheets(board, ledger):
        w.writerow([])
        w.writerow([title])
        w.writerow(header)
        w.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(board: dict[str, Any], ledger: list[list[Any]] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets(board, ledger):
        sheet = book.create_sheet(title[:31])
        sheet.append([f"统计区间 {board['from']} 至 {board['to']}"])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A3"  # the title and the header stay in sight while scrolling
        for i, label in enumerate(header, start=1):
            if label in RATES:  # a rate reads 37.5%, not 0.375
                for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                    cell.number_format = "0.0%"
        for i, _ in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(2, i).column_letter].width = _width(sheet, i)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _width(sheet: Any, column: int) -> float:
    """Wide enough for the column's longest cell below the title (a Chinese character counts
    two), between 10 and 48: a reason or a note reads whole, a count stays narrow."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(c.value)) for c in
                   next(sheet.iter_cols(min_col=column, max_col=column, min_row=2)) if c.value is not None), default=0)
    return max(10, min(48, longest + 2))
