"""Errors of the follow-up ledger. Each names what was wrong; when one is raised nothing changed."""
from __future__ import annotations

from hall.domain.errors import IllegalTransition, InvalidCommand, NotFound


class InvalidFollowup(InvalidCommand):
    """Bad input: an unknown outcome or feedback channel, an empty note, a time in the future."""


class FollowupNotFound(NotFound):
    pass


class FollowupTransition(IllegalTransition):
    """The follow-up's state does not allow the command; the message names both."""
