"""One red/yellow/green engine for anything with a promised date and steps.

A subject starts on a day (not counted) and has a limit in working days; steps that pause the
clock (听证, 检验, 检测, 鉴定, 专家评审 for cases) add their working days back. The light is a pure
function of the subject, today and a working-day calendar: red when overdue, yellow when few
working days remain or an open step overran its own limit, green otherwise. Cases use it, and
差评 follow-ups (a deadline to fix and feed back) can use the same.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = (GREEN, YELLOW, RED)


class Due(Protocol):
    day: dt.date
    provisional: bool
    source: str


class Calendar(Protocol):
    def due_date(self, start: dt.date, n: int) -> Due: ...

    def working_days_between(self, a: dt.date, b: dt.date) -> int: ...


@dataclass(frozen=True)
class TimedStep:
    name: str
    started: dt.date
    limit_days: int | None = None
    finished: dt.date | None = None
    pauses: bool = False


@dataclass(frozen=True)
class Subject:
    start: dt.date  # the day of acceptance: not counted
    limit_days: int  # 0: due the same day (即办)
    steps: tuple[TimedStep, ...] = ()


@dataclass(frozen=True)
class Light:
    color: str
    reason: str
    due: dt.date
    provisional: bool
    source: str
    remaining: int  # working days left after today; negative: overdue by that many
    paused_days: int


def paused_days(subject: Subject, today: dt.date, cal: Calendar) -> int:
    """Working days spent in pausing steps (an open one counts up to today)."""
    total = 0
    for s in subject.steps:
        if s.pauses:
            end = s.finished or today
            if end > s.started:
                total += cal.working_days_between(s.started, end)
    return total


def light(subject: Subject, today: dt.date, cal: Calendar, yellow_days: int) -> Light:
    paused = paused_days(subject, today, cal)
    due = cal.due_date(subject.start, subject.limit_days + paused)
    if today > due.day:
        late = cal.working_days_between(due.day, today)
        reason = f"已超期 {late} 个工作日（应于 {due.day.isoformat()} 办结）"
        return Light(RED, reason, due.day, due.provisional, due.source, -late, paused)
    remaining = cal.working_days_between(today, due.day)
    overran = _overran_step(subject, today, cal)
    if overran is not None:
        return Light(YELLOW, overran, due.day, due.provisional, due.source, remaining, paused)
    if remaining <= yellow_days:
        reason = "今日到期" if remaining == 0 else f"剩余 {remaining} 个工作日"
        return Light(YELLOW, f"{reason}（应于 {due.day.isoformat()} 办结）", due.day, due.provisional,
                     due.source, remaining, paused)
    return Light(GREEN, f"剩余 {remaining} 个工作日", due.day, due.provisional, due.source, remaining, paused)


def _overran_step(subject: Subject, today: dt.date, cal: Calendar) -> str | None:
    for s in subject.steps:
        if s.finished is None and s.limit_days is not None:
            step_due = cal.due_date(s.started, s.limit_days).day
            if today > step_due:
                return f"环节「{s.name}」超出环节时限（应于 {step_due.isoformat()} 完成）"
    return None


class MemoCalendar:
    """A calendar that remembers its answers: a day change asks the same few questions of
    tens of thousands of cases accepted on the same few days."""

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self._due: dict[tuple[dt.date, int], Due] = {}
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    def due_date(self, start: dt.date, n: int) -> Due:
        key = (start, n)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = self.cal.due_date(start, n)
        return found

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        key = (a, b)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = self.cal.working_days_between(a, b)
        return found
