"""A small hall for unit tests, built in code (the sample hall's config is tested elsewhere)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hall.domain.model import HallSetup, Policy, QueueDef, SelectionMode, WindowDef

SHANGHAI = ZoneInfo("Asia/Shanghai")


def small_hall(**policy: object) -> HallSetup:
    return HallSetup(
        queues=(
            QueueDef("general", "A", "综合受理", service_minutes=6),
            QueueDef("property", "B", "不动产登记", service_minutes=15),
            QueueDef("social", "C", "社保医保", service_minutes=5),
        ),
        windows=(
            WindowDef("w1", 1, "1号窗口", ("general",), 2, 1),
            WindowDef("w2", 2, "2号窗口", ("general", "property"), 2, 1, SelectionMode.SEQUENCE),
            WindowDef("w3", 3, "3号窗口", ("property", "social"), 3, 1, SelectionMode.LONGEST_WAIT),
        ),
        policy=Policy(**policy),
    )


def at(hour: int, minute: int = 0, second: int = 0, day: int = 27) -> float:
    """A moment in the hall's time zone on 2026-11-<day>, as epoch seconds."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI).timestamp()


class FakeClock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
