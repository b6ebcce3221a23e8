"""The 差评 register of the export (差评明细): one row per 差评 with the names of the window,
staff and matter, the citizen's reason, who called back and when, what the 整改 did, the
appeal's decision and why, how and when the citizen was told, and when it was closed; and
the export carries it as a CSV section and an XLSX sheet a spreadsheet reads whole, its rates
as percentages and its header frozen."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from hall.followups.export import to_csv, to_xlsx
from hall.followups.register import HEADER, register_rows
from tests.unit.hallfixtures import SHANGHAI
from tests.unit.test_followups import BOSS, LEAD, RATING, WANG, D, at, opened

NAMES = {"window": {"w3": "3号窗口"}, "staff": {"s1": "王芳", "lead3": "刘科长", "boss": "赵主任"},
         "matter": {"000131128000": "个体工商户设立登记"}, "queue": {}}


def worked():
    """fu-t-1 taken through 限期整改 to its close; fu-t-2 appealed and the appeal turned down."""
    run = opened()
    run.apply(run.eng.open({**RATING, "ticket": "t-2", "number": "A018", "level": 2, "reasons": [],
                            "text": "材料没有一次说清"}, run.now + 60, run.today().isoformat()))
    run.now = at(D(2026, 9, 29), 11, 5)
    run("verify", LEAD, "rectify", "电话核实属实")
    run("verify", "fu-t-2", WANG, "appeal", "群众称误点")
    run("decide_appeal", "fu-t-2", BOSS, False, "录像显示确有遗漏")
    run.now = at(D(2026, 10, 9), 16, 30)
    run("rectified", LEAD, "中午增设轮岗值守")
    run("feedback", LEAD, "phone", at(D(2026, 10, 9), 17), at(D(2026, 10, 9), 17, 1), "已告知整改情况")
    run.now = at(D(2026, 10, 10), 9)
    run("close", BOSS)
    return run


def test_each_bad_rating_is_one_row_saying_who_did_what_and_when():
    run = worked()
    rows = register_rows(run.eng.ledger.items.values(), NAMES, SHANGHAI)
    first, second = (dict(zip(HEADER, r, strict=True)) for r in rows)
    assert (first["票号"], first["评价时间"], first["窗口"], first["工作人员"], first["事项"]) == (
        "A017", "2026-09-29 10:00", "3号窗口", "王芳", "个体工商户设立登记")
    assert (first["评价"], first["原因"], first["状态"]) == ("非常不满意", "办事效率低", "已办结")
    assert (first["责任部门"], first["责任人"]) == ("县市场监管局", "刘科长")
    assert (first["回访核实"], first["核实人"], first["核实时间"], first["核实说明"]) == (
        "限期整改", "刘科长", "2026-09-29 11:05", "电话核实属实")
    assert (first["整改完成时间"], first["整改情况"]) == ("2026-10-09 16:30", "中午增设轮岗值守")
    assert first["整改期限"] and first["整改期限"] > "2026-10-08"  # working days, past the National Day holiday
    assert (first["反馈方式"], first["反馈人"], first["反馈时间"], first["反馈说明"]) == (
        "电话", "刘科长", "2026-10-09 17:00", "已告知整改情况")
    assert first["办结时间"] == "2026-10-10 09:00"
    assert (second["票号"], second["原因"], second["状态"]) == ("A018", "材料没有一次说清", "待回访核实")
    assert (second["申诉复核"], second["复核人"], second["复核说明"]) == ("驳回申诉", "赵主任", "录像显示确有遗漏")
    assert second["办结时间"] == "" and second["反馈方式"] == ""


BOARD = {"from": "2026-09-01", "to": "2026-10-31", "names": NAMES, "total": {}, "window": {}, "staff": {},
         "matter": {}, "queue": {}, "followups": {"total": {"total": 2, "called_back": 2, "callback_rate": 1.0,
                                                          "to_fix": 1, "fixed": 1, "fix_rate": 1.0,
                                                          "excluded_by_appeal": 0}, "window": {}},
         "ranking": {"month": "2026-09", "windows": []}}


def test_the_export_carries_the_register_as_a_sheet_and_a_csv_section():
    from hall.followups.export import COLUMNS
    board = {**BOARD, "total": dict.fromkeys((k for k, _ in COLUMNS), 0)}
    rows = register_rows(worked().eng.ledger.items.values(), NAMES, SHANGHAI)
    book = load_workbook(io.BytesIO(to_xlsx(board, rows)))
    sheet = book["差评明细"]
    got = list(sheet.iter_rows(values_only=True))
    assert got[1] == tuple(HEADER) and got[2][0] == "A017" and got[3][0] == "A018"
    reason = HEADER.index("整改情况") + 1
    assert sheet.column_dimensions[sheet.cell(2, reason).column_letter].width >= 18  # the text reads whole
    text = to_csv(board, rows).decode("utf-8-sig")
    assert "\n差评明细\r\n" + ",".join(HEADER) in text and "中午增设轮岗值守" in text
    assert "差评明细" not in to_csv(board).decode("utf-8-sig")  # only when the caller gives the rows


def test_rates_read_as_percentages_and_the_header_stays_in_sight():
    from hall.followups.export import COLUMNS
    board = {**BOARD, "total": {**dict.fromkeys((k for k, _ in COLUMNS), 0), "satisfaction": 0.375},
             "staff": {"-": dict.fromkeys((k for k, _ in COLUMNS), 0)}}
    book = load_workbook(io.BytesIO(to_xlsx(board)))
    total, fu = book["合计"], book["差评整改"]
    column = [label for _, label in COLUMNS].index("满意率") + 1
    assert total.cell(3, column).value == 0.375 and total.cell(3, column).number_format == "0.0%"
    assert fu.cell(3, 5).number_format == "0.0%" and fu.cell(2, 5).value == "回访率"
    assert total.cell(3, 1).number_format == "General" and total.freeze_panes == "A3"
    assert book["工作人员"].cell(3, 2).value == "未记录"  # served with no one signed in, not "-"
