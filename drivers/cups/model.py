"""What an A4 printer behind CUPS is asked, and what it answers: plain frozen data."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class JobState(enum.StrEnum):
    """IPP job states (RFC 8011 5.3.7), plus UNKNOWN for a job the server no longer knows."""

    PENDING = "pending"
    HELD = "held"
    PROCESSING = "processing"
    STOPPED = "stopped"
    CANCELED = "canceled"
    ABORTED = "aborted"
    COMPLETED = "completed"
    UNKNOWN = "unknown"

    @classmethod
    def from_ipp(cls, value: int) -> JobState:
        return _IPP_JOB_STATES.get(value, cls.UNKNOWN)

    @property
    def finished(self) -> bool:
        """The job will not change any more (it printed, failed, or was cancelled)."""
        return self in (JobState.CANCELED, JobState.ABORTED, JobState.COMPLETED, JobState.UNKNOWN)


_IPP_JOB_STATES = {
    3: JobState.PENDING,
    4: JobState.HELD,
    5: JobState.PROCESSING,
    6: JobState.STOPPED,
    7: JobState.CANCELED,
    8: JobState.ABORTED,
    9: JobState.COMPLETED,
}


@dataclass(frozen=True)
class PrintResult:
    """Where a job is. `pages` is what CUPS counted (job-impressions-completed), if it said."""

    job_id: int
    state: JobState
    pages: int | None = None
    reason: str = ""
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is JobState.COMPLETED


class PrinterCondition(enum.StrEnum):
    IDLE = "idle"
    PRINTING = "printing"
    STOPPED = "stopped"  # `cupsdisable`, or CUPS stopped it after an error


@dataclass(frozen=True)
class PrinterState:
    queue: str
    condition: PrinterCondition
    accepting: bool
    message: str = ""  # printer-state-message: why it is stopped, or what it is doing
    alerts: tuple[str, ...] = ()  # printer-state-reasons other than "none"
    printing_job: int | None = None

    @property
    def ready(self) -> bool:
        return self.condition is not PrinterCondition.STOPPED and self.accepting

    @property
    def problem(self) -> str:
        """Why a job would not print now, in words staff understand; "" when ready."""
        why = f": {self.message}" if self.message else ""
        if self.condition is PrinterCondition.STOPPED:
            return f"printer {self.queue} is stopped{why}"
        if not self.accepting:
            return f"printer {self.queue} is not accepting jobs{why}"
        return ""


@dataclass(frozen=True)
class PrintSettings:
    """Per-installation data: how long to follow a job, how often to ask, what to do on give-up."""

    job_timeout: float = 120.0  # from submission to completion
    poll_interval: float = 0.25
    command_timeout: float = 10.0  # each lp / lpstat / cancel, each IPP request
    cancel_unfinished: bool = True  # a job given up on is cancelled: no print after we left
    remembered_keys: int = 256
    extra_options: tuple[str, ...] = ()  # passed to lp as `-o` values


