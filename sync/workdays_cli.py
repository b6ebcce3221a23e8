"""`yiciban workdays add` and `yiciban workdays show`: the working-day calendar from a shell.

For staff and the hall's IT person: what due date a limit of N working days gives, whether it
may still move (a year whose 调休 are not published yet), and which days of a year are closed
and where each answer came from. The platform's days are read from the hall's reference copy
(reference.db in its data directory) when there is one; nothing is written.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

import chinese_calendar

from sync.reference import ReferenceStore
from sync.workdays import (
    FIRST_RULE_YEAR,
    LAST_RULE_YEAR,
    PACKAGE,
    PLATFORM,
    STATUTORY,
    WorkCalendar,
    statutory_holidays,
)

PACKAGE_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午", "Mid-autumn Festival": "中秋",
    "National Day": "国庆", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
SOURCE_TEXT = {
    PLATFORM: "the platform's calendar", PACKAGE: "chinese-calendar's data",
    STATUTORY: "the statutory holidays, 调休 not yet published (provisional)",
    "weekday": "Monday to Friday (no holiday data for this year)",
}


class WorkdaysInputError(ValueError):
    """A date, a number or a year given on the command line that cannot be used."""


def parse_day(text: str, today: dt.date) -> dt.date:
    if text.strip().lower() == "today":
        return today
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise WorkdaysInputError(f"DATE must be YYYY-MM-DD or 'today', not {text!r}") from None


def platform_days(data_dir: Path | None) -> Mapping[str, bool]:
    """The platform's calendar from the hall's reference copy; none when there is no copy."""
    if data_dir is None or not (data_dir / "reference.db").is_file():
        return {}
    store = ReferenceStore(data_dir / "reference.db")
    try:
        return dict(store.calendar_overrides())
    finally:
        store.close()


def add_report(calendar: WorkCalendar, start: dt.date, n: int) -> dict[str, object]:
    if n < 0:
        raise WorkdaysInputError(f"N must be a number of working days, 0 or more, not {n}")
    due = calendar.due_date(start, n)
    return {"start": start.isoformat(), "working_days": n, "due": due.day.isoformat(),
            "provisional": due.provisional, "source": due.source}


def format_add(report: Mapping[str, object]) -> str:
    state = "provisional" if report["provisional"] else "final"
    line = f"{report['due']} {state}"
    note = f"{report['working_days']} working days after {report['start']}, from {SOURCE_TEXT[str(report['source'])]}"
    if report["provisional"]:
        note += "; 如遇节假日调整顺延"
    return f"{line}\n  {note}"


def _name(day: dt.date, source: str) -> str:
    if source == PACKAGE:
        _, name = chinese_calendar.get_holiday_detail(day)
        return PACKAGE_NAMES.get(str(name), "") if name else ""
    if source in (STATUTORY, PLATFORM) and FIRST_RULE_YEAR <= day.year <= LAST_RULE_YEAR:
        return statutory_holidays(day.year).get(day, "")
    return ""


def year_report(calendar: WorkCalendar, year: int) -> dict[str, object]:
    """The year's holidays, closed weekdays and working weekend days (调休), with their source."""
    if not 1900 <= year <= 2099:
        raise WorkdaysInputError(f"YEAR must be between 1900 and 2099, not {year}")
    days, working, sources = [], 0, set()
    for day, is_working, source in calendar.days(dt.date(year, 1, 1), dt.date(year, 12, 31)):
        working += is_working
        sources.add(source)
        weekend = day.weekday() >= 5
        name = "" if is_working else _name(day, source)
        if is_working == weekend or name:  # a holiday, a closed weekday, a working weekend day
            days.append({"date": day.isoformat(), "weekday": day.strftime("%a"),
                         "closed": not is_working, "name": name, "source": source})
    return {"year": year, "working_days": working, "sources": sorted(sources), "days": days}


def source_pad(name: str, width: int = 8) -> str:
    """`name` padded to `width` columns, a Hanzi counting two."""
    return name + " " * max(0, width - sum(2 if ord(c) > 0x2E80 else 1 for c in name))


def format_year(report: Mapping[str, object]) -> str:
    lines = [f"{report['year']}: {report['working_days']} working days; answers from "
             + ", ".join(SOURCE_TEXT[s] for s in report["sources"])]  # type: ignore[attr-defined]
    for d in report["days"]:  # type: ignore[attr-defined]
        state, name = ("closed", d["name"] or "-") if d["closed"] else ("working", "调休")
        lines.append(f"{d['date']} {d['weekday']}  {state:<8} {source_pad(name)} {d['source']}")
    if not report["days"]:
        lines.append("(no weekday closed, no weekend day worked)")
    return "\n".join(lines)


def run(action: str, args: Mapping[str, object], today: dt.date, data_dir: Path | None) -> str:
    """The text (or JSON) a workdays command prints."""
    calendar = WorkCalendar(platform_days(data_dir))
    if action == "add":
        report = add_report(calendar, parse_day(str(args["date"]), today), int(args["n"]))  # type: ignore[call-overload]
        text = format_add(report)
    else:
        report = year_report(calendar, int(args["year"]))  # type: ignore[call-overload]
        text = format_year(report)
    return json.dumps(report, ensure_ascii=False, indent=2) if args.get("json") else text
