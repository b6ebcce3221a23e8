"""Working days: promised completion dates of matters are counted in them (法定/承诺时限).

A day's status comes from the platform's calendar when it has one for that day (holidays are
announced each year, with 调休 make-up workdays on weekends), else from the `chinese-calendar`
package, else (a year the package does not know yet) Monday to Friday.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

import chinese_calendar

log = logging.getLogger(__name__)

MAX_DAYS = 3660  # ten years of searching is a bug, not a time limit


class WorkCalendar:
    def __init__(self, overrides: Callable[[], Mapping[str, bool]] | Mapping[str, bool] | None = None) -> None:
        self._overrides = overrides

    def overrides(self) -> Mapping[str, bool]:
        if self._overrides is None:
            return {}
        return self._overrides() if callable(self._overrides) else self._overrides

    def is_workday(self, day: dt.date) -> bool:
        found = self.overrides().get(day.isoformat())
        if found is not None:
            return found
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year beyond the package's data
            return day.weekday() < 5

    def source(self, day: dt.date) -> str:
        """Where the answer for `day` comes from: platform, chinese-calendar or weekday."""
        if day.isoformat() in self.overrides():
            return "platform"
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return "weekday"
        return "chinese-calendar"

    def working_days_after(self, day: dt.date, n: int) -> dt.date:
        """The date `n` working days after `day` (`day` itself not counted); `n == 0` is `day`.

        A matter accepted on Friday with a 1-working-day limit is due on the next working day.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        current, left = day, n
        for _ in range(MAX_DAYS):
            if left == 0:
                return current
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        raise ValueError(f"no {n} working days within {MAX_DAYS} days of {day}")


def working_days_after(day: dt.date, n: int, overrides: Mapping[str, bool] | None = None) -> dt.date:
    return WorkCalendar(overrides).working_days_after(day, n)
