"""Logging for every role: one line per event on stderr, personal data masked.

Under systemd (JOURNAL_STREAM set) each line starts with the sd-daemon level prefix
(`<6>hall.server: ...`) and carries no timestamp, since journald stamps it; elsewhere
the line is `2026-11-27 10:00:00,123 INFO hall.server: ...`. Newlines inside a message
or a traceback are folded into " | ", so one event is one journal entry and a value
containing a newline cannot forge a second line.

`PersonalDataFilter` sits on the handler, so it sees records from every logger that
propagates to the root: it renders the message with its arguments and masks ID numbers
and registered names in it, in the exception text and in the stack.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from typing import TextIO

from ground import privacy

# sd-daemon(3) prefixes, as journald reads them from a service's stderr.
_JOURNAL_PRIORITY = (
    (logging.CRITICAL, 2),
    (logging.ERROR, 3),
    (logging.WARNING, 4),
    (logging.INFO, 6),
)
_DEBUG_PRIORITY = 7
_FOLD = " | "

# Marks the handler that setup_logging installed, so a second call replaces it.
_HANDLER_MARK = "_yiciban_handler"
# Marks a record already redacted, when it passes through more than one filtered handler.
_REDACTED_MARK = "_yiciban_redacted"


def journal_priority(levelno: int) -> int:
    """The syslog priority journald should record for a logging level."""
    for threshold, priority in _JOURNAL_PRIORITY:
        if levelno >= threshold:
            return priority
    return _DEBUG_PRIORITY


def _fold(text: str) -> str:
    return _FOLD.join(text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n"))


class OneLineFormatter(logging.Formatter):
    """The standard formatter, with the whole event (traceback included) on one line."""

    def format(self, record: logging.LogRecord) -> str:
        return _fold(super().format(record))


class JournalFormatter(OneLineFormatter):
    """`<N>name: message`, N being the sd-daemon priority of the record's level."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return f"<{journal_priority(record.levelno)}>{super().format(record)}"


class PersonalDataFilter(logging.Filter):
    """Masks ID numbers and registered names in a record before any formatter sees it.

    The message is rendered with its arguments here (so a number passed as an argument
    is caught), and the traceback is rendered here too, so the formatter reuses the
    masked text instead of rendering the exception again.
    """

    def __init__(self, names: privacy.SensitiveNames | None = None) -> None:
        super().__init__()
        self._names = names

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _REDACTED_MARK, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the event
            message = f"{record.msg!s} (arguments did not fit: {record.args!r})"
        record.msg = _hide_secrets(privacy.redact(message, self._names))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = privacy.redact(record.exc_text, self._names)
        if record.stack_info:
            record.stack_info = privacy.redact(record.stack_info, self._names)
        setattr(record, _REDACTED_MARK, True)
        return True


# a device token in a query string (the event stream's ?token=, which a web server logs): never in a log
_SECRET_PARAM = re.compile(r"(?i)\b(token|password|access_token)=([^&\s\"']+)")
# a ticket's signed follow link (/t/<ticket>.<sig>, /public/tickets/<ticket>.<sig>): whoever has
# it can see and rate that ticket, so the signature never reaches a log either
_SIGNED_PATH = re.compile(r"(/(?:t|public/tickets)/[^\s/?#.]+)\.([A-Za-z0-9]{6,})")


def _hide_secrets(text: str) -> str:
    if "=" in text:
        text = _SECRET_PARAM.sub(r"\1=***", text)
    if "/t/" in text or "/public/tickets/" in text:
        text = _SIGNED_PATH.sub(r"\1.***", text)
    return text


def under_journald() -> bool:
    """True when stderr goes to journald (systemd sets JOURNAL_STREAM for the service)."""
    return bool(os.environ.get("JOURNAL_STREAM"))


def setup_logging(level: str | int = "INFO", *, stream: TextIO | None = None) -> None:
    """Send every log record, masked and on one line, to `stream` (stderr by default).

    Calling it again replaces the handler it installed before; other handlers are kept.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    setattr(handler, _HANDLER_MARK, True)
    handler.setFormatter(
        JournalFormatter()
        if under_journald()
        else OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(PersonalDataFilter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
