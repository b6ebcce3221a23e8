"""The `[followups]` section of a hall's config: who answers for each window's 差评 (谁办理、
谁负责: the window's department or its lead) and the local deadlines (callback in hours or in
working days, fix and feedback in working days).

    [followups]
    assign_by = "department"          # or "lead"
    callback_hours = 24               # or callback_working_days = 1 (exactly one)
    fix_working_days = 5
    default_department = "政务服务中心"
    [[followups.windows]]
    window = "w01"
    department = "县行政审批服务局"
    lead = "staff01"                   # a [[staff]] id
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hall.followups.model import Deadlines, Owner


class WindowOwnerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: str = Field(min_length=1, max_length=64)
    department: str = Field(default="", max_length=100)
    lead: str | None = Field(default=None, min_length=1, max_length=64)


class FollowupConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    assign_by: Literal["department", "lead"] = "department"
    callback_hours: int | None = Field(default=None, ge=1, le=24 * 30)
    callback_working_days: int | None = Field(default=None, ge=1, le=30)
    fix_working_days: int = Field(default=5, ge=1, le=60)
    yellow_hours: int = Field(default=4, ge=0, le=24 * 7)
    yellow_working_days: int = Field(default=1, ge=0, le=30)
    default_department: str = Field(default="政务服务中心", min_length=1, max_length=100)
    windows: list[WindowOwnerConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_callback(self) -> FollowupConfig:
        if self.callback_hours is not None and self.callback_working_days is not None:
            raise ValueError("followups: give callback_hours or callback_working_days, not both")
        return self

    def deadlines(self) -> Deadlines:
        """The deadlines: a callback in 24 hours unless the hall says otherwise."""
        days = self.callback_working_days
        return Deadlines(callback_hours=None if days is not None else (self.callback_hours or 24),
                         callback_working_days=days, fix_working_days=self.fix_working_days,
                         yellow_hours=self.yellow_hours, yellow_working_days=self.yellow_working_days)

    def owners(self) -> dict[str, Owner]:
        return {w.window: Owner(w.department or self.default_department, w.lead) for w in self.windows}

    def default_owner(self) -> Owner:
        return Owner(self.default_department, None)


Issue = tuple[tuple[str | int, ...], str, str]


def followup_issues(cfg: Any) -> Iterable[Issue]:
    """References of `[followups]` to windows and staff that the hall does not define."""
    section: FollowupConfig = cfg.followups
    windows = [w.id for w in cfg.windows]
    staff = [s.id for s in cfg.staff]
    seen: set[str] = set()
    for i, w in enumerate(section.windows):
        if w.window not in windows:
            yield ("followups", "windows", i, "window"), f"a window id defined in [[windows]] ({', '.join(windows)})", \
                repr(w.window)
        elif w.window in seen:
            yield ("followups", "windows", i, "window"), "each window listed once", repr(w.window)
        seen.add(w.window)
        if w.lead is not None and w.lead not in staff:
            yield ("followups", "windows", i, "lead"), "a staff id defined in [[staff]]", repr(w.lead)
        if section.assign_by == "lead" and w.lead is None:
            yield ("followups", "windows", i, "lead"), "a lead for each window when assign_by = \"lead\"", "none"
        if section.assign_by == "department" and not w.department:
            yield ("followups", "windows", i, "department"), \
                "a department for each window when assign_by = \"department\"", "empty"
