"""Ticket numbers, and what happens at the end of a day's number space.

A number is the queue's prefix and the day's serial in that queue, zero-padded to the hall's
``policy.ticket_digits`` (A001 to A999 with three). A busy day does not stop at A999: a hall
would rather hand out A1000 than turn citizens away, and a number that starts again at A001
would call two people with one number. So the serial goes on, one digit wider, up to
``MAX_DIGITS`` digits (A99999), which the call voice, the display board, the window strips and
the keypads are all built to show. Past that the queue refuses new tickets for the day with an
error that says so (``NumbersUsedUp``); nothing is issued and nothing changes.

Numbers of different widths do not sort as text (A1000 < A999), so the queue orders them with
``number_key``.
"""
from __future__ import annotations

from hall.domain.errors import QueueError

MAX_DIGITS = 5
LAST_SERIAL = 10**MAX_DIGITS - 1


class NumbersUsedUp(QueueError):
    """Every number of a queue's day has been issued."""

    status = 409
    code = "numbers_used_up"


def ticket_number(prefix: str, serial: int, digits: int) -> str:
    """``A`` + serial padded to ``digits``; wider once the serial needs it (A999, then A1000)."""
    if not 1 <= serial <= LAST_SERIAL:
        raise ValueError(f"a ticket serial is 1 to {LAST_SERIAL}, not {serial}")
    return f"{prefix}{serial:0{digits}d}"


def next_serial(prefix: str, queue_name: str, issued: int) -> int:
    """The serial after ``issued`` tickets today, or NumbersUsedUp when there is none."""
    if issued >= LAST_SERIAL:
        last = f"{prefix}{LAST_SERIAL}"
        raise NumbersUsedUp(
            f"{queue_name}今日号码已发完（最后一号 {last}），请改取其他业务或明日再来",
            last=last, issued=issued,
        )
    return issued + 1


def number_key(number: str) -> tuple[int, str]:
    """Order of numbers as issued: a wider number is later (A999 before A1000)."""
    return len(number), number
