"""The dashboard as a table a supervisor takes away: CSV (UTF-8 with BOM, so a spreadsheet
opens the Chinese right) and XLSX (openpyxl), one section or sheet per view."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

COLUMNS = (("arrivals", "取号"), ("calls", "叫号"), ("served", "办结"), ("no_shows", "过号"),
           ("avg_wait_s", "平均等候(秒)"), ("max_wait_s", "最长等候(秒)"), ("service_level", "服务水平"),
           ("ratings", "评价数"), ("good", "好评"), ("bad", "差评"), ("satisfaction", "满意率"))
DIMENSION_LABEL = {"window": "窗口", "staff": "工作人员", "matter": "事项", "queue": "业务"}
FOLLOWUP_COLUMNS = (("total", "差评整改"), ("called_back", "已回访"), ("callback_rate", "回访率"),
                    ("to_fix", "需整改"), ("fixed", "已整改"), ("fix_rate", "整改率"),
                    ("excluded_by_appeal", "申诉成立"))


def sheets(board: dict[str, Any]) -> Iterator[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) for each view of the dashboard."""
    header = ["编号", "名称", *(label for _, label in COLUMNS)]
    yield "合计", header[2:], [[board["total"][k] for k, _ in COLUMNS]]
    for dim, label in DIMENSION_LABEL.items():
        names = board["names"][dim]
        rows = [[key, names.get(key, key), *(r[k] for k, _ in COLUMNS)] for key, r in board[dim].items()]
        yield label, header, rows
    fu = board["followups"]
    fu_rows = [["合计", "", *(fu["total"][k] for k, _ in FOLLOWUP_COLUMNS)]]
    fu_rows += [[w, board["names"]["window"].get(w, w), *(r[k] for k, _ in FOLLOWUP_COLUMNS)]
                for w, r in fu["window"].items()]
    yield "差评整改", ["窗口", "名称", *(label for _, label in FOLLOWUP_COLUMNS)], fu_rows
    rank = board["ranking"]
    yield f"窗口排名{rank['month']}", ["名次", "窗口", "名称", "满意率", "评价数", "差评", "办结", "连续两月末位"], [
        [r["rank"], r["window"], board["names"]["window"].get(r["window"], r["window"]), r["satisfaction"],
         r["ratings"], r["bad"], r["served"], "是" if r["last_twice"] else ""] for r in rank["windows"]]


def to_csv(board: dict[str, Any]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([f"统计区间 {board['from']} 至 {board['to']}"])
    for title, header, rows in sheets(board):
        w.writerow([])
        w.writerow([title])
        w.writerow(header)
        w.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(board: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets(board):
        sheet = book.create_sheet(title[:31])
        sheet.append([f"统计区间 {board['from']} 至 {board['to']}"])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for i, _ in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(2, i).column_letter].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
