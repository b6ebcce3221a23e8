"""The `[opening]` section of a hall's config: when the hall takes citizens in, checked so that an
administrator's slip (a period that ends before it starts, two that overlap, a quota below zero, a
queue that does not exist) is said before the hall opens with it.

    [opening]
    hours = ["08:30-12:00", "13:30-17:30"]     # a working day; the gap is the lunch break
    extended = { wed = "19:00" }               # 延时服务: the day's last period ends later
    weekdays = { sat = ["09:00-12:00"] }       # another day's hours (a Saturday: not on holidays)
    cutoff_minutes = 30                        # every queue stops issuing 30 min before the close
    holiday_appointments = ["09:00-12:00"]     # appointments only on days otherwise closed
    [[opening.closures]]
    date = 2027-01-04                          # `until` for more than one day (included)
    reason = "系统升级"
    [[opening.queues]]
    queue = "social"
    cutoff_minutes = 45
    daily_quota = 120                          # tickets a day, appointments aside

Without `[opening]` the hall issues at any hour, as before.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from hall.config_issues import CrossReferenceError, one_of
from hall.hours import WEEKDAYS, Closure, OpeningRules, Period, QueueLimit

_PERIOD = re.compile(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-4]):([0-5]\d)\s*")
_CLOCK = re.compile(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*")
_PERIOD_TEXT = "a period 'HH:MM-HH:MM' like '08:30-12:00'"


def _time(hour: str, minute: str) -> dt.time:
    return dt.time.max if int(hour) == 24 else dt.time(int(hour), int(minute))


def parse_period(text: str) -> Period:
    """'08:30-12:00' → Period; a period that ends at or before its start is refused."""
    match = _PERIOD.fullmatch(text)
    if not match or (match.group(3) == "24" and match.group(4) != "00"):
        raise ValueError(_PERIOD_TEXT)
    start, end = _time(*match.group(1, 2)), _time(*match.group(3, 4))
    if end <= start:
        raise ValueError(f"{_PERIOD_TEXT} whose end comes after its start")
    return Period(start, end)


def parse_clock(text: str) -> dt.time:
    match = _CLOCK.fullmatch(text)
    if not match:
        raise ValueError("a time 'HH:MM' like '19:00'")
    return _time(*match.group(1, 2))


def _check_periods(values: list[str]) -> list[str]:
    """Each a period, in order of the day, none overlapping the one before."""
    periods = [parse_period(v) for v in values]
    for before, after, text in zip(periods, periods[1:], values[1:], strict=False):
        if after.start < before.end:
            raise ValueError(f"periods in order of the day that do not overlap ({text!r} starts before "
                             f"the period before it ends at {before.end.strftime('%H:%M')})")
    return values


def _check_weekday(value: str) -> str:
    if value not in WEEKDAYS:
        raise ValueError(f"a weekday (one of: {one_of(WEEKDAYS)})")
    return value


Periods = Annotated[list[str], AfterValidator(_check_periods)]
Weekday = Annotated[str, AfterValidator(_check_weekday)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ClosureConfig(_Section):
    date: dt.date
    until: dt.date | None = None
    reason: str = Field(default="闭厅", min_length=1, max_length=60)
    reason_en: str = Field(default="closed", min_length=1, max_length=80)

    @model_validator(mode="after")
    def _order(self) -> ClosureConfig:
        if self.until is not None and self.until < self.date:
            raise CrossReferenceError([(("until",), f"a date not before date ({self.date})",
                                        self.until.isoformat())])
        return self


class QueueHoursConfig(_Section):
    queue: str = Field(min_length=1, max_length=40)
    cutoff_minutes: int | None = Field(default=None, ge=0, le=12 * 60)
    daily_quota: int | None = Field(default=None, ge=0, le=100_000)


class OpeningConfig(_Section):
    hours: Periods = Field(min_length=1, max_length=6)
    extended: dict[Weekday, str] = Field(default_factory=dict)
    weekdays: dict[Weekday, Periods] = Field(default_factory=dict)
    cutoff_minutes: int = Field(default=0, ge=0, le=12 * 60)
    holiday_appointments: Periods = Field(default_factory=list, max_length=6)
    closures: list[ClosureConfig] = Field(default_factory=list)
    queues: list[QueueHoursConfig] = Field(default_factory=list)

    @field_validator("extended")
    @classmethod
    def _extended(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            parse_clock(text)
        return value

    @model_validator(mode="after")
    def _later(self) -> OpeningConfig:
        issues = []
        for day, text in self.extended.items():
            periods = self.weekdays.get(day, self.hours)
            end = parse_period(periods[-1]).end if periods else None
            if end is not None and parse_clock(text) <= end:
                issues.append((("extended", day), f"a time after that day's close ({end.strftime('%H:%M')})",
                               repr(text)))
        if issues:
            raise CrossReferenceError(issues)
        return self

    def rules(self) -> OpeningRules:
        limits = {q.queue: QueueLimit(self.cutoff_minutes if q.cutoff_minutes is None else q.cutoff_minutes,
                                      q.daily_quota) for q in self.queues}
        return OpeningRules(
            hours=tuple(parse_period(p) for p in self.hours),
            weekdays={WEEKDAYS.index(d): tuple(parse_period(p) for p in ps) for d, ps in self.weekdays.items()},
            extended={WEEKDAYS.index(d): parse_clock(t) for d, t in self.extended.items()},
            closures=tuple(Closure(c.date, c.until or c.date, c.reason, c.reason_en) for c in self.closures),
            holiday_appointments=tuple(parse_period(p) for p in self.holiday_appointments),
            limits=limits, cutoff_minutes=self.cutoff_minutes,
        )


def opening_issues(cfg: Any) -> Iterable[tuple[tuple[str | int, ...], str, str]]:
    """[[opening.queues]] naming a queue that is not defined, or named twice."""
    opening: OpeningConfig | None = cfg.opening
    if opening is None:
        return
    queue_ids = [q.id for q in cfg.queues]
    seen: dict[str, int] = {}
    for index, entry in enumerate(opening.queues):
        where = ("opening", "queues", index, "queue")
        if entry.queue not in queue_ids:
            yield where, f"a queue id defined in [[queues]] (one of: {one_of(queue_ids)})", repr(entry.queue)
        elif entry.queue in seen:
            yield where, f"each queue once (opening.queues[{seen[entry.queue]}] already has it)", repr(entry.queue)
        seen.setdefault(entry.queue, index)
