"""Errors of the queue domain. Each says what was wrong in words a window's staff understands."""
from __future__ import annotations


class QueueError(Exception):
    """A command the queue cannot carry out. Nothing changed."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(QueueError):
    status = 404
    code = "not_found"


class IllegalTransition(QueueError):
    """The ticket or window is not in a state that allows this operation."""

    status = 409
    code = "illegal_transition"


class InvalidCommand(QueueError):
    status = 422
    code = "invalid"


class NothingToCall(QueueError):
    status = 409
    code = "nothing_to_call"


class ClockWentBack(QueueError):
    """The clock says a day before the one the queue is in: nothing is issued twice."""

    status = 409
    code = "clock_went_back"
