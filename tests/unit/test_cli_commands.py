"""The command line as its users type it: workdays, notices, options in any position."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.idcard import card as c
from drivers.idcard import codec
from drivers.idcard.simulator import sample_card
from sync.protocol import Change
from sync.reference import CALENDAR, ReferenceStore
from yiciban.cli import COMMAND_GROUPS, build_parser, main

REPO = Path(__file__).resolve().parents[2]


def yiciban(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "yiciban.cli", "--log-level", "WARNING", *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_workdays_add_prints_the_due_date_and_whether_it_is_provisional():
    run = yiciban("workdays", "add", "2026-12-21", "10")
    assert run.returncode == 0, run.stderr
    first, detail = run.stdout.splitlines()
    assert first == "2027-01-05 provisional" and "如遇节假日调整顺延" in detail
    run = yiciban("workdays", "add", "--json", "2025-09-30", "1")
    assert json.loads(run.stdout) == {"start": "2025-09-30", "working_days": 1, "due": "2025-10-09",
                                      "provisional": False, "source": "chinese-calendar"}


def test_workdays_reads_the_platforms_calendar_from_the_halls_copy(tmp_path, capsys):
    store = ReferenceStore(tmp_path / "reference.db")  # as a pull from the platform leaves it
    store.begin(CALENDAR)
    store.stage(CALENDAR, [Change("2027-01-04", 1, False, {"date": "2027-01-04", "workday": False,
                                                            "name": "元旦"})])
    store.apply(CALENDAR, 1, None)
    store.close()
    assert main(["workdays", "add", "2026-12-31", "1", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("2027-01-05 final")  # the platform has published 2027
    assert main(["workdays", "show", "2027", "--data-dir", str(tmp_path), "--json"]) == 0
    days = {d["date"]: d for d in json.loads(capsys.readouterr().out)["days"]}
    assert days["2027-01-04"]["source"] == "platform" and days["2027-01-04"]["closed"]
    assert days["2027-02-05"] == {"date": "2027-02-05", "weekday": "Fri", "closed": True,
                                  "name": "春节", "source": "platform"}
    assert main(["workdays", "add", "2027-12-30", "2", "--data-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("2028-01-03 provisional")  # 2028 is not published


def test_workdays_show_lists_holidays_and_swapped_days_with_their_source():
    run = yiciban("workdays", "show", "2026")
    assert run.returncode == 0, run.stderr
    assert "2026-01-04 Sun  working  调休" in run.stdout  # a published 调休 Sunday
    assert any(line.startswith("2026-10-01") and "国庆" in line and "chinese-calendar" in line
               for line in run.stdout.splitlines())


@pytest.mark.parametrize(("args", "words"), [
    (("add", "2026-13-01", "3"), "DATE must be YYYY-MM-DD"),
    (("add", "today", "-2"), "0 or more"),
    (("add", "2099-12-20", "15"), "beyond what the working-day calendar can know"),
    (("show", "2100"), "YEAR must be between"),
])
def test_workdays_bad_input_says_what_is_wrong(capsys, args, words):
    assert main(["workdays", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and words in captured.err


def test_an_option_before_the_argument_it_modifies(capsys):
    card = sample_card("resident")
    frame = codec.encode_response(0x90, codec.join_read_data(c.encode_text_block(card), card.photo))
    assert main(["idcard", "decode", "--reveal", frame.hex()]) == 0
    assert json.loads(capsys.readouterr().out)["id_number"] == "440304199001010011"
    assert main(["workdays", "add", "--json", "2025-09-30", "--data-dir", "", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["due"] == "2025-10-09"
    with pytest.raises(SystemExit):
        main(["workdays", "show", "2026", "--no-such-option"])
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def test_notices_command_writes_each_notice_as_pdf_and_png(tmp_path):
    run = yiciban("notices", "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr
    for kind in ("acceptance", "correction", "refusal", "completion", "guide-notice", "guide-notice-en"):
        assert (tmp_path / f"{kind}.pdf").read_bytes().startswith(b"%PDF-")
        assert (tmp_path / f"{kind}.png").read_bytes().startswith(b"\x89PNG")


def test_each_command_group_registers_in_under_a_hundred_lines():
    import inspect

    for register in (*COMMAND_GROUPS, build_parser):
        assert len(inspect.getsource(register).splitlines()) < 100, register.__name__
