"""When the hall takes citizens in: opening hours, lunch, 延时服务 days, closures, holidays, and each
queue's last-issue time and daily quota (号源).

A hall opens on working days (the working-day calendar of `sync.workdays`, so 调休 make-up
Saturdays open and statutory holidays close), in periods whose gaps are the lunch break; some
weekdays run late (延时服务); a closure shuts whole days; on the days it is otherwise closed it may
still take appointments ("365 天无休": `holiday_appointments`). Each queue stops issuing some minutes
before the day's close and after its daily quota (号源: appointments aside).

Who is held to what, as a hall does it:
- a walk-in ticket (dispenser, kiosk, the API) only while the hall is open, before its queue's
  cut-off and within its quota;
- an appointment's check-in whenever the day has hours, appointment-only hours included, lunch
  included (the slot was booked): never refused for the cut-off or the quota, which are walk-in 号源;
- a staff member's counter ticket is never refused: the staff member has already taken the
  citizen in (办完再走); it counts in the day's quota all the same, as the window's time it takes.

Pure: the time is always given (aware, in the hall's zone), and the calendar is a callable.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hall.domain.errors import QueueError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
LOOK_AHEAD_DAYS = 62  # a closure plus 春节 fits well within two months

OPEN, LUNCH, CLOSED, APPOINTMENTS = "open", "lunch", "closed", "appointments"
WALK_IN, APPOINTMENT, COUNTER = "walk_in", "appointment", "counter"

IsWorkday = Callable[[dt.date], bool]


@dataclass(frozen=True)
class Period:
    """Opening from `start` to `end` on one day (end excluded)."""

    start: dt.time
    end: dt.time

    def holds(self, moment: dt.time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Closure:
    """Whole days the hall is shut (both dates included), and why, as the screens say it."""

    first: dt.date
    last: dt.date
    reason: str = "闭厅"
    reason_en: str = "closed"

    def covers(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class QueueLimit:
    """A queue's own rules: stop issuing `cutoff_minutes` before the day's close; at most
    `daily_quota` tickets a day, appointments aside (None: no quota)."""

    cutoff_minutes: int = 0
    daily_quota: int | None = None


@dataclass(frozen=True)
class OpeningRules:
    """A hall's opening rules. `weekdays` replaces `hours` on those weekdays (0 = Monday; a
    Saturday or Sunday listed there opens when it is not a holiday); `extended` moves the
    close of a weekday's last period later (延时服务); `holiday_appointments` are the hours of
    the otherwise closed days for appointments only."""

    hours: tuple[Period, ...]
    weekdays: Mapping[int, tuple[Period, ...]] = field(default_factory=dict)
    extended: Mapping[int, dt.time] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    holiday_appointments: tuple[Period, ...] = ()
    limits: Mapping[str, QueueLimit] = field(default_factory=dict)
    cutoff_minutes: int = 0  # for queues without their own

    def limit(self, queue: str) -> QueueLimit:
        return self.limits.get(queue) or QueueLimit(self.cutoff_minutes, None)


@dataclass(frozen=True)
class DayPlan:
    """One day's hours: `kind` is OPEN (walk-ins and appointments), APPOINTMENTS (appointments
    only) or CLOSED; `extended` says the day runs late (延时服务); `reason` why it is closed."""

    day: dt.date
    kind: str
    periods: tuple[Period, ...] = ()
    extended: bool = False
    reason: str = ""
    reason_en: str = ""

    @property
    def closes(self) -> dt.time | None:
        return self.periods[-1].end if self.periods else None


def day_plan(rules: OpeningRules, day: dt.date, is_workday: IsWorkday) -> DayPlan:
    """The hours of `day`: a closure first, then the calendar, then the weekday's hours."""
    closure = next((c for c in rules.closures if c.covers(day)), None)
    if closure is not None:
        return DayPlan(day, CLOSED, reason=closure.reason, reason_en=closure.reason_en)
    weekday = day.weekday()
    working = is_workday(day)
    listed = weekday in rules.weekdays
    if working or (listed and weekday >= 5 and not _holiday(day, is_workday)):
        periods = rules.weekdays.get(weekday, rules.hours)
        late = rules.extended.get(weekday)
        if periods and late is not None and late > periods[-1].end:
            periods = (*periods[:-1], Period(periods[-1].start, late))
            return DayPlan(day, OPEN, periods, extended=True)
        if periods:
            return DayPlan(day, OPEN, periods)
    if rules.holiday_appointments:
        return DayPlan(day, APPOINTMENTS, rules.holiday_appointments,
                       reason="节假日仅办理预约业务", reason_en="appointments only today")
    return DayPlan(day, CLOSED, reason="休息日" if weekday >= 5 else "节假日",
                   reason_en="weekend" if weekday >= 5 else "public holiday")


def _holiday(day: dt.date, is_workday: IsWorkday) -> bool:
    """A non-working weekend day inside a holiday run (国庆, 春节): a weekday next to it is off too."""
    for step in (-1, 1):
        near = day + dt.timedelta(days=step)
        while near.weekday() >= 5:
            near += dt.timedelta(days=step)
        if not is_workday(near):
            return True
    return False


@dataclass(frozen=True)
class HallStatus:
    """The hall at one moment: `state` OPEN, LUNCH, CLOSED or APPOINTMENTS (appointment-only
    hours now); `closes_at` the end of the current period; `opens_at` the next walk-in opening."""

    at: dt.datetime
    state: str
    plan: DayPlan
    closes_at: dt.datetime | None
    opens_at: dt.datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state, "at": self.at.isoformat(timespec="seconds"),
            "day_kind": self.plan.kind, "extended": self.plan.extended,
            "reason": self.plan.reason, "reason_en": self.plan.reason_en,
            "periods": [[p.start.strftime("%H:%M"), p.end.strftime("%H:%M")] for p in self.plan.periods],
            "closes_at": _iso(self.closes_at), "opens_at": _iso(self.opens_at),
            "opens_text": opening_text(self.opens_at, self.at), "opens_text_en": opening_text_en(self.opens_at, self.at),
        }


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="minutes")


