"""Errors of the case domain. Each names what was wrong; when one is raised nothing changed."""
from __future__ import annotations

from hall.domain.errors import IllegalTransition, InvalidCommand, NotFound


class InvalidCase(InvalidCommand):
    """Bad input for a case: an unknown matter or material, a bad check character, ..."""


class CaseNotFound(NotFound):
    pass


class CaseTransition(IllegalTransition):
    """The case is not in a state that allows the command; the message names both."""