def status(rules: OpeningRules, at: dt.datetime, is_workday: IsWorkday) -> HallStatus:
    """Whether the hall is open at `at` (aware, in the hall's zone), and until or from when."""
    _aware(at)
    plan = day_plan(rules, at.date(), is_workday)
    now = at.time()
    current = next((p for p in plan.periods if p.holds(now)), None)
    closes = None if current is None else dt.datetime.combine(at.date(), current.end, at.tzinfo)
    if current is not None:
        state = OPEN if plan.kind == OPEN else APPOINTMENTS
    elif plan.kind == OPEN and plan.periods[0].start <= now < plan.periods[-1].end:
        state = LUNCH
    else:
        state = CLOSED
    return HallStatus(at, state, plan, closes, next_opening(rules, at, is_workday))


def next_opening(rules: OpeningRules, at: dt.datetime, is_workday: IsWorkday) -> dt.datetime | None:
    """The first start of a walk-in period after `at` (None: none within two months)."""
    for offset in range(LOOK_AHEAD_DAYS):
        day = at.date() + dt.timedelta(days=offset)
        plan = day_plan(rules, day, is_workday)
        if plan.kind != OPEN:
            continue
        for period in plan.periods:
            start = dt.datetime.combine(day, period.start, at.tzinfo)
            if start > at:
                return start
    return None


class NotIssuing(QueueError):
    """The hall does not issue this ticket now: closed, lunch, past the cut-off, or the quota is
    used up. `details` carry the reason code, the next opening and the English text."""

    status = 409
    code = "not_issuing"


REFUSAL = {  # reason code -> (Chinese, English); {next} is the next opening
    "closed": ("大厅已闭厅，{next}开始取号", "The hall is closed. Tickets from {next}."),
    "lunch": ("午休时间，{next}开始取号", "Lunch break. Tickets from {next}."),
    "cutoff": ("今日取号已截止，{next}开始取号", "No more tickets today. Tickets from {next}."),
    "quota": ("今日号源已满，{next}开始取号", "Today's tickets are all taken. Tickets from {next}."),
    "appointments": ("今日仅办理预约业务，现场取号{next}开始", "Appointments only today. Tickets from {next}."),
}


def refusal(rules: OpeningRules, at: dt.datetime, is_workday: IsWorkday, kind: str, queue: str,
            issued_today: int) -> NotIssuing | None:
    """Why a ticket of `kind` (WALK_IN, APPOINTMENT, COUNTER) for `queue` is not issued at `at`
    with `issued_today` tickets of that queue counted against its quota, or None when it is."""
    if kind == COUNTER:
        return None
    now = status(rules, at, is_workday)
    if kind == APPOINTMENT:
        if now.plan.periods and now.state != CLOSED:
            return None
        return _refused("closed", now, now.opens_at)
    if now.state == LUNCH:
        return _refused("lunch", now, now.opens_at)
    if now.state == APPOINTMENTS:
        return _refused("appointments", now, now.opens_at)
    if now.state != OPEN or now.plan.closes is None:
        return _refused("closed", now, now.opens_at)
    limit = rules.limit(queue)
    close = dt.datetime.combine(at.date(), now.plan.closes, at.tzinfo)
    past_cutoff = at >= close - dt.timedelta(minutes=limit.cutoff_minutes)
    if past_cutoff or (limit.daily_quota is not None and issued_today >= limit.daily_quota):
        # done for today: the afternoon's period does not reopen the queue
        midnight = dt.datetime.combine(at.date() + dt.timedelta(days=1), dt.time(0), at.tzinfo)
        tomorrow = next_opening(rules, midnight - dt.timedelta(microseconds=1), is_workday)
        return _refused("cutoff" if past_cutoff else "quota", now, tomorrow)
    return None


def _refused(code: str, now: HallStatus, opens: dt.datetime | None) -> NotIssuing:
    zh, en = REFUSAL[code]
    text = zh.format(next=opening_text(opens, now.at) or "另行通知")
    text_en = en.format(next=opening_text_en(opens, now.at) or "a date to be announced")
    return NotIssuing(text, reason=code, text_en=text_en, opens_at=_iso(opens) or "",
                      opens_text=opening_text(opens, now.at), opens_text_en=opening_text_en(opens, now.at))


def opening_text(opens: dt.datetime | None, at: dt.datetime) -> str:
    """'今天13:30', '明天8:30', '12月8日（周二）8:30' ('' for none)."""
    if opens is None:
        return ""
    clock = f"{opens.hour}:{opens.minute:02d}"
    days = (opens.date() - at.date()).days
    if days == 0:
        return f"今天{clock}"
    if days == 1:
        return f"明天{clock}"
    return f"{opens.month}月{opens.day}日（{WEEKDAY_ZH[opens.weekday()]}）{clock}"


def opening_text_en(opens: dt.datetime | None, at: dt.datetime) -> str:
    if opens is None:
        return ""
    clock = f"{opens.hour}:{opens.minute:02d}"
    days = (opens.date() - at.date()).days
    if days == 0:
        return f"{clock} today"
    if days == 1:
        return f"{clock} tomorrow"
    return f"{clock} on {opens.strftime('%a')} {opens.day} {opens.strftime('%b')}"


def _aware(at: dt.datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("the hall's time must carry its zone (an aware datetime)")
